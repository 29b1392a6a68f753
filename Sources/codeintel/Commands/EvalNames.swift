import CodeIntel
import Corpus
import Foundation
import Heads
import Model

/// `codeintel eval names`: method-name prediction rows for docs/EVALUATION.md.
enum EvalNames {
  static let help = """
    USAGE: codeintel eval names [--datasets DIR] [--split test] [--names-model DIR]... [--limit N] [--sample N]
                                [--beam N] [--copy-bias B[,B...]] [--first-copy-bias B[,B...]]
                                [--frequency-bias G[,G...]] [--copy-unknown on|off|both]
                                [--predictions FILE] [--body-subtokens K[,K...]] [--consensus S[,S...]|off]
                                [--no-repeat on|off|both]
                                [--ranking combined|retrieval|decoder|all] [--retrieval-k K[,K...]]
                                [--retrieval-temperature T[,T...]] [--retrieval-weight W[,W...]]

    Scores the top beam of each name head on a method-names split (--split test, the default:
    held-out Debian packages; github-test: held-out GitHub repositories; valid; github-valid)
    by subtoken precision, recall and F1 (code2seq's definition, case-insensitive, summed
    over the split) and exact match, next to a most-frequent-name baseline (the commonest name of
    the train split, predicted for every function) and a copy baseline without a model (the body's
    K most frequent subtokens; K = 4, chosen on valid; --body-subtokens for others). One row per
    --names-model (repeat it; default: the installed head, if any), labelled from its config.json
    (with / without pretraining). A head trained with --context path reads the file's place before
    the function, as in the product; the copy baseline is then also given with those words (the
    body's and the path's K most frequent subtokens; with --context path+siblings, also the file's
    other function names). A head with a display.json also gets a "What is shown" line: how many
    functions get a name at its level, and how many of those share a subtoken or are exact,
    leaving out names another function of the same file holds, as the product does. Prints the
    Markdown section of docs/EVALUATION.md.

    Each head decodes with the copy bias of its config.json ("decoding"; none in older folders).
    --copy-bias, --first-copy-bias, --frequency-bias and --copy-unknown override it, and lists
    give one row per combination: the way to choose them on --split valid (docs/NAMES.md).
    --first-copy-bias defaults to --copy-bias; --frequency-bias G adds G·log(occurrences);
    --copy-unknown also proposes body subtokens outside the vocabulary. --predictions FILE writes
    every row's top name per function as JSON lines (row, head: the head folder or null for a
    baseline, package, path, name, target, predicted; scripts/eval/names-subsets.py scores subsets).
    --consensus S puts the beam first that agrees most with the others (expected subtoken F1, each
    beam weighted by P^S: minimum Bayes risk decoding, docs/NAMES.md); a list gives one row per value
    from one beam search, `off` the beam order; default: the head's config.json ("decoding").
    --no-repeat on keeps a subtoken from appearing twice in one name (both: a row each).
    --limit N scores the first N functions; --sample N scores N spread evenly over the split
    (every (n/N)-th, so all its repositories are represented).

    A head folder with a retrieval datastore (retrieval.bin, `codeintel finetune name-retrieval`)
    ranks the names of the nearest train functions with its beams as its config.json's "retrieval"
    says (docs/NAMES.md). --ranking all gives three rows: the decoder alone, retrieval alone (the
    most voted neighbour name) and the two combined; --retrieval-k, --retrieval-temperature and
    --retrieval-weight override the ranking, lists giving one row per combination (choose them on
    --split valid / github-valid). The beams and neighbours are computed once per head.
    """

