import CTreeSitter

/// A node of a `Tree`: a small value that keeps its tree alive and reads its text from the
/// tree's source bytes.
public struct Node: @unchecked Sendable {
  let raw: TSNode
  public let tree: Tree

  init(raw: TSNode, tree: Tree) {
    self.raw = raw
    self.tree = tree
  }

  init?(_ raw: TSNode, tree: Tree) {
    if ts_node_is_null(raw) { return nil }
    self.raw = raw
    self.tree = tree
  }

  // MARK: - Identity and kind

  /// The grammar's node type, e.g. `function_declaration`, `identifier`, `(`.
  public var type: String {
    let s = Int(ts_node_symbol(raw))
    let names = Language.typeNames[tree.language.ordinal]
    return s < names.count ? names[s] : String(cString: ts_node_type(raw))  // ERROR is 65535
  }
  /// The numeric symbol (cheaper to compare than `type`).
  public var symbol: UInt16 { ts_node_symbol(raw) }
  public var isNamed: Bool { ts_node_is_named(raw) }
  public var isError: Bool { ts_node_symbol(raw) == UInt16.max }
  public var isMissing: Bool { ts_node_is_missing(raw) }
  /// Whether this node or any descendant is an ERROR or MISSING node.
  public var hasError: Bool { ts_node_has_error(raw) }

  // MARK: - Position

  public var startByte: Int { Int(ts_node_start_byte(raw)) }
  public var endByte: Int { Int(ts_node_end_byte(raw)) }
  public var byteRange: Range<Int> { startByte..<endByte }
  /// Zero-based row and byte column of the start.
  public var startPoint: (row: Int, column: Int) {
    let p = ts_node_start_point(raw)
    return (Int(p.row), Int(p.column))
  }
  /// Zero-based row and byte column of the end.
  public var endPoint: (row: Int, column: Int) {
    let p = ts_node_end_point(raw)
    return (Int(p.row), Int(p.column))
  }

  // MARK: - Text

  /// The source text of the node.
  public var text: String { String(decoding: tree.bytes[byteRange], as: UTF8.self) }
  /// The source bytes of the node.
  public var bytes: ArraySlice<UInt8> { tree.bytes[byteRange] }

  // MARK: - Navigation

  public var parent: Node? { Node(ts_node_parent(raw), tree: tree) }
  public var childCount: Int { Int(ts_node_child_count(raw)) }
  public var namedChildCount: Int { Int(ts_node_named_child_count(raw)) }
  public func child(_ i: Int) -> Node? { Node(ts_node_child(raw, UInt32(i)), tree: tree) }
  public func namedChild(_ i: Int) -> Node? { Node(ts_node_named_child(raw, UInt32(i)), tree: tree) }
  public var nextSibling: Node? { Node(ts_node_next_sibling(raw), tree: tree) }
  public var previousSibling: Node? { Node(ts_node_prev_sibling(raw), tree: tree) }
  public var nextNamedSibling: Node? { Node(ts_node_next_named_sibling(raw), tree: tree) }
  public var previousNamedSibling: Node? { Node(ts_node_prev_named_sibling(raw), tree: tree) }

  /// All children, named and anonymous.
  public var children: [Node] {
    var out: [Node] = []
    out.reserveCapacity(childCount)
    var cursor = ts_tree_cursor_new(raw)
    defer { ts_tree_cursor_delete(&cursor) }
    if ts_tree_cursor_goto_first_child(&cursor) {
      repeat { out.append(Node(raw: ts_tree_cursor_current_node(&cursor), tree: tree)) } while ts_tree_cursor_goto_next_sibling(&cursor)
    }
    return out
  }

  /// Named children only.
  public var namedChildren: [Node] { children.filter(\.isNamed) }

  /// The child stored under a grammar field, e.g. `name`, `body`, `parameters`.
  public func child(field: String) -> Node? {
    field.withCString { p in Node(ts_node_child_by_field_name(raw, p, UInt32(field.utf8.count)), tree: tree) }
  }

