/// `window/logMessage` (server → editor): a line for the editor's server log.
public enum LogMessageNotification: LSPNotification {
  public static let method = "window/logMessage"
  public struct Params: Codable, Sendable {
    /// 1 error, 2 warning, 3 info, 4 log.
    public var type: Int
    public var message: String
  }
}
