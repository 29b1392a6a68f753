/// `textDocument/publishDiagnostics` (server → editor): the current findings for a document.
public enum PublishDiagnosticsNotification: LSPNotification {
  public static let method = "textDocument/publishDiagnostics"
  public struct Params: Codable, Sendable {
    public var uri: String
    public var version: Int?
    public var diagnostics: [Diagnostic]
  }
}
