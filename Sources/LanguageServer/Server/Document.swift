import CodeIntel
import Heads
import Syntax

/// An open document: its text, line index and syntax tree, kept in step with the editor's edits
/// by tree-sitter's incremental re-parse. Analyses of the current version are cached here.
/// Used only on the server's queue.
final class Document: @unchecked Sendable {
  let uri: String
  let language: Language
  private(set) var version: Int
  private(set) var bytes: [UInt8]
  private(set) var lineIndex: LineIndex
  /// Nil when the file is larger than the configured limit (kept in step, not analysed), and while a large
  /// version is being parsed off the server queue (`parsePending`).
  private(set) var tree: Tree?
  private let parser: Parser
  /// A version of `backgroundParseBytes` or more waits for its parse on the server's parse queue; until the
  /// tree lands (`install`), requests on this document answer as for a text without functions.
  private(set) var parsePending = false
  /// Whether a parse of this document is running on the parse queue now (one at a time per document).
  var parseInFlight = false
  /// Bumped by every edit: a background parse lands only on the text it was given.
  private(set) var textGeneration = 0
  /// Texts at least this large are parsed off the server queue when opened or replaced whole.
  static let backgroundParseBytes = 512 << 10
  /// Bumped on every change; a debounced diagnostics run only publishes if it still matches.
  var generation = 0
  /// The generation last given to the clone finder (-1: never).
  var clonesIndexedGeneration = -1
  /// The diagnostics run in flight for this document, cancelled when a newer version or a close arrives.
  var analysis: CancellationToken?

  private var cachedTypes: [TypeEvidence.Suggestion]?
  /// Suggestions of this version for ranges asked for (emptied on every edit).
  private var cachedRanges: [ClosedRange<Int>: [TypeEvidence.Suggestion]] = [:]
  private var cachedUnits: [FunctionUnit]?
  private var cachedScopes: TypeCheckScopes?
  /// The type head's predictions per window, kept across edits (an edit re-computes only the windows it
  /// changed) and bounded by bytes; it goes with the document at `didClose`.
  let typeHeadCache = TypeHeadCache(maxBytes: Document.typeHeadCacheBytes)
  static let typeHeadCacheBytes = 8 << 20

  init(uri: String, language: Language, version: Int, text: String, maxBytes: Int) throws {
    self.uri = uri
    self.language = language
    self.version = version
    bytes = Array(text.utf8)
    lineIndex = LineIndex(bytes)
    parser = Parser(language: language)
    if bytes.count > maxBytes {
      tree = nil
    } else if bytes.count >= Self.backgroundParseBytes {
      parsePending = true
    } else {
      tree = try parser.parse(bytes: bytes)
    }
  }

  /// Puts the tree of a background parse in place if it was made from the current text; returns whether it was.
  func install(_ parsed: Tree?, textGeneration: Int) -> Bool {
    guard parsePending, textGeneration == self.textGeneration else { return false }
    tree = parsed
    parsePending = false
    cachedTypes = nil
    cachedRanges = [:]
    cachedUnits = nil
    cachedScopes = nil
    return true
  }

  // MARK: - Edits

  /// Applies `didChange` events in order (each against the text the previous one produced), then
  /// re-parses incrementally (from scratch after a full-text replacement).
  func apply(_ changes: [TextDocumentContentChangeEvent], version: Int?, maxBytes: Int) throws {
    var edits: [ByteEdit] = []
    var replaced = false
    for change in changes {
      if let range = change.range {
        // Positions past the end clamp (LineIndex); a reversed range is taken as written backwards.
        let a = lineIndex.byteOffset(line: range.start.line, utf16Column: range.start.character)
        let b = lineIndex.byteOffset(line: range.end.line, utf16Column: range.end.character)
        let (start, end) = (min(a, b), max(a, b))
        let edit = ByteEdit(start: start, deletedLength: end - start, inserted: change.text)
        bytes = try [edit].apply(to: bytes)
        edits.append(edit)
      } else {
        bytes = Array(change.text.utf8)
        replaced = true
        edits = []
      }
      lineIndex = LineIndex(bytes)
    }
    if let version { self.version = version }
    generation += 1
    textGeneration += 1
    cachedTypes = nil
    cachedRanges = [:]
    cachedUnits = nil
    cachedScopes = nil
    if bytes.count > maxBytes {
      tree = nil
      parsePending = false
    } else if parsePending || (replaced && bytes.count >= Self.backgroundParseBytes) {
      // Parsed off the server queue (the server starts it); edits meanwhile only change the text.
      tree = nil
      parsePending = true
    } else if let tree, !replaced {
      self.tree = try parser.reparse(tree, applying: edits)
    } else {
      tree = try parser.parse(bytes: bytes)
    }
  }

  // MARK: - Analyses of this version

  /// Type suggestions of this version: all of them (cached), or with `bytes` at least those whose
  /// nodes overlap the range (from the cache when there is one, else computed for the range only).
  func typeSuggestions(
    _ suggester: any TypeSuggester, bytes: ClosedRange<Int>? = nil, projectTypes: Bool = true,
    cancellation: CancellationToken
  ) throws -> [TypeEvidence.Suggestion] {
    // Once the whole file has been analysed (until the next edit), a range is a filter of that result.
    if let cachedTypes { return cachedTypes.overlapping(bytes) }
    guard let tree else { return [] }
    // A range that covers the whole text (an editor's whole-file hints) is the whole-file analysis, kept.
    let range = bytes.flatMap { $0.lowerBound <= 0 && $0.upperBound >= self.bytes.count ? nil : $0 }
    if let range, let known = cachedRanges[range] { return known }
    // The document's file (nil when unsaved): the suggester may read its project's other files' annotations.
    let path = projectTypes ? LanguageServer.path(fromURI: uri) : nil
    let s = try suggester.suggestTypes(
      in: tree, bytes: range, cache: typeHeadCache, path: path, cancellation: cancellation)
    if let range {
      // The same range asked again for this version (hints re-requested on scroll or focus) is answered
      // from here; a handful is enough, as editors ask for the visible lines.
      if cachedRanges.count >= 8 { cachedRanges.removeAll() }
      cachedRanges[range] = s
    } else {
      cachedTypes = s
    }
    return s
  }

  /// How many analyses are cached for this document (its version's and the type head's): for tests.
  var cachedAnalyses: Int {
    (cachedTypes == nil ? 0 : 1) + cachedRanges.count + (cachedUnits == nil ? 0 : 1) + typeHeadCache.count
  }

  /// The parts of this version a compiler verdict can depend on (`TypeCheckScopes`), computed once per version.
  var typeCheckScopes: TypeCheckScopes? {
    if let cachedScopes { return cachedScopes }
    let s = tree.map { TypeCheckScopes(tree: $0) }
    cachedScopes = s
    return s
  }

  var units: [FunctionUnit] {
    if let cachedUnits { return cachedUnits }
    let u = tree.map { extractUnits(from: $0) } ?? []
    cachedUnits = u
    return u
  }

  // MARK: - Positions

  func position(ofByte offset: Int) -> Position {
    let p = lineIndex.utf16Position(ofByte: offset)
    return Position(line: p.line, character: p.character)
  }

  func range(ofBytes r: Range<Int>) -> LSPRange {
    LSPRange(start: position(ofByte: r.lowerBound), end: position(ofByte: r.upperBound))
  }

  func byteOffset(of position: Position) -> Int {
    lineIndex.byteOffset(line: position.line, utf16Column: position.character)
  }
}
