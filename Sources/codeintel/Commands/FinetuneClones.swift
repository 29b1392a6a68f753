import Augment
import CloneIndex
import CodeIntel
import Corpus
import Foundation
import Heads
import Model
import Syntax

/// `codeintel finetune clones`: trains the learned functional-clone pair scorer (`clone-scorer.json`).
enum FinetuneClones {
  static let help = """
    clones   Train the functional-clone pair scorer into DIR/clone-scorer.json: pairwise features
             (hashed cosine, token-set Jaccard and bag overlap as written and identifier-blind, rare-token,
             IDF-weighted and blind-bigram Jaccard, size) of clone-pairs/natural-train.jsonl plus hard
             negatives (the most alike solutions of other problems); for each feature set, hidden size and
             hard-negative weight a model is fitted, the best mean of the AUROCs on natural-github-valid.jsonl's
             own pairs (hard negatives aside) as written and identifier-blind is kept, and its
             decision threshold is the lowest with precision >= P on all github-valid pairs, hard
             negatives included.
             --out DIR            the model folder (required; e.g. Models/contracode-hybrid-small)
             --datasets DIR       dataset folder (default ~/.cache/codeintel/datasets-v2)
             --hidden LIST        hidden sizes to try, 0 = logistic (default 0; a network trains
                                  for minutes in a debug build)
             --hard N             hard negatives per text (default 2)   --precision P (default 0.9)
             --candidate-cosine C the hashed-cosine floor of the candidates (default 0.75, the
                                  index's cosine threshold)
             --hard-weights LIST  log-loss weights of a hard negative to try (default 0.1,0.3,1)
             --features LIST      feature sets to try: legacy (the 12 token/structure features),
                                  encoder (+ the model's encoder cosine), encoder-blind (+ the encoder
                                  cosine of the identifier-blind renderings) (default: all three; the
                                  encoder is DIR's model)
             --blind-copies       also train on identifier-blind copies of every train pair
             --dump-features DIR  write train.tsv and valid.tsv (features, label, hard) for inspection
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    guard let out = try scanner.option("--out") else { throw UsageError("--out DIR is required") }
    let datasets = (try scanner.datasets()) as NSString
    var options = ClonePairScorerTraining.Options()
    if let h = try scanner.option("--hidden") {
      let sizes = h.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard !sizes.isEmpty, sizes.allSatisfy({ $0 != nil && (0...64).contains($0!) }) else {
        throw UsageError("--hidden needs a comma-separated list of whole numbers in 0...64, got '\(h)'")
      }
      options.hiddenSizes = sizes.compactMap { $0 }
    }
    if let k = try scanner.int("--hard", in: 0...16) { options.hardPerText = k }
    if let w = try scanner.option("--hard-weights") {
      let weights = w.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
      guard !weights.isEmpty, weights.allSatisfy({ $0 != nil && $0! >= 0 && $0! <= 100 }) else {
        throw UsageError("--hard-weights needs a comma-separated list of numbers in 0...100, got '\(w)'")
      }
      options.hardWeights = weights.compactMap { $0 }
    }
    if let p = try scanner.double("--precision", in: 0.5...1) { options.targetPrecision = p }
    if let c = try scanner.double("--candidate-cosine", in: -1...1) { options.candidateCosine = c }
    var featureSets: [(String, [String])] = [
      ("legacy", PairFeatures.legacyNames), ("encoder", PairFeatures.legacyNames + ["encoderCosine"]),
      ("encoder-blind", PairFeatures.names),
    ]
    if let f = try scanner.option("--features") {
      let wanted = f.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      guard !wanted.isEmpty, wanted.allSatisfy({ w in featureSets.contains { $0.0 == w } }) else {
        throw UsageError("--features takes a comma-separated list of legacy, encoder, encoder-blind; got '\(f)'")
      }
      featureSets = featureSets.filter { wanted.contains($0.0) }
    }
    let blindCopies = scanner.flag("--blind-copies")
    let dump = try scanner.option("--dump-features")
    guard try scanner.finish().isEmpty else { throw UsageError("unexpected arguments") }
    let folder = URL(fileURLWithPath: (out as NSString).expandingTildeInPath)
    guard FileManager.default.fileExists(atPath: folder.path) else {
      throw CodeIntelError("\(folder.path): no such folder; --out names an existing model folder")
    }
    let root = datasets.expandingTildeInPath + "/clone-pairs/"
    let started = Date()
    func progress(_ s: String) { printError(String(format: "[%5.0fs] ", Date().timeIntervalSince(started)) + s) }

    let needsEncoder = featureSets.contains { $0.1.contains { $0.hasPrefix("encoder") } }
    let model = needsEncoder ? try PretrainedModel.load(directory: folder.path) : nil
    func views(_ texts: [(String, Language)]) throws -> [(asWritten: [Float], blind: [Float])]? {
      guard let model else { return nil }
      return try EncoderViews.embed(model, texts: texts.map(\.0), languages: texts.map(\.1), threads: 2)
    }
    var train = try NaturalClonePairs.load(path: root + "natural-train.jsonl")
    var valid = try NaturalClonePairs.load(path: root + "natural-github-valid.jsonl")
    progress("train: \(train.pairs.count) pairs, \(train.texts.count) texts; valid: \(valid.pairs.count) pairs")
    let trainTokens = ClonePairScorerTraining.tokens(train.texts.map { ($0.text, $0.language) }, threads: 2)
    let validTokens = ClonePairScorerTraining.tokens(valid.texts.map { ($0.text, $0.language) }, threads: 2)
    let common = ClonePairScorerTraining.commonTokens(trainTokens, k: options.commonTokens)
    let trainViews = try views(train.texts.map { ($0.text, $0.language) })
    let validViews = try views(valid.texts.map { ($0.text, $0.language) })
    if model != nil { progress("encoder views of \(train.texts.count + valid.texts.count) texts") }
    var trainFeatures = ClonePairScorerTraining.features(
      &train, tokens: trainTokens, common: common, hardPerText: options.hardPerText, encoder: trainViews)
    let validFeatures = ClonePairScorerTraining.features(
      &valid, tokens: validTokens, common: common, hardPerText: options.hardPerText, encoder: validViews)
    // Identifier-blind copies of the valid pairs: model selection looks at both views.
    var validBlindSet = valid
    let validBlindTexts = blindTexts(valid.texts)
    let validBlind = ClonePairScorerTraining.features(
      &validBlindSet, tokens: ClonePairScorerTraining.tokens(validBlindTexts, threads: 2), common: common,
      hardPerText: 0, encoder: try views(validBlindTexts))
    if blindCopies {
      var copy = train
      let trainBlindTexts = blindTexts(train.texts)
      let blind = ClonePairScorerTraining.features(
        &copy, tokens: ClonePairScorerTraining.tokens(trainBlindTexts, threads: 2), common: common,
        hardPerText: 0, encoder: try views(trainBlindTexts))
      trainFeatures.rows += blind.rows
      trainFeatures.labels += blind.labels
      trainFeatures.hard += blind.hard
      if let dump {
        try FileManager.default.createDirectory(atPath: dump, withIntermediateDirectories: true)
        try tsv(blind).write(toFile: dump + "/train-blind.tsv", atomically: true, encoding: .utf8)
      }
    }
    let hardTrain = train.pairs.filter(\.hard).count
    let hardValid = valid.pairs.filter(\.hard).count
    progress(
      "features: train \(trainFeatures.rows.count) rows (\(hardTrain) hard negatives), valid"
        + " \(validFeatures.rows.count) (\(hardValid) hard negatives)")
    if let dump {
      try FileManager.default.createDirectory(atPath: dump, withIntermediateDirectories: true)
      for (name, f) in [("train", trainFeatures), ("valid", validFeatures), ("valid-blind", validBlind)] {
        try tsv(f).write(toFile: dump + "/\(name).tsv", atomically: true, encoding: .utf8)
      }
      progress("features written to \(dump)")
    }
    var best: (scorer: ClonePairScorer, auroc: Double, hardWeight: Double, features: String)?
    for (setName, names) in featureSets {
      for hidden in options.hiddenSizes {
        for hardWeight in options.hardWeights {
          var scorer = ClonePairScorerTraining.fit(
            trainFeatures, hidden: hidden, hardWeight: hardWeight, common: common, seed: options.seed, features: names)
          if let model, scorer.needsEncoder { scorer.encoderModel = EncoderEmbedder(model: model).modelID }
          let natural =
            RankingMetrics.auroc(scores: validFeatures.rows.map(scorer.probability), labels: validFeatures.labels) ?? 0
          let blind =
            RankingMetrics.auroc(scores: validBlind.rows.map(scorer.probability), labels: validBlind.labels) ?? 0
          let hardOnly = validFeatures.rows.indices.filter { validFeatures.labels[$0] || validFeatures.hard[$0] }
          let hard =
            RankingMetrics.auroc(
              scores: hardOnly.map { scorer.probability(validFeatures.rows[$0]) },
              labels: hardOnly.map { validFeatures.labels[$0] }) ?? 0
          // The selection score: AUROC on the pairs of the file (positives and random negatives, the protocol of
          // every table in docs/EVALUATION.md), as written and identifier-blind. The hard negatives weigh in the
          // threshold (`choose`), not here: with them in, selection favoured weights that rank random pairs worse.
          func fileOnly(_ f: ClonePairScorerTraining.Features) -> Double {
            let kept = f.rows.indices.filter { !f.hard[$0] }
            return RankingMetrics.auroc(
              scores: kept.map { scorer.probability(f.rows[$0]) }, labels: kept.map { f.labels[$0] }) ?? 0
          }
          let fileNatural = fileOnly(validFeatures)
          let fileBlind = fileOnly(validBlind)
          progress(
            String(
              format:
                "features %@, hidden %d, hard-negative weight %.2f: github-valid file pairs AUROC %.4f, identifier-blind"
                + " %.4f; with hard negatives %.4f / %.4f (positives vs hard negatives %.4f)", setName, hidden,
              hardWeight, fileNatural, fileBlind, natural, blind, hard))
          let both = (fileNatural + fileBlind) / 2
          if best == nil || both > best!.auroc + 1e-9 { best = (scorer, both, hardWeight, setName) }
        }
      }
    }
    guard var scorer = best?.scorer else { throw UsageError("--hidden names no model") }
    let chosen = ClonePairScorerTraining.choose(&scorer, valid: validFeatures, options: options)
    scorer.trainedOn =
      "clone-pairs/natural-train.jsonl: \(train.pairs.count - hardTrain) pairs (\(train.positives) positive) and"
      + " \(hardTrain) hard negatives\(blindCopies ? ", plus identifier-blind copies of all" : "")"
    scorer.selectedOn =
      "clone-pairs/natural-github-valid.jsonl: \(valid.pairs.count - hardValid) pairs (\(valid.positives) positive)"
      + " and \(hardValid) hard negatives; best mean AUROC on the file's pairs (hard negatives aside) as written and"
      + " identifier-blind among feature sets"
      + " \(featureSets.map(\.0)), hidden sizes \(options.hiddenSizes) and hard-negative weights"
      + " \(options.hardWeights) (chosen: \(best?.features ?? ""), weight \(best?.hardWeight ?? 1))"
    scorer.command = (["codeintel", "finetune", "clones"] + args).joined(separator: " ")
    scorer.notes = [
      String(
        format:
          "github-valid at the threshold, %@: precision %.3f, recall %.3f",
        options.thresholdOnAllPairs
          ? "all \(validFeatures.rows.count) pairs (hard negatives included)"
          : String(format: "candidates with hashed cosine >= %.2f", scorer.candidateCosine), chosen.precision,
        chosen.recall)
    ]
    try scorer.save(directory: folder)
    print(
      String(
        format:
          "hidden %d, candidate cosine >= %.2f, threshold %.4f (github-valid precision %.3f, recall %.3f); wrote %@",
        scorer.hidden, scorer.candidateCosine, scorer.decisionThreshold, chosen.precision, chosen.recall,
        folder.appendingPathComponent(ClonePairScorer.fileName).path))
    return 0
  }

  static func tsv(_ f: ClonePairScorerTraining.Features) -> String {
    var text = (PairFeatures.names + ["label", "hard"]).joined(separator: "\t") + "\n"
    for i in f.rows.indices {
      text += f.rows[i].map { String(format: "%.6f", $0) }.joined(separator: "\t")
      text += "\t\(f.labels[i] ? 1 : 0)\t\(f.hard[i] ? 1 : 0)\n"
    }
    return text
  }

  static func blindTexts(_ texts: [NaturalClonePairs.Text]) -> [(String, Language)] {
    var parsers: [Language: Parser] = [:]
    return texts.map { t in
      let parser = parsers[t.language] ?? Parser(language: t.language)
      parsers[t.language] = parser
      return (IdentifierBlind.text(t.text, parser: parser), t.language)
    }
  }
}
