import CodeIntel
import Foundation
import Model

/// `codeintel eval`: model-quality evaluations whose tables go into docs/EVALUATION.md.
enum EvalCommand: CLICommand {
  static let name = "eval"
  static let summary = "Evaluate clone detection (AUROC, AP) and type prediction (acc@1, acc@5)."
  static let help = """
    USAGE: codeintel eval clones [--data DIR] [--model DIR | --no-model]
           codeintel eval types [--datasets DIR] [--split test] [--tsc] [--limit N] [--types-model DIR]...

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
             compiler (scripts/eval/tsc-types.js; needs node and node-typescript), and for each
             --types-model the type head alone and combined with the evidence.

    OPTIONS:
      --datasets DIR  The datasets folder (default: ~/.cache/codeintel/datasets); reads types/.
      --split NAME    test (default), valid or train.
      --tsc           Also run the TypeScript compiler peer (slow).
      --limit N       Only the first N files of the split.
      --types-model DIR  A type-head folder (`codeintel finetune types`); repeatable. Rows are
                      labelled from its config.json (with or without pretraining).
      --evidence-threshold P  The combined row puts evidence first at confidence >= P (default 0.8).
      --name-below P  Experiment: one more row per head where, without confident evidence and with
                      the head's best probability below P, a name seen in train puts its most
                      frequent type first (measured on valid: not adopted; docs/TYPES.md).
    """

  static func run(_ args: [String]) throws -> Int32 {
    if args.first == "types" { return try EvalTypes.run(Array(args.dropFirst())) }
    if args.first == "names" { return try EvalNames.run(Array(args.dropFirst())) }
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
}
