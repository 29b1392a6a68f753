import CloneIndex
import CodeIntel
import Corpus
import Foundation
import Heads
import Model

/// `codeintel eval clones`: the Clones section of docs/EVALUATION.md.
enum EvalClones {
  static func run(_ args: [String]) throws -> Int32 {
    print(try markdown(args), terminator: "")
    return 0
  }

  struct Options {
    var data = ProcessInfo.processInfo.environment["CODEINTEL_CLONE_DATA"] ?? Options.defaultCloneData()
    /// The LeetCode set was named (--data or $CODEINTEL_CLONE_DATA) rather than looked for.
    var dataNamed = ProcessInfo.processInfo.environment["CODEINTEL_CLONE_DATA"] != nil
    var datasets = DatasetBuilder.defaultOutput
      .path
    var models: [String] = []
    var noModel = false
    var randomInit = false
    var edits = [1, 2, 4, 8, 16]
    var tries = 8
    var seed: UInt64 = 1
    var limit: Int?
    var threads = 2
    var calibrate = false
    var calibrationAnchors = 1000
    var augmentationPairs = true
    var leetCode = true
    var groupPurity = false
    var sweep = false
    var dumpFeatures: String?
    var scorer = false

    /// `../shared/data/clones-leetcode-js` beside the current folder or beside the repository that holds the
    /// executable (where the project's shared data sits), the first that has `pairs.jsonl`.
    static func defaultCloneData() -> String {
      let relative = "../shared/data/clones-leetcode-js"
      var candidates = [relative]
      for models in PretrainedModel.defaultSearchPaths() {
        let repo = URL(fileURLWithPath: models).deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(repo.appendingPathComponent(relative).standardizedFileURL.path)
      }
      return candidates.first { FileManager.default.fileExists(atPath: $0 + "/pairs.jsonl") } ?? relative
    }
  }

