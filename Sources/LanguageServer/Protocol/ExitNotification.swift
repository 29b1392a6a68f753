/// `exit`: the process ends, with status 0 after `shutdown` and 1 without it.
public enum ExitNotification: LSPNotification {
  public static let method = "exit"
  public typealias Params = EmptyParams
}
