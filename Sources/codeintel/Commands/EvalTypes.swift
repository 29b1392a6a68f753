import CodeIntel
import Corpus
import Foundation
import Heads
import Model

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
    let datasets =
      try scanner.option("--datasets")
      ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/codeintel/datasets").path
    let split = try scanner.choice("--split", from: ["test", "valid", "train"]) ?? "test"
    let tsc = scanner.flag("--tsc")
    let limit = try scanner.int("--limit", in: 1...Int.max)
    let typeModels = try scanner.options("--types-model")
    let threshold = try scanner.double("--evidence-threshold", in: 0...2) ?? TypeCombination.evidenceThreshold
    guard try scanner.finish().isEmpty else { throw UsageError("unexpected arguments") }
    let evaluation = try TypeEvaluation(
      directory: URL(fileURLWithPath: datasets).appendingPathComponent("types").path, split: split, limit: limit)
    var rows = [evaluation.mostFrequentRow(), evaluation.nameOnlyRow(), try evaluation.evidenceRow(),
      try evaluation.combinedRow()]
    if tsc {
      let script = ProcessInfo.processInfo.environment["CODEINTEL_TSC_SCRIPT"] ?? "scripts/eval/tsc-types.js"
      let results = try TypeScriptPeer(script: script).run(evaluation.files)
      let failed = results.filter { $0.error != nil }.count
      if failed > 0 { printError("codeintel: the compiler failed on \(failed) files (scored as no proposal)") }
      let (fix, best) = TypeScriptPeer.predictions(results)
      rows.append(evaluation.row("TypeScript 4.8 `inferFromUsage` fix", predictions: fix))
      rows.append(evaluation.row("TypeScript 4.8 best effort (fix, else checker)", predictions: best))
    }
    var pending = [
      "type head, no pretraining", "type head, ContraCode pretraining", "combined system (evidence, head, name prior)",
    ]
    // With no --types-model, the installed head (types/ next to the default model), if any.
    let heads: [TypeHeadModel] =
      typeModels.isEmpty
      ? [try TypeHeadModel.loadDefault(explicit: nil)].compactMap { $0 }
      : try typeModels.map { try TypeHeadModel.load(directory: $0) }
    if !heads.isEmpty {
      let evidence = try evaluation.files.map(TypeEvaluation.evidenceCandidates)
      let trainPath = URL(fileURLWithPath: datasets).appendingPathComponent("types/train.jsonl").path
      let trainSHA256 = FileManager.default.contents(atPath: trainPath).map { SHA256.hex($0) } ?? ""
      for model in heads {
        let predictions = evaluation.files.map { file in
          model.predict(
            text: file.text, tsx: file.path.hasSuffix(".tsx"),
            sites: file.sites.map { TypeHeadSite(kind: $0.kind, name: $0.name, offset: $0.offset) })
        }
        rows.append(evaluation.row(model.info.label, predictions: predictions.map { $0.map { $0.map(\.type) } }))
        let combined = zip(evidence, predictions).map { ev, md in
          zip(ev, md).map { TypeCombination.combine(evidence: $0, model: $1, threshold: threshold).map(\.type) }
        }
        let short = model.info.randomInit ? "no pretraining" : "ContraCode pretraining"
        rows.append(evaluation.row("combined: evidence ≥ \(threshold), else head (\(short))", predictions: combined))
        if let prior = model.namePrior {
          // The shipped rule (`TypeCombination.combine` as `suggest-types` and the LSP call it): the head's and
          // the name prior's candidates ranked together by confidence, the evidence first where confident.
          var index = 0
          let shipped = zip(evidence, predictions).map { ev, md -> [[String]] in
            defer { index += 1 }
            return zip(evaluation.files[index].sites, zip(ev, md)).map { site, pair in
              TypeCombination.combine(
                evidence: pair.0, model: pair.1, prior: prior.candidates(for: site.name), threshold: threshold
              ).map(\.type)
            }
          }
          rows.append(
            evaluation.row(
              "combined system: evidence ≥ \(threshold), else head and name prior by confidence (\(short))",
              predictions: shipped))
          if prior.dataset.sha256 != trainSHA256 {
            printError(
              "codeintel: \(model.directory?.path ?? "the type head")/\(TypeNamePrior.fileName) was counted on another "
                + "train.jsonl (sha256 \(prior.dataset.sha256.prefix(12))…) than this dataset's")
          }
        } else {
          printError(
            "codeintel: \(model.directory?.path ?? "the type head") has no \(TypeNamePrior.fileName): no combined-system "
              + "row for it (add one with `codeintel finetune name-prior --out DIR`)")
        }
        pending.removeAll { $0.contains(model.info.randomInit ? "no pretraining" : "ContraCode") }
        pending.removeAll { $0.hasPrefix("combined") }
      }
    }
    return "Split `\(split)`\(limit.map { ", first \($0) files" } ?? ""), \(evaluation.files.count) files.\n\n"
      + evaluation.markdown(rows, pending: pending)
  }
}
