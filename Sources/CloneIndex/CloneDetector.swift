import Augment

/// Settings for finding clone groups.
public struct CloneOptions: Sendable, Equatable {
  /// Functions shorter than this many lines are not reported.
  public var minLines: Int = 5
  /// Functions with fewer tokens are not reported (one-line callbacks are not worth a reviewer's time).
  public var minTokens: Int = 30
  /// Cosine similarity at or above which two functions are functional clones. `calibratedThreshold`
  /// is the calibrated decision threshold of the hashed-feature embedder (`hashedThreshold` in
  /// `Models/contracode-hybrid-small/clone-calibration.json`: the lowest cosine with precision ≥ 0.99 on
  /// augmentation pairs of the valid split, rounded to two places; see docs/CLONES.md).
  public static let calibratedThreshold: Float = 0.66
  /// The default functional threshold, stricter than `calibratedThreshold`: its negatives were random
  /// pairs, far easier than the pairs of one repository. 0.75 is the lowest cosine (of 0.66, 0.70,
  /// 0.75, …) at which pairs of functions from *different* repositories — 2.36 million pairs from 12
  /// project repositories of the GitHub corpus, none of them LeetCode data, but three of them (postcss,
  /// js-yaml, nock) in the corpus's github-test split — score at or above the
  /// threshold at a rate under 1e-5 (0.70: 1.5e-5; 0.75: 3.0e-6). It bounds chance matches, not
  /// precision: without natural clone pairs precision is not measured (docs/CLONES.md).
  public static let defaultThreshold: Float = 0.75
  public var threshold: Float = CloneOptions.defaultThreshold
  /// The largest near-miss or functional group, in functions (after each canonical class brings all
  /// its members).
  public var maxGroupSize: Int = 20
  /// Whether to look for functional clones at all (exact and renamed groups are always found).
  public var functional: Bool = true
  /// Whether to look for near-miss clones (copies with edits, by token-bag overlap).
  public var nearMiss: Bool = true
  /// Near-miss: the least token-bag overlap, as a share of the larger bag, of the tokens as written
  /// and of the identifier-blind tokens (both must hold). See `NearMissIndex`.
  public var nearMissRawOverlap: Float = NearMissIndex.defaultRawOverlap
  public var nearMissBlindOverlap: Float = NearMissIndex.defaultBlindOverlap
  /// Whether test code (`TestCode`: test paths, `describe/it/test` callbacks and what they nest) is
  /// reported; it is left out by default.
  public var includeTests: Bool = false
  /// Whether build output (`ReviewScope`: `dist/`, `x.bundle.js`, a file of copies of the repository's functions)
  /// is reported; it is left out by default.
  public var includeBuild: Bool = false
  /// Whether example and demo apps (`ReviewScope.exampleFolders`) are reported; they are left out by default.
  public var includeExamples: Bool = false
  /// Whether benchmark code (`ReviewScope.isBenchmarkPath`: `benchmarks/`, `x.bench.ts`) is reported; it is left out
  /// by default.
  public var includeBenchmarks: Bool = false
  /// Repository-relative path globs (gitignore syntax): when `include` is not empty only matching
  /// paths are reported; paths matching `exclude` never are.
  public var include: [String] = []
  public var exclude: [String] = []
  /// Whether reports show every near-miss and functional group, also those `CloneWorth` judges alike but not worth
  /// a refactor (`--all`, `allGroups` in `.codeintel.json`). It changes what is shown, not what is found.
  public var allGroups: Bool = false
  /// Whether a functional pair must be alike beyond the repository's template (`RepositoryTemplates`: runs of
  /// six identifier-blind tokens found in at least `templateMinFunctions` outermost functions are taken out, and
  /// the Jaccard of what is left of the two must reach `templateMinRemainder`). `--no-template-rule` and
  /// `templateRule` in `.codeintel.json` turn it off; the other kinds never use it.
  public var templateRule: Bool = true
  public var templateMinFunctions: Int = RepositoryTemplates.defaultMinFunctions
  public var templateMinRemainder: Double = RepositoryTemplates.defaultMinRemainder
  /// Whether a functional pair is dropped when the two functions return different kinds of value (`OutputKinds`:
  /// both known, none shared; session 17). On by default since session 20, together with the input rule (the two
  /// raised corpus purity by 3.4 points, docs/audits/clones-s20-inputs.md; alone, session 17, 1.6);
  /// `--no-output-rule` and `outputRule` in `.codeintel.json` turn it off; the other kinds never use it.
  public var outputRule: Bool = true
  /// Whether a functional pair is dropped when no number of arguments calls both functions (`FunctionInputs`: both
  /// ranges known and disjoint; session 20, docs/audits/clones-s20-inputs.md). On by default; `--no-input-rule` and
  /// `inputRule` in `.codeintel.json` turn it off; the other kinds never use it.
  public var inputRule: Bool = true

