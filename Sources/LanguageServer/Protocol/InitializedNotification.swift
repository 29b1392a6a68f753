/// `initialized`: the editor has the server's capabilities; the server may start background work.
public enum InitializedNotification: LSPNotification {
  public static let method = "initialized"
  public typealias Params = EmptyParams
}
