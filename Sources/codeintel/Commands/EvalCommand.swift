import CodeIntel
import Foundation
import Model

/// `codeintel eval`: model-quality evaluations whose tables go into docs/EVALUATION.md.
enum EvalCommand: CLICommand {
  static let name = "eval"
  static let summary = "Evaluate clone detection on a labelled set of functional clones (AUROC, AP)."
  static let help = """
    USAGE: codeintel eval clones [--data DIR] [--model DIR | --no-model]

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
    """

  static func run(_ args: [String]) throws -> Int32 {
    guard args.first == "clones" else { throw UsageError("say which evaluation: clones") }
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
