import Syntax

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// The machine-readable side of clone detection, for jobs that spread it over many machines
// (the PySpark job in spark/): `codeintel units` turns repositories into self-contained unit records,
// and `codeintel group-units` runs the single-machine `CloneDetector` on a set of units gathered from
// any number of repositories plus the candidate pairs a join found. Nothing here reads or writes an
// index, and the thresholds and group rules stay those of `CloneOptions` and `CloneDetector`.

/// One function unit with everything a cross-repository join needs: hashes (exact and renamed kinds),
/// token shingles (near-miss candidates) and the embedding (functional kind).
public struct UnitRecord: Sendable, Codable, Equatable {
  public var record = "unit"
  /// The repository as the caller named it.
  public var repository: String
  /// Position of the unit in its repository (files in byte order of their paths, units in file order).
  public var unit: Int
  /// Path relative to the repository root.
  public var path: String
  /// Position of the unit in its file, and of the function it is nested in.
  public var ordinal: Int
  public var parentOrdinal: Int?
  /// `unit` of the enclosing function, if any.
  public var parent: Int?
  public var name: String?
  public var kind: String
  public var startLine: Int
  public var endLine: Int
  public var startByte: Int
  public var endByte: Int
  public var lines: Int
  public var tokens: Int
  /// Whether `CloneOptions` let the unit be reported: within the size limits, unless `includeTests` not test
  /// code (`TestCode`: a test path, a test callback or nested in one), and unless `includeBuild` /
  /// `includeExamples` / `includeBenchmarks` not in build output, an example app or benchmark code (`ReviewScope`,
  /// as `codeintel clones` judges them).
  public var eligible: Bool
  /// Whether the unit is a callback of a test framework call (`TestCode.isTestCallback`).
  public var testCallback: Bool
  /// Whether the unit's file is generated (`GeneratedCode`), which `ReviewScope` treats as build output; nil in
  /// records written before the flag existed.
  public var generatedFile: Bool? = nil
  public var exactHash: String
  public var canonicalHash: String
  /// Sorted distinct ids in `0..<UnitRecordExporter.shingleSpace` of the hashed `shingleSize`-grams
  /// of the unit's abstracted tokens (locals as `ID`, literals by class).
  public var shingles: [Int]
  /// The embedding, L2-normalised.
  public var vector: [Float]
  /// The bags of the unit's tokens as written and identifier-blind (`TokenHash` of `UnitTokens.exact`
  /// and `.features`), sorted: what the near-miss kind compares (`NearMissIndex`).
  public var rawTokens: [UInt32]
  public var blindTokens: [UInt32]
}

/// Within one repository, two canonical classes whose representatives are clones of one kind (the
/// exact searches `codeintel clones` does): `functional`, cosine at or above the threshold, or
/// `nearMiss`, token bags overlapping as `NearMissIndex` asks. `a` and `b` are `UnitRecord.unit` values.
public struct UnitPairRecord: Sendable, Codable, Equatable {
  public var record = "pair"
  public var repository: String
  public var a: Int
  public var b: Int
  public var score: Float
  public var kind: String = CloneKind.functional.rawValue
}

/// The end of one repository's records: counts, or why it failed.
public struct RepositoryRecord: Sendable, Codable, Equatable {
  /// `done` or `error`.
  public var record: String
  public var repository: String
  public var files: Int = 0
  public var skipped: Int = 0
  public var units: Int = 0
  public var pairs: Int = 0
  public var error: String?

  public init(record: String, repository: String, error: String? = nil) {
    self.record = record
    self.repository = repository
    self.error = error
  }
}

