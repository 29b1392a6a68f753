import CodeIntel
import Corpus
import Foundation
import Heads
import Model
import Tensor

/// `codeintel finetune type-ranker`: fits the learned ranking of the type candidates (`TypeRanker`) on the valid
/// splits, chooses its feature set and penalty by cross-validation grouped by package, writes `type-ranker.json`
/// into the head folder, and refits the display bar on the ranked system (`type-calibration.json`).
enum FinetuneTypeRanker {
  static let help = """
    type-ranker
             Fit the learned ranking of a site's type candidates (docs/TYPES.md, "The learned ranker"): a
             conditional logit with a "none of them" option over the candidates the hand-set merge
             receives (evidence, the head's top ten after the code shapes, the name prior), with features
             from each source's confidence and rank, agreement, the evidence rule, the candidate's form and
             the site. Fitted on the valid splits only; every feature set (sources, no-legacy, all) and
             penalty in --lambdas is scored by cross-validation grouped by package (--folds), the one with
             the best mean of the splits' acc@1 is fitted on all sites and written to DIR/type-ranker.json
             (suggest-types, the LSP and eval types then rank with it; without the file, the hand-set
             rule), with a temperature for its confidences fitted on the out-of-fold scores. Then the display bar is refitted on the ranked system as `finetune type-threshold`
             does (stable rule, each split and pooled) and DIR/type-calibration.json rewritten. Prints
             the hand-set rule's acc@1 / acc@5 beside each cross-validated one, and the out-of-fold
             precision at the new bar.
             --out DIR            the type-head folder (required; its evidence-precision.json is kept)
             --splits A,B         the splits to fit on (default valid,github-valid; never a test split)
             --every-github K     only every K-th file of the github-* splits (default 5)
             --folds K            cross-validation folds, whole packages each (default 5)
             --lambdas L1,L2,...  L2 penalties to compare (default 0.3,1,3,10,30)
             --variant NAME       compare only this feature set (sources, no-legacy or all)
             --precision P, --min-shown N, --z Z
                                  the bar's rule, as for type-threshold (defaults 0.9, 50, 1.645)
             --no-bar             leave type-calibration.json as it is
             --balance-splits     weigh every split the same in the fit (each site by sites /
                                  (splits x its split's sites); the accuracies stay per site)
             --threads N          encoder threads (default: all)
             --datasets DIR       dataset folder (default ~/.cache/codeintel/datasets-v2); reads types/
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    guard let out = try scanner.option("--out") else { throw UsageError("--out DIR is required") }
    let datasets = try scanner.datasets()
    let splits = (try scanner.option("--splits") ?? "valid,github-valid").split(separator: ",").map(String.init)
    let everyGitHub = try scanner.int("--every-github", in: 1...1_000_000) ?? 5
    let folds = try scanner.int("--folds", in: 2...100) ?? 5
    let lambdaText = try scanner.option("--lambdas") ?? "0.3,1,3,10,30"
    let variantName = try scanner.choice("--variant", from: TypeRanker.variants.map(\.name))
    let precision = try scanner.double("--precision", in: 0.01...1) ?? 0.9
    let minimumShown = try scanner.int("--min-shown", in: 1...Int.max) ?? 50
    let z = try scanner.double("--z", in: 0...10) ?? 1.645
    let noBar = scanner.flag("--no-bar")
    let balanced = scanner.flag("--balance-splits")
    let threads = try scanner.int("--threads", in: 1...64)
    guard try scanner.finish().isEmpty else { throw UsageError("unexpected arguments") }
    let lambdas = try lambdaText.split(separator: ",").map { text -> Double in
      guard let v = Double(text), v >= 0, v.isFinite else { throw UsageError("--lambdas: not a penalty: \(text)") }
      return v
    }
    for split in splits where split.contains("test") || split == "train" {
      throw UsageError("fit the ranker on valid splits only, not \(split)")
    }
    if let threads { BLAS.setThreads(threads) }
    let dir = URL(fileURLWithPath: (out as NSString).expandingTildeInPath)
    let model = try TypeHeadModel.load(directory: dir.path)
    if let threads { (model.encoder as? TransformerEncoder)?.threads = threads }
    // The features include the hand-set rule's order: never the order of a ranker fitted before.
    model.ranker = nil
    let types = URL(fileURLWithPath: datasets).appendingPathComponent("types")

    // MARK: The sites, their candidates and features, and the hand-set system's lists.
    var sites: [TypeRankerFitting.Site] = []
    var handSet: [String: TypeRankerFitting.Accuracy] = [:]
    var inputs:
      [(
        split: String, file: TypeEvaluation.File, predictions: [[(type: String, probability: Float)]],
        evidence: [[TypeEvidence.Suggestion.Candidate]], names: TypeNames, shapes: TypeShapes.FileShapes
      )] = []
    for split in splits {
      let all = try TypeEvaluation.loadFiles(types.appendingPathComponent("\(split).jsonl").path)
      let stride = split.hasPrefix("github") ? everyGitHub : 1
      let files = all.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
      printError("codeintel: \(split): \(files.count) files")
      for file in files {
        let evidence = try TypeEvaluation.evidenceCandidates(file)
        let predictions = model.predict(
          text: file.text, tsx: file.path.hasSuffix(".tsx"), sites: file.headSites, top: 10)
        let names = try TypeEvaluation.typeNames(file)
        let shapes = try TypeEvaluation.fileShapes(file, generics: model.namePrior?.generics)
        inputs.append((split, file, predictions, evidence, names, shapes))
        let legacy = try TypeEvaluation.systemCandidates(
          file, model: model, predictions: predictions, evidence: evidence, names: names, shapes: shapes)
        for (i, site) in file.sites.enumerated() where !site.any {
          let label = TypeAccuracy.normalize(site.label)
          let shapedModel = shapes.shaped(predictions[i], anchor: site.offset, kind: site.kind)
          let shapedPrior = shapes.shaped(
            model.namePrior?.candidates(for: site.name) ?? [], anchor: site.offset, kind: site.kind)
          let (candidates, rows) = TypeRanker.features(
            evidence: evidence[i], model: shapedModel, prior: shapedPrior, kind: site.kind,
            priorSites: model.namePrior?.names[site.name]?.sites ?? 0)
          let normalized = candidates.map { TypeAccuracy.normalize($0.type) }
          sites.append(
            TypeRankerFitting.Site(
              split: split, group: file.package, types: normalized, rows: rows,
              label: normalized.firstIndex(of: label),
              allowed: candidates.map { c in
                TypeAccuracy.normalize(c.type) != "any" && names.problem(with: c.type, at: site.offset) == nil
              },
              containsAny: candidates.map { c in
                c.type.split { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") }.contains("any")
              }))
          let ranked = legacy[i].map { TypeAccuracy.normalize($0.type) }
          var a = handSet[split, default: TypeRankerFitting.Accuracy()]
          a.sites += 1
          if ranked.first == label { a.at1 += 1 }
          if ranked.prefix(5).contains(label) { a.at5 += 1 }
          handSet[split] = a
        }
      }
    }
    let reachable = sites.filter { $0.label != nil }.count
    print(
      "\(sites.count) sites (\(splits.map { s in "\(s) \(sites.filter { $0.split == s }.count)" }.joined(separator: ", "))); "
        + "the label among the candidates at \(reachable); \(Set(sites.map(\.group)).count) packages in \(folds) folds")

    if let shipped = model.calibration {
      for split in splits {
        let chosenInputs = inputs.filter { $0.split == split }
        let candidates = try chosenInputs.map {
          try TypeEvaluation.systemCandidates(
            $0.file, model: model, predictions: $0.predictions, evidence: $0.evidence, names: $0.names,
            shapes: $0.shapes)
        }
        let r = TypeEvaluation.atThreshold(
          files: chosenInputs.map(\.file), candidates: candidates, threshold: shipped.threshold, split: split)
        print(
          "hand-set system at the folder's bar \(String(format: "%.4f", shipped.threshold)): \(split) \(r.shown) of "
            + "\(r.sites) shown, precision \(r.precision.map { String(format: "%.2f", 100 * $0) } ?? "–")%")
      }
    }

    // MARK: Cross-validation.
    func pct(_ x: Double) -> String { String(format: "%.2f", 100 * x) }
    func cells(_ a: [String: TypeRankerFitting.Accuracy]) -> String {
      splits.map { "\(pct(a[$0]?.accuracyAt1 ?? 0)) / \(pct(a[$0]?.accuracyAt5 ?? 0))" }.joined(separator: " | ")
    }
    print("\n| ranking | " + splits.map { "\($0) acc@1 / acc@5" }.joined(separator: " | ") + " | mean acc@1 |")
    print("|---|" + splits.map { _ in "---|" }.joined() + "---|")
    func mean1(_ a: [String: TypeRankerFitting.Accuracy]) -> Double {
      splits.map { a[$0]?.accuracyAt1 ?? 0 }.reduce(0, +) / Double(splits.count)
    }
    print("| hand-set (TypeCombination.combine) | \(cells(handSet)) | \(pct(mean1(handSet))) |")
    let index = Dictionary(uniqueKeysWithValues: TypeRanker.featureNames.enumerated().map { ($0.element, $0.offset) })
    var best: (variant: String, columns: [Int], lambda: Double, mean: Double, scores: [[Double]])?
    for variant in TypeRanker.variants where variantName == nil || variant.name == variantName {
      let columns = variant.features.map { index[$0]! }
      for lambda in lambdas {
        let scores = TypeRankerFitting.crossValidatedScores(
          sites, columns: columns, lambda: lambda, folds: folds, balanced: balanced)
        let acc = TypeRankerFitting.accuracy(sites, scores: scores)
        let m = mean1(acc)
        print("| \(variant.name), λ \(lambda) (cross-validated) | \(cells(acc)) | \(pct(m)) |")
        // Ties (within a site in 10,000) keep the earlier: the smaller feature set, then the smaller penalty.
        if best == nil || m > best!.mean + 1e-4 { best = (variant.name, columns, lambda, m, scores) }
      }
    }
    guard let chosen = best else { throw UsageError("no feature set to fit") }
    print("\nchosen: \(chosen.variant), λ \(chosen.lambda) (the best mean cross-validated acc@1)")

    // MARK: The final fit on every site.
    let weight = TypeRankerFitting.weights(sites, balanced: balanced)
    let fitted = TypeRanker.fit(
      sites.indices.map { TypeRanker.Example(rows: sites[$0].rows, label: sites[$0].label, weight: weight[$0]) },
      columns: chosen.columns, lambda: chosen.lambda)
    var ranker = TypeRanker(
      features: chosen.columns.map { TypeRanker.featureNames[$0] }, weights: fitted.weights, bias: fitted.bias)
    ranker.splits = splits.map {
      $0.hasPrefix("github") && everyGitHub > 1 ? "\($0) (every \(everyGitHub)th file)" : $0
    }
    ranker.sites = sites.count
    ranker.lambda = chosen.lambda
    ranker.variant = chosen.variant
    ranker.temperature = TypeRankerFitting.temperature(sites, scores: chosen.scores)
    print("temperature \(String(format: "%.3f", ranker.temperature)) (fitted on the out-of-fold scores)")
    try ranker.write(to: dir)
    print("weights (raw features): bias \(String(format: "%.3f", fitted.bias))")
    for (name, w) in zip(ranker.features, ranker.weights) { print("  \(name) \(String(format: "%.4f", w))") }
    print("wrote \(dir.appendingPathComponent(TypeRanker.fileName).path)")

    // MARK: The bar, refitted on the ranked system (in-sample), and the out-of-fold precision at it.
    model.ranker = ranker
    var perSplit: [(split: String, files: [TypeEvaluation.File], candidates: [[[TypeCombination.Candidate]]])] = []
    for split in splits {
      let chosenInputs = inputs.filter { $0.split == split }
      let candidates = try chosenInputs.map {
        try TypeEvaluation.systemCandidates(
          $0.file, model: model, predictions: $0.predictions, evidence: $0.evidence, names: $0.names, shapes: $0.shapes)
      }
      perSplit.append((split, chosenInputs.map(\.file), candidates))
    }
    var inSample: [String: TypeRankerFitting.Accuracy] = [:]
    for (split, files, candidates) in perSplit {
      for (file, perSite) in zip(files, candidates) {
        for (site, ranked) in zip(file.sites, perSite) where !site.any {
          let label = TypeAccuracy.normalize(site.label)
          let types = ranked.map { TypeAccuracy.normalize($0.type) }
          var a = inSample[split, default: TypeRankerFitting.Accuracy()]
          a.sites += 1
          if types.first == label { a.at1 += 1 }
          if types.prefix(5).contains(label) { a.at5 += 1 }
          inSample[split] = a
        }
      }
    }
    print("in-sample (fitted on these sites; not an estimate): \(cells(inSample))")
    guard !noBar else { return 0 }
    let splitPoints = perSplit.map { TypeEvaluation.calibrationPoints(files: $0.files, candidates: $0.candidates) }
    FinetuneTypeThreshold.printCurve(perSplit.map { ($0.files, $0.candidates) })
    guard
      let threshold = TypeCalibration.stableThreshold(
        splits: splitPoints, precision: precision, minimumShown: minimumShown, z: z)
    else {
      throw CodeIntelError(
        "no confidence of the ranked system reaches precision \(precision) on \(splits.joined(separator: " + ")); "
          + "type-ranker.json written, type-calibration.json left as it was")
    }
    let results = perSplit.map {
      TypeEvaluation.atThreshold(files: $0.files, candidates: $0.candidates, threshold: threshold, split: $0.split)
    }
    var calibration = TypeCalibration(
      targetPrecision: precision, threshold: threshold, splits: results,
      bins: TypeCalibration.bins(splitPoints.flatMap { $0 }))
    calibration.rule =
      "stable on each split and pooled, at least \(minimumShown) shown"
      + (z > 0 ? ", judged by the Wilson lower bound (z \(z))" : "") + "; the learned ranker's probabilities"
    try calibration.write(to: dir)
    print("threshold \(String(format: "%.4f", threshold)) (in-sample):")
    for r in results {
      print("  \(r.split): \(r.shown) of \(r.sites) sites shown, precision \(r.precision.map(pct) ?? "–")%")
    }
    let oof = TypeRankerFitting.points(sites, scores: chosen.scores, temperature: ranker.temperature)
    for split in splits {
      let shown = (oof[split] ?? []).filter { $0.confidence >= threshold }
      let right = shown.filter(\.correct).count
      print(
        "  \(split) out of fold: \(shown.count) shown, precision "
          + (shown.isEmpty ? "–" : pct(Double(right) / Double(shown.count))) + "%")
    }
    print("wrote \(dir.appendingPathComponent(TypeCalibration.fileName).path)")
    return 0
  }
}