  public init(
    minLines: Int = 5, minTokens: Int = 30, threshold: Float = CloneOptions.defaultThreshold, maxGroupSize: Int = 20,
    functional: Bool = true, nearMiss: Bool = true, includeTests: Bool = false, include: [String] = [],
    exclude: [String] = [], includeBuild: Bool = false, includeExamples: Bool = false
  ) {
    self.includeBuild = includeBuild
    self.includeExamples = includeExamples
    self.minLines = minLines
    self.minTokens = minTokens
    self.threshold = threshold
    self.maxGroupSize = maxGroupSize
    self.functional = functional
    self.nearMiss = nearMiss
    self.includeTests = includeTests
    self.include = include
    self.exclude = exclude
  }
}

/// Finds clone groups in an index snapshot.
///
/// 1. Units in scope (long enough, not test code unless asked, inside `include` and outside `exclude`)
///    with the same canonical hash form a group: `exact` when they also share the exact hash,
///    otherwise `renamed`.
/// 2. Near-miss and functional groups are formed over one representative per canonical class, by
///    complete linkage (`CompleteLinkage`): two groups join only when every pair across them is a clone
///    pair of that kind, so one generic function cannot chain unrelated code together. Near-miss pairs
///    come from `NearMissIndex` (token-bag overlap), functional pairs from the embeddings (cosine at or
///    above the threshold). The size cap counts every member of every class, and no group holds a
///    function and one nested in it. A functional group shows one member of each near-miss, exact or renamed
///    group it holds, and one that adds no other member says nothing new and is dropped. A functional pair must
///    also be alike beyond the repository's template
///    (`RepositoryTemplates`, unless `options.templateRule` is off).
/// 3. Outermost only: a member nested in another member of its group leaves the group, and a group
///    whose every member sits inside a reported function is dropped.
/// 4. Groups are ranked by the code a refactor would remove: the lines of every member but the
///    longest, times the similarity.
public struct CloneDetector: Sendable {
  public var options: CloneOptions
  /// The learned judge of functional candidates: with one (and an index embedded by its embedder, with
  /// token streams), functional candidates are the pairs with cosine ≥ `gate.candidateThreshold`, and an
  /// edge is kept only when the gate's probability reaches `gate.threshold`; its probability is the edge's
  /// score. Without one, an edge is a cosine ≥ `options.threshold`.
  public var gate: (any FunctionalPairGate)?

  public init(options: CloneOptions = CloneOptions(), gate: (any FunctionalPairGate)? = nil) {
    self.options = options
    self.gate = gate
  }

  /// The gate when it applies to this snapshot (same embedder, token streams stored).
  func activeGate(_ snapshot: IndexSnapshot) -> (any FunctionalPairGate)? {
    guard let gate, gate.embedderID == snapshot.modelID, snapshot.rawTokens.count == snapshot.units.count else {
      return nil
    }
    return gate
  }

  typealias Draft = (kind: CloneKind, members: [Int], similarity: Double, minSimilarity: Double)

  /// Which units are test code: by path, as a test callback, or nested in one.
  static func testCode(_ units: [StoredUnit]) -> [Bool] {
    let byFileOrdinal = Dictionary(
      units.indices.map { (FileOrdinal(units[$0].fileID, units[$0].ordinal), $0) }, uniquingKeysWith: { a, _ in a })
    var pathIsTest: [String: Bool] = [:]
    var out = [Bool](repeating: false, count: units.count)
    // Units come in document order, outer before inner, so a parent is decided first.
    for (i, u) in units.enumerated() {
      if let known = pathIsTest[u.path] {
        out[i] = known
      } else {
        let t = TestCode.isTestPath(u.path)
        pathIsTest[u.path] = t
        out[i] = t
      }
      if out[i] || u.testCallback {
        out[i] = true
        continue
      }
      if let p = u.parentOrdinal, let j = byFileOrdinal[FileOrdinal(u.fileID, p)], j < i, out[j] { out[i] = true }
    }
    return out
  }

