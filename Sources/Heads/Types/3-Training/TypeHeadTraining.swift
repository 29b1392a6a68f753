import CodeIntel
import Corpus
import Foundation
import Model
import Tensor
import Tokenizer

/// Fine-tunes an encoder with a `TypeHead` on the types dataset (`codeintel finetune types`): AdamW on both,
/// linear warm-up then cosine decay, gradient clipping, periodic logs to `metrics.jsonl`, checkpoints for
/// `--resume`, and a valid-split evaluation at the end. The same seed and `steps` give the same weights
/// (data order and dropout masks depend only on (seed, step)).
public struct TypeHeadTraining {
  public struct Options: Sendable {
    public var pretrained: String
    public var out: String
    public var randomInit = false
    public var steps: Int?
    public var maxMinutes: Double?
    /// Peak learning rate of the head; the encoder gets `lr * encoderLRScale`.
    public var lr: Float = 1e-3
    public var encoderLRScale: Float = 0.3
    public var seed: UInt64 = 1
    public var datasets: String
    public var resume = false
    public var batchWindows = 16
    /// Real types in the closed vocabulary (the head adds "other"), from those used in at least
    /// `minPackages` train packages; the name prior keeps a (name, type) pair under the same guard.
    /// Chosen on valid and github-valid (docs/TYPES.md): 2,000 types used in >= 2 train packages.
    public var vocabularySize = 2000
    public var minPackages = 2
    /// Compute threads (BLAS, the encoder's row work, file preparation).
    public var threads = 2
    /// Windows taken from one train file per step at most (a step prepares batchWindows / this many files).
    public var windowsPerFile = 2
    public var hidden = 256
    public var logEvery = 20
    public var checkpointEvery = 200
    /// Only the first N train / valid files (tests).
    public var trainLimit: Int?
    public var validLimit: Int?
    /// Stop after this many steps without finishing (tests of --resume).
    public var stopAfter: Int?
    /// Warm start: a finished head folder to continue (its fine-tuned encoder, its head, vocabulary and
    /// tokenizer); `pretrained` is then not read. The optimizer and the schedule start fresh.
    public var initHead: String?
    /// Encoder tokens per window (nil: the head's when continuing one, else 128). Longer than the encoder's
    /// positions: its position rows are repeated (`EncoderWeights.copy`), so sites see more context.
    public var windowLength: Int?
    /// Take the closed vocabulary of this head folder instead of counting it on train (so the new head can be
    /// averaged with that one: `TypeHeadModel.addPartner`).
    public var vocabularyFrom: String?

    public init(pretrained: String, out: String, datasets: String) {
      self.pretrained = pretrained
      self.out = out
      self.datasets = datasets
    }
  }

  public struct Result: Sendable {
    public var steps: Int
    public var validAccuracyAt1: Double?
    public var validAccuracyAt5: Double?
    public var finished: Bool
  }

  struct State: Codable {
    var step: Int
    /// Steps of the schedule (0 while a --max-minutes run has not finished).
    var total: Int
    var seed: UInt64
    var randomInit: Bool
    /// Training seconds before this process (a --max-minutes budget spans resumes).
    var seconds: Double?
  }

  public let options: Options
  public let log: (String) -> Void

  public init(
    options: Options,
    log: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
  ) {
    self.options = options
    self.log = log
  }

  /// The closed vocabulary: normalised train labels (not `any`) annotated in at least `minPackages` train
  /// packages, most frequent first (ties by text), at most `size`. Types only one package uses are left
  /// to the file candidates: the split is by package, so a package's own types never recur in test.
  public static func vocabulary(_ files: [TypeEvaluation.File], minPackages: Int, size: Int) -> [String] {
    var count: [String: Int] = [:]
    var packages: [String: Set<String>] = [:]
    for f in files {
      for s in f.sites {
        let t = TypeAccuracy.normalize(s.label)
        guard t != "any" else { continue }
        count[t, default: 0] += 1
        packages[t, default: []].insert(f.package)
      }
    }
    return count.filter { packages[$0.key]!.count >= minPackages }
      .sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(size).map(\.key)
  }

