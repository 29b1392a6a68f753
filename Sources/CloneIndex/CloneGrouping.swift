import Augment
/// Complete-linkage grouping: clusters in which every member is a clone of every other member.
///
/// Pairs are taken from the most similar down; two clusters join only when every pair across them is
/// an edge (so at or above the kind's threshold: `edges` must hold *all* such pairs), the joined size
/// fits `maxSize`, and `conflict` holds for no pair of members. Average or single linkage can chain
/// A–B–C although A and C are far apart; this cannot.
public enum CompleteLinkage {
  public struct Group: Sendable, Equatable {
    /// Node indices, ascending.
    public var members: [Int]
    /// Mean and lowest edge score over all pairs of members.
    public var meanScore: Double
    public var minScore: Double
  }

  /// `sizes[i]` is what node `i` counts towards `maxSize` (a canonical class's member count).
  public static func groups(
    count: Int, edges: [SimilarPair], sizes: [Int]? = nil, maxSize: Int,
    conflict: (Int, Int) -> Bool = { _, _ in false }
  ) -> [Group] {
    func key(_ a: Int, _ b: Int) -> UInt64 { UInt64(min(a, b)) << 32 | UInt64(max(a, b)) }
    var score: [UInt64: Float] = [:]
    score.reserveCapacity(edges.count)
    for e in edges where e.a != e.b { score[key(e.a, e.b)] = max(score[key(e.a, e.b)] ?? -.infinity, e.score) }
    let ordered = edges.filter { $0.a != $0.b }.sorted {
      $0.score != $1.score
        ? $0.score > $1.score : (min($0.a, $0.b), max($0.a, $0.b)) < (min($1.a, $1.b), max($1.a, $1.b))
    }
    var cluster = Array(0..<count)
    var members = (0..<count).map { [$0] }
    var size = sizes ?? [Int](repeating: 1, count: count)
    for e in ordered {
      let a = cluster[e.a]
      let b = cluster[e.b]
      if a == b || size[a] + size[b] > maxSize { continue }
      let complete = members[a].allSatisfy { x in members[b].allSatisfy { y in score[key(x, y)] != nil } }
      if !complete { continue }
      if members[a].contains(where: { x in members[b].contains { y in conflict(x, y) } }) { continue }
      let (big, small) = members[a].count >= members[b].count ? (a, b) : (b, a)
      for m in members[small] { cluster[m] = big }
      members[big] += members[small]
      members[small] = []
      size[big] += size[small]
    }
    var out: [Group] = []
    for root in 0..<count where cluster[root] == root && members[root].count >= 2 {
      let ms = members[root].sorted()
      var total = 0.0
      var lowest = Double.infinity
      for i in 0..<ms.count {
        for j in (i + 1)..<ms.count {
          let s = Double(score[key(ms[i], ms[j])] ?? 0)
          total += s
          lowest = min(lowest, s)
        }
      }
      let n = Double(ms.count * (ms.count - 1) / 2)
      out.append(Group(members: ms, meanScore: min(1, total / n), minScore: min(1, lowest)))
    }
    return out
  }
}

/// Near-miss (type-3) clone pairs by token-bag overlap, after SourcererCC (Sajnani et al., ICSE 2016):
/// two functions are near-miss clones when the bags (multisets) of their tokens overlap in at least a
/// share θ of the larger bag, for the tokens as written (`raw`, θ = `rawOverlap`) and for the
/// identifier-blind tokens (`blind`: locals as `ID`, literals by class; θ = `blindOverlap`).
///
/// Sub-quadratic by prefix filtering: every token occurrence becomes an element (`token`, k-th
/// occurrence), each bag is ordered from the globally rarest element to the most common, and only the
/// first |A| − ⌈θ|A|⌉ + 1 elements go into an inverted index; two bags that overlap in ⌈θ·max⌉
/// elements must share one of those (the SourcererCC argument), so probing it finds every pair.
/// Bags are visited by size, and only bags of at least θ times the size are compared.
///
/// The defaults lean to precision: both streams must agree, so a copy whose names were changed
/// needs most of its other tokens (`blind` keeps property names, globals and operators), and a
/// different function of the same shape fails the raw stream.
public struct NearMissIndex: Sendable {
  public static let defaultRawOverlap: Float = 0.8
  public static let defaultBlindOverlap: Float = 0.85

  public let raw: [[UInt32]]
  public let blind: [[UInt32]]
  public let rawOverlap: Float
  public let blindOverlap: Float

  public init(
    raw: [[UInt32]], blind: [[UInt32]], rawOverlap: Float = defaultRawOverlap,
    blindOverlap: Float = defaultBlindOverlap
  ) {
    precondition(raw.count == blind.count, "one raw and one blind stream per unit")
    self.raw = raw.map { $0.sorted() }
    self.blind = blind.map { $0.sorted() }
    self.rawOverlap = rawOverlap
    self.blindOverlap = blindOverlap
  }

