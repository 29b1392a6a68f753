/// `textDocument/codeAction`: "Add type annotation", "Rename function to …", "Show functional clones".
public enum CodeActionRequest: LSPRequest {
  public static let method = "textDocument/codeAction"
  public struct Params: Codable, Sendable {
    public var textDocument: TextDocumentIdentifier
    public var range: LSPRange
    public var context: Context
    public init(textDocument: TextDocumentIdentifier, range: LSPRange, context: Context = Context()) {
      self.textDocument = textDocument
      self.range = range
      self.context = context
    }
  }
  public struct Context: Codable, Sendable {
    public var diagnostics: [Diagnostic]
    public var only: [String]?
    public init(diagnostics: [Diagnostic] = [], only: [String]? = nil) {
      self.diagnostics = diagnostics
      self.only = only
    }
  }
  public typealias Response = [CodeAction]
}

/// One offered action: an edit, a command, or both.
public struct CodeAction: Codable, Sendable, Hashable {
  public var title: String
  public var kind: String?
  public var diagnostics: [Diagnostic]?
  public var isPreferred: Bool?
  public var edit: WorkspaceEdit?
  public var command: Command?
}
