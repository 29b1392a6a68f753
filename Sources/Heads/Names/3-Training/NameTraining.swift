import CodeIntel
import Corpus
import Foundation
import Model
import Tensor
import Tokenizer

// MARK: - Fine-tuning

/// `codeintel finetune names`: fine-tunes a pretrained (or randomly initialised) encoder together with a fresh
/// `NameDecoder` on method-name examples, and writes a head folder `NameHead.load` opens.
///
/// The order of the data is a function of (seed, step): each epoch is a seeded permutation, cut into windows of
/// 32 batches sorted by input length (less padding), whose batches are shuffled again. Dropout is off. So a run
/// with `steps` is deterministic, and a resumed run continues exactly.
public final class NameFinetuner {
  public let config: NameFinetuneConfig
  public let tokenizer: Tokenizer
  public let encoder: any SequenceEncoder
  public let decoder: NameDecoder
  public let vocabulary: SubtokenVocabulary
  public let origin: NameHead.Origin
  let architecture: String
  let maxLength: Int
  let train: [MethodNameRecord]
  let valid: [MethodNameRecord]
  let output: URL?
  let log: (String) -> Void
  /// The shared fine-tuning loop (`FineTuneLoop`): AdamW on encoder and decoder, clipping, checkpoints.
  let loop: FineTuneLoop
  /// Optimizer steps taken (across resumes).
  public var step: Int { loop.step }
  public private(set) var examplesSeen = 0
  /// Training seconds of earlier sessions.
  var previousSeconds: Double { loop.secondsBefore }
  /// Every step's loss in this session (tests compare these).
  public private(set) var losses: [Float] = []
  var tokenCache: [Int: [Int32]] = [:]
  var epochBatches: (epoch: Int, batches: [[Int]])?
  let probs = Buffer(), dlogits = Buffer(), dmemory = Buffer()

  /// A run over in-memory data, from `pretrained`'s encoder and tokenizer (its encoder is copied unless
  /// `config.randomInit`). With `output`, files are written there; with `resume`, the state comes from
  /// `output/checkpoint/`.
  public convenience init(
    config: NameFinetuneConfig, pretrained: PretrainedModel, origin: NameHead.Origin, train: [MethodNameRecord],
    valid: [MethodNameRecord], output: String?, resume: Bool = false, initHead: NameHead? = nil,
    log: @escaping (String) -> Void = { _ in }
  ) throws {
    try self.init(
      config: config, tokenizer: pretrained.tokenizer, encoder: pretrained.encoder, pretrain: pretrained.info.pretrain,
      maxLength: pretrained.info.maxLength, origin: origin, train: train, valid: valid, output: output,
      resume: resume, initHead: initHead, log: log)
  }

  /// A run that continues a finished head (`--init-head` without `--pretrained`): its tokenizer, encoder
  /// architecture and input length are the head's, and so is the record of which pretrained encoder it came from.
  public convenience init(
    config: NameFinetuneConfig, initHead head: NameHead, train: [MethodNameRecord], valid: [MethodNameRecord],
    output: String?, resume: Bool = false, log: @escaping (String) -> Void = { _ in }
  ) throws {
    var pretrain = PretrainConfig()
    pretrain.architecture = head.info.architecture
    try self.init(
      config: config, tokenizer: head.tokenizer, encoder: head.encoder, pretrain: pretrain,
      maxLength: head.info.maxLength, origin: head.info.pretrained, train: train, valid: valid, output: output,
      resume: resume, initHead: head, log: log)
  }

