import CodeIntel
import Corpus
import Foundation
import Model
import Tensor

/// Builds the retrieval datastore of a type head (`codeintel finetune types-datastore`; `TypeRetrieval`) and
/// fits its `k`, temperature and weight on the valid splits.
public enum TypeRetrievalBuilding {
  public struct Options: Sendable {
    /// Rows kept at most (the file must stay small: 264 bytes a row at 256 dimensions).
    public var maxSites = 32_000
    public var seed: UInt64 = 1
    public var threads = 1
    public init() {}
  }

  /// Whether a label is stored: not empty, not `any` and no type containing `any` (the head never proposes one).
  static func storable(_ label: String) -> Bool {
    !label.isEmpty
      && !label.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") }).contains("any")
  }

  /// The rows each package may give: the largest cap `c` such that the packages' `min(sites, c)` sum to at most
  /// `total` (every package gives all its sites when they fit). Packages in `available` order.
  public static func cap(available: [Int], total: Int) -> Int {
    guard available.reduce(0, +) > total else { return available.max() ?? 0 }
    var lo = 0
    var hi = available.max() ?? 0
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if available.reduce(0, { $0 + min($1, mid) }) <= total { lo = mid } else { hi = mid - 1 }
    }
    return lo
  }

  /// The subsample: per package, its files in a seeded order, taken until the package's cap is reached (the
  /// last file's sites cut at the cap). Returns (file index, site indices) in package order.
  public static func select(files: [TypeEvaluation.File], maxSites: Int, seed: UInt64) -> (
    picks: [(file: Int, sites: [Int])], cap: Int
  ) {
    var byPackage: [String: [Int]] = [:]
    for (i, f) in files.enumerated() { byPackage[f.package, default: []].append(i) }
    let packages = byPackage.keys.sorted()
    func labelled(_ f: Int) -> [Int] {
      files[f].sites.indices.filter {
        !files[f].sites[$0].any && storable(TypeAccuracy.normalize(files[f].sites[$0].label))
      }
    }
    let available = packages.map { p in byPackage[p]!.reduce(0) { $0 + labelled($1).count } }
    let c = cap(available: available, total: maxSites)
    var picks: [(file: Int, sites: [Int])] = []
    for (n, p) in packages.enumerated() {
      var rng = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(n))
      var order = byPackage[p]!
      for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
      var taken = 0
      for f in order where taken < c {
        let sites = Array(labelled(f).prefix(c - taken))
        guard !sites.isEmpty else { continue }
        picks.append((f, sites))
        taken += sites.count
      }
    }
    return (picks, c)
  }

  /// The datastore of `model` over a subsample of `trainFiles` (`select`), with the given voting settings.
  public static func build(
    model: TypeHeadModel, trainFiles: [TypeEvaluation.File], header: TypeRetrieval.Header, options: Options,
    log: (String) -> Void = { _ in }
  ) -> TypeRetrieval {
    let (picks, cap) = select(files: trainFiles, maxSites: options.maxSites, seed: options.seed)
    let hd = model.head.config.hidden
    var vectors: [Float] = []
    var labels: [String] = []
    let started = Date()
    var done = 0
    var chunk = 0
    while chunk < picks.count {
      let part = Array(picks[chunk..<min(chunk + 64, picks.count)])
      let files = part.map { pick -> TypeEvaluation.File in
        var f = trainFiles[pick.file]
        f.sites = pick.sites.map { f.sites[$0] }
        return f
      }
      let prepared = TypeHeadTraining.prepareAll(
        files, preparer: model.preparer, labels: false, threads: options.threads)
      for (f, p) in zip(files, prepared) {
        let u = model.siteVectors(p)
        for (i, site) in f.sites.enumerated() {
          let row = Array(u[(i * hd)..<((i + 1) * hd)])
          guard row.contains(where: { $0 != 0 }) else { continue }  // a site no window encodes
          vectors += row
          labels.append(TypeAccuracy.normalize(site.label))
        }
      }
      done += part.count
      chunk += 64
      if chunk % 512 == 0 || chunk >= picks.count {
        log(
          "types-datastore: \(done) of \(picks.count) files, \(labels.count) sites, "
            + String(format: "%.0f s", Date().timeIntervalSince(started)))
      }
    }
    var h = header
    h.dimension = hd
    h.trainFiles = Set(picks.map(\.file)).count
    h.trainPackages = Set(picks.map { trainFiles[$0.file].package }).count
    h.sitesPerPackage = cap
    h.seed = options.seed
    return TypeRetrieval(header: h, vectors: vectors, labels: labels)
  }

  // MARK: - Fitting on the valid splits

  /// One valid site as the fit sees it.
  public struct FitSite {
    public var label: String
    public var scores: TypeHeadModel.SiteScores
    public var evidence: [TypeEvidence.Suggestion.Candidate]
    public var prior: [TypeNamePrior.Candidate]
    public var offset: Int
    public var file: Int
  }

  /// The valid sites of `files` with their scores (the head's best 10 and `depth` neighbours).
  public static func fitSites(
    model: TypeHeadModel, files: [TypeEvaluation.File], depth: Int, threads: Int, fileBase: Int = 0
  ) throws -> [FitSite] {
    var out: [FitSite] = []
    let prepared = TypeHeadTraining.prepareAll(files, preparer: model.preparer, labels: false, threads: threads)
    for (n, (f, p)) in zip(files, prepared).enumerated() {
      let scores = model.scores(p, top: 10, depth: depth)
      let evidence = try TypeEvaluation.evidenceCandidates(f)
      for (i, site) in f.sites.enumerated() where !site.any {
        out.append(
          FitSite(
            label: TypeAccuracy.normalize(site.label), scores: scores[i], evidence: evidence[i],
            prior: model.namePrior?.candidates(for: site.name) ?? [], offset: site.offset, file: fileBase + n))
      }
    }
    return out
  }

  /// acc@1 of the model's mixed ranking alone (head and retrieval) on `sites`.
  public static func mixAccuracy(
    model: TypeHeadModel, sites: [FitSite], k: Int, temperature: Double, weight: Float,
    rule: TypeRetrieval.Rule = .interpolate
  ) -> Double {
    guard !sites.isEmpty else { return 0 }
    var right = 0
    for s in sites {
      let ranked = model.mixed(s.scores, top: 1, weight: weight, k: k, temperature: temperature, rule: rule)
      if ranked.first?.type == s.label { right += 1 }
    }
    return Double(right) / Double(sites.count)
  }

  /// acc@1 of the combined system (evidence, mixed model, name prior; only types in scope, `names` per file) on
  /// `sites`.
  public static func systemAccuracy(
    model: TypeHeadModel, sites: [FitSite], names: [TypeNames], k: Int, temperature: Double, weight: Float,
    rule: TypeRetrieval.Rule = .interpolate, problems: inout [String: Bool]
  ) -> Double {
    guard !sites.isEmpty else { return 0 }
    var right = 0
    for s in sites {
      let ranked = model.mixed(s.scores, top: 10, weight: weight, k: k, temperature: temperature, rule: rule)
      let combined = TypeCombination.combine(evidence: s.evidence, model: ranked, prior: s.prior, top: 10)
      for c in combined {
        let key = "\(s.file):\(s.offset):\(c.type)"
        let ok: Bool
        if let known = problems[key] {
          ok = known
        } else {
          ok = TypeAccuracy.normalize(c.type) != "any" && names[s.file].problem(with: c.type, at: s.offset) == nil
          problems[key] = ok
        }
        guard ok else { continue }
        if TypeAccuracy.normalize(c.type) == s.label { right += 1 }
        break
      }
    }
    return Double(right) / Double(sites.count)
  }
}
