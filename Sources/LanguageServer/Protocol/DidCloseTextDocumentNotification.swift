/// `textDocument/didClose`: the editor gives the document back to the disk.
public enum DidCloseTextDocumentNotification: LSPNotification {
  public static let method = "textDocument/didClose"
  public struct Params: Codable, Sendable {
    public var textDocument: TextDocumentIdentifier
  }
}
