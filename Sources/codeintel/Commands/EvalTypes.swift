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
    return "Split `\(split)`\(limit.map { ", first \($0) files" } ?? ""), \(evaluation.files.count) files.\n\n"
      + evaluation.markdown(
        rows,
        pending: [
          "type head, no pretraining", "type head, ContraCode pretraining", "combined system (head + evidence)",
        ])
  }
}
