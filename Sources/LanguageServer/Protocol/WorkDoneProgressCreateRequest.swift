/// `window/workDoneProgress/create` (server → editor): asks for a progress token to report on.
public enum WorkDoneProgressCreateRequest: LSPRequest {
  public static let method = "window/workDoneProgress/create"
  public struct Params: Codable, Sendable {
    public var token: String
  }
  public typealias Response = NullResponse
}

/// `window/workDoneProgress/cancel` (editor → server): the user cancelled a progress.
public enum WorkDoneProgressCancelNotification: LSPNotification {
  public static let method = "window/workDoneProgress/cancel"
  public struct Params: Codable, Sendable {
    public var token: JSONValue
  }
}
