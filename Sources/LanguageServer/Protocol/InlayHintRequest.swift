/// `textDocument/inlayHint`: predicted types shown inline, each acceptable through `textEdits`.
public enum InlayHintRequest: LSPRequest {
  public static let method = "textDocument/inlayHint"
  public struct Params: Codable, Sendable {
    public var textDocument: TextDocumentIdentifier
    public var range: LSPRange
    public init(textDocument: TextDocumentIdentifier, range: LSPRange) {
      self.textDocument = textDocument
      self.range = range
    }
  }
  public typealias Response = [InlayHint]
}

/// One inlay hint.
public struct InlayHint: Codable, Sendable, Hashable {
  public var position: Position
  public var label: String
  /// 1: type, 2: parameter.
  public var kind: Int?
  public var textEdits: [TextEdit]?
  public var tooltip: String?
  public var paddingLeft: Bool?
  public var paddingRight: Bool?
}
