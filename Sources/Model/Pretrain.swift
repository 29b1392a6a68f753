import Foundation
import Tensor
import Tokenizer

// MARK: - A pretraining run

/// One pretraining run: the training loop around `MoCo` (pure MoCo, MoCo + masked-token prediction, or MLM
/// only, by the config's weights), fed by a `BatchProducer`, then the optional natural-positive stage fed by a
/// `NaturalBatchSampler`; with logging, held-out retrieval, periodic checkpoints, exact resume (or a warm start
/// from a model folder when there is no checkpoint), the training-curve SVG and the exported model.
///
/// Files in the output folder: `checkpoint.bin` (resume state; never ship it), `metrics.jsonl` (one JSON object
/// per log line or evaluation), `train.log` (the same, for people), `curve.svg`, `tokenizer.json` (the one
/// used), `summary.json` and `model/` (config.json, tokenizer.json, encoder.safetensors, head.safetensors —
/// a folder `PretrainedModel.load(directory:)` opens).
public final class Pretrainer {
  public let config: PretrainConfig
  public let tokenizer: Tokenizer
  public let moco: MoCo
  public let retrieval: RetrievalBenchmark?
  /// The natural-positive stage's batches (when `config.naturalSteps > 0`).
  public let natural: NaturalBatchSampler?
  let units: [FunctionUnit]
  let output: URL?
  let log: (String) -> Void
  /// Training seconds of earlier sessions (from the checkpoint).
  var previousSeconds: Double = 0
  /// Every step's loss in this session (tests compare these).
  public private(set) var losses: [Float] = []
  var lossPoints: [TrainingCurve.LossPoint] = []
  var evalPoints: [TrainingCurve.EvalPoint] = []
  public private(set) var lastRetrieval: RetrievalBenchmark.Result?
  /// Where the MoCo/hybrid steps' batches are built when a step is split over lanes: by the lanes, once their
  /// share of a step is done, for the next step (true), or on `config.augmentWorkers` background threads ahead
  /// of the step (false: the way before session 12; `pretrain --augment-thread`). The same batches either way
  /// (`BatchProducer`): only where and when they are built differs.
  public var augmentInLanes = true

  /// The outcome of `run`.
  public struct Summary: Sendable, Codable {
    public var steps: Int
    public var sessionSteps: Int
    public var sessionSeconds: Double
    public var totalTrainingSeconds: Double
    /// Training throughput over this session: augmented pairs (= functions) per second.
    public var pairsPerSecond: Double
    /// Share of session time the training loop waited for augmented batches.
    public var dataWaitShare: Double
    public var initialRetrieval: RetrievalBenchmark.Result?
    public var finalRetrieval: RetrievalBenchmark.Result?
    public var finalLoss: Double
  }

