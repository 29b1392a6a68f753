import CodeIntel
import Foundation
import Heads

/// `codeintel finetune name-threshold`: fits when a name head's suggestions are shown (`display.json`).
enum FinetuneNameThreshold {
  static let help = """
    name-threshold
             Fit the name head's display threshold on the VALID split into DIR/display.json: the
             lowest decoder probability at which, among the suggestions (top K, orderings merged, as
             suggest-names lists them) at or above it, >= 60 % share a subtoken with the real name and
             >= 30 % are exact (at least 30 suggestions behind the shares). suggest-names, the LSP and
             its rename actions then show only those; if no level qualifies, the head shows no names.
             --out DIR            the name-head folder (required; must hold its config.json)
             --datasets DIR       dataset folder (default ~/.cache/codeintel/datasets); reads
                                  method-names/valid.jsonl
             --top K              suggestions per function (default 5)   --limit N   first N functions
             --min-any P --min-exact P --min-support N   the goals (defaults 0.6, 0.3, 30)
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    guard let out = try scanner.option("--out") else { throw UsageError("--out DIR is required") }
    let datasets =
      try scanner.option("--datasets")
      ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/codeintel/datasets").path
    let top = try scanner.int("--top", in: 1...20) ?? 5
    let limit = try scanner.int("--limit", in: 1...10_000_000) ?? 0
    let minAny = try scanner.double("--min-any", in: 0...1) ?? 0.6
    let minExact = try scanner.double("--min-exact", in: 0...1) ?? 0.3
    let minSupport = try scanner.int("--min-support", in: 1...1_000_000) ?? 30
    guard try scanner.finish().isEmpty else { throw UsageError("unexpected arguments") }
    let head = try NameHead.load(directory: (out as NSString).expandingTildeInPath)
    let validPath = (datasets as NSString).expandingTildeInPath + "/method-names/valid.jsonl"
    guard FileManager.default.fileExists(atPath: validPath) else {
      throw CodeIntelError("\(validPath): not found; build the datasets with `codeintel corpus build` first")
    }
    let records = try MethodNameRecord.read(path: validPath, limit: limit)
    printError("finetune name-threshold: decoding \(records.count) valid functions (beam \(max(5, top)), top \(top))…")
    let results = head.analyze(inputs: records.map(\.input), current: nil, beam: max(5, top), top: top)
    var points: [NameDisplayCalibration.Point] = []
    for (r, result) in zip(records, results) {
      for p in NameAnalysis.distinctNames(result.predictions, top: top) {
        points.append(.init(probability: p.probability, predicted: p.subtokens, actual: r.target))
      }
    }
    let fit = NameDisplayCalibration.fit(
      points, minAnyRight: minAny, minExact: minExact, minSupport: minSupport,
      source: "method-names/valid.jsonl, \(records.count) functions, top \(top)")
    try fit.write(to: head.directory)
    if let t = fit.minProbability {
      print(
        String(
          format: "threshold %.4g: %d of %d valid suggestions shown, %.1f %% share a subtoken, %.1f %% exact; wrote %@",
          t, fit.shown, fit.suggestions, fit.anyRightShare * 100, fit.exactShare * 100,
          head.directory.appendingPathComponent(NameDisplayCalibration.fileName).path))
    } else {
      print(
        "no threshold reaches \(Int(minAny * 100)) % any-subtoken and \(Int(minExact * 100)) % exact with \(minSupport)+ suggestions among \(fit.suggestions) valid suggestions: the head will show no names; wrote \(head.directory.appendingPathComponent(NameDisplayCalibration.fileName).path)"
      )
    }
    return 0
  }
}
