import CTreeSitter
import Synchronization

/// A parsed file: owns the tree-sitter tree and the exact bytes it was parsed from.
/// Trees are immutable; an edit produces a new tree (see `Parser.reparse`).
public final class Tree: @unchecked Sendable {
  let raw: OpaquePointer
  /// The UTF-8 source this tree was parsed from.
  public let bytes: [UInt8]
  public let language: Language

  init(raw: OpaquePointer, bytes: [UInt8], language: Language) {
    self.raw = raw
    self.bytes = bytes
    self.language = language
  }

  deinit { ts_tree_delete(raw) }

  /// Analyses of this tree already computed (`memoized(_:_:)`).
  private let memos = Mutex<[String: any Sendable]>([:])

  /// The value `compute` gives, computed once per `key` and kept with the tree: for analyses that are a function
  /// of the tree alone (the tree never changes), asked for more than once per version (the editor's type hints
  /// classify the same tree's sites twice per request). A value must not hold a `Node` of this tree (that would
  /// keep the tree alive).
  public func memoized<T: Sendable>(_ key: String, _ compute: () -> T) -> T {
    if let known = memos.withLock({ $0[key] }) as? T { return known }
    let value = compute()
    memos.withLock { $0[key] = value }
    return value
  }

  /// The root node (`program`).
  public var root: Node { Node(raw: ts_tree_root_node(raw), tree: self) }

  /// The source as a String.
  public var text: String { String(decoding: bytes, as: UTF8.self) }

  /// Whether the tree contains any ERROR or MISSING node.
  public var hasError: Bool { root.hasError }

  /// Number of ERROR and MISSING nodes in the tree.
  public var errorCount: Int {
    var count = 0
    root.walk { node in
      if node.isError || node.isMissing { count += 1 }
      return node.hasError
    }
    return count
  }

  /// The tree-sitter point (row, byte column) of a byte offset in `text`.
  static func point(in text: [UInt8], at offset: Int) -> TSPoint {
    var row: UInt32 = 0
    var lineStart = 0
    var i = 0
    while i < offset {
      if text[i] == 0x0A {
        row += 1
        lineStart = i + 1
      }
      i += 1
    }
    return TSPoint(row: row, column: UInt32(offset - lineStart))
  }
}