/// What `codeintel units --describe` prints: the settings a distributed job must share with the binary.
public struct UnitRecordSettings: Sendable, Codable, Equatable {
  public var model: String
  public var dimension: Int
  public var threshold: Float
  public var minLines: Int
  public var minTokens: Int
  public var maxGroupSize: Int
  public var shingleSize: Int
  public var shingleSpace: Int
  /// The least Jaccard similarity of two units' identifier-blind token bags (each occurrence one
  /// element) when they meet the near-miss rule: an overlap of θ of the larger bag gives a Jaccard of at
  /// least θ / (2 − θ), θ = `nearMissBlindOverlap`. A job keeps candidate pairs at or above it; the
  /// rule itself is applied by `group-units`.
  public var nearMissJaccard: Double
  /// Whether near-miss groups are formed, and `NearMissIndex`'s two overlap thresholds (share of the
  /// larger bag, tokens as written and identifier-blind).
  public var nearMiss: Bool
  public var nearMissRawOverlap: Float
  public var nearMissBlindOverlap: Float
}

/// Writes the unit records of whole repositories (see `UnitRecord`).
public struct UnitRecordExporter {
  public static let shingleSize = 4
  public static let shingleSpace = 1 << 20

  public var embedder: any Embedder
  public var options: CloneOptions
  public var maxFileBytes: Int

  public init(
    embedder: any Embedder = HashedFeatureEmbedder(), options: CloneOptions = CloneOptions(),
    maxFileBytes: Int = 4 << 20
  ) {
    self.embedder = embedder
    self.options = options
    self.maxFileBytes = maxFileBytes
  }

  public var settings: UnitRecordSettings {
    UnitRecordSettings(
      model: embedder.modelID, dimension: embedder.dimension, threshold: options.threshold, minLines: options.minLines,
      minTokens: options.minTokens, maxGroupSize: options.maxGroupSize, shingleSize: Self.shingleSize,
      shingleSpace: Self.shingleSpace,
      nearMissJaccard: Double(options.nearMissBlindOverlap / (2 - options.nearMissBlindOverlap)),
      nearMiss: options.nearMiss,
      nearMissRawOverlap: options.nearMissRawOverlap, nearMissBlindOverlap: options.nearMissBlindOverlap)
  }

