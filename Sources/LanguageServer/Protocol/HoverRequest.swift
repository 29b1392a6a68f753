/// `textDocument/hover`: predicted types of a binding, or predicted names and similar functions
/// of a function.
public enum HoverRequest: LSPRequest {
  public static let method = "textDocument/hover"
  public struct Params: Codable, Sendable {
    public var textDocument: TextDocumentIdentifier
    public var position: Position
    public init(textDocument: TextDocumentIdentifier, position: Position) {
      self.textDocument = textDocument
      self.position = position
    }
  }
  public typealias Response = Hover?
}

/// The hover card.
public struct Hover: Codable, Sendable, Hashable {
  public var contents: MarkupContent
  public var range: LSPRange?
}
