import CTreeSitter

/// A compiled tree-sitter query. Compile once, run many times with a `QueryCursor`.
public final class Query: @unchecked Sendable {
  let raw: OpaquePointer
  public let language: Language
  /// Capture names by capture id.
  public let captureNames: [String]

  public init(_ source: String, language: Language) throws {
    var errorOffset: UInt32 = 0
    var errorType = TSQueryErrorNone
    let compiled = source.withCString { p in
      ts_query_new(language.grammar, p, UInt32(source.utf8.count), &errorOffset, &errorType)
    }
    guard let compiled else {
      throw SyntaxError.invalidQuery("error \(errorType.rawValue) at byte \(errorOffset) of the query")
    }
    raw = compiled
    self.language = language
    captureNames = (0..<ts_query_capture_count(compiled)).map { id in
      var length: UInt32 = 0
      let p = ts_query_capture_name_for_id(compiled, id, &length)!
      return String(decoding: UnsafeRawBufferPointer(start: p, count: Int(length)), as: UTF8.self)
    }
  }

  deinit { ts_query_delete(raw) }
}

/// One match of a query: its pattern index and captured nodes.
public struct QueryMatch {
  public let pattern: Int
  public let captures: [(name: String, node: Node)]

  /// The first node captured under `name`.
  public func capture(_ name: String) -> Node? { captures.first { $0.name == name }?.node }
}

/// A reusable cursor that runs queries.
public final class QueryCursor {
  private let raw: OpaquePointer

  public init() { raw = ts_query_cursor_new()! }
  deinit { ts_query_cursor_delete(raw) }

  /// All matches of `query` under `node`, in document order.
  public func matches(_ query: Query, in node: Node) -> [QueryMatch] {
    ts_query_cursor_exec(raw, query.raw, node.raw)
    var out: [QueryMatch] = []
    var match = TSQueryMatch()
    while ts_query_cursor_next_match(raw, &match) {
      var captures: [(String, Node)] = []
      for i in 0..<Int(match.capture_count) {
        let c = match.captures[i]
        captures.append((query.captureNames[Int(c.index)], Node(raw: c.node, tree: node.tree)))
      }
      out.append(QueryMatch(pattern: Int(match.pattern_index), captures: captures))
    }
    return out
  }
}