  /// The no-model baseline's k (the body's k most frequent subtokens), chosen on the valid split.
  static let bodyBaselineK = 4

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
    let datasets = try scanner.datasets()
    let split =
      try scanner.choice("--split", from: ["test", "valid", "github-test", "github-valid", "train"]) ?? "test"
    let limit = try scanner.int("--limit", in: 1...10_000_000) ?? 0
    let sample = try scanner.int("--sample", in: 1...10_000_000) ?? 0
    let beam = try scanner.int("--beam", in: 1...64) ?? 5
    let biases = try numbers(scanner.option("--copy-bias"), "--copy-bias")
    let firstBiases = try numbers(scanner.option("--first-copy-bias"), "--first-copy-bias")
    let frequencyBiases = try numbers(scanner.option("--frequency-bias"), "--frequency-bias")
    let unknownChoice = try scanner.choice("--copy-unknown", from: ["on", "off", "both"])
    let repeatChoice = try scanner.choice("--no-repeat", from: ["on", "off", "both"])
    let dumpPath = try scanner.option("--predictions")
    // nil: the head's own; [nil]: off; else one row per sharpness
    let consensusChoice: [Double?]? = try scanner.option("--consensus").map { value in
      try value.split(separator: ",").map { part -> Double? in
        let item = part.trimmingCharacters(in: .whitespaces)
        if item == "off" { return nil }
        guard let s = Double(item), s >= 0, s <= 10 else {
          throw UsageError("--consensus takes sharpness values 0…10 or off, separated by commas, e.g. off,1")
        }
        return s
      }
    }
    let rankingChoice = try scanner.choice("--ranking", from: ["combined", "retrieval", "decoder", "all"])
    let ks = try numbers(scanner.option("--retrieval-k"), "--retrieval-k")?.map { k -> Int in
      guard k >= 1, k <= 100, k == k.rounded() else { throw UsageError("--retrieval-k takes whole numbers 1…100") }
      return Int(k)
    }
    let temperatures = try numbers(scanner.option("--retrieval-temperature"), "--retrieval-temperature")
    let weights = try numbers(scanner.option("--retrieval-weight"), "--retrieval-weight")
    let bodyCounts = try (numbers(scanner.option("--body-subtokens"), "--body-subtokens") ?? [Double(bodyBaselineK)])
      .map { k -> Int in
        guard k >= 1, k <= 6, k == k.rounded() else { throw UsageError("--body-subtokens takes whole numbers 1…6") }
        return Int(k)
      }
    guard try scanner.finish().isEmpty else { throw UsageError("eval names takes no positional arguments") }
    let dir = (datasets as NSString).expandingTildeInPath + "/method-names"
    let train = try MethodNameRecord.read(path: dir + "/train.jsonl")
    var records = try MethodNameRecord.read(path: dir + "/\(split).jsonl", limit: limit)

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
    // a head reading the file's other names gets them from the whole split, before sampling
    if heads.contains(where: { $0.inputContext == .pathAndSiblings }) { records = MethodNameRecord.withSiblings(records) }
    // …and every record the names its file's other functions hold, which "What is shown" leaves out as the product does
    records = MethodNameRecord.withTakenNames(records)
    let splitSize = records.count
    if sample > 0 { records = MethodNameRecord.spread(records, count: sample) }
    guard !records.isEmpty else { throw CodeIntelError("\(dir)/\(split).jsonl has no examples") }