  /// Why `head` cannot start a run with this tokenizer, encoder, input length and recipe (one clause), or nil.
  static func warmStartMismatch(
    _ head: NameHead, config: NameFinetuneConfig, tokenizer: Tokenizer, encoder: any SequenceEncoder,
    architecture: String, maxLength: Int
  ) -> String? {
    if head.tokenizer.jsonData() != tokenizer.jsonData() { return "its tokenizer is not this run's" }
    if head.info.architecture != architecture || head.encoder.parameters.layout != encoder.parameters.layout {
      return "its encoder (\(head.info.architecture), \(head.encoder.parameters.count) weights) is not of this run's "
        + "architecture (\(architecture), \(encoder.parameters.count) weights)"
    }
    if head.info.maxLength != maxLength {
      return "it reads \(head.info.maxLength) input tokens and this run \(maxLength)"
    }
    let d = head.decoder.config
    if d.layers != config.decoderLayers || d.ffn != config.decoderFFN || d.copy != (config.pointerGenerator ?? false)
      || head.info.maxSubtokens != config.maxSubtokens
    {
      return
        "its decoder (\(d.layers) layer(s), ffn \(d.ffn), copy \(d.copy ? "on" : "off"), \(head.info.maxSubtokens) "
        + "subtokens) is not the one the options ask for"
    }
    if head.info.training.subtokenVocab != config.subtokenVocab {
      return
        "its subtoken vocabulary was built for \(head.info.training.subtokenVocab) entries, not \(config.subtokenVocab)"
    }
    return nil
  }