  /// The units a group may hold, in index order: long enough (`minLines`, `minTokens`), not test code unless
  /// `includeTests`, not build output unless `includeBuild`, not in an example app unless `includeExamples`, not
  /// benchmark code unless `includeBenchmarks` (`ReviewScope`), inside `include` and outside `exclude`. The language server asks the same of both sides of
  /// a match. `scope` is `ReviewScope(units: units)` when the caller already has it.
  public static func eligible(_ units: [StoredUnit], options: CloneOptions, scope: ReviewScope? = nil) -> [Int] {
    let out = scoped(units, options: options, scope: scope)
    let paths = PathScope(options)
    return units.indices.filter { out[$0] == nil && inScope(units[$0], options: options, paths) }
  }

  /// Whether a unit is long enough (`minLines`, `minTokens`) and its path inside `include` and outside `exclude`.
  static func inScope(_ u: StoredUnit, options: CloneOptions, _ paths: PathScope) -> Bool {
    u.lineCount >= options.minLines && u.tokenCount >= options.minTokens && paths.contains(u.path)
  }

  /// Per unit, why `options` leave it out as test code, build output, an example or benchmark code (nil: kept).
  public static func scoped(_ units: [StoredUnit], options: CloneOptions, scope: ReviewScope? = nil)
    -> [ReviewScope.Reason?]
  {
    let isTest = options.includeTests ? [Bool](repeating: false, count: units.count) : Self.testCode(units)
    let scope = scope ?? ReviewScope(units: units)
    var byPath: [String: ReviewScope.Reason?] = [:]
    return units.indices.map { i in
      if isTest[i] { return .test }
      if let known = byPath[units[i].path] { return known }
      let r = scope.leftOut(path: units[i].path, options: options)
      byPath[units[i].path] = r
      return r
    }
  }

  /// How many functions long enough to report and inside the path globs each reason left out.
  public static func leftOutCounts(_ units: [StoredUnit], options: CloneOptions) -> [ReviewScope.Reason: Int] {
    var out: [ReviewScope.Reason: Int] = [:]
    let paths = PathScope(options)
    for (u, r) in zip(units, scoped(units, options: options)) where r != nil && inScope(u, options: options, paths) {
      out[r!, default: 0] += 1
    }
    return out
  }

