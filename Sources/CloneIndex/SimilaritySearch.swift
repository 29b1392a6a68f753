import Syntax

/// What to search for: a function in the index, or a snippet of code.
public enum SearchQuery: Sendable, Equatable {
  /// The innermost function containing a 1-based line of a repository file.
  case line(path: String, line: Int)
  /// A function of a repository file by name.
  case function(path: String, name: String)
  /// Source text (read from stdin by the CLI).
  case snippet(String, Language)

  /// Parses `file:line` or `file:function`.
  public static func parse(_ text: String) throws -> SearchQuery {
    guard let colon = text.lastIndex(of: ":"), colon != text.startIndex else {
      throw CloneIndexError.queryNotFound("\(text): expected FILE:LINE or FILE:FUNCTION (or a snippet on stdin with -)")
    }
    let path = String(text[..<colon])
    let rest = String(text[text.index(after: colon)...])
    if let line = Int(rest), line >= 1 { return .line(path: path, line: line) }
    guard !rest.isEmpty else {
      throw CloneIndexError.queryNotFound("\(text): expected a line number or a function name after the colon")
    }
    return .function(path: path, name: rest)
  }
}

/// One search result.
public struct SearchHit: Sendable, Codable, Equatable {
  public var rank: Int
  public var similarity: Double
  public var location: CloneLocation
}

/// Finds the functions most similar to a query, by exact top-k over the index's embeddings.
public struct SimilaritySearch {
  public var embedder: any Embedder

  public init(embedder: any Embedder = HashedFeatureEmbedder()) { self.embedder = embedder }

  /// The query's own location when it names an indexed function, and the `k` best other functions.
  public func search(
    _ query: SearchQuery, root: String, k: Int, indexOptions: IndexOptions = IndexOptions(),
    log: @escaping (IndexEvent) -> Void = { _ in }
  ) throws -> (query: CloneLocation?, hits: [SearchHit]) {
    let indexer = try RepositoryIndexer(root: root, embedder: embedder, options: indexOptions, log: log)
    try indexer.update()
    let snapshot = try indexer.store.snapshot()
    let d = snapshot.dimension
    var queryVector: [Float]
    var selfIndex: Int?
    switch query {
    case .line(let path, let line):
      let p = Self.relative(path, root: indexer.root)
      let candidates = snapshot.units.indices.filter {
        snapshot.units[$0].path == p && snapshot.units[$0].startLine <= line && line <= snapshot.units[$0].endLine
      }
      guard let best = candidates.min(by: { snapshot.units[$0].lineCount < snapshot.units[$1].lineCount }) else {
        throw CloneIndexError.queryNotFound("\(path):\(line): no indexed function contains that line")
      }
      selfIndex = best
    case .function(let path, let name):
      let p = Self.relative(path, root: indexer.root)
      guard
        let best = snapshot.units.indices.first(where: {
          snapshot.units[$0].path == p && snapshot.units[$0].name == name
        })
      else {
        throw CloneIndexError.queryNotFound("\(path): no indexed function named \(name)")
      }
      selfIndex = best
    case .snippet(let text, let language):
      guard let v = try embedder.embed([UnitText(text: text, language: language)]).first, v.count == d else {
        throw CloneIndexError.embedderMismatch("the snippet's vector does not match the index (\(d) floats)")
      }
      queryVector = v
      return (nil, rank(queryVector, snapshot: snapshot, k: k, excluding: nil))
    }
    guard let selfIndex else { return (nil, []) }
    queryVector = Array(snapshot.vector(selfIndex))
    return (
      CloneDetector.location(snapshot.units[selfIndex]),
      rank(queryVector, snapshot: snapshot, k: k, excluding: selfIndex)
    )
  }

  private func rank(_ q: [Float], snapshot: IndexSnapshot, k: Int, excluding: Int?) -> [SearchHit] {
    guard snapshot.dimension > 0, !snapshot.units.isEmpty else { return [] }
    let index = FlatVectorIndex(vectors: snapshot.vectors, dimension: snapshot.dimension)
    let hits = index.search(q, queryCount: 1, k: k + (excluding == nil ? 0 : 1))[0]
    return hits.filter { $0.id != excluding }.prefix(k).enumerated().map { (i, h) in
      SearchHit(rank: i + 1, similarity: Double(h.score), location: CloneDetector.location(snapshot.units[h.id]))
    }
  }

  /// A path relative to the repository root (accepts root-relative and absolute/`./` paths).
  static func relative(_ path: String, root: String) -> String {
    var p = path
    if p.hasPrefix(root + "/") { p.removeFirst(root.count + 1) }
    while p.hasPrefix("./") { p.removeFirst(2) }
    return p
  }
}