  /// All children stored under a field (some fields repeat, e.g. `decorator`).
  public func children(field: String) -> [Node] {
    var out: [Node] = []
    var cursor = ts_tree_cursor_new(raw)
    defer { ts_tree_cursor_delete(&cursor) }
    guard ts_tree_cursor_goto_first_child(&cursor) else { return out }
    repeat {
      if let name = ts_tree_cursor_current_field_name(&cursor), String(cString: name) == field {
        out.append(Node(raw: ts_tree_cursor_current_node(&cursor), tree: tree))
      }
    } while ts_tree_cursor_goto_next_sibling(&cursor)
    return out
  }

  /// The field name under which this node sits in its parent, if any.
  public var fieldName: String? {
    guard let parent else { return nil }
    var cursor = ts_tree_cursor_new(parent.raw)
    defer { ts_tree_cursor_delete(&cursor) }
    guard ts_tree_cursor_goto_first_child(&cursor) else { return nil }
    repeat {
      let n = ts_tree_cursor_current_node(&cursor)
      if ts_node_eq(n, raw) {
        return ts_tree_cursor_current_field_name(&cursor).map { String(cString: $0) }
      }
    } while ts_tree_cursor_goto_next_sibling(&cursor)
    return nil
  }

  /// The smallest named node spanning the byte range.
  public func namedDescendant(for range: Range<Int>) -> Node? {
    Node(ts_node_named_descendant_for_byte_range(raw, UInt32(range.lowerBound), UInt32(range.upperBound)), tree: tree)
  }

  /// The smallest node (named or not) spanning the byte range.
  public func descendant(for range: Range<Int>) -> Node? {
    Node(ts_node_descendant_for_byte_range(raw, UInt32(range.lowerBound), UInt32(range.upperBound)), tree: tree)
  }

  /// Pre-order walk. `visit` returns whether to descend into the node's children.
  public func walk(_ visit: (Node) -> Bool) {
    let cursor = TreeCursor(self)
    var descend = visit(cursor.node)
    while true {
      if descend && cursor.gotoFirstChild() {
        descend = visit(cursor.node)
        continue
      }
      while !cursor.gotoNextSibling() {
        if !cursor.gotoParent() || cursor.node == self { return }
      }
      descend = visit(cursor.node)
    }
  }

  /// The tree-sitter S-expression of this subtree.
  public var sExpression: String {
    guard let c = ts_node_string(raw) else { return "" }
    defer { free(c) }
    return String(cString: c)
  }
}

extension Node: Equatable, Hashable {
  public static func == (a: Node, b: Node) -> Bool { ts_node_eq(a.raw, b.raw) && a.tree === b.tree }
  public func hash(into h: inout Hasher) {
    h.combine(startByte)
    h.combine(endByte)
    h.combine(symbol)
  }
}

extension Node: CustomStringConvertible {
  public var description: String { "\(type) [\(startByte)..<\(endByte)]" }
}

#if canImport(Glibc)
  import Glibc
#endif

/// A reusable cursor over a subtree (tree-sitter's `TSTreeCursor`).
public final class TreeCursor {
  /// Heap storage for the C cursor: a stable address, and no exclusivity bookkeeping per call.
  private let raw: UnsafeMutablePointer<TSTreeCursor>
  let tree: Tree

  public init(_ node: Node) {
    raw = .allocate(capacity: 1)
    raw.initialize(to: ts_tree_cursor_new(node.raw))
    tree = node.tree
  }

  deinit {
    ts_tree_cursor_delete(raw)
    raw.deallocate()
  }

  public var node: Node { Node(raw: ts_tree_cursor_current_node(raw), tree: tree) }
  public var fieldName: String? { ts_tree_cursor_current_field_name(raw).map { String(cString: $0) } }
  public func gotoFirstChild() -> Bool { ts_tree_cursor_goto_first_child(raw) }
  public func gotoNextSibling() -> Bool { ts_tree_cursor_goto_next_sibling(raw) }
  public func gotoParent() -> Bool { ts_tree_cursor_goto_parent(raw) }
  public func reset(to node: Node) { ts_tree_cursor_reset(raw, node.raw) }
}
