import CodeIntel
import Corpus
import Foundation
import Heads

/// `codeintel finetune name-threshold`: fits when a name head's suggestions are shown (`display.json`).
enum FinetuneNameThreshold {
  static let help = """
    name-threshold
             Fit the name head's display threshold on the VALID splits into DIR/display.json:
             method-names/valid.jsonl interleaved with every github-valid.jsonl function (when that
             file exists; --github N takes N of them spread over its repositories instead; sessions
             5-10 took as many as Debian valid has, which left the github-valid walk 30 names to judge). For a head with a retrieval datastore
             (retrieval.bin) it first fits a calibrated confidence on them (a logistic regression of
             "the suggestion is exactly right" on its retrieval vote, neighbour similarity, decoder
             score and whether the decoder and the neighbours agree; docs/NAMES.md); otherwise the
             threshold applies to the decoder's probability. The level must hold on EACH valid split
             (Debian valid and github-valid, judged separately) and on their pool (the stable rule,
             session 9): walking down from the most confident suggestion, every level that shows at
             least --min-support suggestions of a split must have >= 60 % of them sharing a subtoken
             with the real name and >= 30 % exact, both judged by the lower end of the Wilson
             interval (z 1.645: one-sided 95 %); the walk stops at the first level that misses, and the
             threshold is the highest of the pool's and each split's lowest passing level. A
             suggestion whose name another function of the same file holds is left out before
             fitting (the product never shows it: NameAnalysis.takenNames).
             suggest-names, the LSP's hover, inlay hints, diagnostics and rename actions then show only
             the suggestions (top K, orderings merged, as suggest-names lists them) at or above it; if
             no level qualifies, the head shows no names.
             --out DIR            the name-head folder (required; must hold its config.json)
             --datasets DIR       dataset folder (default ~/.cache/codeintel/datasets-v2); reads
                                  method-names/valid.jsonl and github-valid.jsonl
             --top K              suggestions per function (default 5)   --limit N   first N functions
             --github N|all       github-valid functions to fit on (default all)
             --min-any P --min-exact P --min-support N   the goals (defaults 0.6, 0.3, 30)
             --z Z                the Wilson bound's z (default 1.645; 0: the measured shares)
             --rule stable|pooled stable (default): the per-split rule above; pooled: sessions 5-8's
                                  rule, the lowest level whose shown suggestions of both splits
                                  together reach the goals as measured (no bound, no per-split check)
             --dump FILE          also write every listed suggestion's confidence signals and
                                  outcomes as JSON lines (for studying the threshold; docs/NAMES.md);
                                  "taken": true marks the names the fit leaves out (another
                                  function of the file holds them)
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    guard let out = try scanner.option("--out") else { throw UsageError("--out DIR is required") }
    let datasets = try scanner.datasets()
    let top = try scanner.int("--top", in: 1...20) ?? 5
    let limit = try scanner.int("--limit", in: 1...10_000_000) ?? 0
    let minAny = try scanner.double("--min-any", in: 0...1) ?? 0.6
    let minExact = try scanner.double("--min-exact", in: 0...1) ?? 0.3
    let minSupport = try scanner.int("--min-support", in: 1...1_000_000) ?? 30
    let dump = try scanner.option("--dump")
    let z = try scanner.double("--z", in: 0...10) ?? 1.645
    let rule = try scanner.choice("--rule", from: ["stable", "pooled"]) ?? "stable"
    var githubCount: Int?  // nil: all
    if let g = try scanner.option("--github"), g != "all" {
      guard let n = Int(g), n > 0 else { throw UsageError("--github takes a positive count or 'all', not '\(g)'") }
      githubCount = n
    }
    guard try scanner.finish().isEmpty else { throw UsageError("unexpected arguments") }
    let head = try NameHead.load(directory: (out as NSString).expandingTildeInPath)
    let dir = (datasets as NSString).expandingTildeInPath + "/method-names"
    let validPath = dir + "/valid.jsonl"
    guard FileManager.default.fileExists(atPath: validPath) else {
      throw CodeIntelError("\(validPath): not found; build the datasets with `codeintel corpus build` first")
    }
    // From each whole split, before spreading: the file's other names a `path+siblings` head reads, and the names
    // the file's other functions hold, which the product never shows (`NameAnalysis.takenNames`), so the fit leaves
    // them out too (docs/audits/names-s19-display-fit.md).
    var records = MethodNameRecord.withTakenNames(try MethodNameRecord.read(path: validPath, for: head.inputContext))
    var source = "method-names/valid.jsonl (\(records.count))"
    // which split each record comes from, in the same interleaved order
    var splitOf = [String](repeating: "valid", count: records.count)
    if FileManager.default.fileExists(atPath: dir + "/github-valid.jsonl") {
      let github = MethodNameRecord.withTakenNames(
        try MethodNameRecord.read(path: dir + "/github-valid.jsonl", for: head.inputContext))
      let spread = MethodNameRecord.spread(github, count: githubCount ?? github.count)
      splitOf = MethodNameRecord.interleaved(splitOf, Array(repeating: "github-valid", count: spread.count))
      records = MethodNameRecord.interleaved(records, spread)
      source += " + github-valid.jsonl (\(spread.count) spread over its \(github.count))"
    }
    if limit > 0 {
      records = Array(records.prefix(limit))
      splitOf = Array(splitOf.prefix(limit))
    }
    // what the head reads: with a context (`--context path`), the file's place before the function
    records = records.map { $0.withContext(head.inputContext) }
    printError("finetune name-threshold: decoding \(records.count) valid functions (beam \(max(5, top)), top \(top))…")
    let results = head.analyze(inputs: records.map(\.input), current: nil, beam: max(5, top), top: top)
    // every suggestion as listed (orderings merged), with its place in the list
    // (a name another function of the file holds is left out, keeping the others' places, as the product does)
    var listed: [(prediction: NamePrediction, position: Int, actual: [String], split: String)] = []
    var takenLeftOut = 0
    for ((r, result), split) in zip(zip(records, results), splitOf) {
      for (i, p) in NameAnalysis.distinctNames(result.predictions, top: top).enumerated() {
        if r.nameIsTaken(p.subtokens) {
          takenLeftOut += 1
          continue
        }
        listed.append((p, i, r.target, split))
      }
    }
    printError(
      "finetune name-threshold: left out \(takenLeftOut) suggestions whose name another function of the file holds")
    if let dump {
      try writeSignals(
        head: head, records: records, results: results, top: top, to: (dump as NSString).expandingTildeInPath)
    }
    var confidence: NameConfidence?
    if head.datastore != nil {
      confidence = NameConfidence.fit(
        rows: listed.map { NameConfidence.features(of: $0.prediction, position: $0.position) },
        labels: listed.map {
          NameDisplayCalibration.Point(probability: 0, predicted: $0.prediction.subtokens, actual: $0.actual).exact
        })
    }
    let points = listed.map {
      NameDisplayCalibration.Point(
        probability: confidence?.probability(of: $0.prediction, position: $0.position) ?? $0.prediction.probability,
        predicted: $0.prediction.subtokens, actual: $0.actual)
    }
    let fitSource = "\(source), \(records.count) functions, top \(top)"
    var fit: NameDisplayCalibration
    if rule == "stable" {
      let names = splitOf.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
      fit = NameDisplayCalibration.stableFit(
        splits: names.map { name in (name, zip(points, listed).filter { $0.1.split == name }.map(\.0)) },
        minAnyRight: minAny, minExact: minExact, minSupport: minSupport, z: z, source: fitSource)
    } else {
      fit = NameDisplayCalibration.fit(
        points, minAnyRight: minAny, minExact: minExact, minSupport: minSupport, source: fitSource)
      fit.rule = "pooled, lowest level meeting the goals as measured"
    }
    fit.confidence = confidence
    try fit.write(to: head.directory)
    let quantity = confidence == nil ? "decoder probability" : "calibrated confidence"
    if let t = fit.minProbability {
      print(
        String(
          format:
            "threshold %.4g on the %@: %d of %d valid suggestions shown, %.1f %% share a subtoken, %.1f %% exact; wrote %@",
          t, quantity, fit.shown, fit.suggestions, fit.anyRightShare * 100, fit.exactShare * 100,
          head.directory.appendingPathComponent(NameDisplayCalibration.fileName).path))
    } else {
      print(
        "no threshold on the \(quantity) reaches \(Int(minAny * 100)) % any-subtoken and \(Int(minExact * 100)) % exact with \(minSupport)+ suggestions among \(fit.suggestions) valid suggestions: the head will show no names; wrote \(head.directory.appendingPathComponent(NameDisplayCalibration.fileName).path)"
      )
    }
    for sp in fit.splits ?? [] {
      print(
        String(
          format:
            "  %@: %d of %d suggestions shown, %.1f %% share a subtoken (Wilson lower %.1f %%), %.1f %% exact (%.1f %%)",
          sp.split, sp.shown, sp.suggestions, sp.anyRightShare * 100, sp.anyRightLower * 100, sp.exactShare * 100,
          sp.exactLower * 100))
    }
    if rule == "stable" {
      printLevels(listed.map(\.split), points, minAny: minAny, minExact: minExact, minSupport: minSupport, z: z)
    }
    // how close the goals came: the best exact share at each any-right share
    let sorted = points.sorted { $0.probability > $1.probability }
    var any = 0
    var exact = 0
    var bestExactAtAny: Double = 0
    var bestAnyAtExact: Double = 0
    for (i, p) in sorted.enumerated() {
      if p.anyRight { any += 1 }
      if p.exact { exact += 1 }
      let n = Double(i + 1)
      guard i + 1 >= minSupport else { continue }
      if Double(any) / n >= minAny { bestExactAtAny = max(bestExactAtAny, Double(exact) / n) }
      if Double(exact) / n >= minExact { bestAnyAtExact = max(bestAnyAtExact, Double(any) / n) }
    }
    print(
      String(
        format:
          "with %d+ suggestions shown: best exact share where >= %.0f %% share a subtoken: %.1f %%; best any-subtoken share where >= %.0f %% are exact: %.1f %%",
        minSupport, minAny * 100, bestExactAtAny * 100, minExact * 100, bestAnyAtExact * 100))
    return 0
  }

  /// Each split's stable level on its own and where its walk down stopped: why the fit came out as it did.
  static func printLevels(
    _ splitOf: [String], _ points: [NameDisplayCalibration.Point], minAny: Double, minExact: Double, minSupport: Int,
    z: Double
  ) {
    let names = splitOf.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    for name in names + ["pooled"] {
      let own = name == "pooled" ? points : zip(points, splitOf).filter { $0.1 == name }.map(\.0)
      let steps = NameDisplayCalibration.cumulative(own).filter { $0.shown >= minSupport }
      var line = "  \(name): first judged level "
      if let first = steps.first {
        line += String(
          format: "%.4g (%d shown: any %d, exact %d)", first.threshold, first.shown, first.any, first.exact)
      } else {
        line += "none (fewer than \(minSupport) suggestions)"
      }
      if let stop = steps.first(where: {
        !NameDisplayCalibration.meets(
          any: $0.any, exact: $0.exact, shown: $0.shown, minAnyRight: minAny, minExact: minExact, z: z)
      }) {
        line += String(
          format: "; the walk stops at %.4g (%d shown: any %.1f %%, exact %.1f %%; Wilson lower %.1f %% / %.1f %%)",
          stop.threshold, stop.shown, Double(stop.any) / Double(stop.shown) * 100,
          Double(stop.exact) / Double(stop.shown) * 100,
          NameDisplayCalibration.wilsonLower(stop.any, of: stop.shown, z: z) * 100,
          NameDisplayCalibration.wilsonLower(stop.exact, of: stop.shown, z: z) * 100)
      }
      print(line)
    }
  }

  /// One JSON line per listed suggestion of each valid function: the signals a confidence could read and the two
  /// outcomes, for `--dump`.
  static func writeSignals(
    head: NameHead, records: [MethodNameRecord], results: [(predictions: [NamePrediction], current: NamePrediction?)],
    top: Int, to path: String
  ) throws {
    let lists = results.map { NameAnalysis.distinctNames($0.predictions, top: top) }
    printError("finetune name-threshold: teacher-forcing \(lists.map(\.count).reduce(0, +)) suggestions for --dump…")
    let signals = head.stepSignals(inputs: records.map(\.input), names: lists.map { $0.map(\.subtokens) })
    var text = ""
    for (f, (r, list)) in zip(records, lists).enumerated() {
      let body = Set(BodySubtokens.of(r.input).map { $0.lowercased() })
      let tokenCount = head.tokens(of: r.input).count
      for (i, p) in list.enumerated() {
        let point = NameDisplayCalibration.Point(probability: 0, predicted: p.subtokens, actual: r.target)
        let other = list.enumerated().filter { $0.offset != i }.map(\.element.rank).max()
        let sig = signals[f][i]
        let gates = sig.gates.prefix(p.subtokens.count)
        let row: [String: Any] = [
          "function": f, "package": r.package, "position": i, "beamRank": p.beamRank ?? -1, "name": p.name,
          "target": r.target.joined(separator: " "), "probability": p.probability,
          "logProbability": p.logProbability, "score": p.score, "margin": other.map { p.rank - $0 } ?? 10.0,
          "firstLogProbability": sig.stepLogProbabilities.first ?? 0,
          "minStepLogProbability": sig.stepLogProbabilities.min() ?? 0,
          "eosLogProbability": sig.stepLogProbabilities.last ?? 0,
          "gateMean": gates.isEmpty ? 1 : gates.reduce(0, +) / Double(gates.count),
          "allInBody": p.subtokens.allSatisfy { body.contains($0.lowercased()) },
          "inBodyShare": p.subtokens.isEmpty
            ? 0 : Double(p.subtokens.filter { body.contains($0.lowercased()) }.count) / Double(p.subtokens.count),
          "subtokens": p.subtokens.count, "tokens": tokenCount, "chars": r.input.utf8.count,
          "anyRight": point.anyRight, "exact": point.exact,
          // The fit leaves out names another function of the file holds (the product never shows them).
          "taken": r.nameIsTaken(p.subtokens),
        ]
        let data = try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys])
        text += String(decoding: data, as: UTF8.self) + "\n"
      }
    }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
  }
}
