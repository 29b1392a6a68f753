import Augment

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// MARK: - One side of a pair

/// What the learned functional-pair scorer knows about one function: the streams the index already
/// stores (token hashes as written and identifier-blind, in source order), the default embedder's
/// vector, and views of them made once per function so that scoring a pair is a few sorted-array merges.
///
/// `commonRaw` / `commonBlind` are the tokens nearly every function has (keywords, punctuation, `ID`,
/// `i`, `length`; the scorer file lists them): the "rare" views leave them out, so what remains is a
/// function's vocabulary (its API calls, property names, literals, names).
public struct PairSide: Sendable {
  /// Sorted bags (repeats kept) and sorted sets of the two streams.
  public let rawBag: [UInt32]
  public let blindBag: [UInt32]
  public let rawSet: [UInt32]
  public let blindSet: [UInt32]
  /// Sets without the common tokens.
  public let rawRare: [UInt32]
  public let blindRare: [UInt32]
  /// Sorted sets of consecutive blind-token pairs (order and structure).
  public let blindBigrams: [UInt64]
  /// The embedder's unit vector (cosine = dot product); may be empty when there is none.
  public let vector: [Float]
  /// The pretrained encoder's unit vectors of the function as written and of its identifier-blind rendering
  /// (locals renamed `v0`, `v1`, … in order of first use): empty unless a gate that reads them
  /// (`FunctionalPairGate.usesEncoder`) had them computed.
  public var encoder: [Float] = []
  public var encoderBlind: [Float] = []
  /// Inverse document frequencies of `rawSet` / `blindSet` within the collection being searched (one
  /// repository, one pair set): `log((N + 1) / (df + 1))`; all 1 until `assignIDF` sets them. A token that
  /// few functions share (a problem's own names and constants) weighs more than one every function of an
  /// author has (their helpers and idioms).
  public private(set) var rawIDF: [Float]
  public private(set) var blindIDF: [Float]

  /// `raw` and `blind` in source order, as `TokenHash.hashes` of `UnitTokens.exact` / `.features`.
  public init(raw: [UInt32], blind: [UInt32], vector: [Float], commonRaw: Set<UInt32>, commonBlind: Set<UInt32>) {
    rawBag = raw.sorted()
    blindBag = blind.sorted()
    rawSet = Self.unique(rawBag)
    blindSet = Self.unique(blindBag)
    rawRare = rawSet.filter { !commonRaw.contains($0) }
    blindRare = blindSet.filter { !commonBlind.contains($0) }
    var bigrams: [UInt64] = []
    bigrams.reserveCapacity(max(0, blind.count - 1))
    for i in 1..<max(1, blind.count) { bigrams.append(UInt64(blind[i - 1]) << 32 | UInt64(blind[i])) }
    blindBigrams = Self.unique(bigrams.sorted())
    self.vector = vector
    rawIDF = [Float](repeating: 1, count: rawSet.count)
    blindIDF = [Float](repeating: 1, count: blindSet.count)
  }

  /// Sets every side's IDF weights from document frequencies over `sides` themselves.
  public static func assignIDF(_ sides: inout [PairSide]) {
    let df = TokenDocumentFrequencies(sides: sides)
    for i in sides.indices { df.assign(to: &sides[i]) }
  }

  /// Sets this side's IDF weights from document frequencies counted elsewhere (the language server counts
  /// them once over the index and weighs each queried function with them).
  public mutating func assignIDF(_ df: TokenDocumentFrequencies) {
    rawIDF = rawSet.map { logf(df.n / Float(df.raw[$0, default: 0] + 1)) }
    blindIDF = blindSet.map { logf(df.n / Float(df.blind[$0, default: 0] + 1)) }
  }