  /// Prepares files on `threads` threads (tokenising and parsing dominate).
  static func prepareAll(
    _ files: [TypeEvaluation.File], preparer: TypeHeadPreparer, labels: Bool, threads: Int = 2
  ) -> [TypeHeadFile] {
    let threads = max(1, threads)
    final class Box: @unchecked Sendable { var items: [TypeHeadFile?] = [] }
    let box = Box()
    box.items = [TypeHeadFile?](repeating: nil, count: files.count)
    let lock = NSLock()
    DispatchQueue.concurrentPerform(iterations: threads) { part in
      var i = part
      while i < files.count {
        let f = files[i]
        let prepared = preparer.prepare(
          text: f.text, tsx: f.path.hasSuffix(".tsx"), sites: f.headSites, labels: labels ? f.sites.map(\.label) : nil)
        lock.lock()
        box.items[i] = prepared
        lock.unlock()
        i += threads
      }
    }
    return box.items.map { $0! }
  }

  /// Scores the model alone on prepared files with their dataset sites: acc@1/acc@5 (`any` excluded) and
  /// calibration bins of the top-1 probability (10 bins: [sites, correct]).
  public static func evaluate(model: TypeHeadModel, files: [TypeEvaluation.File], prepared: [TypeHeadFile])
    -> (accuracy: TypeAccuracy, calibration: [[Int]])
  {
    var acc = TypeAccuracy()
    var bins = [[Int]](repeating: [0, 0], count: 10)
    for (f, p) in zip(files, prepared) {
      let predictions = model.predict(p)
      for (site, ranked) in zip(f.sites, predictions) where !site.any {
        acc.add(label: site.label, predictions: ranked.map(\.type))
        if let best = ranked.first {
          let bin = min(9, max(0, Int(best.probability * 10)))
          bins[bin][0] += 1
          if best.type == TypeAccuracy.normalize(site.label) { bins[bin][1] += 1 }
        }
      }
    }
    return (acc, bins)
  }

