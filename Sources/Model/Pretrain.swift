import Foundation
import Tensor
import Tokenizer

// MARK: - A pretraining run

/// One MoCo pretraining run: the training loop around `MoCo`, fed by a `BatchProducer`, with logging, held-out
/// retrieval, periodic checkpoints, exact resume, the training-curve SVG and the exported model.
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
    output: String?, resume: Bool = false, log: @escaping (String) -> Void = { _ in }
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
    moco = MoCo(config: config, vocab: tokenizer.vocabSize)
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
    if resume {
      guard let dir = self.output else { throw PretrainError.invalidConfig("--resume needs an output folder") }
      let header = try Checkpoint.restore(moco, from: dir.appendingPathComponent("checkpoint.bin").path)
      previousSeconds = header.trainingSeconds
      try reloadMetrics(upTo: header.step)
      log("resumed from step \(header.step) (\(Int(header.trainingSeconds)) s of earlier training)")
    } else if let dir = self.output {
      _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("metrics.jsonl").path, contents: Data())
    }
  }

  // MARK: Building from files

  /// Reads the data and tokenizer named by `config` (training a tokenizer on the training texts when the file
  /// does not exist; on resume the output folder's `tokenizer.json` is used) and builds the run.
  public static func fromFiles(
    config: PretrainConfig, output: String, resume: Bool, log: @escaping (String) -> Void
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
    let outTokenizer = URL(fileURLWithPath: expandPath(output)).appendingPathComponent("tokenizer.json")
    let tokenizer: Tokenizer
    if resume, FileManager.default.fileExists(atPath: outTokenizer.path) {
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
      resume: resume, log: log)
  }

  // MARK: The loop

  /// Trains until `config.steps` (or `stopAt`, or `config.maxMinutes`), then checkpoints, exports the model and
  /// draws the curve.
  @discardableResult
  public func run(stopAt: Int? = nil) throws -> Summary {
    let end = min(stopAt ?? config.steps, config.steps)
    let t0 = now()
    var lastCheckpoint = t0
    var initial: RetrievalBenchmark.Result?
    if moco.step == 0 { initial = evaluate() }
    let startStep = moco.step
    let producer = BatchProducer(units: units, tokenizer: tokenizer, config: config, startStep: startStep)
    defer { producer.stop() }
    var waited = 0.0
    var window = (loss: 0.0, acc: 0.0, count: 0, wait: 0.0, start: now(), grad: 0.0)
    log(
      "training \(config.architecture) d=\(config.dim) L=\(config.layers), batch \(config.batchSize), "
        + "steps \(moco.step)..<\(end) of \(config.steps), queue \(config.queueSize), m=\(config.momentum)")
    while moco.step < end {
      let (pair, wait) = producer.next(step: moco.step)
      waited += wait
      let r = moco.step(query: pair.query, key: pair.key)
      losses.append(r.loss)
      window.loss += Double(r.loss)
      window.acc += Double(r.accuracy)
      window.grad += Double(r.gradNorm)
      window.wait += wait
      window.count += 1
      let step = moco.step
      if step % max(config.logEvery, 1) == 0 || step == end {
        let seconds = now() - window.start
        let n = Double(window.count)
        let pairs = n * Double(config.batchSize) / max(seconds, 1e-9)
        let record: [String: Any] = [
          "type": "train", "step": step, "loss": window.loss / n, "accuracy": window.acc / n,
          "lr": Double(r.learningRate), "grad_norm": window.grad / n, "pairs_per_s": pairs,
          "wait_s": window.wait, "elapsed_s": previousSeconds + now() - t0,
        ]
        lossPoints.append(TrainingCurve.LossPoint(step: step, loss: window.loss / n))
        write(record)
        log(
          String(
            format: "step %6d  loss %.4f  acc %.3f  lr %.2e  |g| %.2f  %.1f pairs/s  waited %.2fs",
            step, window.loss / n, window.acc / n, r.learningRate, window.grad / n, pairs, window.wait))
        window = (0, 0, 0, 0, now(), 0)
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
      "\(config.modelName): \(config.architecture) d=\(config.dim) L=\(config.layers), MoCo, batch "
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

  func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
