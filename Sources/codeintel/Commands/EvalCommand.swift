import CodeIntel
import Foundation
import Model

/// `codeintel eval`: model-quality evaluations whose tables go into docs/EVALUATION.md.
enum EvalCommand: CLICommand {
  static let name = "eval"
  static let summary = "Evaluate clone detection (AUROC, AP) and type prediction (acc@1, acc@5)."
  static let help = """
    USAGE: codeintel eval clones [--data DIR] [--model DIR | --no-model]
           codeintel eval types [--datasets DIR] [--split test] [--tsc] [--limit N]

    clones   Scores every pair of the functional-clone set in DIR (pairs.jsonl + the files it
             names; default: $CODEINTEL_CLONE_DATA, else ../shared/data/clones-leetcode-js) with the
             token-set Jaccard baseline, the clone index's hashed-feature embedder and the installed
             ContraCode encoder, on the files as written and identifier-blind (every declared name
             renamed to v0, v1, … by scope analysis). Prints a Markdown table of AUROC and average
             precision.

    OPTIONS:
      --data DIR     The clone set's folder.
      --model DIR    The model to evaluate (default: the installed default model, if any).
      --no-model     Only the baselines.

    types    Scores type predictions on the types dataset's split (default test: held-out
             packages) by acc@1 and acc@5 with `any` excluded, overall, by site kind and for
             common (top-100 in train) vs rare types: most-frequent type, name only, the
             deterministic evidence, evidence else name only, and with --tsc the TypeScript
             compiler (scripts/eval/tsc-types.js; needs node and node-typescript).

    OPTIONS:
      --datasets DIR  The datasets folder (default: ~/.cache/codeintel/datasets); reads types/.
      --split NAME    test (default), valid or train.
      --tsc           Also run the TypeScript compiler peer (slow).
      --limit N       Only the first N files of the split.
    """

  static func run(_ args: [String]) throws -> Int32 {
    if args.first == "types" { return try runTypes(Array(args.dropFirst())) }
    guard args.first == "clones" else { throw UsageError("say which evaluation: clones or types") }
    var scanner = ArgumentScanner(Array(args.dropFirst()))
    let data =
      try scanner.option("--data") ?? ProcessInfo.processInfo.environment["CODEINTEL_CLONE_DATA"]
      ?? "../shared/data/clones-leetcode-js"
    let modelDir = try scanner.option("--model")
    let noModel = scanner.flag("--no-model")
    guard try scanner.finish().isEmpty else { throw UsageError("unexpected arguments") }
    var model: PretrainedModel?
    if !noModel {
      do {
        model = try PretrainedModel.loadDefault(explicit: modelDir)
      } catch {
        if modelDir != nil { throw error }
        printError("codeintel: no model evaluated: \(error)")
      }
    }
    let evaluation = try CloneEvaluation(directory: data)
    let rows = try evaluation.standardRows(model: model)
    print(
      CloneEvaluation.markdown(
        rows, pairs: evaluation.pairs.count, positives: evaluation.pairs.filter(\.positive).count), terminator: "")
    return 0
  }

  // MARK: - Types

  static func runTypes(_ args: [String]) throws -> Int32 {
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
    print("Split `\(split)`\(limit.map { ", first \($0) files" } ?? ""), \(evaluation.files.count) files.\n")
    print(
      evaluation.markdown(
        rows,
        pending: [
          "type head, no pretraining", "type head, ContraCode pretraining", "combined system (head + evidence)",
        ]),
      terminator: "")
    return 0
  }
}
