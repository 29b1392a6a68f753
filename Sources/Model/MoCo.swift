import Foundation
import Tensor

// MARK: - A batch of token sequences

/// A right-padded batch of token ids: tokens and mask are (batch, length), mask 1 = token, 0 = pad.
public struct TokenBatch: Sendable, Equatable {
  public var tokens: [Int32]
  public var mask: [Float]
  public var batch: Int
  public var length: Int

  public init(tokens: [Int32], mask: [Float], batch: Int, length: Int) {
    self.tokens = tokens
    self.mask = mask
    self.batch = batch
    self.length = length
  }

  /// Pads `sequences` (each already at most `maxLength` long) to the longest one; an empty sequence gets one
  /// `<unk>`-free pad position that is masked in so pooling stays defined.
  public init(sequences: [[Int32]], padID: Int32 = 0) {
    let length = max(1, sequences.map(\.count).max() ?? 1)
    var tokens = [Int32](repeating: padID, count: sequences.count * length)
    var mask = [Float](repeating: 0, count: sequences.count * length)
    for (i, s) in sequences.enumerated() {
      for (j, id) in s.enumerated() {
        tokens[i * length + j] = id
        mask[i * length + j] = 1
      }
      if s.isEmpty { mask[i * length] = 1 }
    }
    self.init(tokens: tokens, mask: mask, batch: sequences.count, length: length)
  }
}

// MARK: - MoCo

/// Momentum contrast (He et al. 2020) as ContraCode uses it: a query encoder and projection head trained by
/// AdamW, a key encoder and head that follow them as an exponential moving average, a queue of past keys as
/// negatives, and InfoNCE with a temperature.
///
/// One `step` takes two views of the same functions (row i of `query` and row i of `key` are variants of
/// one function): q = head_q(enc_q(query)), k = head_k(enc_k(key)) (no gradient), logits = [q·k⁺, q·queue]/τ,
/// loss = cross-entropy towards the positive; then AdamW on the query side, key ← m·key + (1−m)·query, and the
/// keys enter the queue (oldest out). With `inBatchNegatives` the other rows' keys are negatives too.
public final class MoCo: @unchecked Sendable {
  public let config: PretrainConfig
  public let queryEncoder: any SequenceEncoder
  public let keyEncoder: any SequenceEncoder
  public let queryHead: ProjectionHead
  public let keyHead: ProjectionHead
  public let encoderOptimizer: AdamW
  public let headOptimizer: AdamW
  public let schedule: LearningRateSchedule
  /// The negative keys, (queueSize, projectionDim), unit rows.
  public let queue: UnsafeMutablePointer<Float>
  /// Where the next key goes (the oldest row).
  public internal(set) var queuePointer = 0
  /// Steps taken so far.
  public internal(set) var step = 0

  // step scratch
  let keys = Buffer(), logits = Buffer(), probs = Buffer(), dlogits = Buffer(), dq = Buffer(), pooledQ = Buffer()

  /// What one step measured.
  public struct StepResult: Sendable {
    public var loss: Float
    /// Share of rows whose positive scored above every negative.
    public var accuracy: Float
    public var learningRate: Float
    public var gradNorm: Float
  }

  /// A fresh MoCo for a vocabulary of `vocab` ids: query encoder and head initialised from `config.seed`, the
  /// key side a copy, the queue random unit vectors.
  public init(config: PretrainConfig, vocab: Int) {
    self.config = config
    queryEncoder = EncoderFactory.make(config, vocab: vocab, seed: mixSeed(config.seed, 1))
    keyEncoder = EncoderFactory.clone(queryEncoder)
    keyEncoder.training = false
    queryHead = ProjectionHead(inputDim: config.dim, outputDim: config.projectionDim, seed: mixSeed(config.seed, 2))
    keyHead = queryHead.clone()
    encoderOptimizer = AdamW(for: queryEncoder.parameters, weightDecay: config.weightDecay)
    headOptimizer = AdamW(for: queryHead.parameters, weightDecay: config.weightDecay)
    encoderOptimizer.threads = config.threads
    schedule = LearningRateSchedule(
      peak: config.learningRate, warmup: config.warmupSteps, total: config.steps,
      decay: LearningRateSchedule.Decay(rawValue: config.schedule) ?? .cosine, floor: config.learningRate * 0.05)
    let k = max(config.queueSize, 1)
    let p = config.projectionDim
    queue = .allocate(capacity: k * p)
    var rng = TensorRandom(seed: mixSeed(config.seed, 3))
    rng.fillNormal(queue, count: k * p, std: 1)
    for r in 0..<k {
      let row = queue + r * p
      var ss: Float = 0
      for i in 0..<p { ss += row[i] * row[i] }
      let inv = 1 / max(ss.squareRoot(), 1e-12)
      for i in 0..<p { row[i] *= inv }
    }
  }

  deinit { queue.deallocate() }

  // MARK: Training step

