/// `textDocument/didSave`: the document was written to disk (the workspace index picks it up).
public enum DidSaveTextDocumentNotification: LSPNotification {
  public static let method = "textDocument/didSave"
  public struct Params: Codable, Sendable {
    public var textDocument: TextDocumentIdentifier
    public var text: String?
  }
}