    // Baseline: the most frequent name of train.
    var counts: [[String]: Int] = [:]
    for r in train { counts[r.target.map { $0.lowercased() }, default: 0] += 1 }
    guard
      let common = counts.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key.joined() > $1.key.joined() })?
        .key
    else { throw CodeIntelError("\(dir)/train.jsonl has no examples (the most-frequent-name baseline needs them)") }
    var base = SubtokenMetrics()
    for r in records { base.add(predicted: common, actual: r.target) }
    var rows = ["| most frequent train name (`\(SubtokenVocabulary.camelCase(common))`) | \(cells(base)) |"]
    // --predictions: every row's first name per function (the baselines' too, so subsets can be scored alike)
    var dump: [PredictionLine] = []
    func dumpRow(_ row: String, _ predicted: [[String]], head: String? = nil) {
      guard dumpPath != nil else { return }
      for (r, p) in zip(records, predicted) {
        dump.append(
          PredictionLine(
            row: row, head: head, package: r.package, path: r.path, name: r.name, target: r.target, predicted: p))
      }
    }
    // Baseline without a model: the body's k most frequent subtokens (BodySubtokens, ties by first occurrence).
    let bodies = records.map { BodySubtokens.counted($0.input) }
    func mostFrequent(_ body: [(subtoken: String, count: Int)], _ k: Int) -> [String] {
      let ranked = body.enumerated().sorted {
        $0.element.count != $1.element.count ? $0.element.count > $1.element.count : $0.offset < $1.offset
      }
      return ranked.prefix(k).map(\.element.subtoken)
    }
    /// One row (and its dump) per k: the k most frequent of each function's `counted` subtokens.
    func frequencyRows(_ counted: [[(subtoken: String, count: Int)]], row: (Int) -> String, dumped: (Int) -> String) {
      for k in bodyCounts {
        var m = SubtokenMetrics()
        let predicted = counted.map { mostFrequent($0, k) }
        for (r, p) in zip(records, predicted) { m.add(predicted: p, actual: r.target) }
        rows.append("| \(row(k)) | \(cells(m)) |")
        dumpRow(dumped(k), predicted)
      }
    }
    frequencyRows(
      bodies, row: { "the body's most frequent subtokens, k = \($0) (no model)" }, dumped: { "body words, k = \($0)" })
    // The same without a model for each context a head reads (its words count like the body's): a head's gain
    // over this row is what it makes of the words, not the words themselves.
    for context in Set(heads.compactMap(\.inputContext)).sorted(by: { $0.rawValue < $1.rawValue }) {
      frequencyRows(
        records.map { BodySubtokens.counted($0.modelInput(context: context)) },
        row: { "the most frequent subtokens of the body and the \(context.rawValue), k = \($0) (no model)" },
        dumped: { "body and \(context.rawValue) words, k = \($0)" })
    }
    var details: [String] = []
    var displayLines: [String] = []
    let overridden =
      biases != nil || firstBiases != nil || frequencyBiases != nil || unknownChoice != nil || repeatChoice != nil
    for head in heads {
      let t0 = Date()
      // the head's own decoding, or one per combination of the overrides
      var decodings = [head.decoding]
      if overridden {
        let own = head.decoding
        let unknowns = unknownChoice.map { $0 == "both" ? [false, true] : [$0 == "on"] } ?? [own.copyUnknown]
        let repeats = repeatChoice.map { $0 == "both" ? [false, true] : [$0 == "on"] } ?? [own.noRepeat]
        decodings = []
        for b in biases ?? [own.copyBias] {
          for f in firstBiases ?? [own.firstCopyBias ?? b] {
            for g in frequencyBiases ?? [own.frequencyBias] {
              for u in unknowns {
                for r in repeats {
                  decodings.append(
                    NameDecoding(
                      copyBias: b, firstCopyBias: f == b ? nil : f, frequencyBias: g, copyUnknown: u,
                      consensus: own.consensus, noRepeat: r, beam: own.beam))
                }
              }
            }
          }
        }
      }
      var scored: [String] = []
      for decoding in decodings {
        printError(
          "eval names: \(head.info.label) (\(head.directory.path)), \(decoding.summary), on \(records.count) functions…"
        )
        let copySuffix =
          decoding.isActive || decoding.noRepeat || decodings.count > 1 ? ", \(decoding.summary)" : ""
        // one row per ranking: the decoder alone without a datastore, else the head's ranking or the overrides
        var rankings: [NameRetrievalRanking?] = [nil]
        if let own = head.ranking {
          let modes: [NameRetrievalRanking.Mode] =
            rankingChoice == "all"
            ? [.decoder, .retrieval, .combined]
            : [rankingChoice.flatMap(NameRetrievalRanking.Mode.init(rawValue:)) ?? own.mode]
          rankings = []
          for mode in modes {
            if mode == .decoder {
              rankings.append(NameRetrievalRanking(mode: .decoder))
              continue
            }
            for k in ks ?? [own.neighbors] {
              for t in temperatures ?? [own.temperature] {
                for w in mode == .combined ? (weights ?? [own.weight]) : [own.weight] {
                  rankings.append(
                    NameRetrievalRanking(
                      neighbors: k, temperature: t, weight: w, candidates: own.candidates, mode: mode))
                }
              }
            }
          }
        }
        let maxK = rankings.compactMap { $0?.mode == .decoder ? nil : $0?.neighbors }.max() ?? 0
        var searched = decoding
        if consensusChoice != nil { searched.consensus = nil }
        let beamsFound = head.candidates(
          inputs: records.map { head.modelInput($0.input, path: $0.path, siblings: $0.siblings) }, current: nil,
          beam: beam,
          top: max(beam, searched.beam ?? 0), neighbors: maxK, decoding: searched)
        var found = beamsFound
        for choice in consensusChoice ?? [decoding.consensus] {
          if consensusChoice != nil {
            found = beamsFound.map { c in
              var c = c
              if let choice { c.beams = NameHead.consensusOrder(c.beams, sharpness: choice) }
              return c
            }
          }
          let choiceSuffix =
            consensusChoice == nil
            ? "" : ", " + (choice.map { "consensus choice (sharpness \(NameDecoding.format($0)))" } ?? "beam order")
          for ranking in rankings {
            let predictions = found.map { c in
              ranking.flatMap { rule in head.datastore.map { rule.rank(c, datastore: $0, top: 1) } }
                ?? Array(c.beams.prefix(1))
            }
            var m = SubtokenMetrics()
            for (r, p) in zip(records, predictions) { m.add(predicted: p.first?.subtokens ?? [], actual: r.target) }
            let suffix = copySuffix + choiceSuffix + (ranking.map { ", \($0.summary)" } ?? "")
            rows.append("| Transformer, \(head.info.label)\(suffix) | \(cells(m)) |")
            dumpRow(
              "\(head.info.label)\(suffix)", predictions.map { $0.first?.subtokens ?? [] }, head: head.directory.path)
          }
        }
        // what the product shows on this split: the head's own ranking, top 5, through its display.json
        if let display = head.display, !overridden, consensusChoice == nil {
          let own = head.ranking
          var shown = 0
          var covered = 0
          var any = 0
          var exact = 0
          for (r, c) in zip(records, found) {
            let list = own.flatMap { rule in head.datastore.map { rule.rank(c, datastore: $0, top: beam) } } ?? c.beams
            var some = false
            for (i, p) in NameAnalysis.distinctNames(list, top: 5).enumerated()
            where display.shows(p, position: i) && !r.nameIsTaken(p.subtokens) {
              let point = NameDisplayCalibration.Point(probability: 0, predicted: p.subtokens, actual: r.target)
              shown += 1
              some = true
              if point.anyRight { any += 1 }
              if point.exact { exact += 1 }
            }
            if some { covered += 1 }
          }
          displayLines.append(
            display.minProbability == nil
              ? "- \(head.info.label): its display.json shows no names (no level qualified on valid)."
              : String(
                format:
                  "- \(head.info.label), display threshold %.4g on the %@ (display.json): %d of %d functions (%.1f %%) get a name shown; %d suggestions shown, %.1f %% share a subtoken with the real name, %.1f %% exact.",
                display.minProbability!, display.confidence == nil ? "decoder probability" : "calibrated confidence",
                covered, records.count, 100 * Double(covered) / Double(records.count), shown,
                shown == 0 ? 0 : 100 * Double(any) / Double(shown), shown == 0 ? 0 : 100 * Double(exact) / Double(shown)
              ))
        }
        scored.append(decoding.summary)
      }
      let origin =
        head.info.randomInit
        ? "random initialisation"
        : "`\(head.info.pretrained.model ?? "?")` (\(head.info.pretrained.steps) pretraining steps, encoder sha256 "
          + "`\(String((head.info.pretrained.encoderSHA256 ?? "?").prefix(12)))…`)"
      details.append(
        "- \(head.info.label): `\(head.directory.path)`: encoder from \(origin); fine-tuned "
          + (head.info.training.initHead.map {
            "\($0.steps) steps (\($0.examplesSeen) functions) and then, warm-started from that head, "
          } ?? "")
          + "\(head.info.steps) steps (\(head.info.examplesSeen) functions, \(Int(head.info.trainingSeconds)) s), batch "
          + "\(head.info.training.batchSize), lr \(head.info.training.learningRate), inputs cut to "
          + "\(head.info.maxLength) tokens, \(head.info.subtokens) subtokens; decoded with "
          + (overridden ? scored.joined(separator: "; ") : head.decoding.summary + " (its config.json)")
          + (head.datastore.map {
            "; retrieval datastore of \($0.count) train functions, \($0.names.count) distinct names (\($0.header.source))"
          } ?? "")
          + "; scored in \(Int(Date().timeIntervalSince(t0))) s.")
    }
    if let dumpPath {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      var data = Data()
      for line in dump {
        data.append(try encoder.encode(line))
        data.append(UInt8(ascii: "\n"))
      }
      try data.write(to: URL(fileURLWithPath: (dumpPath as NSString).expandingTildeInPath))
    }
    let stamp = ISO8601DateFormatter().string(from: Date())
    var out = ""
    out += note
    let heldOut = split.hasPrefix("github") ? "held-out GitHub repositories" : "held-out packages"
    out += "Method-names \(split) split (\(heldOut)), \(records.count) functions"
    out += limit > 0 ? " (first \(limit))" : ""
    out += sample > 0 && records.count < splitSize ? " (spread evenly over its \(splitSize))" : ""
    out += "; top beam of a width-\(beam) beam search. Subtoken precision/recall/F1 as code2seq computes them "
    out += "(case-insensitive; per function, each predicted subtoken is a hit when the true name contains it, "
    out += "each true subtoken the prediction lacks is a miss; counts summed over the split), and exact match "
    out += "of the whole subtoken sequence.\n\n"
    out += "| Row | Precision | Recall | F1 | Exact match |\n|---|---|---|---|---|\n"
    out += rows.joined(separator: "\n") + "\n\n"
    if !details.isEmpty { out += details.joined(separator: "\n") + "\n\n" }
    if !displayLines.isEmpty {
      out += "What is shown (top 5 per function, orderings merged, leaving out names another function of the file holds, at the head's display threshold):\n\n"
      out += displayLines.joined(separator: "\n") + "\n\n"
    }
    out += "Generated \(stamp) by `codeintel eval names \(args.joined(separator: " "))`.\n"
    return out
  }

  /// One function's top name in one row, as `--predictions FILE` writes it (JSON lines).
  struct PredictionLine: Codable {
    var row: String
    /// The head folder (nil: a baseline row).
    var head: String?
    var package: String
    var path: String
    var name: String
    var target: [String]
    var predicted: [String]
  }

  /// A comma-separated list of numbers, or nil without the option.
  static func numbers(_ value: String?, _ option: String) throws -> [Double]? {
    guard let value else { return nil }
    let parts = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let xs = parts.compactMap(Double.init)
    guard !xs.isEmpty, xs.count == parts.count, xs.allSatisfy({ $0.isFinite && abs($0) <= 100 }) else {
      throw UsageError("\(option) takes numbers separated by commas, e.g. 0,1,2")
    }
    return xs
  }

  static func cells(_ m: SubtokenMetrics) -> String {
    String(
      format: "%.1f | %.1f | %.1f | %.1f", 100 * m.precision, 100 * m.recall, 100 * m.f1, 100 * m.exactMatch)
  }
}