  /// One MoCo step on two views of `query.batch` functions.
  @discardableResult
  public func step(query qb: TokenBatch, key kb: TokenBatch) -> StepResult {
    precondition(qb.batch == kb.batch, "MoCo.step: the two views must hold the same functions")
    let b = qb.batch
    let p = config.projectionDim
    let d = config.dim
    let kq = config.queueSize
    let tau = config.temperature
    let lr = schedule.rate(at: step)

    // query side, with dropout drawn from (seed, step)
    queryEncoder.training = true
    EncoderFactory.reseedDropout(queryEncoder, seed: mixSeed(config.seed, 4, UInt64(step)))
    queryEncoder.parameters.zeroGrad()
    queryHead.parameters.zeroGrad()
    let qOut = queryEncoder.forward(tokens: qb.tokens, mask: qb.mask, batch: b, length: qb.length)
    let pooled = pooledQ.reserve(b * d)
    pooled.update(from: qOut.pooled.data, count: b * d)
    let q = queryHead.forward(pooled, n: b)  // (B, p)

    // key side, no gradient, no dropout
    keyEncoder.training = false
    let kOut = keyEncoder.forward(tokens: kb.tokens, mask: kb.mask, batch: b, length: kb.length)
    let k = keys.reserve(b * p)
    k.update(from: keyHead.forward(kOut.pooled.data, n: b), count: b * p)

    // logits: (B, C) = [q·kᵀ (B columns, or the 1 positive) | q·queueᵀ (K)] / τ
    let positives = config.inBatchNegatives ? b : 1
    let c = positives + kq
    let lg = logits.reserve(b * c)
    let pr = probs.reserve(b * c)
    let dl = dlogits.reserve(b * c)
    if config.inBatchNegatives {
      BLAS.gemm(transA: false, transB: true, m: b, n: b, k: p, a: q, lda: p, b: k, ldb: p, c: lg, ldc: c)
    } else {
      for i in 0..<b {
        var s: Float = 0
        for j in 0..<p { s += q[i * p + j] * k[i * p + j] }
        lg[i * c] = s
      }
    }
    if kq > 0 {
      BLAS.gemm(
        transA: false, transB: true, m: b, n: kq, k: p, a: q, lda: p, b: queue, ldb: p, c: lg + positives,
        ldc: c)
    }
    let invTau = 1 / tau
    for i in 0..<(b * c) { lg[i] *= invTau }
    let targets = (0..<b).map { Int32(config.inBatchNegatives ? $0 : 0) }
    let loss = targets.withUnsafeBufferPointer {
      CrossEntropy.forward(probs: pr, logits: lg, targets: $0.baseAddress!, n: b, c: c)
    }
    var correct = 0
    for i in 0..<b {
      let row = lg + i * c
      let t = Int(targets[i])
      var best = true
      for j in 0..<c where j != t && row[j] >= row[t] {
        best = false
        break
      }
      if best { correct += 1 }
    }

    // backward: dlogits → dq → head → encoder
    dl.update(repeating: 0, count: b * c)
    targets.withUnsafeBufferPointer {
      CrossEntropy.backward(dlogits: dl, probs: pr, targets: $0.baseAddress!, n: b, c: c)
    }
    for i in 0..<(b * c) { dl[i] *= invTau }
    let g = dq.reserve(b * p)
    g.update(repeating: 0, count: b * p)
    if config.inBatchNegatives {
      BLAS.gemm(transA: false, transB: false, m: b, n: p, k: b, a: dl, lda: c, b: k, ldb: p, beta: 1, c: g, ldc: p)
    } else {
      for i in 0..<b {
        let s = dl[i * c]
        for j in 0..<p { g[i * p + j] += s * k[i * p + j] }
      }
    }
    if kq > 0 {
      BLAS.gemm(
        transA: false, transB: false, m: b, n: p, k: kq, a: dl + positives, lda: c, b: queue, ldb: p,
        beta: 1, c: g, ldc: p)
    }
    let dPooled = queryHead.backward(dy: g)
    queryEncoder.backward(dPooled: dPooled, dStates: nil)

    // clip the global norm over encoder and head, then AdamW
    let norm = Self.clip([queryEncoder.parameters, queryHead.parameters], maxNorm: config.gradClip)
    encoderOptimizer.update(queryEncoder.parameters, lr: lr)
    headOptimizer.update(queryHead.parameters, lr: lr)

    // momentum update of the key side, then enqueue the keys
    keyEncoder.parameters.updateEMA(from: queryEncoder.parameters, momentum: config.momentum)
    keyHead.parameters.updateEMA(from: queryHead.parameters, momentum: config.momentum)
    enqueue(k, count: b)
    step += 1
    return StepResult(loss: loss, accuracy: Float(correct) / Float(b), learningRate: lr, gradNorm: norm)
  }

  /// Writes `count` keys (rows of projectionDim) over the oldest queue rows.
  func enqueue(_ k: UnsafePointer<Float>, count: Int) {
    let kq = config.queueSize
    let p = config.projectionDim
    guard kq > 0 else { return }
    for i in 0..<count {
      (queue + queuePointer * p).update(from: k + i * p, count: p)
      queuePointer = (queuePointer + 1) % kq
    }
  }

  /// Scales the gradients of all stores together so their joint norm is at most `maxNorm`; returns the norm.
  static func clip(_ stores: [ParameterStore], maxNorm: Float) -> Float {
    var total: Double = 0
    for s in stores {
      let n = Double(s.gradNorm())
      total += n * n
    }
    let norm = Float(total.squareRoot())
    if maxNorm > 0, norm > maxNorm, norm.isFinite {
      let scale = maxNorm / (norm + 1e-6)
      for s in stores { for i in 0..<s.count { s.grad[i] *= scale } }
    }
    return norm
  }

  // MARK: Embeddings

  /// Pooled embeddings of the query encoder without dropout, (batch, dim) row-major.
  public func embed(_ batch: TokenBatch) -> [Float] {
    let was = queryEncoder.training
    queryEncoder.training = false
    defer { queryEncoder.training = was }
    return queryEncoder.forward(tokens: batch.tokens, mask: batch.mask, batch: batch.batch, length: batch.length)
      .pooled.array
  }
}