  public func run() throws -> Result {
    let o = options
    let outDir = URL(fileURLWithPath: o.out)
    let ckptDir = outDir.appendingPathComponent("checkpoint")
    if o.initHead != nil && o.randomInit {
      throw CodeIntelError("--init-head continues a trained head; --random-init does not go with it")
    }
    let start = try o.initHead.map { try TypeHeadModel.load(directory: $0) }
    let pretrained = start == nil ? try PretrainedModel.load(directory: o.pretrained) : nil
    let sha: String
    if let start {
      sha = start.info.pretrainedSHA256
    } else {
      let p = pretrained!
      let encoderPath = p.directory.appendingPathComponent(p.info.encoder).path
      guard let encoderBytes = FileManager.default.contents(atPath: encoderPath) else {
        throw CodeIntelError("\(encoderPath): cannot read the pretrained encoder")
      }
      sha = SHA256.hex(encoderBytes)
    }
    let tokenizer = start?.tokenizer ?? pretrained!.tokenizer
    let typesDir = URL(fileURLWithPath: o.datasets).appendingPathComponent("types")
    BLAS.setThreads(max(o.threads, 1))
    let loadStarted = Date()
    var trainFiles = try TypeEvaluation.loadFiles(typesDir.appendingPathComponent("train.jsonl").path)
    var validFiles = try TypeEvaluation.loadFiles(typesDir.appendingPathComponent("valid.jsonl").path)
    if let l = o.trainLimit { trainFiles = Array(trainFiles.prefix(l)) }
    if let l = o.validLimit { validFiles = Array(validFiles.prefix(l)) }
    // A continued head keeps its vocabulary: its output rows are those types.
    let vocabulary =
      try start?.info.vocabulary
      ?? o.vocabularyFrom.map { try TypeHeadModel.info(directory: $0).vocabulary }
      ?? Self.vocabulary(trainFiles, minPackages: o.minPackages, size: o.vocabularySize)

    log(
      "read \(trainFiles.count) train files; vocabulary \(vocabulary.count) types (>= \(o.minPackages) packages) in "
        + "\(String(format: "%.0f", Date().timeIntervalSince(loadStarted))) s")
    let windowLength = o.windowLength ?? start?.info.windowLength ?? min(128, pretrained!.info.maxLength)
    var encoder: any SequenceEncoder =
      o.randomInit
      ? EncoderFactory.make(pretrained!.info.pretrain, vocab: pretrained!.tokenizer.vocabSize, seed: o.seed)
      : (start?.encoder ?? pretrained!.encoder)
    if let t = encoder as? TransformerEncoder, windowLength > t.config.maxLen {
      var longer = t.config
      longer.maxLen = windowLength
      let extended = TransformerEncoder(config: longer, seed: o.seed)
      try EncoderWeights.copy(from: t.parameters, to: extended.parameters, path: o.initHead ?? o.pretrained)
      log("encoder positions \(t.config.maxLen) -> \(windowLength) (rows repeated)")
      encoder = extended
    }
    if let t = encoder as? TransformerEncoder { t.threads = max(o.threads, 1) }
    let headConfig =
      start?.head.config
      ?? TypeHeadConfig(
        inputDim: TypeHeadModel.featureDim(encoderDim: encoder.dim), hidden: o.hidden, vocabulary: vocabulary.count + 1,
        subtokens: tokenizer.vocabSize, forms: TypeCandidateForm.allCases.count,
        pairFeatures: TypeHeadPreparer.pairFeatures)
    let head = start?.head ?? TypeHead(config: headConfig, seed: o.seed &+ 17)
    var info = TypeHeadModel.Info(
      format: TypeHeadModel.formatName, version: TypeHeadModel.formatVersion,
      pretrained: start?.info.pretrained ?? o.pretrained,
      pretrainedName: start?.info.pretrainedName ?? pretrained!.info.name,
      pretrainedSteps: start?.info.pretrainedSteps ?? pretrained!.info.steps, pretrainedSHA256: sha,
      randomInit: start?.info.randomInit ?? o.randomInit, steps: 0, batchWindows: o.batchWindows,
      windowLength: windowLength, seed: o.seed,
      learningRate: o.lr, head: headConfig, vocabulary: Array(vocabulary), encoder: "encoder.safetensors",
      typehead: "typehead.safetensors", tokenizer: "tokenizer.json", validAccuracyAt1: nil, validAccuracyAt5: nil,
      validCalibration: nil)
    if let start {
      info.initHead = o.initHead
      info.initHeadSteps = start.info.steps + (start.info.initHeadSteps ?? 0)
    }
    let model = TypeHeadModel(info: info, tokenizer: tokenizer, encoder: encoder, head: head)

    // Files are prepared when a step needs them (the train split is ~43k files): each step takes the next
    // batchWindows / windowsPerFile files of the epoch's seeded order and up to windowsPerFile of each file's
    // labelled windows, picked by (seed, step).
    let labelled = trainFiles.indices.filter { trainFiles[$0].sites.contains { !$0.any } }
    guard !labelled.isEmpty else { throw CodeIntelError("the train split has no labelled sites") }
    let filesPerStep = max(1, o.batchWindows / max(o.windowsPerFile, 1))
    do {
      // Reach on a seeded sample of train files: how many labelled sites the vocabulary or a composed candidate
      // can name at all (the rest train "other").
      let started = Date()
      var rng = SplitMix64(seed: o.seed &+ 99)
      var shuffled = labelled
      for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
      let sample = shuffled.prefix(400).map { trainFiles[$0] }
      let prepared = Self.prepareAll(sample, preparer: model.preparer, labels: true, threads: o.threads)
      var (all, reach, structured, structuredReach) = (0, 0, 0, 0)
      for (f, p) in zip(sample, prepared) {
        for (site, target) in zip(f.sites, p.targets) {
          guard let target else { continue }
          let isStructured = TypeAccuracy.isStructured(site.label)
          all += 1
          if isStructured { structured += 1 }
          if target != vocabulary.count {
            reach += 1
            if isStructured { structuredReach += 1 }
          }
        }
      }
      func pct(_ a: Int, _ b: Int) -> String { String(format: "%.1f", 100 * Double(a) / Double(max(b, 1))) }
      log(
        "\(labelled.count) train files with labelled sites, \(filesPerStep) files a step; on \(sample.count) sampled "
          + "files \(pct(reach, all))% of \(all) labelled sites reachable (vocabulary or composed candidates), "
          + "\(pct(structuredReach, structured))% of \(structured) with type arguments or unions "
          + "(\(String(format: "%.0f", Date().timeIntervalSince(started))) s)")
    }

    let loop = FineTuneLoop(
      parts: [
        .init(
          store: encoder.parameters, weightDecay: 0.01, learningRateScale: o.encoderLRScale,
          weightsFile: "encoder.safetensors", optimizerFile: "adam-encoder.safetensors"),
        .init(
          store: head.parameters, weightDecay: 0.01, weightsFile: "typehead.safetensors",
          optimizerFile: "adam-head.safetensors"),
      ], clipping: .each(1))
    var state = State(step: 0, total: o.steps ?? 0, seed: o.seed, randomInit: o.randomInit, seconds: 0)
    try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
    let metricsURL = outDir.appendingPathComponent("metrics.jsonl")
    if o.resume,
      let data = FileManager.default.contents(atPath: ckptDir.appendingPathComponent(FineTuneLoop.stateFile).path)
    {
      state = try JSONDecoder().decode(State.self, from: data)
      guard state.seed == o.seed, state.randomInit == o.randomInit else {
        throw CodeIntelError("\(ckptDir.path): the checkpoint was made with another --seed or --random-init")
      }
      try loop.restore(from: ckptDir, step: state.step, seconds: state.seconds ?? 0)
      log("resumed at step \(state.step) of \(state.total)")
    } else {
      try? FileManager.default.removeItem(at: metricsURL)
    }
    func appendMetrics(_ object: [String: Any]) throws {
      try RunFiles.appendJSONLine(object, to: metricsURL)
    }
    func checkpoint() throws { try loop.checkpoint(to: ckptDir, state: state) }

    let perEpoch = max(1, labelled.count / filesPerStep)
    var epochOrder: (epoch: Int, order: [Int]) = (-1, [])
    func batch(at step: Int) -> [(file: TypeHeadFile, window: Int)] {
      let epoch = step / perEpoch
      if epochOrder.epoch != epoch {
        var rng = SplitMix64(seed: o.seed &* 0x9E37_79B9 &+ UInt64(epoch))
        var order = labelled
        for i in stride(from: order.count - 1, to: 0, by: -1) {
          let j = Int(rng.next() % UInt64(i + 1))
          order.swapAt(i, j)
        }
        epochOrder = (epoch, order)
      }
      let i = (step % perEpoch) * filesPerStep
      let files = epochOrder.order[i..<min(i + filesPerStep, labelled.count)].map { trainFiles[$0] }
      let prepared = Self.prepareAll(files, preparer: model.preparer, labels: true, threads: o.threads)
      var rng = SplitMix64(seed: o.seed &* 0x2545_F491 &+ UInt64(step))
      var out: [(file: TypeHeadFile, window: Int)] = []
      for file in prepared {
        var windows = file.windows.indices.filter { w in file.windows[w].sites.contains { file.targets[$0.site] != nil } }
        for k in stride(from: windows.count - 1, to: 0, by: -1) {
          windows.swapAt(k, Int(rng.next() % UInt64(k + 1)))
        }
        out += windows.prefix(o.windowsPerFile).map { (file: file, window: $0) }
      }
      return out
    }

    encoder.training = true
    var lossSum: Float = 0
    var lossCount = 0
    let finished = try loop.run(
      stopAt: o.stopAfter, checkpointEvery: .steps(o.checkpointEvery),
      learningRate: { step, seconds in
        if let minutes = o.maxMinutes {
          // A time budget: the cosine runs over wall-clock time (after 50 warm-up steps), so the rate reaches
          // zero when the budget does however fast the machine happens to be.
          let fraction = seconds / (minutes * 60)
          if fraction >= 1 {
            state.total = step
            return nil
          }
          let warm = Float(min(step + 1, 50)) / 50
          return o.lr * warm * Float(0.5 * (1 + cos(Double.pi * fraction)))
        }
        guard step < state.total else { return nil }
        let schedule = LearningRateSchedule(peak: o.lr, warmup: max(1, min(100, state.total / 10)), total: state.total)
        return schedule.rate(at: step)
      },
      step: { step in
        EncoderFactory.reseedDropout(encoder, seed: o.seed &* 31 &+ UInt64(step))
        return model.trainStep(batch(at: step))
      },
      after: { r in
        state.step = loop.step
        lossSum += r.loss
        lossCount += 1
        if state.step % o.logEvery == 0 {
          let avg = lossSum / Float(max(lossCount, 1))
          let seconds = loop.elapsedSeconds
          let of = state.total > 0 ? "/\(state.total)" : ""
          log(
            "step \(state.step)\(of) loss \(String(format: "%.4f", avg)) "
              + "lr \(String(format: "%.2e", r.learningRate)) \(String(format: "%.0f", seconds)) s")
          try appendMetrics(["step": state.step, "loss": Double(avg), "lr": Double(r.learningRate), "seconds": seconds])
          lossSum = 0
          lossCount = 0
        }
      },
      checkpoint: { seconds in
        state.seconds = seconds
        try checkpoint()
      })
    if !finished {
      state.seconds = loop.elapsedSeconds
      try checkpoint()
      log("stopped at step \(state.step); continue with --resume")
      return Result(steps: state.step, validAccuracyAt1: nil, validAccuracyAt5: nil, finished: false)
    }
    encoder.training = false
    let valid = Self.prepareAll(validFiles, preparer: model.preparer, labels: false, threads: o.threads)
    let (acc, bins) = Self.evaluate(model: model, files: validFiles, prepared: valid)
    info.steps = state.step
    info.validAccuracyAt1 = acc.accuracyAt1
    info.validAccuracyAt5 = acc.accuracyAt5
    info.validCalibration = bins
    model.info = info
    // The name prior ranked with the head's candidates, counted on the same train files (`TypeNamePrior`).
    model.namePrior = TypeNamePrior.build(
      files: trainFiles,
      provenance: try TypeNamePrior.provenance(
        trainPath: typesDir.appendingPathComponent("train.jsonl").path, files: trainFiles),
      minPackages: o.minPackages)
    try model.write(to: outDir)
    try appendMetrics([
      "step": state.step, "valid_acc1": acc.accuracyAt1 ?? 0, "valid_acc5": acc.accuracyAt5 ?? 0,
      "valid_sites": acc.sites, "valid_calibration": bins,
    ])
    try? FileManager.default.removeItem(at: ckptDir)
    log(
      "valid (\(acc.sites) sites, any excluded): acc@1 \(String(format: "%.1f", 100 * (acc.accuracyAt1 ?? 0)))% "
        + "acc@5 \(String(format: "%.1f", 100 * (acc.accuracyAt5 ?? 0)))%; wrote \(outDir.path)")
    return Result(steps: state.step, validAccuracyAt1: acc.accuracyAt1, validAccuracyAt5: acc.accuracyAt5, finished: true)
  }
}
