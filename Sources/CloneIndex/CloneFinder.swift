/// The one call behind `codeintel clones`: update the index, then find and rank clone groups.
/// All-pairs results are cached in the index and reused while nothing changed.
public struct CloneFinder {
  public var embedder: any Embedder
  public var options: CloneOptions
  public var indexOptions: IndexOptions

  public init(
    embedder: any Embedder = HashedFeatureEmbedder(), options: CloneOptions = CloneOptions(),
    indexOptions: IndexOptions = IndexOptions()
  ) {
    self.embedder = embedder
    self.options = options
    self.indexOptions = indexOptions
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
    // Everything that changes which units are representatives, or the threshold.
    let key = [
      "\(options.threshold)", "\(options.minLines)", "\(options.minTokens)", snapshot.modelID,
      "tests=\(options.includeTests)", "include=\(options.include)", "exclude=\(options.exclude)",
    ].joined(separator: "|")
    let units = snapshot.units
    let groups = try CloneDetector(options: options).groups(in: snapshot) { reps, index, threshold in
      if let cached = try store.cachedPairs(key: key) {
        var position: [Int64: Int] = [:]
        for (r, u) in reps.enumerated() { position[units[u].id] = r }
        let mapped = cached.compactMap { p -> SimilarPair? in
          guard let a = position[p.a], let b = position[p.b] else { return nil }
          return SimilarPair(a: min(a, b), b: max(a, b), score: p.score)
        }
        if mapped.count == cached.count { return mapped }
      }
      let pairs = index.pairs(atLeast: threshold)
      try store.storePairs(pairs.map { (units[reps[$0.a]].id, units[reps[$0.b]].id, $0.score) }, key: key)
      return pairs
    }
    return CloneReport(
      repository: root, model: snapshot.modelID, threshold: Double(options.threshold), minLines: options.minLines,
      minTokens: options.minTokens, files: snapshot.fileCount, units: units.count, groups: groups)
  }
}
