import CodeIntel
import Foundation
import Heads

/// `codeintel finetune type-threshold`: fits the type suggestions' display threshold on the valid splits
/// (`TypeCalibration`) and writes it into the head folder.
enum FinetuneTypeThreshold {
  static let help = """
    type-threshold
             Fit the default display threshold of the type suggestions on the valid splits: the lowest
             confidence at which the combined system's best candidates (evidence, head, name prior, only
             types in scope) are right at least --precision of the time on valid and github-valid pooled.
             Writes DIR/type-calibration.json; suggest-types and the LSP's hints then use it as their
             default bar (docs/TYPES.md).
             --out DIR            the type-head folder (required)
             --precision P        the precision to reach (default 0.9)
             --splits A,B         the splits to fit on (default valid,github-valid; never a test split)
             --every K            only every K-th file of each split (default 1: all)
             --datasets DIR       dataset folder (default ~/.cache/codeintel/datasets-v2); reads types/
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    guard let out = try scanner.option("--out") else { throw UsageError("--out DIR is required") }
    let datasets =
      try scanner.option("--datasets")
      ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/codeintel/datasets-v2").path
    let precision = try scanner.double("--precision", in: 0.01...1) ?? 0.9
    let splits = (try scanner.option("--splits") ?? "valid,github-valid").split(separator: ",").map(String.init)
    let every = try scanner.int("--every", in: 1...1_000_000) ?? 1
    guard try scanner.finish().isEmpty else { throw UsageError("unexpected arguments") }
    for split in splits where split.contains("test") || split == "train" {
      throw UsageError("fit the threshold on valid splits only, not \(split)")
    }
    let model = try TypeHeadModel.load(directory: (out as NSString).expandingTildeInPath)
    let types = URL(fileURLWithPath: datasets).appendingPathComponent("types")
    var perSplit: [(split: String, files: [TypeEvaluation.File], candidates: [[[TypeCombination.Candidate]]])] = []
    for split in splits {
      let all = try TypeEvaluation.loadFiles(types.appendingPathComponent("\(split).jsonl").path)
      let files = all.enumerated().filter { $0.offset % every == 0 }.map(\.element)
      let candidates = try files.map { try TypeEvaluation.systemCandidates($0, model: model) }
      perSplit.append((split, files, candidates))
    }
    let points = perSplit.flatMap { TypeEvaluation.calibrationPoints(files: $0.files, candidates: $0.candidates) }
    guard let threshold = TypeCalibration.threshold(points: points, precision: precision) else {
      throw CodeIntelError(
        "no confidence reaches precision \(precision) on \(splits.joined(separator: " + ")); no threshold written")
    }
    let results = perSplit.map {
      TypeEvaluation.atThreshold(files: $0.files, candidates: $0.candidates, threshold: threshold, split: $0.split)
    }
    let calibration = TypeCalibration(
      targetPrecision: precision, threshold: threshold, splits: results, bins: TypeCalibration.bins(points))
    let dir = URL(fileURLWithPath: (out as NSString).expandingTildeInPath)
    try calibration.write(to: dir)
    func pct(_ x: Double?) -> String { x.map { String(format: "%.1f", 100 * $0) } ?? "–" }
    print("threshold \(String(format: "%.4f", threshold)) for precision ≥ \(precision) on \(splits.joined(separator: " + ")) pooled")
    for r in results {
      print("  \(r.split): \(r.shown) of \(r.sites) sites shown (coverage \(pct(r.coverage))%), precision \(pct(r.precision))%")
    }
    print("wrote \(dir.appendingPathComponent(TypeCalibration.fileName).path)")
    return 0
  }
}