  /// A run over in-memory data. With `output` nil nothing is written (tests); with `resume`, the state comes
  /// from `output/checkpoint.bin`.
  public init(
    config: PretrainConfig, tokenizer: Tokenizer, train: [FunctionUnit], heldOut: [FunctionUnit],
    output: String?, resume: Bool = false, natural naturalPairs: NaturalPairs? = nil, warmStart: String? = nil,
    log: @escaping (String) -> Void = { _ in }
  ) throws {
    try config.validate()
    guard !train.isEmpty else { throw PretrainError.noData(path: config.trainData, reason: "no training functions") }
    self.config = config
    self.tokenizer = tokenizer
    self.units = train
    let outputURL = output.map { URL(fileURLWithPath: expandPath($0)) }
    self.output = outputURL
    self.log = { message in
      log(message)
      guard let dir = outputURL else { return }
      let stamp = ISO8601DateFormatter().string(from: Date())
      let url = dir.appendingPathComponent("train.log")
      try? RunFiles.append(Data("\(stamp) \(message)\n".utf8), to: url)
    }
    BLAS.setThreads(config.threads)
    moco = MoCo(
      config: config, vocab: tokenizer.vocabSize, firstOrdinaryID: tokenizer.byteOffset, maskID: tokenizer.maskID)
    if config.naturalSteps > 0 {
      guard let naturalPairs else {
        throw PretrainError.naturalPairs(
          path: config.naturalPairs, reason: "naturalSteps > 0 but no natural pairs were read")
      }
      natural = try NaturalBatchSampler(
        data: naturalPairs, tokenizer: tokenizer, maxLength: config.maxLength, batchSize: config.naturalBatchSize,
        hardNegatives: config.naturalHardNegatives, hardCandidates: config.naturalHardCandidates,
        seed: config.seed, blindProbability: config.naturalBlindProbability,
        renameProbability: config.naturalRenameProbability, path: config.naturalPairs)
    } else {
      natural = nil
    }
    retrieval =
      heldOut.isEmpty || config.evalCandidates <= 0
      ? nil
      : RetrievalBenchmark(
        units: heldOut, count: config.evalCandidates, tokenizer: tokenizer, maxLength: config.maxLength,
        seed: config.seed, augment: config.augment == "semantics-preserving" ? .semanticsPreserving : .contraCode)
    if let dir = self.output {
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      try tokenizer.save(to: dir.appendingPathComponent("tokenizer.json"))
    }
    let checkpointPath = self.output?.appendingPathComponent("checkpoint.bin").path
    if resume, checkpointPath == nil { throw PretrainError.invalidConfig("--resume needs an output folder") }
    if resume, let checkpointPath, warmStart == nil || FileManager.default.fileExists(atPath: checkpointPath) {
      let header = try Checkpoint.restore(moco, from: checkpointPath)
      previousSeconds = header.trainingSeconds
      try reloadMetrics(upTo: header.step)
      self.log("resumed from step \(header.step) (\(Int(header.trainingSeconds)) s of earlier training)")
    } else {
      if let warmStart {
        if resume { self.log("no checkpoint in the output folder: warm start instead of resume") }
        self.log(try moco.warmStart(from: warmStart))
      }
      if let dir = self.output {
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("metrics.jsonl").path, contents: Data())
      }
    }
  }

  // MARK: Building from files

  /// Reads the data and tokenizer named by `config` (training a tokenizer on the training texts when the file
  /// does not exist; on resume the output folder's `tokenizer.json` is used) and builds the run.
  /// With `warmStart` (a model folder) and no checkpoint to resume, the run starts from that model's weights and
  /// uses its tokenizer.
  public static func fromFiles(
    config: PretrainConfig, output: String, resume: Bool, warmStart: String? = nil,
    log: @escaping (String) -> Void
  ) throws -> Pretrainer {
    let all = try FunctionUnit.readJSONLines(path: config.trainData, minBytes: 20)
    var train = all
    if config.maxTrainFunctions > 0, train.count > config.maxTrainFunctions {
      train = FunctionUnit.sample(all, count: config.maxTrainFunctions, seed: mixSeed(config.seed, 9))
    }
    log("train: \(train.count) functions from \(config.trainData)")
    var heldOut: [FunctionUnit] = []
    if config.evalCandidates > 0 {
      heldOut = try FunctionUnit.readJSONLines(path: config.heldOutData, minBytes: 20)
      log("held-out: \(heldOut.count) functions from \(config.heldOutData) (\(config.evalCandidates) used)")
    }
    var natural: NaturalPairs?
    if config.naturalSteps > 0 {
      let n = try NaturalPairs.read(path: config.naturalPairs)
      log(
        "natural pairs: \(n.problems.count) problems, \(n.solutionCount) solutions from \(config.naturalPairs) "
          + "(\(n.lines) lines; skipped \(n.negatives) negatives, \(n.withoutCode) without code, "
          + "\(n.singletons) one-solution problems)")
      natural = n
    }
    let outDir = URL(fileURLWithPath: expandPath(output))
    let outTokenizer = outDir.appendingPathComponent("tokenizer.json")
    let hasCheckpoint = FileManager.default.fileExists(atPath: outDir.appendingPathComponent("checkpoint.bin").path)
    let tokenizer: Tokenizer
    if let warmStart, !(resume && hasCheckpoint) {
      let url = URL(fileURLWithPath: expandPath(warmStart)).appendingPathComponent("tokenizer.json")
      tokenizer = try Tokenizer.load(from: url)
      log("tokenizer: \(url.path) (the warm-start model's, \(tokenizer.vocabSize) ids)")
    } else if resume, FileManager.default.fileExists(atPath: outTokenizer.path) {
      tokenizer = try Tokenizer.load(from: outTokenizer)
    } else if FileManager.default.fileExists(atPath: expandPath(config.tokenizer)) {
      tokenizer = try Tokenizer.load(from: URL(fileURLWithPath: expandPath(config.tokenizer)))
      log("tokenizer: \(config.tokenizer) (\(tokenizer.vocabSize) ids)")
    } else {
      let sample = FunctionUnit.sample(all, count: 20_000, seed: mixSeed(config.seed, 10))
      log(
        "tokenizer: \(config.tokenizer) not found; training \(config.tokenizerVocab) ids on \(sample.count) train functions"
      )
      tokenizer = try Tokenizer.train(
        texts: sample.map(\.text),
        configuration: Tokenizer.Configuration(vocabSize: config.tokenizerVocab))
    }
    return try Pretrainer(
      config: config, tokenizer: tokenizer, train: train, heldOut: heldOut, output: output,
      resume: resume, natural: natural, warmStart: warmStart, log: log)
  }

  // MARK: The loop

  /// Trains until `config.totalSteps` (the MoCo/hybrid steps, then the natural-positive stage; or `stopAt`, or
  /// `config.maxMinutes`), then checkpoints, exports the model and draws the curve.
  @discardableResult
  public func run(stopAt: Int? = nil) throws -> Summary {
    let end = min(stopAt ?? config.totalSteps, config.totalSteps)
    let t0 = now()
    var lastCheckpoint = t0
    var initial: RetrievalBenchmark.Result?
    if moco.step == 0 { initial = evaluate() }
    let startStep = moco.step
    // a split step's lanes build the next batch once their share is done (the core a dedicated thread would
    // take from a lane stays with the step); otherwise background threads build ahead
    let lanes = moco.splitLanes(batch: config.batchSize)
    let producer =
      startStep < min(end, config.steps)
      ? BatchProducer(
        units: units, tokenizer: tokenizer, config: config, startStep: startStep,
        mode: augmentInLanes && lanes > 1 ? .lanes : .threads, lanes: lanes, endStep: min(end, config.steps)) : nil
    if let producer, producer.mode == .lanes { moco.laneIdleWork = { producer.help(lane: $0, othersBusy: $1) } }
    defer {
      producer?.stop()
      moco.laneIdleWork = nil
    }
    var waited = 0.0
    var window = (loss: 0.0, acc: 0.0, count: 0, wait: 0.0, start: now(), grad: 0.0)
    // process CPU seconds and the real-token share of the encoder inputs over the log window (the load-robust
    // figures of a step's cost: wall time swings with other processes, CPU time and padding do not)
    var windowCPU = TensorBenchmark.cpuTime()
    var fill = (real: 0.0, total: 0.0)
    var parts = (moco: 0.0, mlm: 0.0, mlmAcc: 0.0)
    log(
      "training \(config.architecture) d=\(config.dim) L=\(config.layers), batch \(config.batchSize), "
        + "steps \(moco.step)..<\(end) of \(config.totalSteps), queue \(config.queueSize), m=\(config.momentum), "
        + "objective \(objective)")
    while moco.step < end {
      let r: MoCo.StepResult
      if moco.step < config.steps, let producer {
        let (pair, wait) = producer.next(step: moco.step)
        waited += wait
        window.wait += wait
        for batch in [pair.query, pair.key, pair.original].compactMap({ $0 }) {
          fill.real += Double(batch.realTokens)
          fill.total += Double(batch.tokens.count)
        }
        r = moco.step(query: pair.query, key: pair.key, original: pair.original)
        if moco.step == config.steps { producer.stop() }
      } else if let natural {
        if moco.step == config.steps {
          let blind =
            (config.naturalBlindProbability > 0 ? ", identifier-blind p = \(config.naturalBlindProbability)" : "")
            + (config.naturalRenameProbability > 0 ? ", random names q = \(config.naturalRenameProbability)" : "")
          log("natural-positive stage: steps \(config.steps)..<\(config.totalSteps)\(blind)")
        }
        r = moco.naturalStep(natural.batch(step: moco.step - config.steps))
      } else {
        preconditionFailure("Pretrainer.run: no data for step \(moco.step)")
      }
      losses.append(r.loss)
      parts.moco += Double(r.contrastiveLoss ?? 0)
      parts.mlm += Double(r.mlmLoss ?? 0)
      parts.mlmAcc += Double(r.mlmAccuracy)
      window.loss += Double(r.loss)
      window.acc += Double(r.accuracy)
      window.grad += Double(r.gradNorm)
      window.count += 1
      let step = moco.step
      if step % max(config.logEvery, 1) == 0 || step == end {
        let seconds = now() - window.start
        let n = Double(window.count)
        let pairs = n * Double(config.batchSize) / max(seconds, 1e-9)
        let stage = step > config.steps ? "natural" : objective
        var record: [String: Any] = [
          "type": "train", "step": step, "loss": window.loss / n, "accuracy": window.acc / n,
          "lr": Double(r.learningRate), "grad_norm": window.grad / n, "pairs_per_s": pairs,
          "wait_s": window.wait, "elapsed_s": previousSeconds + now() - t0, "stage": stage,
          "cpu_s_per_step": (TensorBenchmark.cpuTime() - windowCPU) / n,
        ]
        if fill.total > 0 { record["token_fill"] = fill.real / fill.total }
        if moco.mlmHead != nil && stage != "natural" {
          record["mlm_loss"] = parts.mlm / n
          record["mlm_accuracy"] = parts.mlmAcc / n
          record["moco_loss"] = parts.moco / n
        }
        lossPoints.append(TrainingCurve.LossPoint(step: step, loss: window.loss / n))
        write(record)
        let mlmText =
          record["mlm_loss"] == nil
          ? "" : String(format: "  (mlm %.4f acc %.3f, moco %.4f)", parts.mlm / n, parts.mlmAcc / n, parts.moco / n)
        log(
          String(
            format: "step %6d  loss %.4f  acc %.3f  lr %.2e  |g| %.2f  %.1f pairs/s  waited %.2fs  cpu %.2fs/step",
            step, window.loss / n, window.acc / n, r.learningRate, window.grad / n, pairs, window.wait,
            record["cpu_s_per_step"] as? Double ?? 0) + mlmText)
        window = (0, 0, 0, 0, now(), 0)
        parts = (0, 0, 0)
        windowCPU = TensorBenchmark.cpuTime()
        fill = (0, 0)
      }
      if config.evalEvery > 0, step % config.evalEvery == 0, step != end { _ = evaluate() }
      if output != nil, (now() - lastCheckpoint) / 60 >= config.checkpointMinutes {
        try checkpoint(seconds: previousSeconds + now() - t0)
        lastCheckpoint = now()
      }
      if config.maxMinutes > 0, (now() - t0) / 60 >= config.maxMinutes {
        log("stopping at step \(step): maxMinutes \(config.maxMinutes) reached")
        break
      }
    }
    let trainSeconds = now() - t0
    let final = moco.step > startStep || initial == nil ? evaluate() : initial
    let total = previousSeconds + trainSeconds
    if output != nil {
      try checkpoint(seconds: total)
      try export()
    }
    let sessionSteps = moco.step - startStep
    let summary = Summary(
      steps: moco.step, sessionSteps: sessionSteps, sessionSeconds: trainSeconds, totalTrainingSeconds: total,
      pairsPerSecond: Double(sessionSteps * config.batchSize) / max(trainSeconds, 1e-9),
      dataWaitShare: waited / max(trainSeconds, 1e-9), initialRetrieval: initial, finalRetrieval: final,
      finalLoss: Double(losses.last ?? .nan))
    if let dir = output {
      let e = JSONEncoder()
      e.outputFormatting = [.prettyPrinted, .sortedKeys]
      try? e.encode(summary).write(to: dir.appendingPathComponent("summary.json"))
    }
    return summary
  }

  /// Held-out retrieval with the query encoder; logged and drawn.
  @discardableResult
  public func evaluate() -> RetrievalBenchmark.Result? {
    guard let retrieval else { return nil }
    let r = retrieval.evaluate(encoder: moco.queryEncoder)
    lastRetrieval = r
    evalPoints.append(TrainingCurve.EvalPoint(step: moco.step, top1: r.top1, top5: r.top5))
    write([
      "type": "eval", "step": moco.step, "top1": r.top1, "top5": r.top5, "candidates": r.candidates,
      "embed_per_s": r.functionsPerSecond,
    ])
    log(
      String(
        format: "eval step %d: retrieval top-1 %.3f top-5 %.3f among %d (%.0f functions/s embedded)",
        moco.step, r.top1, r.top5, r.candidates, r.functionsPerSecond))
    drawCurve()
    return r
  }

  // MARK: Files

  func checkpoint(seconds: Double) throws {
    guard let dir = output else { return }
    try Checkpoint.write(
      moco, vocab: tokenizer.vocabSize, trainingSeconds: seconds,
      to: dir.appendingPathComponent("checkpoint.bin").path)
    drawCurve()
    log("checkpoint at step \(moco.step)")
  }

  /// Writes `output/model/`, the folder `PretrainedModel` loads.
  public func export() throws {
    guard let dir = output else { return }
    try PretrainedModel.write(moco: moco, tokenizer: tokenizer, to: dir.appendingPathComponent("model"))
  }

  func write(_ record: [String: Any]) {
    guard let dir = output else { return }
    try? RunFiles.appendJSONLine(record, to: dir.appendingPathComponent("metrics.jsonl"))
  }

  func drawCurve() {
    guard let dir = output else { return }
    let title =
      "\(config.modelName): \(config.architecture) d=\(config.dim) L=\(config.layers), \(objective), batch "
      + "\(config.batchSize), queue \(config.queueSize)"
    let svg = TrainingCurve.svg(title: title, loss: lossPoints, evals: evalPoints)
    try? Data(svg.utf8).write(to: dir.appendingPathComponent("curve.svg"))
  }

  /// On resume: keep the metrics up to the checkpoint's step (later lines belong to the lost tail).
  func reloadMetrics(upTo step: Int) throws {
    guard let dir = output else { return }
    for o in try RunFiles.trimJSONLines(at: dir.appendingPathComponent("metrics.jsonl"), upToStep: step) {
      guard let s = o["step"] as? Int else { continue }
      if o["type"] as? String == "train", let loss = o["loss"] as? Double {
        lossPoints.append(TrainingCurve.LossPoint(step: s, loss: loss))
      } else if o["type"] as? String == "eval", let t1 = o["top1"] as? Double, let t5 = o["top5"] as? Double {
        evalPoints.append(TrainingCurve.EvalPoint(step: s, top1: t1, top5: t5))
      }
    }
  }

  /// `moco`, `hybrid` or `mlm`, from the config's weights (plus `+natural` with a natural-positive stage).
  var objective: String {
    let first = config.mlmWeight == 0 ? "moco" : (config.mocoWeight == 0 ? "mlm" : "hybrid")
    return config.naturalSteps > 0 ? first + "+natural" : first
  }

  func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
