import CodeIntel
import Foundation
import Model

/// `codeintel eval types`: type-prediction rows for docs/EVALUATION.md.
enum EvalTypes {
  static func run(_ args: [String]) throws -> Int32 {
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
    let nameBelow = try scanner.double("--name-below", in: 0...1)
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
    var pending = ["type head, no pretraining", "type head, ContraCode pretraining", "combined system (head + evidence)"]
    // With no --types-model, the installed head (types/ next to the default model), if any.
    let heads: [TypeHeadModel] =
      typeModels.isEmpty
      ? [try TypeHeadModel.loadDefault(explicit: nil)].compactMap { $0 }
      : try typeModels.map { try TypeHeadModel.load(directory: $0) }
    if !heads.isEmpty {
      let evidence = try evaluation.files.map(TypeEvaluation.evidenceCandidates)
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
        if let nameBelow {
          // Experiment (choose on valid): where the evidence is not confident and the head's best
          // probability is below `nameBelow`, a name seen in train puts its most frequent type first.
          var index = 0
          let blended = zip(evidence, predictions).map { ev, md -> [[String]] in
            defer { index += 1 }
            let file = evaluation.files[index]
            return zip(file.sites, zip(ev, md)).map { site, pair in
              let (e, m) = pair
              var ranked = TypeCombination.combine(evidence: e, model: m, threshold: threshold).map(\.type)
              let confident = (e.first?.confidence ?? -1) >= threshold
              if !confident, (m.first?.probability ?? 0) < Float(nameBelow), let top = evaluation.names.byName[site.name]?.first {
                ranked.removeAll { TypeAccuracy.normalize($0) == top }
                ranked.insert(top, at: 0)
              }
              return Array(ranked.prefix(5))
            }
          }
          rows.append(evaluation.row("combined + name prior below \(nameBelow) (\(short))", predictions: blended))
        }
        pending.removeAll { $0.contains(model.info.randomInit ? "no pretraining" : "ContraCode") }
        pending.removeAll { $0.hasPrefix("combined") }
      }
    }
    return "Split `\(split)`\(limit.map { ", first \($0) files" } ?? ""), \(evaluation.files.count) files.\n\n"
      + evaluation.markdown(rows, pending: pending)
  }
}
