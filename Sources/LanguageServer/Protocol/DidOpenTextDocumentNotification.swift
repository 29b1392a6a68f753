/// `textDocument/didOpen`: the editor now owns the document's text.
public enum DidOpenTextDocumentNotification: LSPNotification {
  public static let method = "textDocument/didOpen"
  public struct Params: Codable, Sendable {
    public var textDocument: TextDocumentItem
    public init(textDocument: TextDocumentItem) { self.textDocument = textDocument }
  }
}
