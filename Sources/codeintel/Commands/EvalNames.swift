import CodeIntel
import Foundation
import Model

/// `codeintel eval names`: method-name prediction rows for docs/EVALUATION.md.
enum EvalNames {
  static let help = """
    USAGE: codeintel eval names [--datasets DIR] [--split test] [--names-model DIR]... [--limit N]
                                [--beam N]

    Scores the top beam of each name head on the method-names split (default test: held-out
    packages) by subtoken precision, recall and F1 (code2seq's definition, case-insensitive, summed
    over the split) and exact match, next to a most-frequent-name baseline (the commonest name of
    the train split, predicted for every function). One row per --names-model (repeat it; default:
    the installed head, if any), labelled from its config.json (with / without pretraining).
    Prints the Markdown section of docs/EVALUATION.md.
    """

  static func run(_ args: [String]) throws -> Int32 {
    if args.contains("--help") || args.contains("-h") {
      print(help)
      return 0
    }
    print(try markdown(args), terminator: "")
    return 0
  }

  /// Every value of a repeatable option, and the arguments without them.
  static func values(of option: String, in args: [String]) throws -> (values: [String], rest: [String]) {
    var values: [String] = []
    var rest: [String] = []
    var i = 0
    while i < args.count {
      let a = args[i]
      if a == option {
        guard i + 1 < args.count else { throw UsageError("\(option) needs a value") }
        values.append(args[i + 1])
        i += 2
      } else if a.hasPrefix(option + "=") {
        values.append(String(a.dropFirst(option.count + 1)))
        i += 1
      } else {
        rest.append(a)
        i += 1
      }
    }
    return (values, rest)
  }

  /// The method-names section of docs/EVALUATION.md for these arguments (the same ones `run` takes).
  static func markdown(_ args: [String]) throws -> String {
    let (modelDirs, rest) = try values(of: "--names-model", in: args)
    var scanner = ArgumentScanner(rest)
    let datasets = try scanner.option("--datasets") ?? "~/.cache/codeintel/datasets"
    let split = try scanner.choice("--split", from: ["test", "valid", "train"]) ?? "test"
    let limit = try scanner.int("--limit", in: 1...10_000_000) ?? 0
    let beam = try scanner.int("--beam", in: 1...64) ?? 5
    guard try scanner.finish().isEmpty else { throw UsageError("eval names takes no positional arguments") }
    let dir = (datasets as NSString).expandingTildeInPath + "/method-names"
    let train = try MethodNameRecord.read(path: dir + "/train.jsonl")
    let records = try MethodNameRecord.read(path: dir + "/\(split).jsonl", limit: limit)
    guard !records.isEmpty else { throw CodeIntelError("\(dir)/\(split).jsonl has no examples") }

    var heads: [NameHead] = []
    var note = ""
    if modelDirs.isEmpty {
      do {
        heads.append(try NameHead.loadDefault())
      } catch {
        note = "No name head was found (\(error)); only the baseline is scored.\n\n"
      }
    } else {
      for d in modelDirs { heads.append(try NameHead.load(directory: d)) }
    }

    // Baseline: the most frequent name of train.
    var counts: [[String]: Int] = [:]
    for r in train { counts[r.target.map { $0.lowercased() }, default: 0] += 1 }
    let common = counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key.joined() > $1.key.joined() }!.key
    var base = SubtokenMetrics()
    for r in records { base.add(predicted: common, actual: r.target) }
    var rows = ["| most frequent train name (`\(SubtokenVocabulary.camelCase(common))`) | \(cells(base)) |"]
    var details: [String] = []
    for head in heads {
      let t0 = Date()
      printError("eval names: \(head.info.label) (\(head.directory.path)) on \(records.count) functions…")
      let predictions = head.predict(inputs: records.map(\.input), beam: beam, top: 1)
      var m = SubtokenMetrics()
      for (r, p) in zip(records, predictions) { m.add(predicted: p.first?.subtokens ?? [], actual: r.target) }
      rows.append("| Transformer, \(head.info.label) | \(cells(m)) |")
      let origin =
        head.info.randomInit
        ? "random initialisation"
        : "`\(head.info.pretrained.model ?? "?")` (\(head.info.pretrained.steps) pretraining steps, encoder sha256 "
          + "`\(String((head.info.pretrained.encoderSHA256 ?? "?").prefix(12)))…`)"
      details.append(
        "- \(head.info.label): `\(head.directory.path)`: encoder from \(origin); fine-tuned \(head.info.steps) "
          + "steps (\(head.info.examplesSeen) functions, \(Int(head.info.trainingSeconds)) s), batch "
          + "\(head.info.training.batchSize), lr \(head.info.training.learningRate), inputs cut to "
          + "\(head.info.maxLength) tokens, \(head.info.subtokens) subtokens; scored in "
          + "\(Int(Date().timeIntervalSince(t0))) s.")
    }
    let stamp = ISO8601DateFormatter().string(from: Date())
    var out = ""
    out += note
    out += "Method-names \(split) split (held-out packages), \(records.count) functions"
    out += limit > 0 ? " (first \(limit))" : ""
    out += "; top beam of a width-\(beam) beam search. Subtoken precision/recall/F1 as code2seq computes them "
    out += "(case-insensitive; per function, each predicted subtoken is a hit when the true name contains it, "
    out += "each true subtoken the prediction lacks is a miss; counts summed over the split), and exact match "
    out += "of the whole subtoken sequence.\n\n"
    out += "| Row | Precision | Recall | F1 | Exact match |\n|---|---|---|---|---|\n"
    out += rows.joined(separator: "\n") + "\n\n"
    if !details.isEmpty { out += details.joined(separator: "\n") + "\n\n" }
    out += "Generated \(stamp) by `codeintel eval names \(args.joined(separator: " "))`.\n"
    return out
  }

  static func cells(_ m: SubtokenMetrics) -> String {
    String(
      format: "%.1f | %.1f | %.1f | %.1f", 100 * m.precision, 100 * m.recall, 100 * m.f1, 100 * m.exactMatch)
  }
}
