import Foundation
import Syntax

/// The one call behind `codeintel clones`: update the index, then find and rank clone groups.
/// All-pairs results are cached in the index and reused while nothing changed.
public struct CloneFinder {
  public var embedder: any Embedder
  public var options: CloneOptions
  public var indexOptions: IndexOptions
  /// The learned judge of functional candidates (`CloneDetector.gate`); nil: the cosine threshold alone.
  public var gate: (any FunctionalPairGate)?

  public init(
    embedder: any Embedder = HashedFeatureEmbedder(), options: CloneOptions = CloneOptions(),
    indexOptions: IndexOptions = IndexOptions(), gate: (any FunctionalPairGate)? = nil
  ) {
    self.embedder = embedder
    self.options = options
    self.indexOptions = indexOptions
    self.gate = gate
  }

  /// Indexes `root` (incrementally) and reports its clone groups.
  public func report(root: String, log: @escaping (IndexEvent) -> Void = { _ in }) throws -> CloneReport {
    let indexer = try RepositoryIndexer(root: root, embedder: embedder, options: indexOptions, log: log)
    try indexer.update()
    return try report(store: indexer.store, root: root)
  }

  /// Reports the clone groups of an up-to-date index.
  public func report(store: IndexStore, root: String) throws -> CloneReport {
    let snapshot = try store.snapshot()
    // Everything that changes which units are representatives (the cosine threshold is added per call:
    // with a gate the candidates are taken at its candidate floor).
    let key = [
      "\(options.minLines)", "\(options.minTokens)", snapshot.modelID,
      "tests=\(options.includeTests)", "include=\(options.include)", "exclude=\(options.exclude)",
      "build=\(options.includeBuild)", "examples=\(options.includeExamples)",
      "benchmarks=\(options.includeBenchmarks)",
    ].joined(separator: "|")
    let nearKey = [
      "\(options.nearMissRawOverlap)", "\(options.nearMissBlindOverlap)", "\(options.minLines)",
      "\(options.minTokens)", "tests=\(options.includeTests)", "include=\(options.include)",
      "exclude=\(options.exclude)", "build=\(options.includeBuild)", "examples=\(options.includeExamples)",
      "benchmarks=\(options.includeBenchmarks)",
    ].joined(separator: "|")
    let units = snapshot.units
    // Cached pairs are stored by unit id and used only when every one maps to a representative.
    func cached(_ reps: [Int], _ key: String, _ kind: IndexStore.PairKind) throws -> [SimilarPair]? {
      guard let cached = try store.cachedPairs(key: key, kind: kind) else { return nil }
      var position: [Int64: Int] = [:]
      for (r, u) in reps.enumerated() { position[units[u].id] = r }
      let mapped = cached.compactMap { p -> SimilarPair? in
        guard let a = position[p.a], let b = position[p.b] else { return nil }
        return SimilarPair(a: min(a, b), b: max(a, b), score: p.score)
      }
      return mapped.count == cached.count ? mapped : nil
    }
    func save(_ pairs: [SimilarPair], _ reps: [Int], _ key: String, _ kind: IndexStore.PairKind) throws {
      try store.storePairs(pairs.map { (units[reps[$0.a]].id, units[reps[$0.b]].id, $0.score) }, key: key, kind: kind)
    }
    // The index's content hash of each file, read once when the signature rules or the worth rules first need it
    // (both keep what they read of a function under its file's hash).
    var hashes: [String: String]?
    func contentHashes() throws -> [String: String] {
      if let hashes { return hashes }
      let read = try store.files().mapValues(\.contentHash)
      hashes = read
      return read
    }
    let detector = CloneDetector(options: options, gate: gate)
    let groups = try detector.groups(
      in: snapshot,
      pairs: { reps, index, threshold in
        let key = "\(threshold)|" + key
        if let hit = try cached(reps, key, .functional) { return hit }
        let pairs = index.pairs(atLeast: threshold)
        try save(pairs, reps, key, .functional)
        return pairs
      },
      nearMissPairs: { reps, compute in
        if let hit = try cached(reps, nearKey, .nearMiss) { return hit }
        let pairs = compute()
        try save(pairs, reps, nearKey, .nearMiss)
        return pairs
      },
      encoderVectors: { needed in
        guard let gate else { return nil }
        let texts = try Self.texts(of: needed.map { units[$0] }, root: root)
        guard !gate.encoderID.isEmpty else { return try gate.encode(texts) }
        // Kept in the index by encoder and text, so a warm run embeds nothing and an edit only what changed.
        let keys = texts.map {
          gate.encoderID + "|" + $0.language.rawValue + "|" + ContentHash.hex(ContentHash.hash($0.text))
        }
        var views = try store.encoderViews(keys)
        let missing = keys.indices.filter { views[keys[$0]] == nil }
        if !missing.isEmpty {
          let fresh = try gate.encode(missing.map { texts[$0] })
          for (i, v) in zip(missing, fresh) { views[keys[i]] = v }
          try store.storeEncoderViews(
            zip(missing, fresh).filter { !$0.1.asWritten.isEmpty }.map { (keys[$0.0], $0.1.asWritten, $0.1.blind) })
        }
        return keys.map { views[$0] ?? ([], []) }
      },
      signatures: { needed in
        try FunctionSignature.of(
          units: needed.map { units[$0] }, root: root, store: store, contentHashes: try contentHashes())
      })
    var report = CloneReport(
      repository: root, model: snapshot.modelID, threshold: Double(options.threshold), minLines: options.minLines,
      minTokens: options.minTokens, files: snapshot.fileCount, units: units.count, groups: groups)
    let counts = CloneDetector.leftOutCounts(units, options: options)
    report.leftOut = CloneReport.LeftOut(
      tests: counts[.test] ?? 0, build: counts[.build] ?? 0, examples: counts[.example] ?? 0,
      benchmarks: counts[.benchmark] ?? 0)
    if options.functional, let gate = detector.activeGate(snapshot) {
      report.functionalScorer = String(
        format: "learned pair scorer: probability >= %.3f on candidates with cosine >= %.2f", gate.threshold,
        gate.candidateThreshold)
    }
    if options.functional && options.templateRule && snapshot.tokensInSourceOrder {
      let beyond =
        options.templateMinRemainder <= 1e-6
        ? "sharing a run outside it"
        : String(format: "what is left alike at Jaccard >= %.2f", options.templateMinRemainder)
      report.templateRule =
        "beyond the repository's template (runs of \(RepositoryTemplates.runLength) identifier-blind tokens in >= "
        + "\(options.templateMinFunctions) of its outermost functions): \(beyond)"
    }
    if options.functional && options.outputRule {
      report.outputRule = "not returning different kinds of value (read from the code)"
    }
    if options.functional && options.inputRule {
      report.inputRule = "callable with a common number of arguments (read from the parameter lists)"
    }
    CloneWorth.annotate(&report, root: root, cache: Self.sizeCache(store, contentHashes: try? contentHashes()))
    return report
  }