  /// The size of the multiset intersection of two sorted arrays.
  public static func overlap(_ a: [UInt32], _ b: [UInt32]) -> Int {
    SortedSets.intersectionCount(a, b)
  }

  /// The overlap of `a` and `b` as a share of the larger bag (0 for two empty bags).
  public static func similarity(_ a: [UInt32], _ b: [UInt32]) -> Float {
    let m = max(a.count, b.count)
    return m == 0 ? 0 : Float(overlap(a.sorted(), b.sorted())) / Float(m)
  }

  static func needed(_ theta: Float, _ n: Int) -> Int { max(1, Int((theta * Float(n)).rounded(.up))) }

  /// The near-miss rule for one pair of sorted bags: the raw-token overlap share of the larger bag when
  /// both overlaps reach their thresholds, else nil. `pairs()` applies the same rule to every pair it
  /// finds; a job that brings its own candidates (`cloneGroups(in:)`) applies it here.
  public static func score(
    raw a: [UInt32], _ b: [UInt32], blind blindA: [UInt32], _ blindB: [UInt32], rawOverlap: Float = defaultRawOverlap,
    blindOverlap: Float = defaultBlindOverlap
  ) -> Float? {
    let m = max(a.count, b.count)
    guard m > 0 else { return nil }
    let r = overlap(a, b)
    guard r >= needed(rawOverlap, m) else { return nil }
    let mb = max(blindA.count, blindB.count)
    guard mb > 0, overlap(blindA, blindB) >= needed(blindOverlap, mb) else { return nil }
    return Float(r) / Float(m)
  }

  /// Every pair meeting both thresholds; `score` is the raw-token overlap share.
  public func pairs() -> [SimilarPair] {
    let n = raw.count
    // Elements: (token hash, occurrence) packed in 64 bits; raw bags are sorted, so occurrences count up.
    var elements = [[UInt64]](repeating: [], count: n)
    var frequency: [UInt64: Int32] = [:]
    for i in 0..<n {
      var out: [UInt64] = []
      out.reserveCapacity(raw[i].count)
      var k: UInt64 = 0
      for (j, t) in raw[i].enumerated() {
        k = j > 0 && raw[i][j - 1] == t ? k + 1 : 0
        let e = UInt64(t) << 32 | k
        out.append(e)
        frequency[e, default: 0] += 1
      }
      elements[i] = out
    }
    for i in 0..<n {
      // Rarest first (ties by element), with each frequency looked up once.
      var keyed = elements[i].map { (frequency[$0]!, $0) }
      keyed.sort { $0 < $1 }
      elements[i] = keyed.map(\.1)
    }
    let order = (0..<n).filter { !raw[$0].isEmpty }.sorted { (raw[$0].count, $0) < (raw[$1].count, $1) }
    var postings: [UInt64: [Int32]] = [:]
    var seen = [Int32](repeating: -1, count: n)
    var out: [SimilarPair] = []
    for a in order {
      let size = raw[a].count
      let prefix = size - Self.needed(rawOverlap, size) + 1
      let smallest = Int((rawOverlap * Float(size)).rounded(.up))
      for e in elements[a].prefix(prefix) {
        guard let list = postings[e] else { continue }
        for b32 in list {
          let b = Int(b32)
          if seen[b] == Int32(a) { continue }
          seen[b] = Int32(a)
          if raw[b].count < smallest { continue }
          guard
            let score = Self.score(
              raw: raw[a], raw[b], blind: blind[a], blind[b], rawOverlap: rawOverlap, blindOverlap: blindOverlap)
          else { continue }
          out.append(SimilarPair(a: min(a, b), b: max(a, b), score: score))
        }
      }
      for e in elements[a].prefix(prefix) { postings[e, default: []].append(Int32(a)) }
    }
    out.sort { ($0.a, $0.b) < ($1.a, $1.b) }
    return out
  }
}

/// A path glob for `--include` and `--exclude`, in gitignore syntax (`src/legacy/`, `*.generated.ts`,
/// `packages/**/fixtures`): a path matches when it or one of its folders does.
public struct PathGlob: Sendable {
  let pattern: IgnorePattern

  /// Nil for an empty pattern; a leading `!` has no meaning here and is refused.
  public init?(_ text: String) {
    guard !text.hasPrefix("!"), let p = IgnorePattern(line: text) else { return nil }
    pattern = p
  }

  public func matches(_ path: String) -> Bool {
    let parts = path.split(separator: "/")
    for k in stride(from: 1, through: parts.count, by: 1)
    where pattern.matches(Array(parts[0..<k]), isDirectory: k < parts.count) {
      return true
    }
    return false
  }
}