  static func options(_ args: [String]) throws -> Options {
    var o = Options()
    var scanner = ArgumentScanner(args)
    if let d = try scanner.option("--data") {
      o.data = d
      o.dataNamed = true
    }
    if let d = try scanner.option("--datasets") { o.datasets = (d as NSString).expandingTildeInPath }
    o.models = try scanner.all("--model")
    o.noModel = scanner.flag("--no-model")
    o.randomInit = scanner.flag("--random-init")
    if let e = try scanner.option("--edits") {
      let parts = e.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 0 && $0! <= 64 }) else {
        throw UsageError("--edits needs a comma-separated list of whole numbers in 0...64, got '\(e)'")
      }
      o.edits = parts.compactMap { $0 }.filter { $0 > 0 }
    }
    if let t = try scanner.int("--tries", in: 1...64) { o.tries = t }
    if let s = try scanner.int("--seed", in: 0...Int.max) { o.seed = UInt64(s) }
    o.limit = try scanner.int("--limit", in: 2...Int.max)
    if let t = try scanner.int("--threads", in: 1...64) { o.threads = t }
    o.calibrate = scanner.flag("--calibrate")
    if let a = try scanner.int("--calibration-anchors", in: 10...100_000) { o.calibrationAnchors = a }
    if scanner.flag("--no-augmentation-pairs") { o.augmentationPairs = false }
    if scanner.flag("--no-leetcode") { o.leetCode = false }
    o.groupPurity = scanner.flag("--group-purity")
    o.sweep = scanner.flag("--sweep")
    o.dumpFeatures = try scanner.option("--dump-features")
    o.scorer = scanner.flag("--scorer")
    if scanner.flag("--quick") {
      o.limit = o.limit ?? 200
      o.tries = min(o.tries, 2)
      o.edits = o.edits.filter { $0 <= 4 }
      o.calibrationAnchors = min(o.calibrationAnchors, 100)
    }
    guard try scanner.finish().isEmpty else { throw UsageError("unexpected arguments") }
    if !o.leetCode && !o.augmentationPairs {
      throw UsageError("--no-leetcode and --no-augmentation-pairs leave nothing to score")
    }
    if o.noModel && (!o.models.isEmpty || o.randomInit || o.calibrate) {
      throw UsageError("--no-model cannot go with --model, --random-init or --calibrate")
    }
    return o
  }

  static func label(_ model: PretrainedModel) -> String {
    "`\(model.info.name)` (\(model.info.architecture), \(model.info.steps) steps)"
  }

  /// The clones section for these arguments (the same ones `run` takes).
  static func markdown(_ args: [String]) throws -> String {
    var o = try options(args)
    if o.groupPurity { return try purity(o, args: args) }
    if o.scorer { return try scorerTables(o, args: args) }
    let started = Date()
    var models: [PretrainedModel] = []
    if !o.noModel {
      if o.models.isEmpty {
        do {
          models = [try PretrainedModel.loadDefault(explicit: nil)]
        } catch {
          printError("codeintel: no model evaluated: \(error)")
        }
      } else {
        models = try o.models.map { try PretrainedModel.load(directory: $0) }
      }
    }
    func progress(_ s: String) {
      printError(String(format: "[%6.0fs] ", Date().timeIntervalSince(started)) + s)
    }
    var scorers: [CloneScorer] = [.tokenJaccard, .hashedFeatures()]
    for m in models { scorers.append(.encoder(m, name: "ContraCode encoder \(label(m))")) }
    if o.randomInit, let m = models.first {
      let encoder = MoCo(config: m.info.pretrain, vocab: m.tokenizer.vocabSize).queryEncoder
      scorers.append(.encoder(m, name: "the same, random initialisation (\(m.info.architecture))", encoder: encoder))
    }
    let adversarial = o.edits.isEmpty ? nil : AdversarialEdits(edits: o.edits, tries: o.tries, seed: o.seed)

    // Calibration: fitted now (--calibrate) on valid-split augmentation pairs, or read from the model folder.
    var calibration: CloneCalibration?
    if let m = models.first {
      if o.calibrate {
        let path = URL(fileURLWithPath: o.datasets).appendingPathComponent("pretrain/valid.jsonl").path
        progress("calibration: building augmentation pairs from \(path)")
        let set = try ClonePairSet.augmentationPairs(functions: path, anchors: o.calibrationAnchors, seed: o.seed)
        let evaluation = CloneEvaluation(set: set, adversarial: nil, threads: o.threads)
        let j = try evaluation.scores(.tokenJaccard)
        let h = try evaluation.scores(.hashedFeatures())
        let e = try evaluation.scores(.encoder(m, name: "encoder"))
        let c = CloneCalibration.fit(
          encoder: e, hashed: h, jaccard: j, labels: set.pairs.map(\.positive),
          model: "\(m.info.name) (\(m.info.steps) steps)",
          fittedOn: "augmentation pairs built from the valid split's functions (pretrain/valid.jsonl),"
            + " \(o.calibrationAnchors) anchors, seed \(o.seed)",
          command: (["codeintel", "eval", "clones"] + args).joined(separator: " "))
        try c.save(directory: m.directory)
        progress("calibration written to \(m.directory.appendingPathComponent(CloneCalibration.fileName).path)")
        calibration = c
      } else {
        calibration = try CloneCalibration.load(directory: m.directory)
      }
    }

    // What is missing, in a sentence that says how to get it; a set looked for by default and not there is
    // left out with that sentence, one asked for by path is an error, and so is having nothing to score.
    let pairsPath = URL(fileURLWithPath: o.data).appendingPathComponent("pairs.jsonl").path
    let augmentationPath = URL(fileURLWithPath: o.datasets).appendingPathComponent("clone-pairs/test.jsonl").path
    var missing: [String] = []
    if o.leetCode && !FileManager.default.fileExists(atPath: pairsPath) {
      let why =
        "the LeetCode clone pairs are not at \(pairsPath): they come with the project's shared data "
        + "(../shared/data/clones-leetcode-js beside the repository); give their folder with --data DIR or "
        + "CODEINTEL_CLONE_DATA, or leave them out with --no-leetcode"
      if o.dataNamed { throw CodeIntelError(why) }
      missing.append(why)
      o.leetCode = false
    }
    if o.augmentationPairs && !FileManager.default.fileExists(atPath: augmentationPath) {
      missing.append(
        "the augmentation pairs are not at \(augmentationPath): `codeintel corpus build` makes them (a long job; "
          + "see the README), or give its folder with --datasets DIR, or leave them out with --no-augmentation-pairs")
      o.augmentationPairs = false
    }
    if !o.leetCode && !o.augmentationPairs {
      throw CodeIntelError("nothing to evaluate: " + missing.joined(separator: "; and "))
    }
    for why in missing { printError("codeintel: skipped: \(why)") }

    var sets: [ClonePairSet] = []
    if o.leetCode { sets.append(try ClonePairSet.leetCode(directory: o.data)) }
    if o.augmentationPairs {
      sets.append(
        try ClonePairSet.augmentationPairs(
          path: URL(fileURLWithPath: o.datasets).appendingPathComponent("clone-pairs/test.jsonl").path))
    }
    var out = "Command: `codeintel eval clones \(args.joined(separator: " "))`\n\n"
    if let adversarial {
      out +=
        "Adversarial columns (ContraCode §5): k = \(adversarial.edits.map(String.init).joined(separator: ", "))"
        + " random semantics-preserving transforms applied to the `b` side of every pair, \(adversarial.tries)"
        + " tries; positives score the minimum over the tries, negatives the maximum.\n\n"
    }
    for full in sets {
      let set = o.limit.map { full.limited(to: $0) } ?? full
      let t0 = Date()
      progress("\(set.name): preparing \(set.texts.count) texts, \(set.pairs.count) pairs")
      let evaluation = CloneEvaluation(set: set, adversarial: adversarial, threads: o.threads)
      progress("\(set.name): \(evaluation.table.count) distinct texts to score")
      var scores: [CloneScores] = []
      for s in scorers {
        scores.append(try evaluation.scores(s))
        progress("\(set.name): scored with \(s.name)")
      }
      var rows = scores.map(evaluation.row)
      if models.first != nil {
        let inputs = [scores[2], scores[1], scores[0]]
        let grouping = set.name.hasPrefix("LeetCode") ? "problem" : "package"
        rows.append(
          evaluation.row(
            CloneCalibration.crossValidated(
              "logistic combination (encoder + hashed + Jaccard), 5-fold CV grouped by \(grouping)",
              inputs: inputs, pairs: set.pairs, folds: 5)))
        if let calibration {
          rows.append(
            evaluation.row(
              calibration.combined(
                encoder: scores[2], hashed: scores[1], jaccard: scores[0],
                name: "calibrated combination (fitted on valid augmentation pairs)")))
        }
      }
      out += "### \(set.name)\n\n" + evaluation.markdown(rows)
      if let calibration {
        let labels = set.pairs.map(\.positive)
        let combined = calibration.combined(encoder: scores[2], hashed: scores[1], jaccard: scores[0], name: "")
        out +=
          "\nThe shipped decision thresholds (`\(CloneCalibration.fileName)`) on these pairs, texts as written:\n\n"
        out += "| decision | threshold | precision | recall | F1 |\n|---|---|---|---|---|\n"
        for (name, t, s) in [
          ("hashed-feature cosine ≥ t (clone index)", calibration.hashedThreshold.threshold, scores[1].values[0][0]),
          ("encoder cosine ≥ t", calibration.encoderThreshold.threshold, scores[2].values[0][0]),
          ("calibrated combination ≥ t", calibration.combinationThreshold.threshold, combined.values[0][0]),
        ] {
          let e = DecisionThreshold.evaluate(t, scores: s, labels: labels)
          out += String(format: "| %@ | %.3f | %.3f | %.3f | %.3f |\n", name, t, e.precision, e.recall, e.f1)
        }
      }
      out += String(format: "\nWall time for this set: %.0f s.\n\n", Date().timeIntervalSince(t0))
    }
    if let c = calibration {
      let w = c.combination.weights.map { String(format: "%.3f", $0) }.joined(separator: ", ")
      out +=
        "Calibration (`\(CloneCalibration.fileName)` beside the model): fitted on \(c.fittedOn)"
        + " (\(c.pairs) pairs, \(c.positives) positive) with `\(c.command)`; weights (encoder, hashed, Jaccard)"
        + " \(w), bias \(String(format: "%.3f", c.combination.bias)); thresholds by \(c.criterion): combination"
        + String(
          format: " %.3f, encoder cosine %.3f, hashed cosine %.3f.\n\n", c.combinationThreshold.threshold,
          c.encoderThreshold.threshold, c.hashedThreshold.threshold)
    }
    return out
  }

  /// `--scorer`: the learned pair scorer against token-set Jaccard and the hashed features (AUROC, as written
  /// and identifier-blind) and every kind's rule at the defaults (precision, recall) on the LeetCode pairs, the
  /// natural github-test pairs and the held-out augmentation pairs (test and github-test).
  static func scorerTables(_ o: Options, args: [String]) throws -> String {
    guard let gate = try LearnedPairGate.locateDefault(threads: o.threads) else {
      throw CodeIntelError("no clone-scorer.json in the model folder; train one with codeintel finetune clones")
    }
    let scorer = gate.scorer
    // The encoder's cosine is shown beside the scorer even when the scorer does not read it.
    let model = gate.model ?? (try? PretrainedModel.loadDefault(explicit: nil))
    let started = Date()
    let pairs = URL(fileURLWithPath: o.datasets).appendingPathComponent("clone-pairs").path
    var sets: [(ClonePairSet, Bool)] = []
    if o.leetCode { sets.append((try ClonePairSet.leetCode(directory: o.data), true)) }
    sets.append((ClonePairSet(natural: try NaturalClonePairs.load(path: pairs + "/natural-github-test.jsonl")), true))
    if o.augmentationPairs {
      for f in ["test", "github-test"] {
        var set = try ClonePairSet.augmentationPairs(path: pairs + "/\(f).jsonl")
        set = ClonePairSet(
          name: "held-out augmentation pairs (\(f).jsonl)", texts: set.texts, languages: set.languages, pairs: set.pairs
        )
        sets.append((set, false))
      }
    }
    var out = "Command: `codeintel eval clones \(args.joined(separator: " "))`\n\n"
    out +=
      "Scorer: `\(ClonePairScorer.fileName)` (\(scorer.hidden == 0 ? "logistic regression" : "\(scorer.hidden)-unit network")"
    out +=
      " over \(scorer.features.count) pair features (\(scorer.features.joined(separator: ", "))); \(scorer.trainedOn); selected on \(scorer.selectedOn)).\n\n"
    out += "| pairs | scorer | AUROC as written | AUROC identifier-blind |\n|---|---|---|---|\n"
    var decisions = ""
    for (index, (full, blind)) in sets.enumerated() {
      // --limit spreads the pairs of the large sets; the LeetCode set is always whole.
      let set = o.leetCode && index == 0 ? full : o.limit.map { full.limited(to: $0) } ?? full
      printError(
        String(format: "[%5.0fs] ", Date().timeIntervalSince(started)) + "\(set.name): \(set.pairs.count) pairs")
      let e = try ClonePairScorerEvaluation.run(
        set: set, scorer: scorer, model: model, blind: blind, threads: o.threads)
      if let dir = o.dumpFeatures {
        // Feature rows for inspection (never for fitting: these are evaluation sets).
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let stem = set.name.hasPrefix("LeetCode") ? "leetcode" : (set.name as NSString).deletingPathExtension
        for (view, scores) in [("", Optional(e.natural)), ("-blind", e.blind)] {
          guard let scores else { continue }
          var text = (PairFeatures.names + ["label"]).joined(separator: "\t") + "\n"
          for (r, label) in zip(scores.rows, e.pairLabels) {
            text += r.map { String(format: "%.6f", $0) }.joined(separator: "\t") + "\t\(label ? 1 : 0)\n"
          }
          try text.write(toFile: dir + "/\(stem)\(view).tsv", atomically: true, encoding: .utf8)
        }
      }
      for (name, natural, b) in e.aurocs() {
        out += "| \(set.name) (\(set.pairs.count), \(set.positives) positive) | \(name) | "
        out += String(format: "%.3f | ", natural) + (b.map { String(format: "%.3f", $0) } ?? "–") + " |\n"
      }
      decisions += "\n\(set.name) (\(set.pairs.count) pairs, \(set.positives) positive), texts as written:\n\n"
      decisions += "| kind's rule at the defaults | true positives | false positives | precision | recall |\n"
      decisions += "|---|---|---|---|---|\n"
      for d in e.decisions {
        decisions += "| \(d.name) | \(d.truePositives) | \(d.falsePositives) | "
        decisions +=
          (d.precision.isNaN ? "–" : String(format: "%.3f", d.precision)) + String(format: " | %.3f |\n", d.recall)
      }
    }
    out += decisions
    out += String(format: "\nWall time: %.0f s.\n", Date().timeIntervalSince(started))
    return out
  }

  /// The impure functional groups of a purity run: who joins them, at what scorer probability, and what the
  /// encoder says about their cross-problem pairs (against the same-problem pairs of the pure groups).
  static func impureGroups(_ report: CloneReport, solutions: String, gate: LearnedPairGate) throws -> String {
    func problem(_ m: CloneLocation) -> Substring { m.path.split(separator: "/").first ?? "" }
    let functional = report.groups.filter { $0.kind == .functional }
    var texts: [String: [UInt8]] = [:]
    func text(_ m: CloneLocation) throws -> UnitText {
      let bytes = try texts[m.path] ?? Array(try SourceFile.load(solutions + "/" + m.path).bytes)
      texts[m.path] = bytes
      let lo = min(m.startByte, bytes.count)
      return UnitText(
        text: String(decoding: bytes[lo..<min(max(lo, m.endByte), bytes.count)], as: UTF8.self), language: .javascript)
    }
    // Encoder cosines of every pair inside a functional group, same problem or not.
    var same: [Double] = []
    var across: [Double] = []
    var rows = ""
    var shown = 0
    for g in functional {
      let views = try gate.encode(try g.members.map(text))
      var cross: [Double] = []
      for i in g.members.indices {
        for j in (i + 1)..<g.members.count {
          let c = PairFeatures.cosine(views[i].asWritten, views[j].asWritten)
          if problem(g.members[i]) == problem(g.members[j]) { same.append(c) } else { cross.append(c) }
        }
      }
      across += cross
      guard !cross.isEmpty, shown < 10 else { continue }
      shown += 1
      let members = g.members.map { "\($0.path.replacingOccurrences(of: ".js", with: "")) `\($0.name ?? "?")`" }
      rows += "| \(g.id) | \(members.joined(separator: ", ")) | "
      rows += String(
        format: "%.3f | %.3f | %.3f / %.3f |\n", g.similarity, g.minSimilarity, cross.min() ?? 0,
        cross.reduce(0, +) / Double(cross.count))
    }
    func mean(_ x: [Double]) -> String { x.isEmpty ? "–" : String(format: "%.3f", x.reduce(0, +) / Double(x.count)) }
    var out = "\nThe first impure functional groups at the defaults (members as problem/author and function; the"
    out += " scorer's mean and lowest probability over the group's pairs; the encoder cosine of its pairs across"
    out += " problems):\n\n| group | members | mean p | min p | encoder cosine across problems, min / mean |\n"
    out += "|---|---|---|---|---|\n" + rows
    out += "\nOver all functional groups: \(same.count) pairs of one problem (encoder cosine mean \(mean(same))),"
    out += " \(across.count) pairs across problems (mean \(mean(across))).\n"
    return out
  }

  /// `--group-purity`: how `codeintel clones` groups the LeetCode solutions at its defaults (a group is pure
  /// when all its members solve the same problem), and the functional kind at other thresholds for context.
  /// Evaluation only: nothing is fitted on this set.
  static func purity(_ o: Options, args: [String]) throws -> String {
    let solutions = URL(fileURLWithPath: o.data).appendingPathComponent("solutions").path
    let started = Date()
    let gate = try LearnedPairGate.locateDefault(threads: o.threads)
    let scorer = gate?.scorer
    let defaults = try CloneGroupPurity.measure(solutions: solutions, options: CloneOptions(), gate: gate)
    var out = "Command: `codeintel eval clones \(args.joined(separator: " "))`\n\n"
    out += "Group purity of `codeintel clones` at its defaults on \(defaults.files) files (\(defaults.units) functions)"
    out += " of the LeetCode set (a group is pure when all its members solve the same problem)"
    if let scorer {
      out += String(
        format: ", functional pairs judged by the learned pair scorer (p ≥ %.3f on cosine ≥ %.2f)",
        scorer.decisionThreshold, scorer.candidateCosine)
    }
    out += ":\n\n"
    out += defaults.markdown()
    out += "\nWhat the groups are (members' paths are `<problem>/<author>.js`; a group of one file is pure by"
    out += " construction, and an impure group of one author is that author's code reused for other problems):\n\n"
    out += defaults.compositionMarkdown()
    if let g = gate, g.usesEncoder, let report = defaults.report {
      out += try impureGroups(report, solutions: solutions, gate: g)
    }
    printError(out)  // what is measured so far, in case a long sweep is stopped
    if o.sweep, var g = gate {
      // The same run with other scorer thresholds and encoder floors (the encoder views are computed once).
      out += "\nFunctional groups with the learned scorer at other settings (complete linkage at the scorer's"
      out += " probability: every pair of a group is an edge); recall is the share of the "
      out += "\(defaults.sameProblemFilePairs) same-problem file pairs that a functional group links:\n\n"
      out +=
        "| scorer p ≥ | encoder cosine ≥ | groups | purity | first 20 pure | recall | other-problem file pairs linked |\n"
      out += "|---|---|---|---|---|---|---|\n"
      let base = g.scorer
      for t in [0.5, 0.9, base.decisionThreshold, 0.98, 0.99, 0.995] {
        for e in g.model == nil ? [base.minEncoderCosine] : [base.minEncoderCosine, 0.9] {
          g.scorer.decisionThreshold = t
          g.scorer.minEncoderCosine = e
          let p = try CloneGroupPurity.measure(solutions: solutions, options: CloneOptions(), gate: g)
          guard let r = p.rows.first(where: { $0.kind == .functional }) else { continue }
          let share = r.groups == 0 ? "–" : String(format: "%.1f %%", 100 * r.share)
          out += String(format: "| %.3f | ", t) + (e <= -1 ? "–" : String(format: "%.2f", e))
          out += " | \(r.groups) | \(share) | \(r.pureFirst20)/\(r.first20) | "
          out += String(format: "%.2f %% | %d |\n", 100 * p.recall(r), r.linkedOtherProblem)
          printError(String(out.split(separator: "\n").last ?? ""))
          printError(
            String(format: "[%5.0fs] ", Date().timeIntervalSince(started)) + "p >= \(t), encoder >= \(e): done")
        }
      }
      // A size floor for every kind (`--min-tokens`) at the default scorer threshold: do short functions make
      // the impure groups?
      g.scorer = base
      out += "\nFunctional groups at the default scorer threshold with a higher `--min-tokens` (default 30):\n\n"
      out += "| min tokens | groups | purity | first 20 pure | recall | other-problem file pairs linked |\n"
      out += "|---|---|---|---|---|---|\n"
      // One table row: the functional groups at `options` (the default gate), named `name`.
      func functionalRow(_ name: String, _ options: CloneOptions, log: String) throws -> String {
        let p = try CloneGroupPurity.measure(solutions: solutions, options: options, gate: g)
        guard let r = p.rows.first(where: { $0.kind == .functional }) else { return "" }
        let share = r.groups == 0 ? "–" : String(format: "%.1f %%", 100 * r.share)
        printError(String(format: "[%5.0fs] ", Date().timeIntervalSince(started)) + "\(log): done")
        return "| \(name) | \(r.groups) | \(share) | \(r.pureFirst20)/\(r.first20) | "
          + String(format: "%.2f %% | %d |\n", 100 * p.recall(r), r.linkedOtherProblem)
      }
      for m in [60, 100] {
        var options = CloneOptions()
        options.minTokens = m
        out += try functionalRow("\(m)", options, log: "min tokens \(m)")
      }
      // The template rule (session 13): off, and at other counts that make a run template.
      out += "\nFunctional groups at the default scorer threshold with the template rule off or at other settings"
      out += " (a run of six identifier-blind tokens in at least m outermost functions is template; a pair is kept"
      out += " when the Jaccard of what is left of the two reaches c):\n\n"
      out += "| template rule | groups | purity | first 20 pure | recall | other-problem file pairs linked |\n"
      out += "|---|---|---|---|---|---|\n"
      let settings: [(String, Bool, Int)] = [("off", false, 0)] + [3, 10, 20].map { ("m = \($0), c > 0", true, $0) }
      for (name, on, m) in settings {
        var options = CloneOptions()
        options.templateRule = on
        if on { options.templateMinFunctions = m }
        out += try functionalRow(name, options, log: "template rule \(name)")
      }
    }
    if !o.sweep {
      out +=
        "\nFunctional groups by cosine alone (`--no-scorer`, or `--threshold`), other settings at their defaults:\n\n"
      out += "| functional threshold | groups | purity | first 20 pure |\n|---|---|---|---|\n"
      for t: Float in [0.66, 0.75, 0.8, 0.85, 0.9] {
        var options = CloneOptions()
        options.threshold = t
        let p = try CloneGroupPurity.measure(solutions: solutions, options: options)
        guard let r = p.rows.first(where: { $0.kind == .functional }) else { continue }
        let share = r.groups == 0 ? "–" : String(format: "%.1f %%", 100 * r.share)
        out += String(format: "| %.2f | ", t) + "\(r.groups) | \(share) | \(r.pureFirst20)/\(r.first20) |\n"
      }
    }
    let decisions = try CloneGroupPurity.pairDecisions(directory: o.data)
    if let d = decisions.first {
      out += "\nThe same rules as pair decisions on the set's labelled pairs (whole solution files;"
      out += " \(d.positives) positive pairs, same problem, and \(d.negatives) negative, random other problems):\n\n"
      out += "| rule at the defaults | true positives | false positives | precision | recall |\n|---|---|---|---|---|\n"
      for d in decisions {
        out += "| \(d.name) | \(d.truePositives) | \(d.falsePositives) | "
        out += String(format: "%.3f | %.3f |\n", d.precision, d.recall)
      }
    }
    out += String(format: "\nWall time: %.0f s.\n", Date().timeIntervalSince(started))
    return out
  }
}