  /// `CloneWorth`'s body sizes kept in the index's `body_sizes`, keyed by the file's content hash and the function's
  /// byte range, so a warm run parses no member's file again. A store that cannot be read or written only costs the
  /// parse: the sizes are then measured as before.
  static func sizeCache(_ store: IndexStore, contentHashes: [String: String]? = nil) -> CloneWorth.SizeCache {
    let hashes = contentHashes ?? (try? store.files().mapValues(\.contentHash)) ?? [:]
    return CloneWorth.SizeCache(
      key: { path, range in hashes[path].map { "body1|\($0)|\(range.lowerBound)|\(range.upperBound)" } },
      load: { keys in
        let rows = (try? store.bodySizes(keys)) ?? [:]
        return rows.compactMapValues { v in
          let parts = v.split(separator: ",").compactMap { Int($0) }
          guard parts.count == 3 else { return nil }
          return CloneWorth.BodySize(statements: parts[0], tokens: parts[1], compound: parts[2])
        }
      },
      save: { rows in
        try? store.storeBodySizes(rows.map { ($0.key, "\($0.size.statements),\($0.size.tokens),\($0.size.compound)") })
      })
  }

  /// The source text of each unit, read from its file under `root` (each file once); a file that changed
  /// since it was indexed gives what now sits in the unit's byte range, clamped to the file.
  public static func texts(of units: [StoredUnit], root: String) throws -> [UnitText] {
    var files: [String: [UInt8]] = [:]
    return try units.map { u in
      let bytes: [UInt8]
      if let known = files[u.path] {
        bytes = known
      } else {
        let url = URL(fileURLWithPath: root).appendingPathComponent(u.path)
        guard let data = FileManager.default.contents(atPath: url.path) else {
          throw CloneIndexError.noSuchPath("\(url.path) (indexed, but no longer readable; run the command again)")
        }
        bytes = Array(data)
        files[u.path] = bytes
      }
      let lo = min(max(0, u.startByte), bytes.count)
      let hi = min(max(lo, u.endByte), bytes.count)
      return UnitText(
        text: String(decoding: bytes[lo..<hi], as: UTF8.self), language: Language(path: u.path) ?? .javascript)
    }
  }
}