  /// The same from parts: `encoder` is copied (or, with `config.randomInit`, a new one is built from `pretrain`'s
  /// architecture fields); `maxLength` is the encoder's input limit.
  public init(
    config: NameFinetuneConfig, tokenizer: Tokenizer, encoder pretrainedEncoder: any SequenceEncoder,
    pretrain: PretrainConfig, maxLength modelMaxLength: Int, origin: NameHead.Origin, train: [MethodNameRecord],
    valid: [MethodNameRecord], output: String?, resume: Bool = false, initHead: NameHead? = nil,
    log: @escaping (String) -> Void = { _ in }
  ) throws {
    try config.validate()
    guard !train.isEmpty else { throw CodeIntelError("no training examples") }
    maxLength = config.maxLength > 0 ? min(config.maxLength, modelMaxLength) : modelMaxLength
    var config = config
    if let head = initHead {
      guard !config.randomInit else {
        throw CodeIntelError("--init-head continues a trained head and cannot be combined with --random-init")
      }
      if let reason = NameFinetuner.warmStartMismatch(
        head, config: config, tokenizer: tokenizer, encoder: pretrainedEncoder, architecture: pretrain.architecture,
        maxLength: maxLength)
      {
        let hint = "without --pretrained and those options, a run takes the head's own"
        throw CodeIntelError.at(head.directory.path, "cannot warm-start from this head: \(reason) (\(hint))")
      }
      config.initHead = NameWarmStart(
        path: head.directory.path, steps: head.info.steps, examplesSeen: head.info.examplesSeen,
        encoderSHA256: try NameFinetuner.sha256(
          ofFile: head.directory.appendingPathComponent(head.info.encoderFile).path),
        decoderSHA256: try NameFinetuner.sha256(
          ofFile: head.directory.appendingPathComponent(head.info.decoderFile).path))
      // a head trained without pretraining stays one
      config.randomInit = head.info.randomInit
    }
    self.config = config
    self.tokenizer = tokenizer
    self.train = train
    self.valid = valid
    self.log = log
    architecture = pretrain.architecture
    let outURL = output.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath) }
    self.output = outURL
    BLAS.setThreads(max(config.threads, 1))
    if let head = initHead {
      // the head's fine-tuned encoder and the pretrained model's provenance it recorded
      encoder = EncoderFactory.clone(head.encoder)
      self.origin = head.info.pretrained
    } else if config.randomInit {
      encoder = EncoderFactory.make(pretrain, vocab: tokenizer.vocabSize, seed: config.seed)
      self.origin = NameHead.Origin(model: nil, encoderSHA256: nil, steps: 0)
    } else {
      encoder = EncoderFactory.clone(pretrainedEncoder)
      self.origin = origin
    }
    encoder.training = false
    if let t = encoder as? TransformerEncoder { t.threads = max(config.threads, 1) }
    // a warm start keeps the head's vocabulary (its decoder's rows are those subtokens)
    var vocabulary =
      initHead?.vocabulary ?? SubtokenVocabulary.build(targets: train.map(\.target), size: config.subtokenVocab)
    if resume, let dir = outURL,
      let data = FileManager.default.contents(atPath: dir.appendingPathComponent("subtokens.json").path)
    {
      vocabulary = try JSONDecoder().decode(SubtokenVocabulary.self, from: data)
    }
    self.vocabulary = vocabulary
    decoder = NameDecoder(
      config: initHead?.decoder.config
        ?? NameDecoderConfig(
          vocab: vocabulary.count, dim: encoder.dim, layers: config.decoderLayers,
          heads: (encoder as? TransformerEncoder)?.config.heads ?? 4, ffn: config.decoderFFN,
          maxLen: config.maxSubtokens + 1, copy: config.pointerGenerator ?? false),
      seed: config.seed)
    if let head = initHead { decoder.parameters.copyWeights(from: head.decoder.parameters) }
    loop = FineTuneLoop(
      parts: [
        .init(
          store: encoder.parameters, weightDecay: config.weightDecay, weightsFile: "encoder.safetensors",
          optimizerFile: "adam-encoder.safetensors"),
        .init(
          store: decoder.parameters, weightDecay: config.weightDecay, weightsFile: "decoder.safetensors",
          optimizerFile: "adam-decoder.safetensors"),
      ], clipping: .together(config.gradClip))
    if let dir = outURL {
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      if resume {
        try restore(from: dir.appendingPathComponent("checkpoint"))
        log("resumed from step \(step) (\(Int(previousSeconds)) s of earlier training)")
        try trimMetrics(upTo: step)
      } else {
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("metrics.jsonl").path, contents: Data())
      }
      try writeJSON(vocabulary, to: dir.appendingPathComponent("subtokens.json"))
      try tokenizer.save(to: dir.appendingPathComponent("tokenizer.json"))
    } else if resume {
      throw CodeIntelError("--resume needs an output folder")
    }
  }

  // MARK: Data order

  /// The example indices of the batch at `step`.
  func batch(at step: Int) -> [Int] {
    let perEpoch = max(train.count / config.batchSize, 1)
    let epoch = step / perEpoch
    if epochBatches?.epoch != epoch { epochBatches = (epoch, batches(epoch: epoch)) }
    return epochBatches!.batches[step % perEpoch]
  }

  func batches(epoch: Int) -> [[Int]] {
    var rng = SplitMix64(seed: config.seed &* 0x9E37_79B9 &+ UInt64(epoch) &+ 17)
    var order = Array(train.indices)
    order.shuffle(using: &rng)
    let bsz = config.batchSize
    let usable = max(order.count / bsz, 1) * bsz
    order = Array(order.prefix(min(usable, order.count)))
    var out: [[Int]] = []
    let window = bsz * 32
    var start = 0
    while start < order.count {
      let w = order[start..<min(start + window, order.count)].sorted {
        let (a, b) = (train[$0].input.utf8.count, train[$1].input.utf8.count)
        return a != b ? a < b : $0 < $1
      }
      var group: [[Int]] = []
      var i = 0
      while i < w.count {
        group.append(Array(w[i..<min(i + bsz, w.count)]))
        i += bsz
      }
      group.shuffle(using: &rng)
      out += group
      start += window
    }
    return out
  }

  func tokens(_ i: Int, in records: [MethodNameRecord], cache: Bool) -> [Int32] {
    if cache, let t = tokenCache[i] { return t }
    let t = NameHead.tokens(of: records[i].input, tokenizer: tokenizer, maxLength: maxLength)
    if cache { tokenCache[i] = t }
    return t
  }

  /// The pointer-generator's copy items of each record (nil for a decoder without copying).
  func copyBatch(_ indices: [Int], in records: [MethodNameRecord]) -> NameCopyBatch? {
    guard decoder.config.copy else { return nil }
    return NameCopyBatch(
      items: indices.map {
        NameCopySource.items(
          input: records[$0].input,
          encoding: NameHead.encoding(of: records[$0].input, tokenizer: tokenizer, maxLength: maxLength),
          vocabulary: vocabulary)
      })
  }

  // MARK: One step

  /// Teacher-forced loss of a batch; with `train`, back-propagates into both stores (gradients zeroed first).
  func loss(of indices: [Int], in records: [MethodNameRecord], train: Bool) -> (loss: Float, tokens: Int) {
    let seqs = indices.map { tokens($0, in: records, cache: false) }
    let batch = TokenBatch(sequences: seqs)
    let out = encoder.forward(tokens: batch.tokens, mask: batch.mask, batch: batch.batch, length: batch.length)
    let targets = indices.map { vocabulary.target(records[$0].target, maxSubtokens: config.maxSubtokens) }
    let l = targets.map(\.count).max() ?? 1
    let b = indices.count
    var inputs = [Int32](repeating: SubtokenVocabulary.pad, count: b * l)
    var labels = [Int32](repeating: -100, count: b * l)
    for (i, t) in targets.enumerated() {
      inputs[i * l] = SubtokenVocabulary.bos
      for j in 0..<t.count {
        labels[i * l + j] = t[j]
        if j + 1 < l, j + 1 <= t.count - 1 { inputs[i * l + j + 1] = t[j] }
      }
    }
    let v = vocabulary.count
    let logits = decoder.forward(
      tokens: inputs, batch: b, length: l, memory: out.states.data, memoryMask: batch.mask,
      memoryLength: batch.length, copy: copyBatch(indices, in: records))
    let counted = labels.filter { $0 != -100 }.count
    let loss: Float
    if decoder.config.copy {
      // the decoder gives log P of the pointer-generator mixture: the loss is its mean negative log-likelihood
      var total: Double = 0
      for r in 0..<(b * l) where labels[r] != -100 { total -= Double(logits[r * v + Int(labels[r])]) }
      loss = Float(total / Double(max(counted, 1)))
    } else {
      let p = probs.reserve(b * l * v)
      loss = labels.withUnsafeBufferPointer {
        CrossEntropy.forward(probs: p, logits: logits, targets: $0.baseAddress!, n: b * l, c: v)
      }
    }
    guard train else { return (loss, counted) }
    encoder.parameters.zeroGrad()
    decoder.parameters.zeroGrad()
    let dl = dlogits.reserve(b * l * v)
    dl.update(repeating: 0, count: b * l * v)
    if decoder.config.copy {
      let share = 1 / Float(max(counted, 1))
      for r in 0..<(b * l) where labels[r] != -100 { dl[r * v + Int(labels[r])] = -share }
    } else {
      labels.withUnsafeBufferPointer {
        CrossEntropy.backward(dlogits: dl, probs: probs.data, targets: $0.baseAddress!, n: b * l, c: v)
      }
    }
    let dm = dmemory.reserve(b * batch.length * encoder.dim)
    dm.update(repeating: 0, count: b * batch.length * encoder.dim)
    decoder.backward(dLogits: dl, dMemory: dm)
    encoder.backward(dPooled: nil, dStates: dm)
    return (loss, counted)
  }

  /// The learning rate: linear warm-up, then cosine to 0 over `steps` (or over the time budget when only
  /// `maxMinutes` is given, by the share of it spent).
  func learningRate(step: Int, elapsedMinutes: Double) -> Float {
    let peak = config.learningRate
    if step < config.warmupSteps { return peak * Float(step + 1) / Float(config.warmupSteps) }
    let progress: Double
    if config.steps > 0 {
      progress = Double(step - config.warmupSteps) / Double(max(config.steps - config.warmupSteps, 1))
    } else {
      progress = elapsedMinutes / max(config.maxMinutes, 1e-9)
    }
    let x = min(max(progress, 0), 1)
    return peak * Float(0.5 * (1 + cos(Double.pi * x)))
  }

  // MARK: The loop

  /// What `run` reports.
  public struct Summary: Codable, Sendable {
    public var steps: Int
    public var sessionSteps: Int
    public var sessionSeconds: Double
    public var trainingSeconds: Double
    public var functionsPerSecond: Double
    public var examplesSeen: Int
    public var finalLoss: Double
    public var validLoss: Double?
    public var valid: SubtokenMetrics?
  }

  /// Trains until `config.steps` (or `stopAt`) or `config.maxMinutes`, then checkpoints, writes the head folder and decodes
  /// `finalEvalExamples` valid functions.
  @discardableResult
  public func run(stopAt: Int? = nil) throws -> Summary {
    let t0 = now()
    let startStep = step
    var window = (loss: 0.0, count: 0, functions: 0, start: now(), grad: 0.0)
    log(
      "fine-tuning \(config.randomInit ? "a randomly initialised" : "the pretrained") \(architecture) encoder "
        + "(max \(maxLength) tokens) + \(config.decoderLayers)-layer decoder over \(vocabulary.count) subtokens; "
        + "\(train.count) train functions, batch \(config.batchSize), lr \(config.learningRate), "
        + (config.steps > 0 ? "\(config.steps) steps" : "\(config.maxMinutes) minutes")
        + (config.initHead.map { "; warm start from the head \($0.path) (\($0.steps) steps)" } ?? ""))
    var validLoss: Double?
    var functions = 0
    try loop.run(
      stopAt: stopAt, checkpointEvery: .minutes(config.checkpointMinutes),
      learningRate: { step, seconds in
        guard config.steps == 0 || step < config.steps else { return nil }
        let elapsed = seconds / 60
        if config.maxMinutes > 0, elapsed >= config.maxMinutes {
          log("stopping at step \(step): \(config.maxMinutes) minutes reached")
          return nil
        }
        return learningRate(step: step, elapsedMinutes: elapsed)
      },
      step: { step in
        let idx = batch(at: step)
        functions = idx.count
        return loss(of: idx, in: train, train: true).loss
      },
      after: { r in
        examplesSeen += functions
        losses.append(r.loss)
        window.loss += Double(r.loss)
        window.count += 1
        window.functions += functions
        window.grad += Double(r.gradientNorm)
        if step % max(config.logEvery, 1) == 0 {
          let secs = now() - window.start
          let n = Double(window.count)
          let fps = Double(window.functions) / max(secs, 1e-9)
          record([
            "type": "train", "step": step, "loss": window.loss / n, "lr": Double(r.learningRate),
            "grad_norm": window.grad / n, "functions_per_s": fps, "elapsed_s": previousSeconds + now() - t0,
          ])
          log(
            String(
              format: "step %5d  loss %.4f  lr %.2e  |g| %.2f  %.1f functions/s", step, window.loss / n,
              r.learningRate, window.grad / n, fps))
          window = (0, 0, 0, now(), 0)
        }
        if config.evalEvery > 0, step % config.evalEvery == 0 { validLoss = evaluateLoss() }
      },
      checkpoint: { seconds in try checkpoint(seconds: seconds) })
    let sessionSeconds = now() - t0
    let total = previousSeconds + sessionSeconds
    if output != nil {
      try checkpoint(seconds: total)
      try writeHead(seconds: total)
    }
    if config.evalEvery > 0 { validLoss = evaluateLoss() }
    var metrics: SubtokenMetrics?
    if config.finalEvalExamples > 0, !valid.isEmpty {
      metrics = evaluateNames(count: config.finalEvalExamples)
    }
    let summary = Summary(
      steps: step, sessionSteps: step - startStep, sessionSeconds: sessionSeconds, trainingSeconds: total,
      functionsPerSecond: Double((step - startStep) * config.batchSize) / max(sessionSeconds, 1e-9),
      examplesSeen: examplesSeen, finalLoss: Double(losses.last ?? .nan), validLoss: validLoss, valid: metrics)
    if let dir = output { try writeJSON(summary, to: dir.appendingPathComponent("summary.json")) }
    return summary
  }

  /// Teacher-forced loss on the first `evalExamples` valid functions.
  func evaluateLoss() -> Double? {
    let n = min(config.evalExamples, valid.count)
    guard n > 0 else { return nil }
    var total = 0.0
    var count = 0
    var i = 0
    while i < n {
      let idx = Array(i..<min(i + 32, n))
      let r = loss(of: idx, in: valid, train: false)
      total += Double(r.loss) * Double(r.tokens)
      count += r.tokens
      i += 32
    }
    let l = total / Double(max(count, 1))
    record(["type": "valid", "step": step, "loss": l, "examples": n])
    log(String(format: "valid step %d: loss %.4f on %d functions", step, l, n))
    return l
  }

  /// Beam-search subtoken F1 on the first `count` valid functions.
  public func evaluateNames(count: Int) -> SubtokenMetrics {
    let head = makeHead(seconds: previousSeconds)
    let records = Array(valid.prefix(count))
    let t0 = now()
    let predictions = head.predict(inputs: records.map(\.input), beam: 5, top: 1)
    var m = SubtokenMetrics()
    for (r, p) in zip(records, predictions) { m.add(predicted: p.first?.subtokens ?? [], actual: r.target) }
    record([
      "type": "valid-names", "step": step, "examples": m.examples, "precision": m.precision, "recall": m.recall,
      "f1": m.f1, "exact": m.exactMatch, "seconds": now() - t0,
    ])
    log(
      String(
        format: "valid step %d: beam-5 subtoken P %.3f R %.3f F1 %.3f exact %.3f on %d functions", step,
        m.precision, m.recall, m.f1, m.exactMatch, m.examples))
    return m
  }

  // MARK: Files

  func makeHead(seconds: Double) -> NameHead {
    let info = NameHead.Info(
      format: NameHead.formatName, version: NameHead.formatVersion,
      label: config.randomInit ? "without pretraining" : "with pretraining", randomInit: config.randomInit,
      pretrained: origin, architecture: architecture, dim: encoder.dim, maxLength: maxLength,
      vocab: tokenizer.vocabSize, subtokens: vocabulary.count, maxSubtokens: config.maxSubtokens,
      decoder: decoder.config, encoderFile: "encoder.safetensors", decoderFile: "decoder.safetensors",
      tokenizerFile: "tokenizer.json", subtokensFile: "subtokens.json", training: config, steps: step,
      trainingSeconds: seconds, examplesSeen: examplesSeen)
    return NameHead(
      directory: output ?? URL(fileURLWithPath: "."), info: info, tokenizer: tokenizer, encoder: encoder,
      decoder: decoder, vocabulary: vocabulary)
  }

  /// The head folder: config.json, encoder.safetensors, decoder.safetensors (subtokens.json, tokenizer.json and
  /// metrics.jsonl are written as the run goes).
  func writeHead(seconds: Double) throws {
    guard let dir = output else { return }
    let head = makeHead(seconds: seconds)
    let meta = ["steps": String(step)]
    try EncoderFactory.save(encoder, to: dir.appendingPathComponent("encoder.safetensors").path, metadata: meta)
    try decoder.save(to: dir.appendingPathComponent("decoder.safetensors").path, metadata: meta)
    try writeJSON(head.info, to: dir.appendingPathComponent("config.json"))
  }

  struct State: Codable {
    var step: Int
    var examplesSeen: Int
    var trainingSeconds: Double
    var config: NameFinetuneConfig
  }

  func checkpoint(seconds: Double) throws {
    guard let dir = output?.appendingPathComponent("checkpoint") else { return }
    try loop.checkpoint(
      to: dir, state: State(step: step, examplesSeen: examplesSeen, trainingSeconds: seconds, config: config))
    log("checkpoint at step \(step)")
  }

  func restore(from dir: URL) throws {
    guard let state = FineTuneLoop.state(State.self, in: dir) else {
      throw CodeIntelError.at(dir.appendingPathComponent(FineTuneLoop.stateFile).path, "no checkpoint to resume from")
    }
    try loop.restore(from: dir, step: state.step, seconds: state.trainingSeconds)
    examplesSeen = state.examplesSeen
  }

  func trimMetrics(upTo step: Int) throws {
    guard let url = output?.appendingPathComponent("metrics.jsonl") else { return }
    try RunFiles.trimJSONLines(at: url, upToStep: step)
  }

  func record(_ object: [String: Any]) {
    guard let url = output?.appendingPathComponent("metrics.jsonl") else { return }
    try? RunFiles.appendJSONLine(object, to: url)
  }

  func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    try e.encode(value).write(to: url)
  }

  func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

  /// sha256 (hex) of a file, for the head's record of which encoder it started from.
  public static func sha256(ofFile path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CodeIntelError.at(path, "cannot read it")
    }
    var h = SHA256()
    h.update(data)
    return SHA256.hexString(h.finalize())
  }
}

extension CodeIntelError {
  /// "PATH: reason".
  static func at(_ path: String, _ reason: String) -> CodeIntelError { CodeIntelError("\(path): \(reason)") }
}