  /// Σ weight over the shared elements / Σ weight over the union (0 when the union weighs nothing).
  static func weightedJaccard(_ a: [UInt32], _ wa: [Float], _ b: [UInt32], _ wb: [Float]) -> Double {
    var i = 0
    var j = 0
    var shared: Float = 0
    var union: Float = 0
    while i < a.count && j < b.count {
      if a[i] == b[j] {
        let w = max(wa[i], wb[j])
        shared += w
        union += w
        i += 1
        j += 1
      } else if a[i] < b[j] {
        union += wa[i]
        i += 1
      } else {
        union += wb[j]
        j += 1
      }
    }
    while i < a.count {
      union += wa[i]
      i += 1
    }
    while j < b.count {
      union += wb[j]
      j += 1
    }
    return union > 0 ? Double(shared / union) : 0
  }

  /// The side of a tokenised unit with its embedding.
  public init(tokens: UnitTokens, vector: [Float], commonRaw: Set<UInt32>, commonBlind: Set<UInt32>) {
    self.init(
      raw: TokenHash.hashes(tokens.exact), blind: TokenHash.hashes(tokens.features), vector: vector,
      commonRaw: commonRaw, commonBlind: commonBlind)
  }

  /// Token count as written (what `minTokens` counts).
  public var tokenCount: Int { rawBag.count }

  static func unique<T: Equatable>(_ sorted: [T]) -> [T] {
    var out: [T] = []
    out.reserveCapacity(sorted.count)
    for x in sorted where out.last != x { out.append(x) }
    return out
  }
}

/// How many functions of a collection hold each token (as written and identifier-blind): what `PairSide`'s
/// IDF weights are computed from, `log((N + 1) / (df + 1))`.
public struct TokenDocumentFrequencies: Sendable {
  public let raw: [UInt32: Int32]
  public let blind: [UInt32: Int32]
  /// N + 1, for N functions.
  public let n: Float

  /// Counts over `sides`.
  public init(sides: [PairSide]) {
    self.init(rawSets: sides.map(\.rawSet), blindSets: sides.map(\.blindSet))
  }

  /// Counts over token streams (each function's stream counts a token once), as the index stores them.
  public init<R: Collection<[UInt32]>, B: Collection<[UInt32]>>(rawSets: R, blindSets: B) {
    var raw: [UInt32: Int32] = [:]
    var blind: [UInt32: Int32] = [:]
    for s in rawSets { for t in Set(s) { raw[t, default: 0] += 1 } }
    for s in blindSets { for t in Set(s) { blind[t, default: 0] += 1 } }
    self.raw = raw
    self.blind = blind
    n = Float(rawSets.count + 1)
  }

  public func assign(to side: inout PairSide) { side.assignIDF(self) }
}

// MARK: - Pair features

/// The features of a pair of functions the learned scorer combines; every one is symmetric in its two
/// sides and lies in 0...1 (the size feature is scaled to it), so a weight reads directly.
public enum PairFeatures {
  public static let names =
    legacyNames + [
      "encoderCosine",  // the pretrained encoder's cosine of the two functions as written
      "encoderBlindCosine",  // the same, of their identifier-blind renderings (locals renamed v0, v1, …)
    ]

  /// The features of the first scorers (session 5), which read no encoder; a scorer file that lists only
  /// these still loads and scores as before.
  public static let legacyNames = [
    "hashedCosine",  // the default embedder's cosine (syntax n-grams, node types, API names)
    "rawSetJaccard",  // token-set Jaccard as written (SourcererCC's view, names and literals count)
    "blindSetJaccard",  // the same, locals as ID and literals by class
    "rawBagOverlap",  // multiset overlap / larger bag, as written
    "blindBagOverlap",  // the same, identifier-blind
    "rawRareJaccard",  // Jaccard of the uncommon tokens as written: shared names, literals, calls
    "blindRareJaccard",  // Jaccard of the uncommon blind tokens: shared API and property names
    "blindBigramJaccard",  // Jaccard of consecutive blind-token pairs: shared structure
    "sizeRatio",  // smaller / larger token count
    "logSize",  // log(smaller token count) / log(10,000), capped at 1: short functions match by chance
    "rawIDFJaccard",  // token-set Jaccard as written, each token weighted by its IDF in the collection
    "blindIDFJaccard",  // the same, identifier-blind
  ]