  /// Walks `root` like `codeintel index` (same ignore rules and skipped files), emits one `UnitRecord`
  /// per function unit, then the within-repository pairs, and returns the closing `done` record.
  /// Throws (emitting nothing more) when `root` is not a readable folder.
  public func export(
    repository: String, root: String, unit emitUnit: (UnitRecord) throws -> Void,
    pair emitPair: (UnitPairRecord) throws -> Void
  ) throws -> RepositoryRecord {
    var st = stat()
    guard stat(root, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { throw CloneIndexError.notADirectory(root) }
    let walk = try RepositoryWalker(maxFileBytes: maxFileBytes).walk(root)
    let files = walk.files.sorted { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
    var done = RepositoryRecord(record: "done", repository: repository)
    done.skipped = walk.skipped.count
    var parsers: [Language: Parser] = [:]
    let canonicalizer = UnitCanonicalizer()
    // Per unit, what the within-repository searches need.
    var eligibleHashes: [(unit: Int, hash: String)] = []
    var vectors: [[Float]] = []
    var bags: [Int: (raw: [UInt32], blind: [UInt32])] = [:]
    // The records wait until the whole repository is read: build output is judged by its copies in other files
    // (`ReviewScope`), as `codeintel clones` judges it.
    var pending: [UnitRecord] = []
    var next = 0
    for file in files {
      guard let bytes = try? FileBytes.read(file.fullPath, limit: maxFileBytes),
        SourceFilter.skipReason(for: bytes) == nil
      else {
        done.skipped += 1
        continue
      }
      let parser = parsers[file.language] ?? Parser(language: file.language)
      parsers[file.language] = parser
      let tree = try parser.parse(bytes: bytes)
      let units = extractUnits(from: tree)
      let tokens = units.map { UnitTokens(unit: $0, in: tree) }
      let texts = zip(units, tokens).map { u, t in
        UnitText(text: String(decoding: bytes[u.byteRange], as: UTF8.self), language: file.language, tokens: t)
      }
      let embedded = try embedder.embed(texts)
      guard embedded.count == units.count, embedded.allSatisfy({ $0.count == embedder.dimension }) else {
        throw CloneIndexError.embedderMismatch(
          "\(embedder.modelID) returned \(embedded.count) vectors for \(units.count) units, or the wrong size")
      }
      done.files += 1
      let generated = GeneratedCode.isGenerated(bytes)
      let first = next
      // Test code as `CloneDetector.testCode` judges it: the path, a test callback, or nested in test code
      // (units come outer before inner).
      let testPath = !options.includeTests && TestCode.isTestPath(file.path)
      var isTest = [Bool](repeating: false, count: units.count)
      for (i, u) in units.enumerated() {
        let lines = u.endLine - u.startLine + 1
        let callback = TestCode.isTestCallback(u, in: tree)
        isTest[i] = !options.includeTests && (testPath || callback || u.parent.map { $0 < i && isTest[$0] } == true)
        let eligible = lines >= options.minLines && tokens[i].exact.count >= options.minTokens && !isTest[i]
        let raw = TokenHash.hashes(tokens[i].exact).sorted()
        let blind = TokenHash.hashes(tokens[i].features).sorted()
        var record = UnitRecord(
          repository: repository, unit: next, path: file.path, ordinal: i, parentOrdinal: u.parent,
          parent: u.parent.map { first + $0 }, name: u.name, kind: u.kind.rawValue, startLine: u.startLine,
          endLine: u.endLine, startByte: u.byteRange.lowerBound, endByte: u.byteRange.upperBound, lines: lines,
          tokens: tokens[i].exact.count, eligible: eligible, testCallback: callback, exactHash: tokens[i].exactHash,
          canonicalHash: canonicalizer.canonicalHash(of: u, in: tree), shingles: Self.shingles(tokens[i].features),
          vector: embedded[i], rawTokens: raw, blindTokens: blind)
        record.generatedFile = generated
        if eligible && options.nearMiss { bags[next] = (raw, blind) }
        vectors.append(embedded[i])
        pending.append(record)
        next += 1
      }
    }
    // Build output, example apps and benchmark code are left out as `CloneDetector.eligible` leaves them out (one rule,
    // `ReviewScope`; `units` has no flags to include them, like its tests).
    let scope = ReviewScope(
      units: pending.map { (path: $0.path, canonicalHash: $0.canonicalHash, tokens: $0.tokens) },
      generatedFiles: Set(pending.lazy.filter { $0.generatedFile == true }.map(\.path)))
    for var record in pending {
      if record.eligible, let reason = scope.leftOut(path: record.path, options: options), reason != .test {
        record.eligible = false
        bags[record.unit] = nil
      }
      if record.eligible { eligibleHashes.append((record.unit, record.canonicalHash)) }
      try emitUnit(record)
    }
    done.units = next
    // One representative per canonical class (the first in path order, as `CloneDetector`), and all
    // pairs of each kind among them.
    var seen: Set<String> = []
    let reps = eligibleHashes.filter { seen.insert($0.hash).inserted }.map(\.unit)
    if options.nearMiss && reps.count >= 2 {
      let near = NearMissIndex(
        raw: reps.map { bags[$0]?.raw ?? [] }, blind: reps.map { bags[$0]?.blind ?? [] },
        rawOverlap: options.nearMissRawOverlap, blindOverlap: options.nearMissBlindOverlap)
      for p in near.pairs() {
        try emitPair(
          UnitPairRecord(
            repository: repository, a: reps[p.a], b: reps[p.b], score: p.score, kind: CloneKind.nearMiss.rawValue))
        done.pairs += 1
      }
    }
    if options.functional {
      if reps.count >= 2 {
        let d = embedder.dimension
        var matrix = [Float]()
        matrix.reserveCapacity(reps.count * d)
        for r in reps { matrix += vectors[r] }
        for p in FlatVectorIndex(vectors: matrix, dimension: d).pairs(atLeast: options.threshold) {
          try emitPair(UnitPairRecord(repository: repository, a: reps[p.a], b: reps[p.b], score: p.score))
          done.pairs += 1
        }
      }
    }
    return done
  }

  /// The sorted distinct hashed ids of the `shingleSize`-grams of `tokens` (the whole sequence when shorter).
  public static func shingles(_ tokens: [String]) -> [Int] {
    guard !tokens.isEmpty else { return [] }
    let hashes = tokens.map { ContentHash.hash($0) }
    let k = min(shingleSize, hashes.count)
    var out: Set<Int> = []
    for start in 0...(hashes.count - k) {
      var h: UInt64 = 0x9E37_79B9_7F4A_7C15
      for j in start..<(start + k) { h = (h ^ hashes[j]) &* 0x100_0000_01B3 &+ (h >> 31) }
      out.insert(Int(h % UInt64(shingleSpace)))
    }
    return out.sorted()
  }
}

// MARK: - Grouping units from many repositories

/// A set of units (from any repositories) and the candidate pairs among them, to be grouped.
public struct UnitComponent: Sendable, Codable {
  /// The caller's id, echoed in the groups.
  public var component: Int64
  public var units: [ComponentUnit]
  /// Candidate pairs as indices into `units`; they are re-scored exactly, so their scores are not needed.
  public var pairs: [[Int]]
}

/// The fields of a `UnitRecord` that grouping needs, plus the caller's id.
public struct ComponentUnit: Sendable, Codable {
  public var id: Int64
  public var repository: String
  public var path: String
  public var ordinal: Int
  public var parentOrdinal: Int?
  public var name: String?
  public var kind: String
  public var startLine: Int
  public var endLine: Int
  public var startByte: Int
  public var endByte: Int
  public var tokens: Int
  public var exactHash: String
  public var canonicalHash: String
  public var vector: [Float]
  /// As in `UnitRecord`; optional so that components written before they existed still read. The
  /// near-miss kind is formed only when every unit of the component carries both bags.
  public var testCallback: Bool?
  /// As in `UnitRecord` (a generated file's units are build output, `ReviewScope`).
  public var generatedFile: Bool? = nil
  public var rawTokens: [UInt32]?
  public var blindTokens: [UInt32]?
}

/// One group of a component; `members` are the `ComponentUnit.id`s in report order.
public struct ComponentGroup: Sendable, Codable, Equatable {
  public var component: Int64
  public var kind: CloneKind
  public var similarity: Double
  public var minSimilarity: Double
  public var lines: Int
  public var score: Double
  public var members: [Int64]
}

/// Runs `CloneDetector` (the rules of `codeintel clones`) on a component, with the candidate pairs in
/// place of the all-pairs searches: a candidate joins the representatives of its two units' canonical
/// classes as a functional pair when their exact cosine reaches the threshold, and as a near-miss pair
/// when their token bags meet `NearMissIndex`'s overlaps. Units are ordered as one index holding all
/// the repositories would order them (repository, path, ordinal), so a component that holds a whole
/// repository and all its above-threshold pairs gives exactly the groups of `codeintel clones`.
public func cloneGroups(in component: UnitComponent, options: CloneOptions = CloneOptions()) throws -> [ComponentGroup]
{
  let order = component.units.indices.sorted {
    let a = component.units[$0]
    let b = component.units[$1]
    if a.repository != b.repository {
      return Array(a.repository.utf8).lexicographicallyPrecedes(Array(b.repository.utf8))
    }
    if a.path != b.path { return Array(a.path.utf8).lexicographicallyPrecedes(Array(b.path.utf8)) }
    return a.ordinal < b.ordinal
  }
  guard let dimension = component.units.first?.vector.count else { return [] }
  var position = [Int](repeating: 0, count: component.units.count)
  var fileIDs: [String: Int64] = [:]
  var units: [StoredUnit] = []
  var vectors: [Float] = []
  var idAt: [String: Int64] = [:]
  for (p, i) in order.enumerated() {
    let u = component.units[i]
    guard u.vector.count == dimension else {
      throw CloneIndexError.embedderMismatch(
        "unit \(u.repository):\(u.path):\(u.startLine) has a vector of \(u.vector.count) floats, expected \(dimension)")
    }
    position[i] = p
    // One path string per (repository, path), ordered like the pair. The repository, with its slashes
    // replaced, is the first folder of the path, so test paths (`TestCode.isTestPath`) are judged on the
    // repository-relative path alone: a repository kept under `/srv/tests/` is not all test code.
    let path = u.repository.replacingOccurrences(of: "/", with: "\u{2}") + "\u{1}/" + u.path
    let file = fileIDs[path] ?? Int64(fileIDs.count)
    fileIDs[path] = file
    units.append(
      StoredUnit(
        id: Int64(p), fileID: file, path: path, ordinal: u.ordinal, parentOrdinal: u.parentOrdinal, name: u.name,
        kind: u.kind, startByte: u.startByte, endByte: u.endByte, startLine: u.startLine, endLine: u.endLine,
        tokenCount: u.tokens, exactHash: u.exactHash, canonicalHash: u.canonicalHash,
        testCallback: u.testCallback ?? false, generatedFile: u.generatedFile ?? false))
    vectors += u.vector
    idAt["\(path)\u{1}\(u.startByte)\u{1}\(u.endByte)"] = u.id
  }
  var snapshot = IndexSnapshot(
    units: units, vectors: vectors, dimension: dimension, modelID: "", fileCount: fileIDs.count)
  if component.units.allSatisfy({ $0.rawTokens != nil && $0.blindTokens != nil }) {
    snapshot.rawTokens = order.map { component.units[$0].rawTokens ?? [] }
    snapshot.blindTokens = order.map { component.units[$0].blindTokens ?? [] }
    snapshot.tokensInSourceOrder = false
  }
  let candidates = component.pairs.compactMap { p -> (Int, Int)? in
    guard p.count == 2, p.allSatisfy({ component.units.indices.contains($0) }) else { return nil }
    return (position[p[0]], position[p[1]])
  }
  // The candidates as distinct pairs of representatives (by position in `reps`).
  func candidatePairs(_ reps: [Int]) -> [(a: Int, b: Int)] {
    var repOf: [String: Int] = [:]
    for (r, u) in reps.enumerated() { repOf[units[u].canonicalHash] = r }
    var seen: Set<Int> = []
    var out: [(a: Int, b: Int)] = []
    for (x, y) in candidates {
      guard let ra = repOf[units[x].canonicalHash], let rb = repOf[units[y].canonicalHash], ra != rb else { continue }
      let (a, b) = (min(ra, rb), max(ra, rb))
      if seen.insert(a * reps.count + b).inserted { out.append((a, b)) }
    }
    return out
  }
  let rawTokens = snapshot.rawTokens.map { $0.sorted() }
  let blindTokens = snapshot.blindTokens.map { $0.sorted() }
  let groups = CloneDetector(options: options).groups(in: snapshot) { reps, _, threshold in
    var out: [SimilarPair] = []
    for (a, b) in candidatePairs(reps) {
      var s: Float = 0
      vectors.withUnsafeBufferPointer { v in
        let p = v.baseAddress! + reps[a] * dimension
        let q = v.baseAddress! + reps[b] * dimension
        for k in 0..<dimension { s += p[k] * q[k] }
      }
      if s >= threshold { out.append(SimilarPair(a: a, b: b, score: s)) }
    }
    return out.sorted { ($0.a, $0.b) < ($1.a, $1.b) }
  } nearMissPairs: { reps, _ in
    candidatePairs(reps).compactMap { a, b in
      NearMissIndex.score(
        raw: rawTokens[reps[a]], rawTokens[reps[b]], blind: blindTokens[reps[a]], blindTokens[reps[b]],
        rawOverlap: options.nearMissRawOverlap, blindOverlap: options.nearMissBlindOverlap
      ).map { SimilarPair(a: a, b: b, score: $0) }
    }.sorted { ($0.a, $0.b) < ($1.a, $1.b) }
  } encoderVectors: { _ in
    nil
  } signatures: { _ in
    nil  // records of many repositories hold no source text
  }
  return groups.map { g in
    ComponentGroup(
      component: component.component, kind: g.kind, similarity: g.similarity, minSimilarity: g.minSimilarity,
      lines: g.lines, score: g.score,
      members: g.members.compactMap { idAt["\($0.path)\u{1}\($0.startByte)\u{1}\($0.endByte)"] })
  }
}
