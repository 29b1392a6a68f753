/// `$/cancelRequest`: the editor no longer needs the answer to request `id`; the server answers
/// it with error -32800 if it has not answered yet.
public enum CancelRequestNotification: LSPNotification {
  public static let method = "$/cancelRequest"
  public struct Params: Codable, Sendable {
    public var id: RequestID
    public init(id: RequestID) { self.id = id }
  }
}
