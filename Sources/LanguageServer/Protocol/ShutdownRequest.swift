/// `shutdown`: stop working and wait for `exit`; later requests are refused.
public enum ShutdownRequest: LSPRequest {
  public static let method = "shutdown"
  public typealias Params = EmptyParams
  public typealias Response = NullResponse
}
