import CodeIntel
import Corpus
import Foundation
import Heads
import Model
import Tensor

/// `codeintel finetune types-datastore`: builds a type head's retrieval datastore from the train split and fits
/// its voting settings on the valid splits (`TypeRetrieval`, `TypeRetrievalBuilding`).
enum FinetuneTypesDatastore {
  static let help = """
    types-datastore
             Build the type head's retrieval datastore (docs/TYPES.md, "Retrieval"): the head's site vector
             and label of train sites, a subsample with at most the same number of sites per package, int8,
             written as DIR/type-retrieval.bin; then choose the neighbours k, the temperature and the weight
             of the retrieval against the head on valid + github-valid (acc@1, the mean of the two splits).
             suggest-types, the LSP and eval types then mix it in.
             --out DIR            the type-head folder (required; the datastore belongs to its weights)
             --max-sites N        rows at most (default 32000: about 8.5 MB)
             --seed S             seed of the subsample (default 1)
             --fit-every K        fit on every K-th github-valid file (default 5; valid: every file)
             --k K --temperature T --weight W --rule interpolate|other
                                  skip the fit and store these (interpolate: (1-W) head + W votes;
                                  other: head + W x the head's "other" probability x votes)
             --refit              keep DIR's datastore rows, only fit the settings again
             --threads N          compute threads (default 1)
             --datasets DIR       dataset folder (default ~/.cache/codeintel/datasets-v2); reads types/
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    guard let out = try scanner.option("--out") else { throw UsageError("--out DIR is required") }
    let datasets = try scanner.datasets()
    var options = TypeRetrievalBuilding.Options()
    if let n = try scanner.int("--max-sites", in: 1...10_000_000) { options.maxSites = n }
    if let s = try scanner.int("--seed", in: 0...Int.max) { options.seed = UInt64(s) }
    if let t = try scanner.int("--threads", in: 1...64) { options.threads = t }
    let fitEvery = try scanner.int("--fit-every", in: 1...1_000_000) ?? 5
    let k = try scanner.int("--k", in: 1...1024)
    let temperature = try scanner.double("--temperature", in: 0.0001...100)
    let weight = try scanner.double("--weight", in: 0...4)
    let ruleName = try scanner.choice("--rule", from: TypeRetrieval.Rule.allCases.map(\.rawValue))
    let refit = scanner.flag("--refit")
    guard try scanner.finish().isEmpty else { throw UsageError("unexpected arguments") }
    let given = [k != nil, temperature != nil, weight != nil]
    if ruleName != nil && k == nil { throw UsageError("--rule goes with --k, --temperature and --weight") }
    guard given.allSatisfy({ $0 }) || given.allSatisfy({ !$0 }) else {
      throw UsageError("give --k, --temperature and --weight together (or none, to fit them)")
    }
    BLAS.setThreads(options.threads)
    let dir = URL(fileURLWithPath: (out as NSString).expandingTildeInPath)
    let model = try TypeHeadModel.load(directory: dir.path)
    (model.encoder as? TransformerEncoder)?.threads = options.threads
    let types = URL(fileURLWithPath: (datasets as NSString).expandingTildeInPath).appendingPathComponent("types")
    var retrieval: TypeRetrieval
    var header: TypeRetrieval.Header
    if refit {
      guard let kept = model.retrieval else {
        throw CodeIntelError("\(dir.path) has no \(TypeRetrieval.fileName) to refit; build it without --refit")
      }
      retrieval = kept
      header = kept.header
    } else {
      let trainPath = types.appendingPathComponent("train.jsonl").path
      printError("types-datastore: reading \(trainPath)")
      let train = try TypeEvaluation.loadFiles(trainPath)
      let trainSHA = try TypeNamePrior.provenance(trainPath: trainPath, files: []).sha256
      header = TypeRetrieval.Header(
        dimension: model.head.config.hidden, count: 0, labels: [], k: k ?? 16, temperature: temperature ?? 0.05,
        weight: weight ?? 0.5,
        modelFingerprint: try TypeRetrieval.fingerprint(
          headFolder: dir, encoder: model.info.encoder, typehead: model.info.typehead),
        trainSHA256: trainSHA)
      header.rule = ruleName ?? TypeRetrieval.Rule.interpolate.rawValue
      model.retrieval = nil
      retrieval = TypeRetrievalBuilding.build(
        model: model, trainFiles: train, header: header, options: options, log: { printError($0) })
      header = retrieval.header
      print(
        "datastore: \(header.count) sites of \(header.trainFiles) train files in \(header.trainPackages) packages "
          + "(at most \(header.sitesPerPackage) per package), \(header.labels.count) labels")
      model.retrieval = retrieval
    }
    if let k, let temperature, let weight {
      header.k = k
      header.temperature = temperature
      header.weight = weight
      header.rule = ruleName ?? TypeRetrieval.Rule.interpolate.rawValue
      retrieval.header = header
    }
    if k == nil {
      let fit = try fitSettings(model: model, types: types, fitEvery: fitEvery, threads: options.threads)
      header.k = fit.k
      header.temperature = fit.temperature
      header.weight = fit.weight
      header.rule = fit.rule.rawValue
      header.fit = fit.lines
      for line in fit.lines { print(line) }
      retrieval.header = header
    }
    try retrieval.write(to: dir)
    let size =
      (try? FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(TypeRetrieval.fileName).path)[.size]
        as? Int) ?? 0
    print(
      "k \(header.k), temperature \(header.temperature), rule \(retrieval.rule.rawValue), weight \(header.weight); wrote "
        + "\(dir.appendingPathComponent(TypeRetrieval.fileName).path) (\(size) bytes)")
    return 0
  }

  /// The grid: k and the temperature by the retrieval alone, then the weight by the combined system, each by
  /// the mean acc@1 of valid and github-valid.
  static func fitSettings(model: TypeHeadModel, types: URL, fitEvery: Int, threads: Int) throws -> (
    k: Int, temperature: Double, weight: Double, rule: TypeRetrieval.Rule, lines: [String]
  ) {
    var splits: [(name: String, sites: [TypeRetrievalBuilding.FitSite])] = []
    var names: [TypeNames] = []
    for (split, every) in [("valid", 1), ("github-valid", fitEvery)] {
      let all = try TypeEvaluation.loadFiles(types.appendingPathComponent("\(split).jsonl").path)
      let files = all.enumerated().filter { $0.offset % every == 0 }.map(\.element)
      printError("types-datastore: scoring \(files.count) \(split) files")
      let sites = try TypeRetrievalBuilding.fitSites(
        model: model, files: files, depth: 128, threads: threads, fileBase: names.count)
      names += try files.map { try TypeEvaluation.typeNames($0) }
      splits.append((split + (every > 1 ? " (every \(every)th file)" : ""), sites))
    }
    var lines = ["fit on " + splits.map { "\($0.name) \($0.sites.count) sites" }.joined(separator: ", ")]
    func pct(_ x: Double) -> String { String(format: "%.1f", 100 * x) }
    var best = (k: 16, temperature: 0.05, score: -1.0)
    for k in [4, 8, 16, 32, 64, 128] {
      for t in [0.01, 0.02, 0.05, 0.1, 0.2] {
        let accs = splits.map {
          TypeRetrievalBuilding.mixAccuracy(model: model, sites: $0.sites, k: k, temperature: t, weight: 1)
        }
        let score = accs.reduce(0, +) / Double(accs.count)
        lines.append("retrieval alone k \(k) temperature \(t): acc@1 " + accs.map(pct).joined(separator: " / "))
        if score > best.score { best = (k, t, score) }
      }
    }
    var problems: [String: Bool] = [:]
    var chosen = (weight: 0.0, rule: TypeRetrieval.Rule.interpolate, score: -1.0)
    let grid: [(TypeRetrieval.Rule, Double)] =
      (0...10).map { (.interpolate, Double($0) / 10) } + [0.5, 1, 2, 4].map { (.other, $0) }
    for (rule, w) in grid {
      let model1 = splits.map {
        TypeRetrievalBuilding.mixAccuracy(
          model: model, sites: $0.sites, k: best.k, temperature: best.temperature, weight: Float(w), rule: rule)
      }
      let system = splits.map {
        TypeRetrievalBuilding.systemAccuracy(
          model: model, sites: $0.sites, names: names, k: best.k, temperature: best.temperature, weight: Float(w),
          rule: rule, problems: &problems)
      }
      let score = system.reduce(0, +) / Double(system.count)
      lines.append(
        "\(rule.rawValue) weight \(w): head + retrieval acc@1 " + model1.map(pct).joined(separator: " / ")
          + "; combined system " + system.map(pct).joined(separator: " / "))
      if score > chosen.score + 1e-9 { chosen = (w, rule, score) }
    }
    lines.append("chose k \(best.k), temperature \(best.temperature), \(chosen.rule.rawValue) weight \(chosen.weight)")
    return (best.k, best.temperature, chosen.weight, chosen.rule, lines)
  }
}