  /// Finds groups; `pairs` computes all functional pairs above a threshold (defaults to
  /// `FlatVectorIndex`) and `nearMissPairs` the near-miss pairs (`compute` runs `NearMissIndex`), both
  /// by representative position, so callers can cache them.
  public func groups(
    in snapshot: IndexSnapshot,
    pairs: (_ candidates: [Int], _ index: any VectorIndex, _ threshold: Float) throws -> [SimilarPair] = {
      _, index, t in
      index.pairs(atLeast: t)
    },
    nearMissPairs: (_ candidates: [Int], _ compute: () -> [SimilarPair]) throws -> [SimilarPair] = { _, compute in
      compute()
    },
    encoderVectors: (_ units: [Int]) throws -> [(asWritten: [Float], blind: [Float])]? = { _ in nil },
    signatures: (_ units: [Int]) throws -> [FunctionSignature?]? = { _ in nil }
  ) rethrows -> [CloneGroup] {
    let units = snapshot.units
    let eligible = Self.eligible(units, options: options)
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
    var drafts: [Draft] = []
    for members in classes where members.count >= 2 {
      let exact = Set(members.map { units[$0].exactHash }).count == 1
      drafts.append((exact ? .exact : .renamed, members, 1, 1))
    }
    var nearMissGroups: [[Int]] = []
    if options.nearMiss && snapshot.rawTokens.count == units.count {
      let near = try nearMissDrafts(snapshot, classes: classes, pairs: nearMissPairs)
      nearMissGroups = near.map { $0.members.sorted() }
      drafts += near
    }
    if options.functional && snapshot.dimension > 0 {
      // Members of a copy group already reported: a near-miss group, or a canonical class of two or more (an exact
      // or renamed group; session 21: a functional group holding a class and one variant of it repeated the class).
      let copies = nearMissGroups + classes.filter { $0.count >= 2 }
      let inNear = Dictionary(
        copies.enumerated().flatMap { g, ms in ms.map { ($0, g) } }, uniquingKeysWith: { a, _ in a })
      let functional = try functionalGroups(
        snapshot, classes: classes, pairs: pairs, encoderVectors: encoderVectors, signatures: signatures)
      // A functional group reports what the near-miss, exact and renamed groups do not: members already in one
      // are shown once per such group (its link to the rest), and a group that adds no member beyond them is
      // dropped (on graphql-js 5 of the first 8 functional groups were supersets of a near-miss group, reporting
      // the same code twice; docs/CLONES.md).
      drafts += functional.compactMap { d -> Draft? in
        var linked: Set<Int> = []
        let kept = d.members.filter { m in
          guard let g = inNear[m] else { return true }
          return linked.insert(g).inserted
        }
        guard kept.contains(where: { inNear[$0] == nil }), kept.count >= 2 else { return nil }
        return (d.kind, kept, d.similarity, d.minSimilarity)
      }
    }
    // Outermost only, on the expanded groups: a member nested in another member of its own group goes
    // (a canonical class can hold a function and a copy nested in another member).
    drafts = drafts.compactMap { d in
      let kept = d.members.filter { i in !d.members.contains { j in j != i && Self.contains(units[j], units[i]) } }
      return kept.count >= 2 ? (d.kind, kept, d.similarity, d.minSimilarity) : nil
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
      let removable = lines - (members.map(\.lineCount).max() ?? 0)
      var group = CloneGroup(
        id: 0, kind: d.kind, similarity: d.similarity, minSimilarity: d.minSimilarity, lines: lines,
        removableLines: removable, score: Double(removable) * d.similarity, members: members)
      if d.kind == .nearMiss || d.kind == .functional, snapshot.rawTokens.count == units.count {
        group.tokenOverlap = Self.lowestOverlap(d.members.map { snapshot.rawTokens[$0] })
        if snapshot.tokensInSourceOrder {
          group.sharedRun = Self.lowestSharedRun(d.members.map { snapshot.rawTokens[$0] })
          if snapshot.blindTokens.count == units.count {
            group.blindSharedRun = Self.lowestSharedRun(d.members.map { snapshot.blindTokens[$0] })
          }
        }
      }
      if d.kind == .functional, snapshot.tokensInSourceOrder, snapshot.rawTokens.count == units.count,
        snapshot.blindTokens.count == units.count
      {
        group.runOverlap = Self.lowestRunOverlap(d.members.map { snapshot.rawTokens[$0] })
        group.blindRunOverlap = Self.lowestRunOverlap(d.members.map { snapshot.blindTokens[$0] })
      }
      return group
    }
    out.sort {
      if $0.score != $1.score { return $0.score > $1.score }
      if $0.lines != $1.lines { return $0.lines > $1.lines }
      return ($0.members[0].path, $0.members[0].startLine) < ($1.members[0].path, $1.members[0].startLine)
    }
    for i in out.indices { out[i].id = i + 1 }
    return out
  }

  /// The lowest token-bag overlap of two of `bags` (as a share of the larger bag), rounded to 1e-4.
  public static func lowestOverlap(_ bags: [[UInt32]]) -> Double {
    lowestSharedShare(bags.map { $0.sorted() })
  }

  /// The lowest share two of `sorted` (sorted multisets) have in common, counted with repeats, as a share of the
  /// larger of the two; rounded to 1e-4.
  static func lowestSharedShare<T: Comparable>(_ sorted: [[T]]) -> Double {
    var low = 1.0
    for i in sorted.indices {
      for j in (i + 1)..<sorted.count {
        let m = max(sorted[i].count, sorted[j].count)
        let s = m == 0 ? 0 : Double(SortedSets.intersectionCount(sorted[i], sorted[j])) / Double(m)
        low = min(low, s)
      }
    }
    return (low * 10_000).rounded() / 10_000
  }

