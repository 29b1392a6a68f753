/// Settings for finding clone groups.
public struct CloneOptions: Sendable, Equatable {
  /// Functions shorter than this many lines are not reported.
  public var minLines: Int = 5
  /// Functions with fewer tokens are not reported.
  public var minTokens: Int = 30
  /// Cosine similarity at or above which two functions are functional clones. The default is the
  /// calibrated decision threshold of the hashed-feature embedder (`hashedThreshold` in
  /// `Models/contracode-moco-small/clone-calibration.json`: the lowest cosine with precision ≥ 0.99 on
  /// augmentation pairs of the valid split, rounded to two places; see docs/CLONES.md).
  public static let calibratedThreshold: Float = 0.66
  public var threshold: Float = CloneOptions.calibratedThreshold
  /// The largest functional group; merging stops at this size.
  public var maxGroupSize: Int = 20
  /// Whether to look for functional clones at all (exact and renamed groups are always found).
  public var functional: Bool = true

  public init(
    minLines: Int = 5, minTokens: Int = 30, threshold: Float = CloneOptions.calibratedThreshold, maxGroupSize: Int = 20,
    functional: Bool = true
  ) {
    self.minLines = minLines
    self.minTokens = minTokens
    self.threshold = threshold
    self.maxGroupSize = maxGroupSize
    self.functional = functional
  }
}

/// Finds clone groups in an index snapshot.
///
/// 1. Units with the same canonical hash form a group: `exact` when they also share the exact hash,
///    otherwise `renamed`.
/// 2. One representative per canonical class goes into the vector index; every pair at or above the
///    threshold (excluding a function and its own nested functions) is an edge. Edges are taken in
///    order of decreasing similarity and join two groups only when the mean similarity between them
///    stays at or above the threshold (greedy average linkage), the result has at most `maxGroupSize`
///    members, and no function would share a group with a function nested in it. Each resulting group
///    of two or more classes is a `functional` group (with all members of its classes).
/// 3. A group is dropped when every member sits inside a function that is itself reported (the
///    nested copies of a copied function add nothing).
public struct CloneDetector: Sendable {
  public var options: CloneOptions

  public init(options: CloneOptions = CloneOptions()) { self.options = options }

  /// Finds groups; `pairs` computes all pairs above a threshold (defaults to `FlatVectorIndex`),
  /// so callers can cache them.
  public func groups(
    in snapshot: IndexSnapshot,
    pairs: (_ candidates: [Int], _ index: any VectorIndex, _ threshold: Float) throws -> [SimilarPair] = {
      _, index, t in
      index.pairs(atLeast: t)
    }
  ) rethrows -> [CloneGroup] {
    let units = snapshot.units
    let eligible = units.indices.filter {
      units[$0].lineCount >= options.minLines && units[$0].tokenCount >= options.minTokens
    }
    // Canonical classes, in first-seen (path) order.
    var classOf: [String: Int] = [:]
    var classes: [[Int]] = []
    for i in eligible {
      if let c = classOf[units[i].canonicalHash] {
        classes[c].append(i)
      } else {
        classOf[units[i].canonicalHash] = classes.count
        classes.append([i])
      }
    }
    var drafts: [(kind: CloneKind, members: [Int], similarity: Double, minSimilarity: Double)] = []
    for members in classes where members.count >= 2 {
      let exact = Set(members.map { units[$0].exactHash }).count == 1
      drafts.append((exact ? .exact : .renamed, members, 1, 1))
    }
    if options.functional && snapshot.dimension > 0 {
      drafts += try functionalGroups(snapshot, classes: classes, pairs: pairs)
    }
    // Drop groups whose every member is nested in a reported function.
    var reported: Set<Int> = []
    for d in drafts { reported.formUnion(d.members) }
    let byFileOrdinal = Dictionary(
      units.indices.map { (FileOrdinal(units[$0].fileID, units[$0].ordinal), $0) },
      uniquingKeysWith: { a, _ in a })
    func insideReported(_ i: Int) -> Bool {
      var cur = units[i].parentOrdinal
      while let p = cur, let j = byFileOrdinal[FileOrdinal(units[i].fileID, p)] {
        if reported.contains(j) { return true }
        cur = units[j].parentOrdinal
      }
      return false
    }
    drafts.removeAll { d in d.members.allSatisfy(insideReported) }
    var out = drafts.map { d -> CloneGroup in
      let members = d.members.sorted { (units[$0].path, units[$0].startLine) < (units[$1].path, units[$1].startLine) }
        .map { Self.location(units[$0]) }
      let lines = members.reduce(0) { $0 + $1.lineCount }
      return CloneGroup(
        id: 0, kind: d.kind, similarity: d.similarity, minSimilarity: d.minSimilarity, lines: lines,
        score: Double(lines) * d.similarity, members: members)
    }
    out.sort {
      if $0.score != $1.score { return $0.score > $1.score }
      return ($0.members[0].path, $0.members[0].startLine) < ($1.members[0].path, $1.members[0].startLine)
    }
    for i in out.indices { out[i].id = i + 1 }
    return out
  }

