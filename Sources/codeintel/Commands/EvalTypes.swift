import CodeIntel
import Corpus
import Foundation
import Heads
import Model
import Tensor

/// `codeintel eval types`: type-prediction rows for docs/EVALUATION.md.
enum EvalTypes {
  static func run(_ args: [String]) throws -> Int32 {
    if args.contains("--breakage") { return try EvalTypeBreakage.run(args) }
    print(try markdown(args), terminator: "")
    return 0
  }

  /// The types section of docs/EVALUATION.md for these arguments (the same ones `run` takes).
  static func markdown(_ args: [String]) throws -> String {
    var scanner = ArgumentScanner(args)
    let datasets = try scanner.datasets()
    let split =
      try scanner.choice("--split", from: ["test", "github-test", "valid", "github-valid", "train"]) ?? "test"
    let tsc = scanner.flag("--tsc")
    let limit = try scanner.int("--limit", in: 1...Int.max)
    let every = try scanner.int("--every", in: 1...1_000_000) ?? 1
    let typeModels = try scanner.options("--types-model")
    let typePartners = try scanner.options("--types-partner")
    let partnerAverage = try scanner.option("--partner-average")
    guard partnerAverage == nil || ["probability", "logit"].contains(partnerAverage!) else {
      throw UsageError("--partner-average is probability or logit")
    }
    let threshold = try scanner.double("--evidence-threshold", in: 0...2) ?? TypeCombination.evidenceThreshold
    let threads = try scanner.int("--threads", in: 1...64)
    let dump = try scanner.option("--dump")
    let check = scanner.flag("--check")
    let checkPool = try scanner.int("--check-pool", in: 1...50) ?? TypeSuggestions.searchPool
    let compilerReturns = !scanner.flag("--no-compiler-returns")
    let useProject = !scanner.flag("--no-project")
    var projectRule = try scanner.option("--project-rule").map(parseProjectRule) ?? .shipped
    if let mode = try scanner.choice("--project-own", from: TypeProjectAnnotations.Own.allCases.map(\.rawValue)) {
      projectRule.own = TypeProjectAnnotations.Own(rawValue: mode)!
    }
    if let mode = try scanner.choice(
      "--project-shapes", from: TypeProjectAnnotations.LeadShapes.allCases.map(\.rawValue))
    {
      projectRule.shapes = TypeProjectAnnotations.LeadShapes(rawValue: mode)!
    }
    let partly = scanner.flag("--partly-annotated")
    guard try scanner.finish().isEmpty else { throw UsageError("unexpected arguments") }
    if let threads { BLAS.setThreads(threads) }
    var evaluation = try TypeEvaluation(
      directory: URL(fileURLWithPath: datasets).appendingPathComponent("types").path, split: split, limit: limit,
      every: every)
    if projectRule != .shipped {
      for key in evaluation.projects.keys { evaluation.projects[key]?.rule = projectRule }
    }
    if partly { evaluation.partlyAnnotate() }
    var rows = [
      evaluation.mostFrequentRow(), evaluation.nameOnlyRow(), try evaluation.evidenceRow(),
      try evaluation.combinedRow(),
    ]
    if useProject { rows.append(evaluation.projectRow()) }
    var compilerBest: [[[String]]]?
    if tsc {
      let script = ProcessInfo.processInfo.environment["CODEINTEL_TSC_SCRIPT"] ?? "scripts/eval/tsc-types.js"
      let results = try TypeScriptPeer(script: script).run(evaluation.files)
      let failed = results.filter { $0.error != nil }.count
      if failed > 0 { printError("codeintel: the compiler failed on \(failed) files (scored as no proposal)") }
      let (fix, best) = TypeScriptPeer.predictions(results)
      compilerBest = best
      rows.append(evaluation.row("TypeScript 4.8 `inferFromUsage` fix", predictions: fix))
      rows.append(evaluation.row("TypeScript 4.8 best effort (fix, else checker)", predictions: best))
    }
    var pending = ["type head, no pretraining", "type head, ContraCode pretraining", "combined system"]
    // With no --types-model, the installed head (types/ next to the default model), if any.
    let heads: [TypeHeadModel] =
      typeModels.isEmpty
      ? [try TypeHeadModel.loadDefault(explicit: nil)].compactMap { $0 }
      : try typeModels.map { try TypeHeadModel.load(directory: $0) }
    let partners = try typePartners.map { (name: $0, model: try TypeHeadModel.load(directory: $0)) }
    for model in heads {
      for partner in partners { try model.addPartner(partner.model, name: partner.name) }
      if let partnerAverage { model.info.partnerAverage = partnerAverage }
    }
    if let threads {
      for model in heads + partners.map(\.model) { (model.encoder as? TransformerEncoder)?.threads = threads }
    }
    var thresholds = ""
    var dumped = Data()
    if !heads.isEmpty {
      let trainPath = URL(fileURLWithPath: datasets).appendingPathComponent("types/train.jsonl").path
      let trainSHA256 = FileManager.default.contents(atPath: trainPath).map { SHA256.hex($0) } ?? ""
      for model in heads {
        // One encoder pass per file gives every row of this head: the head alone, the retrieval alone, both
        // mixed, and the combined system with and without the retrieval.
        var scores: [[TypeHeadModel.SiteScores]] = []
        var evidence: [[[TypeEvidence.Suggestion.Candidate]]] = []
        var names: [TypeNames] = []
        var reachable: [[Bool]] = []
        for file in evaluation.files {
          let prepared = model.preparer.prepare(
            text: file.text, tsx: file.path.hasSuffix(".tsx"), sites: file.headSites)
          scores.append(model.scores(prepared, top: 10))
          if dump != nil { reachable.append(TypeSiteDump.reachable(prepared, file: file, preparer: model.preparer)) }
          evidence.append(try TypeEvaluation.evidenceCandidates(file))
          names.append(try TypeEvaluation.typeNames(file))
        }
        func ranked(weight: Float?, rule: TypeRetrieval.Rule? = nil) -> [[[(type: String, probability: Float)]]] {
          scores.map { $0.map { model.mixed($0, top: 10, weight: weight, rule: rule) } }
        }
        func types(_ r: [[[(type: String, probability: Float)]]]) -> [[[String]]] {
          r.map { $0.map { Array($0.prefix(5)).map(\.type) } }
        }
        rows.append(evaluation.row(model.info.label, predictions: types(ranked(weight: 0))))
        let short = model.info.randomInit ? "no pretraining" : "ContraCode pretraining"
        if let retrieval = model.retrieval {
          rows.append(
            evaluation.row(
              "retrieval alone: \(retrieval.k) nearest of \(retrieval.header.count) train sites, types in scope (\(short))",
              predictions: types(ranked(weight: 1, rule: .interpolate))))
          rows.append(
            evaluation.row(
              "head + retrieval (\(retrieval.rule.rawValue) rule, weight \(retrieval.weight)) (\(short))",
              predictions: types(ranked(weight: nil))))
        }
        // The shipped rule (`TypeCombination.combine` as `suggest-types` and the LSP call it, then only types in
        // scope at the site): evidence first where confident, else the head (mixed with the retrieval when the
        // folder has a datastore) and the name prior by confidence.
        func system(weight: Float?, shapes: Bool = true, pool: Int = 5) throws -> [[[TypeCombination.Candidate]]] {
          let r = ranked(weight: weight)
          return try evaluation.files.indices.map {
            try TypeEvaluation.systemCandidates(
              evaluation.files[$0], model: model, evidenceThreshold: threshold, predictions: r[$0],
              evidence: evidence[$0], names: names[$0], useShapes: shapes, pool: pool,
              project: useProject ? evaluation.projects[evaluation.files[$0].package] : nil,
              own: evaluation.own(evaluation.files[$0]))
          }
        }
        rows.append(
          evaluation.row(
            "combined system without code shapes (TypeShapes) (\(short))",
            predictions: try system(weight: nil, shapes: false).map { $0.map { $0.map(\.type) } }))

        if model.retrieval != nil {
          rows.append(
            evaluation.row(
              "combined system without retrieval: evidence ≥ \(threshold), else head and name prior by confidence, "
                + "types in scope (\(short))", predictions: try system(weight: 0).map { $0.map { $0.map(\.type) } }))
        }
        // the checked row's search may read deeper than the five the rows score (`--check-pool`)
        let deeper = check && checkPool != 5 ? try system(weight: nil, pool: checkPool) : nil
        let system = try system(weight: nil)
        let rule =
          (model.ranker.map { "learned ranker (type-ranker.json: \($0.variant), λ \($0.lambda))" }
            ?? "evidence ≥ \(threshold), else head\(model.retrieval == nil ? "" : " + retrieval") and name prior by confidence")
          + (useProject ? ", the project's own annotations by their share where their rule passes" : "")
        rows.append(
          evaluation.row(
            "combined system: \(rule), types in scope (\(short))",
            predictions: system.map { $0.map { $0.map(\.type) } }))
        var checkedRanking: [[[String]]]?
        if check {
          // What the default `suggest-types` and the editor show: the first candidate the compiler accepts.
          let checker = try TypeChecker()
          let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("codeintel-eval-types-\(ProcessInfo.processInfo.processIdentifier)").path
          var replaced = 0
          var dropped = 0
          var checked: [[[String]]] = []
          defer { checkedRanking = checked }
          let searched = deeper ?? system
          for (i, file) in evaluation.files.enumerated() {
            let r = try TypeEvaluation.checkedRanking(
              file, candidates: searched[i], checker: checker, directory: directory, compilerReturns: compilerReturns)
            checked.append(r.ranked)
            replaced += r.replaced
            dropped += r.dropped
          }
          printError(
            "codeintel: the compiler's search replaced the best candidate at \(replaced) sites and found none that "
              + "passes at \(dropped)")
          rows.append(
            evaluation.row(
              "combined system, checked: the first candidate the compiler accepts, each site alone"
                + (checkPool == 5 ? "" : ", of \(checkPool) candidates")
                + (compilerReturns ? "" : ", without the compiler's return type first") + " (\(short))",
              predictions: checked))
        }
        if dump != nil {
          dumped.append(
            TypeSiteDump.lines(
              files: evaluation.files, head: ranked(weight: 0).map { $0.map { $0.map(\.type) } }, system: system,
              reachable: reachable,
              model: model.directory?.path ?? model.info.label, compiler: compilerBest, checked: checkedRanking))
        }
        let bar = model.displayThreshold(fallback: 0.8)
        let at = TypeEvaluation.atThreshold(
          files: evaluation.files, candidates: system, threshold: bar, split: split)
        func pct(_ x: Double?) -> String { x.map { String(format: "%.1f", 100 * $0) } ?? "–" }
        thresholds +=
          "| combined system (\(short)) | \(String(format: "%.3f", bar))"
          + "\(model.calibration == nil ? " (no type-calibration.json: the 0.8 fallback)" : "") | \(at.shown) of "
          + "\(at.sites) | \(pct(at.coverage)) | \(pct(at.precision)) |\n"
        if let prior = model.namePrior, prior.dataset.sha256 != trainSHA256 {
          printError(
            "codeintel: \(model.directory?.path ?? "the type head")/\(TypeNamePrior.fileName) was counted on another "
              + "train.jsonl (sha256 \(prior.dataset.sha256.prefix(12))…) than this dataset's")
        }
        pending.removeAll { $0.contains(model.info.randomInit ? "no pretraining" : "ContraCode") }
        pending.removeAll { $0.hasPrefix("combined") }
      }
    }
    if let dump {
      guard FileManager.default.createFile(atPath: dump, contents: dumped) else {
        throw CodeIntelError("\(dump): cannot write the site dump")
      }
    }
    var out = "Split `\(split)`\(every > 1 ? ", every \(every)th file" : "")"
    out += "\(limit.map { ", first \($0) files" } ?? ""), \(evaluation.files.count) files.\n\n"
    out += evaluation.markdown(rows, pending: pending)
    if !thresholds.isEmpty {
      out += "\nAt the default display threshold (the head folder's `type-calibration.json`, fitted on the valid "
      out += "splits for precision ≥ 90 %): a site is shown when its best candidate's confidence reaches it.\n\n"
      out += "| system | threshold | shown sites | coverage (%) | precision (%) |\n|---|---|---|---|---|\n"
      out += thresholds
    }
    return out
  }

  /// `--project-rule M,F,S[,D]`: the project lead's least sites, files and share, and how many labels (docs/audits/types-s23-project-annotations.md).
  static func parseProjectRule(_ text: String) throws -> TypeProjectAnnotations.Rule {
    let parts = text.split(separator: ",").map { String($0) }
    guard parts.count == 3 || parts.count == 4, let m = Int(parts[0]), let f = Int(parts[1]), let s = Double(parts[2]),
      m >= 1, f >= 1, (0...1).contains(s)
    else { throw UsageError("--project-rule takes SITES,FILES,SHARE[,DEPTH] (e.g. 2,2,0.5,3)") }
    let depth = parts.count == 4 ? Int(parts[3]) : 1
    guard let depth, depth >= 1 else { throw UsageError("--project-rule: DEPTH is a whole number ≥ 1") }
    return TypeProjectAnnotations.Rule(
      minSites: m, minFiles: f, minShare: s, depth: depth, own: TypeProjectAnnotations.Rule.shipped.own,
      shapes: TypeProjectAnnotations.Rule.shipped.shapes)
  }
}