  /// The lowest, over every two of `streams` (token hashes in source order), of the length of the longest run of
  /// consecutive tokens both contain: every two members share a verbatim stretch at least this long.
  public static func lowestSharedRun(_ streams: [[UInt32]]) -> Int {
    guard streams.count >= 2 else { return streams.first?.count ?? 0 }
    var low = Int.max
    for i in streams.indices {
      for j in (i + 1)..<streams.count {
        low = min(low, longestSharedRun(streams[i], streams[j], atMost: low))
        if low == 0 { return 0 }
      }
    }
    return low
  }

  /// The length of the longest run of consecutive tokens that `a` and `b` both contain (capped at `atMost`): a binary
  /// search on the length, each step comparing rolling hashes of every run of that length (O((n + m) log n)).
  public static func longestSharedRun(_ a: [UInt32], _ b: [UInt32], atMost cap: Int = .max) -> Int {
    var low = 0
    var high = min(a.count, b.count, cap)
    while low < high {
      let length = (low + high + 1) / 2
      if shareRun(a, b, length: length) { low = length } else { high = length - 1 }
    }
    return low
  }

  /// Whether `a` and `b` have a run of `length` consecutive tokens in common (by a 64-bit polynomial rolling hash of
  /// each run; a false match needs a 64-bit collision).
  static func shareRun(_ a: [UInt32], _ b: [UInt32], length: Int) -> Bool {
    guard length > 0 else { return true }
    guard a.count >= length, b.count >= length else { return false }
    let base: UInt64 = 0x9E37_79B9_7F4A_7C15 | 1
    var top: UInt64 = 1  // base^(length - 1)
    for _ in 1..<length { top &*= base }
    func hashes(_ s: [UInt32], _ body: (UInt64) -> Bool) -> Bool {
      var h: UInt64 = 0
      for k in 0..<s.count {
        if k >= length { h &-= (UInt64(s[k - length]) &+ 1) &* top }
        h = h &* base &+ (UInt64(s[k]) &+ 1)
        if k >= length - 1, body(h) { return true }
      }
      return false
    }
    let (short, long) = a.count <= b.count ? (a, b) : (b, a)
    var seen = Set<UInt64>(minimumCapacity: short.count)
    _ = hashes(short) { seen.insert($0); return false }
    return hashes(long) { seen.contains($0) }
  }

  /// The length of the token runs that `lowestRunOverlap` compares.
  public static let runLength = 6

  /// The lowest share of runs of `runLength` consecutive tokens that two of `streams` (token hashes in source
  /// order) have in common, counted with repeats, as a share of the larger stream's runs; rounded to 1e-4. A copy
  /// with edits keeps most of its runs; two functions of one shape doing parallel jobs share single tokens but few
  /// runs, because the names and literals between them differ (`CloneWorth`'s `unlike`). 0 when a stream is
  /// shorter than one run.
  public static func lowestRunOverlap(_ streams: [[UInt32]], length: Int = runLength) -> Double {
    lowestSharedShare(streams.map { runHashes($0, length: length).sorted() })
  }

