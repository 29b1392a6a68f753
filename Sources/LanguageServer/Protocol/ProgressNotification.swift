/// `$/progress` (server → editor): begin, report and end of a work-done progress.
public enum ProgressNotification: LSPNotification {
  public static let method = "$/progress"
  public struct Params: Codable, Sendable {
    public var token: String
    public var value: WorkDoneProgress
  }
}

/// The value of a work-done progress notification.
public struct WorkDoneProgress: Codable, Sendable, Hashable {
  /// `begin`, `report` or `end`.
  public var kind: String
  public var title: String?
  public var message: String?
  public var percentage: Int?
  public var cancellable: Bool?
}
