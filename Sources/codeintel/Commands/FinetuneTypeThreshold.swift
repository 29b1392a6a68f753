import CodeIntel
import Corpus
import Foundation
import Heads

/// `codeintel finetune type-threshold`: fits the type suggestions' display threshold on the valid splits
/// (`TypeCalibration`) and writes it into the head folder.
enum FinetuneTypeThreshold {
  static let help = """
    type-threshold
             Fit the default display threshold of the type suggestions on the valid splits: the combined
             system's best candidates (evidence, head mixed with the retrieval when DIR has a datastore,
             name prior, only types in scope) on valid and github-valid pooled; the stable rule takes
             the lowest confidence t such that every threshold >= t showing at least --min-shown sites
             is right at least --precision of the time (by the lower end of the Wilson interval), on
             the pool and on each split alone. First it measures each evidence rule's precision
             (evidence-precision.json, below). Prints the rules, the precision curve and each source's
             share. Writes DIR/type-calibration.json; suggest-types and the LSP's hints then use it as
             their default bar (docs/TYPES.md).
             --out DIR            the type-head folder (required)
             --precision P        the precision to reach (default 0.9)
             --min-shown N        stable rule: judge only thresholds showing >= N sites (default 50)
             --z Z                stable rule: judge a threshold by the Wilson lower bound at Z
                                  (default 1.645, one-sided 95 %; 0: the measured share)
             --rule stable|stable-pooled|lowest
                                  stable (default, session 7): the highest of the pooled sites' stable
                                  threshold and each split's own, so every split reaches the precision;
                                  each judged by the lower end of the Wilson interval of its
                                  precision (--z, default 1.645: one-sided 95 %; 0: the measured
                                  share, session 7's first fit);
                                  stable-pooled: the pooled sites' only (session 6's rule);
                                  lowest: the lowest threshold whose shown sites reach the precision,
                                  however the curve dips above it (session 5's rule)
             --splits A,B         the splits to fit on (default valid,github-valid; never a test split)
             --min-rule-sites N   first, each evidence rule's confidence becomes its measured precision
                                  on these files, (right + 1) / (sites + 2), where it has >= N sites
                                  (default 10); writes DIR/evidence-precision.json
             --fixed-evidence     keep the rules' fixed confidences (removes evidence-precision.json)
             --every K            only every K-th file of each split (default 1: all)
             --every-github K     only every K-th file of the github-* splits (after --every; default 1)
             --datasets DIR       dataset folder (default ~/.cache/codeintel/datasets-v2); reads types/
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    guard let out = try scanner.option("--out") else { throw UsageError("--out DIR is required") }
    let datasets = try scanner.datasets()
    let precision = try scanner.double("--precision", in: 0.01...1) ?? 0.9
    let splits = (try scanner.option("--splits") ?? "valid,github-valid").split(separator: ",").map(String.init)
    let every = try scanner.int("--every", in: 1...1_000_000) ?? 1
    let everyGitHub = try scanner.int("--every-github", in: 1...1_000_000) ?? 1
    let minimumShown = try scanner.int("--min-shown", in: 1...Int.max) ?? 50
    let rule = try scanner.choice("--rule", from: ["stable", "stable-pooled", "lowest"]) ?? "stable"
    let evidencePrecision = !scanner.flag("--fixed-evidence")
    let z = try scanner.double("--z", in: 0...10) ?? 1.645
    let minimumRuleSites = try scanner.int("--min-rule-sites", in: 1...Int.max) ?? 10
    guard try scanner.finish().isEmpty else { throw UsageError("unexpected arguments") }
    for split in splits where split.contains("test") || split == "train" {
      throw UsageError("fit the threshold on valid splits only, not \(split)")
    }
    let model = try TypeHeadModel.load(directory: (out as NSString).expandingTildeInPath)
    let types = URL(fileURLWithPath: datasets).appendingPathComponent("types")
    var loaded: [(split: String, files: [TypeEvaluation.File], evidence: [[[TypeEvidence.Suggestion.Candidate]]])] = []
    for split in splits {
      let all = try TypeEvaluation.loadFiles(types.appendingPathComponent("\(split).jsonl").path)
      let stride = every * (split.hasPrefix("github") ? everyGitHub : 1)
      let files = all.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
      loaded.append((split, files, try files.map { try TypeEvaluation.evidenceCandidates($0) }))
    }
    let dir = URL(fileURLWithPath: (out as NSString).expandingTildeInPath)
    if evidencePrecision {
      // Each evidence rule's confidence becomes its measured precision on these files, before the bar is fitted.
      let table = TypeEvidencePrecision.measure(
        files: loaded.flatMap(\.files), evidence: loaded.flatMap(\.evidence), splits: splits,
        minimumSites: minimumRuleSites)
      try table.write(to: dir)
      model.evidencePrecision = table
      print(
        "evidence rules (kind rule: sites, right, confidence; fewer than \(minimumRuleSites) sites keep their fixed one):"
      )
      for (key, c) in table.rules.sorted(by: { $0.value.sites > $1.value.sites }) {
        let parts = key.split(separator: " ", maxSplits: 1).map(String.init)
        let p = table.confidence(kind: parts[0], rule: parts.count > 1 ? parts[1] : "")
        print("  \(key): \(c.sites), \(c.right), \(p.map { String(format: "%.3f", $0) } ?? "fixed")")
      }
    } else {
      model.evidencePrecision = nil
      try? FileManager.default.removeItem(at: dir.appendingPathComponent(TypeEvidencePrecision.fileName))
    }
    var perSplit: [(split: String, files: [TypeEvaluation.File], candidates: [[[TypeCombination.Candidate]]])] = []
    for (split, files, evidence) in loaded {
      let candidates = try zip(files, evidence).map {
        try TypeEvaluation.systemCandidates($0.0, model: model, evidence: $0.1)
      }
      perSplit.append((split, files, candidates))
    }
    let splitPoints = perSplit.map { TypeEvaluation.calibrationPoints(files: $0.files, candidates: $0.candidates) }
    let points = splitPoints.flatMap { $0 }
    printCurve(perSplit.map { ($0.files, $0.candidates) })
    let found: Double?
    switch rule {
    case "stable":
      found = TypeCalibration.stableThreshold(
        splits: splitPoints, precision: precision, minimumShown: minimumShown, z: z)
    case "stable-pooled":
      found = TypeCalibration.stableThreshold(points: points, precision: precision, minimumShown: minimumShown)
    default:
      found = TypeCalibration.threshold(points: points, precision: precision)
    }
    guard let threshold = found else {
      throw CodeIntelError(
        "no confidence reaches precision \(precision) on \(splits.joined(separator: " + ")); no threshold written")
    }
    let results = perSplit.map {
      TypeEvaluation.atThreshold(files: $0.files, candidates: $0.candidates, threshold: threshold, split: $0.split)
    }
    var calibration = TypeCalibration(
      targetPrecision: precision, threshold: threshold, splits: results, bins: TypeCalibration.bins(points))
    calibration.rule =
      rule == "stable"
      ? "stable on each split and pooled, at least \(minimumShown) shown"
        + (z > 0 ? ", judged by the Wilson lower bound (z \(z))" : "")
      : rule == "stable-pooled" ? "stable, pooled, at least \(minimumShown) shown" : "lowest"
    try calibration.write(to: dir)
    func pct(_ x: Double?) -> String { x.map { String(format: "%.1f", 100 * $0) } ?? "–" }
    print(
      "threshold \(String(format: "%.4f", threshold)) for precision ≥ \(precision) on \(splits.joined(separator: " + ")) "
        + "pooled (\(calibration.rule ?? rule) rule)")
    for r in results {
      print(
        "  \(r.split): \(r.shown) of \(r.sites) sites shown (coverage \(pct(r.coverage))%), precision \(pct(r.precision))%"
      )
    }
    print("wrote \(dir.appendingPathComponent(TypeCalibration.fileName).path)")
    return 0
  }

  /// The pooled precision curve (shown sites and precision at thresholds from 0.5 up, each split's share) and,
  /// per source of the best candidate, the sites and precision at and above each threshold: where the curve is
  /// jagged and why.
  static func printCurve(_ splits: [(files: [TypeEvaluation.File], candidates: [[[TypeCombination.Candidate]]])]) {
    var best: [(confidence: Double, correct: Bool, source: String)] = []
    for (files, candidates) in splits {
      for (file, perSite) in zip(files, candidates) {
        for (site, ranked) in zip(file.sites, perSite) where !site.any {
          guard let b = ranked.first else { continue }
          best.append(
            (b.confidence, TypeAccuracy.normalize(b.type) == TypeAccuracy.normalize(site.label), b.source.rawValue))
        }
      }
    }
    let sources = Array(Set(best.map(\.source))).sorted()
    print("threshold | all: shown, precision | " + sources.map { "\($0) shown, precision" }.joined(separator: " | "))
    for t in [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.9501, 0.96, 0.97, 0.98, 0.99] {
      let shown = best.filter { $0.confidence >= t }
      func cell(_ xs: [(confidence: Double, correct: Bool, source: String)]) -> String {
        xs.isEmpty
          ? "0" : "\(xs.count), \(String(format: "%.1f", 100 * Double(xs.filter(\.correct).count) / Double(xs.count)))%"
      }
      print(
        "\(t) | \(cell(shown)) | " + sources.map { s in cell(shown.filter { $0.source == s }) }.joined(separator: " | ")
      )
    }
  }
}