  /// A 64-bit hash of each run of `length` consecutive tokens of `stream`.
  static func runHashes(_ stream: [UInt32], length: Int) -> [UInt64] {
    guard length > 0, stream.count >= length else { return [] }
    return (0...(stream.count - length)).map { start in
      var h: UInt64 = 0xcbf2_9ce4_8422_2325
      for t in stream[start..<(start + length)] {
        h ^= UInt64(t)
        h &*= 0x0000_0100_0000_01b3
        h ^= h >> 29
      }
      return h
    }
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

  // MARK: - Near-miss and functional groups

  /// Near-miss groups over one representative per canonical class.
  private func nearMissDrafts(
    _ snapshot: IndexSnapshot, classes: [[Int]],
    pairs: (_ candidates: [Int], _ compute: () -> [SimilarPair]) throws -> [SimilarPair]
  ) rethrows -> [Draft] {
    let reps = classes.map { $0[0] }
    guard reps.count >= 2 else { return [] }
    let edges = try pairs(reps) {
      NearMissIndex(
        raw: reps.map { snapshot.rawTokens[$0] }, blind: reps.map { snapshot.blindTokens[$0] },
        rawOverlap: options.nearMissRawOverlap, blindOverlap: options.nearMissBlindOverlap
      ).pairs()
    }
    return linked(snapshot, classes: classes, edges: edges, kind: .nearMiss)
  }

  private func functionalGroups(
    _ snapshot: IndexSnapshot, classes: [[Int]],
    pairs: (_ candidates: [Int], _ index: any VectorIndex, _ threshold: Float) throws -> [SimilarPair],
    encoderVectors: (_ units: [Int]) throws -> [(asWritten: [Float], blind: [Float])]?,
    signatures: (_ units: [Int]) throws -> [FunctionSignature?]?
  ) rethrows -> [Draft] {
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
    guard let gate = activeGate(snapshot) else {
      let edges = try judged(try pairs(reps, index, options.threshold), reps: reps, snapshot, signatures)
      return linked(snapshot, classes: classes, edges: edges, kind: .functional)
    }
    // The rules and the gate must all accept an edge; the rules go first, so the encoder embeds only the
    // functions of candidates they keep.
    let candidates = try judged(try pairs(reps, index, gate.candidateThreshold), reps: reps, snapshot, signatures)
    var encoded: [Int: (asWritten: [Float], blind: [Float])] = [:]
    if gate.usesEncoder {
      // Only the representatives in a candidate pair are embedded by the encoder.
      let needed = Set(candidates.flatMap { [$0.a, $0.b] }).sorted()
      if !needed.isEmpty {
        guard let vectors = try encoderVectors(needed.map { reps[$0] }), vectors.count == needed.count else {
          // No way to read the units' text: the cosine rule, as without a gate.
          let edges = try judged(try pairs(reps, index, options.threshold), reps: reps, snapshot, signatures)
          return linked(snapshot, classes: classes, edges: edges, kind: .functional)
        }
        for (k, r) in needed.enumerated() { encoded[r] = vectors[k] }
      }
    }
    return linked(
      snapshot, classes: classes, edges: Self.gated(candidates, reps: reps, snapshot, gate, encoded: encoded),
      kind: .functional)
  }

  /// The functional pairs (by representative position) whose likeness reaches beyond the repository's template
  /// (`RepositoryTemplates`, counted over the snapshot's outermost functions in scope, only for the runs of the
  /// functions in `pairs`); all of them when `options.templateRule` is off or the snapshot has no token streams
  /// in source order.
  func beyondTemplates(_ pairs: [SimilarPair], reps: [Int], _ snapshot: IndexSnapshot) -> [SimilarPair] {
    guard options.templateRule, !pairs.isEmpty, snapshot.tokensInSourceOrder,
      snapshot.blindTokens.count == snapshot.units.count
    else { return pairs }
    let judged = Set(pairs.flatMap { [$0.a, $0.b] })
    var runs: [Int: [UInt64]] = [:]
    var wanted: Set<UInt64> = []
    for r in judged {
      let own = RepositoryTemplates.distinctRuns(snapshot.blindTokens[reps[r]])
      runs[r] = own
      wanted.formUnion(own)
    }
    let templates = RepositoryTemplates(
      streams: snapshot.blindTokens, counted: RepositoryTemplates.countedUnits(snapshot.units, options: options),
      minFunctions: options.templateMinFunctions, restrictedTo: wanted)
    let remainders = runs.mapValues { $0.filter { !templates.template.contains($0) } }
    return pairs.filter {
      RepositoryTemplates.similarity(remainders[$0.a]!, remainders[$0.b]!) >= options.templateMinRemainder
    }
  }

  /// The functional pairs that pass the rules besides likeness: the repository's template, then what the two
  /// functions take and return.
  func judged(
    _ pairs: [SimilarPair], reps: [Int], _ snapshot: IndexSnapshot,
    _ signatures: (_ units: [Int]) throws -> [FunctionSignature?]?
  ) rethrows -> [SimilarPair] {
    try sameSignatures(beyondTemplates(pairs, reps: reps, snapshot), reps: reps, signatures)
  }

  /// The functional pairs (by representative position) whose functions can be called the same way (with
  /// `options.inputRule`: `FunctionInputs.differ`) and do not return different kinds of value (with
  /// `options.outputRule`: `OutputKinds.differ`); all of them when both rules are off or the signatures cannot be had.
  func sameSignatures(
    _ pairs: [SimilarPair], reps: [Int], _ signatures: (_ units: [Int]) throws -> [FunctionSignature?]?
  ) rethrows -> [SimilarPair] {
    guard options.outputRule || options.inputRule, !pairs.isEmpty else { return pairs }
    let needed = Set(pairs.flatMap { [$0.a, $0.b] }).sorted()
    guard let found = try signatures(needed.map { reps[$0] }), found.count == needed.count else { return pairs }
    let byRep = Dictionary(uniqueKeysWithValues: zip(needed, found))
    return pairs.filter {
      !FunctionSignature.differ(
        byRep[$0.a] ?? nil, byRep[$0.b] ?? nil, inputRule: options.inputRule, outputRule: options.outputRule)
    }
  }

  /// The candidates the gate keeps, scored by its probability. Sides are built once per representative
  /// that is in a candidate pair; IDF weights count over all representatives (the collection searched).
  /// `encoded` holds the encoder vectors of representatives (by position in `reps`) when the gate reads them.
  static func gated(
    _ candidates: [SimilarPair], reps: [Int], _ snapshot: IndexSnapshot, _ gate: any FunctionalPairGate,
    encoded: [Int: (asWritten: [Float], blind: [Float])] = [:]
  ) -> [SimilarPair] {
    guard !candidates.isEmpty else { return [] }
    var sides = reps.map { u in
      PairSide(
        raw: snapshot.rawTokens[u], blind: snapshot.blindTokens[u], vector: Array(snapshot.vector(u)),
        commonRaw: gate.commonRaw, commonBlind: gate.commonBlind)
    }
    for (r, v) in encoded {
      sides[r].encoder = v.asWritten
      sides[r].encoderBlind = v.blind
    }
    PairSide.assignIDF(&sides)
    return candidates.compactMap { c in
      let p = gate.probability(sides[c.a], sides[c.b])
      return p >= gate.threshold && gate.agrees(sides[c.a], sides[c.b])
        ? SimilarPair(a: c.a, b: c.b, score: Float(p)) : nil
    }
  }

  /// Complete-linkage groups of class representatives from all clone pairs of one kind (`edges`: every
  /// pair at or above that kind's threshold, by representative position), capped in size (counting
  /// every class member) and never joining a function with one nested in it.
  private func linked(_ snapshot: IndexSnapshot, classes: [[Int]], edges: [SimilarPair], kind: CloneKind) -> [Draft] {
    let units = snapshot.units
    let reps = classes.map { $0[0] }
    let edges = edges.filter { e in !Self.nested(units[reps[e.a]], units[reps[e.b]]) }
    let groups = CompleteLinkage.groups(
      count: reps.count, edges: edges, sizes: classes.map(\.count), maxSize: options.maxGroupSize
    ) { x, y in
      classes[x].contains { u in classes[y].contains { v in Self.nested(units[u], units[v]) } }
    }
    return groups.map { g in
      (kind, g.members.flatMap { classes[$0] }, g.meanScore, g.minScore)
    }
  }

  /// Whether `outer` strictly contains `inner` (same file, nested byte ranges, not the same unit).
  static func contains(_ outer: StoredUnit, _ inner: StoredUnit) -> Bool {
    outer.fileID == inner.fileID && outer.startByte <= inner.startByte && inner.endByte <= outer.endByte
      && (outer.startByte, outer.endByte) != (inner.startByte, inner.endByte)
  }

  /// Whether one unit contains the other (same file, nested byte ranges).
  static func nested(_ a: StoredUnit, _ b: StoredUnit) -> Bool {
    guard a.fileID == b.fileID else { return false }
    return (a.startByte <= b.startByte && b.endByte <= a.endByte)
      || (b.startByte <= a.startByte && a.endByte <= b.endByte)
  }
}

/// The `include` / `exclude` globs of `CloneOptions` as one test on a repository-relative path.
public struct PathScope: Sendable {
  let include: [PathGlob]
  let exclude: [PathGlob]

  public init(_ options: CloneOptions) {
    include = options.include.compactMap(PathGlob.init)
    exclude = options.exclude.compactMap(PathGlob.init)
  }

  public func contains(_ path: String) -> Bool {
    (include.isEmpty || include.contains { $0.matches(path) }) && !exclude.contains { $0.matches(path) }
  }
}