  public static var count: Int { names.count }

  /// The dot product of two unit vectors, clamped to -1...1; 0 when either is missing or they differ in size.
  public static func cosine(_ a: [Float], _ b: [Float]) -> Double {
    guard a.count == b.count else { return 0 }
    var s: Float = 0
    for j in 0..<a.count { s += a[j] * b[j] }
    return Double(max(-1, min(1, s)))
  }

  /// The feature row of a pair (order as `names`).
  public static func compute(_ a: PairSide, _ b: PairSide) -> [Double] {
    let small = min(a.tokenCount, b.tokenCount)
    let large = max(a.tokenCount, b.tokenCount)
    func bag(_ x: [UInt32], _ y: [UInt32]) -> Double {
      let m = max(x.count, y.count)
      return m == 0 ? 0 : Double(SortedSets.intersectionCount(x, y)) / Double(m)
    }
    return [
      cosine(a.vector, b.vector),
      SortedSets.jaccard(a.rawSet, b.rawSet),
      SortedSets.jaccard(a.blindSet, b.blindSet),
      bag(a.rawBag, b.rawBag),
      bag(a.blindBag, b.blindBag),
      SortedSets.jaccard(a.rawRare, b.rawRare),
      SortedSets.jaccard(a.blindRare, b.blindRare),
      SortedSets.jaccard(a.blindBigrams, b.blindBigrams),
      large == 0 ? 0 : Double(small) / Double(large),
      min(1, log(Double(max(small, 1))) / log(10_000.0)),
      PairSide.weightedJaccard(a.rawSet, a.rawIDF, b.rawSet, b.rawIDF),
      PairSide.weightedJaccard(a.blindSet, a.blindIDF, b.blindSet, b.blindIDF),
      cosine(a.encoder, b.encoder),
      cosine(a.encoderBlind, b.encoderBlind),
    ]
  }
}

// MARK: - The gate the detector asks

/// A learned judge of functional-clone candidates: `CloneDetector` takes the pairs whose embedding cosine
/// is at least `candidateThreshold` and keeps an edge only when `probability` reaches `threshold`. The
/// model itself lives with the clones head (`Heads/Clones`); the index only needs this.
public protocol FunctionalPairGate: Sendable {
  /// The embedder the gate was fitted with (its vectors feed `hashedCosine`); other indexes are refused.
  var embedderID: String { get }
  /// The cosine floor of the candidates.
  var candidateThreshold: Float { get }
  /// The calibrated decision threshold on `probability`.
  var threshold: Double { get }
  /// Tokens left out of the rare views (`PairSide`).
  var commonRaw: Set<UInt32> { get }
  var commonBlind: Set<UInt32> { get }
  /// The probability that two functions are functional clones.
  func probability(_ a: PairSide, _ b: PairSide) -> Double
  /// Whether `probability` reads the sides' encoder vectors (`PairSide.encoder`, `.encoderBlind`): the
  /// detector then has `encode` embed every unit that is in a candidate pair (and only those).
  var usesEncoder: Bool { get }
  /// The encoder vectors of `units` (as written, identifier-blind), one pair per unit.
  func encode(_ units: [UnitText]) throws -> [(asWritten: [Float], blind: [Float])]
  /// What identifies the encoder's vectors (the index keeps them under it and the unit's text); empty: they
  /// are not kept.
  var encoderID: String { get }
  /// A rule besides the probability that an edge must pass (say, the encoder must agree); true by default.
  func agrees(_ a: PairSide, _ b: PairSide) -> Bool
}

extension FunctionalPairGate {
  public var usesEncoder: Bool { false }
  public var encoderID: String { "" }
  public func agrees(_ a: PairSide, _ b: PairSide) -> Bool { true }
  public func encode(_ units: [UnitText]) throws -> [(asWritten: [Float], blind: [Float])] {
    units.map { _ in ([], []) }
  }
}
