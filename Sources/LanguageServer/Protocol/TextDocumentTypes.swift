/// A document named by its URI.
public struct TextDocumentIdentifier: Codable, Sendable, Hashable {
  public var uri: String
  public init(uri: String) { self.uri = uri }
}

/// A document and the version the editor has of it.
public struct VersionedTextDocumentIdentifier: Codable, Sendable, Hashable {
  public var uri: String
  public var version: Int?
  public init(uri: String, version: Int?) {
    self.uri = uri
    self.version = version
  }
}

/// An opened document with its full text.
public struct TextDocumentItem: Codable, Sendable, Hashable {
  public var uri: String
  public var languageId: String
  public var version: Int
  public var text: String
  public init(uri: String, languageId: String, version: Int, text: String) {
    self.uri = uri
    self.languageId = languageId
    self.version = version
    self.text = text
  }
}

/// One change in `didChange`: a range and its replacement, or the whole text when `range` is absent.
public struct TextDocumentContentChangeEvent: Codable, Sendable, Hashable {
  public var range: LSPRange?
  public var rangeLength: Int?
  public var text: String
  public init(range: LSPRange?, text: String) {
    self.range = range
    self.text = text
  }
}

/// A place in a document.
public struct Location: Codable, Sendable, Hashable {
  public var uri: String
  public var range: LSPRange
  public init(uri: String, range: LSPRange) {
    self.uri = uri
    self.range = range
  }
}

/// A replacement of a range of a document.
public struct TextEdit: Codable, Sendable, Hashable {
  public var range: LSPRange
  public var newText: String
  public init(range: LSPRange, newText: String) {
    self.range = range
    self.newText = newText
  }
}

/// Edits to several documents (`changes` form).
public struct WorkspaceEdit: Codable, Sendable, Hashable {
  public var changes: [String: [TextEdit]]
  public init(changes: [String: [TextEdit]]) { self.changes = changes }
}

/// Markdown or plain text for hovers.
public struct MarkupContent: Codable, Sendable, Hashable {
  public var kind: String
  public var value: String
  public init(markdown: String) {
    kind = "markdown"
    value = markdown
  }
}

/// A command the editor can run (the server executes it through `workspace/executeCommand`).
public struct Command: Codable, Sendable, Hashable {
  public var title: String
  public var command: String
  public var arguments: [JSONValue]?
  public init(title: String, command: String, arguments: [JSONValue]?) {
    self.title = title
    self.command = command
    self.arguments = arguments
  }
}

/// A workspace folder the editor opened.
public struct WorkspaceFolder: Codable, Sendable, Hashable {
  public var uri: String
  public var name: String?
}