  struct FileOrdinal: Hashable {
    let file: Int64
    let ordinal: Int
    init(_ file: Int64, _ ordinal: Int) {
      self.file = file
      self.ordinal = ordinal
    }
  }

  static func location(_ u: StoredUnit) -> CloneLocation {
    CloneLocation(
      path: u.path, name: u.name, kind: u.kind, startLine: u.startLine, endLine: u.endLine, startByte: u.startByte,
      endByte: u.endByte)
  }

  // MARK: - Functional groups

  private func functionalGroups(
    _ snapshot: IndexSnapshot, classes: [[Int]],
    pairs: (_ candidates: [Int], _ index: any VectorIndex, _ threshold: Float) throws -> [SimilarPair]
  ) rethrows -> [(kind: CloneKind, members: [Int], similarity: Double, minSimilarity: Double)] {
    let d = snapshot.dimension
    let reps = classes.map { $0[0] }
    guard reps.count >= 2 else { return [] }
    var matrix = [Float](repeating: 0, count: reps.count * d)
    matrix.withUnsafeMutableBufferPointer { dst in
      snapshot.vectors.withUnsafeBufferPointer { src in
        for (r, u) in reps.enumerated() {
          (dst.baseAddress! + r * d).update(from: src.baseAddress! + u * d, count: d)
        }
      }
    }
    let index = FlatVectorIndex(vectors: matrix, dimension: d)
    var edges = try pairs(reps, index, options.threshold)
    let units = snapshot.units
    edges.removeAll { e in Self.nested(units[reps[e.a]], units[reps[e.b]]) }
    edges.sort { $0.score != $1.score ? $0.score > $1.score : ($0.a, $0.b) < ($1.a, $1.b) }
    // Greedy average linkage: take edges from the most similar down; join two groups only when the
    // mean similarity between them stays at or above the threshold, the result fits the cap, and
    // neither holds a function nested in (or containing) one of the other's.
    // Mean similarity between groups A and B = (ΣA · ΣB) / (|A| |B|), so each group keeps its sum.
    var parent = Array(0..<reps.count)
    var members = reps.indices.map { [$0] }
    var sums = matrix
    func find(_ x: Int) -> Int {
      var x = x
      while parent[x] != x {
        parent[x] = parent[parent[x]]
        x = parent[x]
      }
      return x
    }
    func dot(_ a: Int, _ b: Int, in v: [Float]) -> Float {
      var s: Float = 0
      v.withUnsafeBufferPointer { p in
        let x = p.baseAddress! + a * d
        let y = p.baseAddress! + b * d
        for k in 0..<d { s += x[k] * y[k] }
      }
      return s
    }
    for e in edges {
      let a = find(e.a)
      let b = find(e.b)
      if a == b || members[a].count + members[b].count > options.maxGroupSize { continue }
      let mean = dot(a, b, in: sums) / Float(members[a].count * members[b].count)
      if mean < options.threshold { continue }
      let conflict = members[a].contains { x in members[b].contains { y in Self.nested(units[reps[x]], units[reps[y]]) }
      }
      if conflict { continue }
      let (big, small) = members[a].count >= members[b].count ? (a, b) : (b, a)
      parent[small] = big
      members[big] += members[small]
      members[small] = []
      sums.withUnsafeMutableBufferPointer { p in
        let x = p.baseAddress! + big * d
        let y = p.baseAddress! + small * d
        for k in 0..<d { x[k] += y[k] }
      }
    }
    var out: [(kind: CloneKind, members: [Int], similarity: Double, minSimilarity: Double)] = []
    for root in reps.indices where find(root) == root && members[root].count >= 2 {
      let rs = members[root].sorted()
      var total = 0.0
      var lowest = 1.0
      for i in 0..<rs.count {
        for j in (i + 1)..<rs.count {
          let s = Double(dot(rs[i], rs[j], in: matrix))
          total += s
          lowest = min(lowest, s)
        }
      }
      let n = Double(rs.count * (rs.count - 1) / 2)
      out.append((.functional, rs.flatMap { classes[$0] }, min(1, total / n), min(1, lowest)))
    }
    return out
  }

  /// Whether one unit contains the other (same file, nested byte ranges).
  static func nested(_ a: StoredUnit, _ b: StoredUnit) -> Bool {
    guard a.fileID == b.fileID else { return false }
    return (a.startByte <= b.startByte && b.endByte <= a.endByte)
      || (b.startByte <= a.startByte && a.endByte <= b.endByte)
  }
}
