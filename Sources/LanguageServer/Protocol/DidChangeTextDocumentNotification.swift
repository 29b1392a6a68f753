/// `textDocument/didChange`: incremental edits (applied in order) or a full replacement.
public enum DidChangeTextDocumentNotification: LSPNotification {
  public static let method = "textDocument/didChange"
  public struct Params: Codable, Sendable {
    public var textDocument: VersionedTextDocumentIdentifier
    public var contentChanges: [TextDocumentContentChangeEvent]
    public init(textDocument: VersionedTextDocumentIdentifier, contentChanges: [TextDocumentContentChangeEvent]) {
      self.textDocument = textDocument
      self.contentChanges = contentChanges
    }
  }
}
