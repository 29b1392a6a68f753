import CTreeSitter

/// Errors from the syntax layer, each with a sentence a user can act on.
public enum SyntaxError: Error, CustomStringConvertible, Equatable {
  case unsupportedLanguage(path: String)
  case parseFailed(String)
  case invalidQuery(String)
  case invalidEdit(String)

  public var description: String {
    switch self {
    case .unsupportedLanguage(let path):
      return "\(path): not a JavaScript or TypeScript file (expected .js .mjs .cjs .jsx .ts .mts .cts or .tsx)"
    case .parseFailed(let why): return "parsing failed: \(why)"
    case .invalidQuery(let why): return "invalid tree-sitter query: \(why)"
    case .invalidEdit(let why): return "invalid edit: \(why)"
    }
  }
}

/// A tree-sitter parser for one language. Reuse one per thread; it is not thread-safe.
public final class Parser {
  private let raw: OpaquePointer
  public let language: Language

  public init(language: Language) {
    raw = ts_parser_new()!
    self.language = language
    _ = ts_parser_set_language(raw, language.grammar)
  }

  deinit { ts_parser_delete(raw) }

  /// Parses `source` from scratch.
  public func parse(_ source: String) throws -> Tree {
    try parse(bytes: Array(source.utf8))
  }

  /// Parses UTF-8 bytes from scratch.
  public func parse(bytes: [UInt8]) throws -> Tree {
    try parse(bytes: bytes, reusing: nil)
  }

  /// Re-parses after `edits`, reusing the unchanged parts of `tree` (tree-sitter incremental parsing).
  /// The edits are applied in order, each against the text the previous one produced.
  public func reparse(_ tree: Tree, applying edits: [ByteEdit]) throws -> Tree {
    var text = tree.bytes
    guard let copy = ts_tree_copy(tree.raw) else { throw SyntaxError.parseFailed("could not copy the tree") }
    if let points = Self.pointsBackToFront(edits, in: text) {
      // Edits from the back of the text to the front: each is described in the original text's lines, and
      // the text is assembled once.
      for (edit, p) in zip(edits, points) {
        var input = TSInputEdit(
          start_byte: UInt32(edit.start), old_end_byte: UInt32(edit.start + edit.deletedLength),
          new_end_byte: UInt32(edit.start + edit.inserted.count), start_point: p.start, old_end_point: p.oldEnd,
          new_end_point: p.newEnd)
        ts_tree_edit(copy, &input)
      }
      defer { ts_tree_delete(copy) }
      return try parse(bytes: try edits.apply(to: text), reusing: copy)
    }
    for edit in edits {
      guard edit.start >= 0, edit.deletedLength >= 0, edit.start + edit.deletedLength <= text.count else {
        ts_tree_delete(copy)
        throw SyntaxError.invalidEdit("range \(edit.start)..<\(edit.start + edit.deletedLength) is outside a text of \(text.count) bytes")
      }
      let startPoint = Tree.point(in: text, at: edit.start)
      let oldEndPoint = Tree.point(in: text, at: edit.start + edit.deletedLength)
      text.replaceSubrange(edit.start..<(edit.start + edit.deletedLength), with: edit.inserted)
      let newEnd = edit.start + edit.inserted.count
      let newEndPoint = Tree.point(in: text, at: newEnd)
      var input = TSInputEdit(
        start_byte: UInt32(edit.start), old_end_byte: UInt32(edit.start + edit.deletedLength),
        new_end_byte: UInt32(newEnd), start_point: startPoint, old_end_point: oldEndPoint,
        new_end_point: newEndPoint)
      ts_tree_edit(copy, &input)
    }
    defer { ts_tree_delete(copy) }
    return try parse(bytes: text, reusing: copy)
  }

  /// The tree-sitter points of `edits` when they run from the back of `text` to the front without
  /// overlapping (so each one's start and old end lie in text no earlier edit changed); nil otherwise.
  static func pointsBackToFront(_ edits: [ByteEdit], in text: [UInt8])
    -> [(start: TSPoint, oldEnd: TSPoint, newEnd: TSPoint)]?
  {
    var limit = text.count
    for (i, e) in edits.enumerated() {
      // Distinct starts, so that applying them in one pass cannot reorder two insertions at one offset.
      guard e.start >= 0, e.deletedLength >= 0, e.start + e.deletedLength <= limit, i == 0 || e.start < limit
      else { return nil }
      limit = e.start
    }
    var lineStarts = [0]
    for (i, c) in text.enumerated() where c == 0x0A { lineStarts.append(i + 1) }
    func point(_ offset: Int) -> TSPoint {
      var lo = 0
      var hi = lineStarts.count  // last line start <= offset
      while hi - lo > 1 {
        let mid = (lo + hi) / 2
        if lineStarts[mid] <= offset { lo = mid } else { hi = mid }
      }
      return TSPoint(row: UInt32(lo), column: UInt32(offset - lineStarts[lo]))
    }
    return edits.map { e in
      let start = point(e.start)
      var newEnd = start
      for c in e.inserted {
        if c == 0x0A {
          newEnd.row += 1
          newEnd.column = 0
        } else {
          newEnd.column += 1
        }
      }
      return (start, point(e.start + e.deletedLength), newEnd)
    }
  }

  private func parse(bytes: [UInt8], reusing old: OpaquePointer?) throws -> Tree {
    guard bytes.count < Int(UInt32.max) else { throw SyntaxError.parseFailed("the file is larger than 4 GiB") }
    let raw: OpaquePointer? = bytes.withUnsafeBufferPointer { buf in
      buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buf.count, 1)) { p in
        ts_parser_parse_string(self.raw, old, p, UInt32(buf.count))
      }
    }
    guard let raw else { throw SyntaxError.parseFailed("tree-sitter returned no tree") }
    return Tree(raw: raw, bytes: bytes, language: language)
  }
}

/// One edit of a text in bytes: replace `deletedLength` bytes at `start` with `inserted`.
public struct ByteEdit: Sendable, Equatable {
  public var start: Int
  public var deletedLength: Int
  public var inserted: [UInt8]

  public init(start: Int, deletedLength: Int, inserted: [UInt8]) {
    self.start = start
    self.deletedLength = deletedLength
    self.inserted = inserted
  }

  public init(start: Int, deletedLength: Int, inserted: String) {
    self.init(start: start, deletedLength: deletedLength, inserted: Array(inserted.utf8))
  }
}

extension Array where Element == ByteEdit {
  /// Applies non-overlapping edits, each given against the *original* text, in one pass.
  /// Edits are sorted by position; overlapping edits are rejected.
  public func apply(to text: [UInt8]) throws -> [UInt8] {
    let sorted = self.sorted { ($0.start, $0.deletedLength) < ($1.start, $1.deletedLength) }
    var out: [UInt8] = []
    out.reserveCapacity(text.count + sorted.reduce(0) { $0 + $1.inserted.count })
    var cursor = 0
    for edit in sorted {
      guard edit.start >= cursor, edit.start + edit.deletedLength <= text.count else {
        throw SyntaxError.invalidEdit("edits overlap or run past the end at byte \(edit.start)")
      }
      out.append(contentsOf: text[cursor..<edit.start])
      out.append(contentsOf: edit.inserted)
      cursor = edit.start + edit.deletedLength
    }
    out.append(contentsOf: text[cursor...])
    return out
  }
}
