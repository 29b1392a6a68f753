import Foundation
import Tensor
import Tokenizer

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

  /// Positions holding a token (mask 1): the rest of `batch · length` is padding.
  public var realTokens: Int { mask.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }

  /// The functions `range` of the batch (same length and padding).
  public func rows(_ range: Range<Int>) -> TokenBatch {
    let span = (range.lowerBound * length)..<(range.upperBound * length)
    return TokenBatch(tokens: Array(tokens[span]), mask: Array(mask[span]), batch: range.count, length: length)
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
///
/// With `config.mlmWeight > 0` (issue 16's hybrid) the query view is first masked BERT-style and the same
/// encoder pass also feeds a `MaskedLMHead` on its token states: loss = mlmWeight · MLM + mocoWeight · InfoNCE.
/// With mlmWeight 0 nothing of that exists and a step is the pure MoCo step, bit for bit.
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

  // the keys of the last step (batch × projectionDim), enqueued after the update
  let keys = Buffer()

  /// What one step measured.
  public struct StepResult: Sendable {
    /// The optimised loss: mlmWeight · MLM + mocoWeight · InfoNCE (the InfoNCE alone in a pure MoCo run).
    public var loss: Float
    /// Share of rows whose positive scored above every negative (0 when the contrastive part is off).
    public var accuracy: Float
    public var learningRate: Float
    public var gradNorm: Float
    /// The parts of `loss` before weighting (nil where a part is off).
    public var contrastiveLoss: Float?
    public var mlmLoss: Float?
    /// Share of masked positions whose most likely id is the original one.
    public var mlmAccuracy: Float
  }

  /// The loss parts of one forward/backward (see `computeGradients`).
  public struct Losses: Sendable {
    /// mlmWeight · mlm + mocoWeight · contrastive, over the parts that ran.
    public var total: Float
    public var contrastive: Float?
    public var contrastiveAccuracy: Float
    public var mlm: Float?
    public var mlmAccuracy: Float
  }

  /// The masked-token head (present when `config.mlmWeight > 0`) and its optimizer.
  public let mlmHead: MaskedLMHead?
  public let mlmOptimizer: AdamW?
  /// The vocabulary size and the ids masking needs.
  public let vocab: Int
  public let firstOrdinaryID: Int32
  public let maskID: Int32

  /// A fresh MoCo for a vocabulary of `vocab` ids: query encoder and head initialised from `config.seed`, the
  /// key side a copy, the queue random unit vectors; with `config.mlmWeight > 0` also a masked-token head
  /// (its own seed, so the other weights are the same as without it). `firstOrdinaryID` and `maskID` are
  /// the tokenizer's (`byteOffset`, `maskID`; the defaults are those of a tokenizer without extra specials).
  public init(
    config: PretrainConfig, vocab: Int, firstOrdinaryID: Int32 = Int32(Tokenizer.builtInSpecialTokens.count),
    maskID: Int32 = 4
  ) {
    self.config = config
    self.vocab = vocab
    self.firstOrdinaryID = firstOrdinaryID
    self.maskID = maskID
    dataParallel = max(config.dataParallel, 1)
    queryEncoder = EncoderFactory.make(config, vocab: vocab, seed: mixSeed(config.seed, 1))
    keyEncoder = EncoderFactory.clone(queryEncoder)
    keyEncoder.training = false
    for encoder in [queryEncoder, keyEncoder] {
      (encoder as? TransformerEncoder)?.skipsPadding = config.skipPadding
    }
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
    if config.mlmWeight > 0 {
      let tied = config.mlmTieEmbeddings && MaskedLMHead.canTie(to: queryEncoder, vocab: vocab)
      let head = MaskedLMHead(dim: config.dim, vocab: vocab, tied: tied, seed: mixSeed(config.seed, 11))
      mlmHead = head
      mlmOptimizer = AdamW(for: head.parameters, weightDecay: config.weightDecay)
    } else {
      mlmHead = nil
      mlmOptimizer = nil
    }
  }

  deinit { queue.deallocate() }

  // MARK: Training step

  /// The masked copy of a step's query view (nil without a masked-token head): seeded from (seed, step).
  public func maskQuery(_ batch: TokenBatch, step: Int) -> MaskedTokens? {
    guard mlmHead != nil else { return nil }
    return TokenMasking.apply(
      to: batch, probability: config.mlmProbability, vocab: vocab, firstOrdinaryID: firstOrdinaryID,
      maskID: maskID, seed: mixSeed(config.seed, 12, UInt64(step)))
  }

  /// One step on two views of `query.batch` functions: the weighted objective's gradients, global-norm
  /// clipping, AdamW, the momentum update and the queue. With a masked-token head the query view is masked
  /// (`maskQuery`) and one encoder pass serves both parts: its token states feed the MLM head, its pooled
  /// embedding the projection head.
  ///
  /// With `original` (the unaugmented functions; `mlmView` = `original`) the MLM masks and reads those in an
  /// encoder pass of its own instead.
  @discardableResult
  public func step(query qb: TokenBatch, key kb: TokenBatch, original: TokenBatch? = nil) -> StepResult {
    let b = qb.batch
    let lr = schedule.rate(at: step)
    let masked = maskQuery(original ?? qb, step: step)
    let parts = computeGradients(
      query: qb, key: kb, masked: masked, mlmWeight: config.mlmWeight, mocoWeight: config.mocoWeight,
      separateMLM: original != nil)
    let contrastive = parts.contrastive != nil

    // clip the global norm over encoder and heads, then AdamW: the clipping factor is applied inside the
    // update (`gradScale`), the same bits as scaling the gradients in place first (`clip`), one pass fewer
    var stores = [queryEncoder.parameters, queryHead.parameters]
    if let mlmHead { stores.append(mlmHead.parameters) }
    let (norm, scale) = Self.clipScale(stores, maxNorm: config.gradClip)
    encoderOptimizer.update(queryEncoder.parameters, lr: lr, gradScale: scale)
    if contrastive { headOptimizer.update(queryHead.parameters, lr: lr, gradScale: scale) }
    if let mlmHead, let mlmOptimizer { mlmOptimizer.update(mlmHead.parameters, lr: lr, gradScale: scale) }

    // momentum update of the key side, then enqueue the keys
    if contrastive {
      keyEncoder.parameters.updateEMA(
        from: queryEncoder.parameters, momentum: config.momentum, threads: max(config.threads, 1))
      keyHead.parameters.updateEMA(from: queryHead.parameters, momentum: config.momentum)
      enqueue(keys.data, count: b)
    }
    step += 1
    return StepResult(
      loss: parts.total, accuracy: parts.contrastiveAccuracy, learningRate: lr, gradNorm: norm,
      contrastiveLoss: parts.contrastive, mlmLoss: parts.mlm, mlmAccuracy: parts.mlmAccuracy)
  }

  /// Forward and backward of mlmWeight · MLM + mocoWeight · InfoNCE at the current step, into freshly zeroed
  /// gradients of the query encoder and heads; changes no weight, no queue, no step. A part whose weight is
  /// 0 (or the MLM part without a head or `masked`) does not run. The query encoder reads `masked.input`
  /// when given, else `query`; with `separateMLM`, `masked` is another batch (the unaugmented functions): it
  /// gets an encoder pass and backward of its own first, then the contrastive part reads `query` unmasked.
  /// Dropout masks are drawn from (seed, step), so calling this twice gives the same numbers (tests compare
  /// the parts with the whole).
  ///
  /// With `dataParallel` > 1 the batch is cut into that many slices of rows, each computed on its own thread
  /// by a lane of replicas (single-threaded BLAS) with the same weights and dropout masks, and the lanes'
  /// gradients are summed into the query side's in a fixed order. Every part of the objective is a mean over
  /// rows (InfoNCE against each row's own key and the shared queue) or over masked positions, so a lane's
  /// part enters with weight (its rows / all rows) or (its masked positions / all masked positions): the
  /// result is the unsplit one up to float summation order. With in-batch negatives a row's loss reads every
  /// key, so such a step is not split.
  public func computeGradients(
    query qb: TokenBatch, key kb: TokenBatch, masked: MaskedTokens?, mlmWeight: Float, mocoWeight: Float,
    separateMLM: Bool = false
  ) -> Losses {
    precondition(qb.batch == kb.batch, "MoCo.step: the two views must hold the same functions")
    let b = qb.batch
    let p = config.projectionDim
    let k = keys.reserve(b * p)
    let laneCount = splitLanes(batch: b)
    if laneCount <= 1 {
      let r = mainLane.computeGradients(
        moco: self, query: qb, key: kb, masked: masked, mlmWeight: mlmWeight, mocoWeight: mocoWeight,
        mlmScale: 1, mocoScale: 1, separateMLM: separateMLM, keysOut: k)
      return Self.combine([r], rows: b, selected: masked?.selected ?? 0, mlmWeight: mlmWeight, mocoWeight: mocoWeight)
    }
    let lanes = replicaLanes(laneCount)
    let slices =
      config.skipPadding
      ? Self.balancedSlices(
        [qb, kb, masked?.input].compactMap { $0 }, batch: b, lanes: laneCount)
      : (0..<laneCount).map { (b * $0 / laneCount)..<(b * ($0 + 1) / laneCount) }
    let maskedSlices = slices.map { masked?.rows($0) }
    let selected = masked?.selected ?? 0
    var results = [LaneLosses](repeating: LaneLosses(), count: laneCount)
    let blasThreads = BLAS.threads
    BLAS.setThreads(1)
    let idle = laneIdleWork
    let computing = LaneCount(laneCount)
    results.withUnsafeMutableBufferPointer { out in
      Parallel.forEachWorker(laneCount) { s in
        let rows = slices[s]
        let m = maskedSlices[s]
        (lanes[s].queryEncoder as? TransformerEncoder)?.batchOffset = rows.lowerBound
        out[s] = lanes[s].computeGradients(
          moco: self, query: qb.rows(rows), key: kb.rows(rows), masked: m, mlmWeight: mlmWeight,
          mocoWeight: mocoWeight, mlmScale: selected > 0 ? Float(m?.selected ?? 0) / Float(selected) : 0,
          mocoScale: Float(rows.count) / Float(b), separateMLM: separateMLM, keysOut: k + rows.lowerBound * p)
        // the lane that finishes first does most of the idle work (the next batch), so both end together
        computing.decrement()
        idle?(s) { computing.value > 0 }
      }
    }
    BLAS.setThreads(blasThreads)
    // one reduction per store, lanes added in order
    let threads = max(config.threads, 1)
    queryEncoder.parameters.setGradients(toSumOf: lanes.map(\.queryEncoder.parameters), threads: threads)
    queryHead.parameters.setGradients(toSumOf: lanes.map(\.queryHead.parameters), threads: threads)
    if let mlmHead {
      mlmHead.parameters.setGradients(toSumOf: lanes.compactMap { $0.mlmHead?.parameters }, threads: threads)
    }
    return Self.combine(results, rows: b, selected: selected, mlmWeight: mlmWeight, mocoWeight: mocoWeight)
  }

  /// Contiguous row ranges, one per lane, each holding about the same work when the encoders skip padding:
  /// a row's work is its real tokens in every view plus its attention (tokens², over the longest length), so
  /// the lanes, which wait for each other at the end of the step, finish together. Every lane gets at least
  /// one row. Which rows a lane gets changes only the summation order (each lane's part enters with its share).
  static func balancedSlices(_ views: [TokenBatch], batch b: Int, lanes: Int) -> [Range<Int>] {
    let t = views.map(\.length).max() ?? 1
    var work = [Double](repeating: 0, count: b)
    for v in views {
      for i in 0..<b {
        var l = 0
        for j in 0..<v.length where v.mask[i * v.length + j] > 0 { l += 1 }
        work[i] += Double(l) + Double(l * l) / Double(max(t, 1))
      }
    }
    let total = work.reduce(0, +)
    var cuts = [0]
    var sum = 0.0
    for i in 0..<b {
      let lane = cuts.count  // the lane whose end we are looking for
      guard lane < lanes else { break }
      sum += work[i]
      let rowsLeft = b - (i + 1)
      let lanesLeft = lanes - lane
      if (sum >= total * Double(lane) / Double(lanes) || rowsLeft == lanesLeft) && i + 1 > cuts.last! {
        cuts.append(i + 1)
      }
    }
    cuts.append(b)
    return (0..<lanes).map { cuts[$0]..<cuts[$0 + 1] }
  }

  /// The loss parts of the whole batch from its lanes': each lane's mean weighted by its share of the rows (or
  /// of the masked positions), accuracies from the counts. One lane gives its own numbers unchanged.
  static func combine(_ lanes: [LaneLosses], rows: Int, selected: Int, mlmWeight: Float, mocoWeight: Float) -> Losses {
    var contrastive: Float?
    var mlm: Float?
    var (correct, mlmCorrect) = (0, 0)
    for l in lanes {
      if let c = l.contrastive {
        contrastive = (contrastive ?? 0) + (lanes.count == 1 ? c : c * Float(l.rows) / Float(rows))
        correct += l.contrastiveCorrect
      }
      if let m = l.mlm {
        let share: Float = lanes.count == 1 ? 1 : selected > 0 ? Float(l.mlmSelected) / Float(selected) : 0
        mlm = (mlm ?? 0) + m * share
        mlmCorrect += l.mlmCorrect
      }
    }
    var total: Float = 0
    if let contrastive { total += mocoWeight * contrastive }
    if let mlm { total += mlmWeight * mlm }
    let mlmSelected = lanes.reduce(0) { $0 + $1.mlmSelected }
    return Losses(
      total: total, contrastive: contrastive,
      contrastiveAccuracy: contrastive == nil ? 0 : Float(correct) / Float(rows), mlm: mlm,
      mlmAccuracy: mlmSelected > 0 ? Float(mlmCorrect) / Float(mlmSelected) : 0)
  }

  // MARK: Data parallelism

  /// Work a lane of a split step does once its share of the step is done, with the lane's index and a test
  /// of whether another lane is still computing (the pretraining loop builds batches there:
  /// `BatchProducer.Mode.lanes`). It must not touch the model; the step waits for it at the join.
  public var laneIdleWork: (@Sendable (_ lane: Int, _ othersBusy: () -> Bool) -> Void)?

  /// Slices a step's batch is cut into (see `computeGradients`); 1 runs the whole batch on MoCo's own
  /// encoders and heads with OpenBLAS's threads, exactly the step as it was before the split existed.
  /// Set from `config.dataParallel`.
  public var dataParallel: Int

  /// How many lanes a batch of `batch` rows runs on: `dataParallel`, at most one per row; 1 where the split
  /// would not be exact (in-batch negatives) or the encoder has no replicas (the BiLSTM).
  func splitLanes(batch: Int) -> Int {
    guard dataParallel > 1, !config.inBatchNegatives, queryEncoder is TransformerEncoder,
      keyEncoder is TransformerEncoder
    else { return 1 }
    return min(dataParallel, batch)
  }

  /// MoCo's own modules as the one lane of an unsplit step.
  lazy var mainLane = MoCoLane(
    queryEncoder: queryEncoder, keyEncoder: keyEncoder, queryHead: queryHead, keyHead: keyHead, mlmHead: mlmHead)
  var replicas: [MoCoLane] = []

  /// `count` lanes of replicas (made once, kept for later steps).
  func replicaLanes(_ count: Int) -> [MoCoLane] {
    while replicas.count < count {
      guard let q = queryEncoder as? TransformerEncoder, let k = keyEncoder as? TransformerEncoder else {
        preconditionFailure("MoCo: only a Transformer encoder has replicas")
      }
      let qr = q.replica()
      let kr = k.replica()
      kr.training = false
      replicas.append(
        MoCoLane(
          queryEncoder: qr, keyEncoder: kr, queryHead: queryHead.replica(), keyHead: keyHead.replica(),
          mlmHead: mlmHead?.replica()))
    }
    return Array(replicas.prefix(count))
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
    let (norm, scale) = clipScale(stores, maxNorm: maxNorm)
    if let scale {
      for s in stores { for i in 0..<s.count { s.grad[i] *= scale } }
    }
    return norm
  }

  /// The joint gradient norm of `stores` and the factor `clip` scales their gradients by (nil: no clipping),
  /// for an optimizer that applies it itself (`AdamW.update(_:lr:gradScale:)`).
  static func clipScale(_ stores: [ParameterStore], maxNorm: Float) -> (norm: Float, scale: Float?) {
    var total: Double = 0
    for s in stores {
      let n = Double(s.gradNorm())
      total += n * n
    }
    let norm = Float(total.squareRoot())
    guard maxNorm > 0, norm > maxNorm, norm.isFinite else { return (norm, nil) }
    return (norm, maxNorm / (norm + 1e-6))
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

// MARK: - Lanes

/// How many lanes of a split step are still computing (read by the ones that are done).
final class LaneCount: @unchecked Sendable {
  private let lock = NSLock()
  private var count: Int

  init(_ count: Int) { self.count = count }

  func decrement() {
    lock.lock()
    count -= 1
    lock.unlock()
  }

  var value: Int {
    lock.lock()
    defer { lock.unlock() }
    return count
  }
}

/// What one lane's slice of a step measured: each part's mean over the lane's rows (or masked positions) and
/// the counts that weight it.
struct LaneLosses: Sendable {
  var rows = 0
  var contrastive: Float?
  var contrastiveCorrect = 0
  var mlm: Float?
  var mlmSelected = 0
  var mlmCorrect = 0
}

/// The modules a slice of a step's batch runs through, with their activation buffers. MoCo's own encoders
/// and heads are the one lane of an unsplit step; a split step runs one lane of replicas (`replica()`: the
/// same weights, gradients of their own) per slice, side by side.
final class MoCoLane: @unchecked Sendable {
  let queryEncoder: any SequenceEncoder
  let keyEncoder: any SequenceEncoder
  let queryHead: ProjectionHead
  let keyHead: ProjectionHead
  let mlmHead: MaskedLMHead?
  let logits = Buffer(), probs = Buffer(), dlogits = Buffer(), dq = Buffer(), pooledQ = Buffer(), dStates = Buffer()

  init(
    queryEncoder: any SequenceEncoder, keyEncoder: any SequenceEncoder, queryHead: ProjectionHead,
    keyHead: ProjectionHead, mlmHead: MaskedLMHead?
  ) {
    self.queryEncoder = queryEncoder
    self.keyEncoder = keyEncoder
    self.queryHead = queryHead
    self.keyHead = keyHead
    self.mlmHead = mlmHead
  }

  /// `MoCo.computeGradients` on this lane's rows, into this lane's zeroed gradients; the keys go to `keysOut`
  /// (rows × projectionDim). `mlmWeight`/`mocoWeight` decide which parts run; the gradients are those of
  /// mlmScale · mlmWeight · MLM + mocoScale · mocoWeight · InfoNCE (the lane's share of the batch's means).
  func computeGradients(
    moco: MoCo, query qb: TokenBatch, key kb: TokenBatch, masked: MaskedTokens?, mlmWeight: Float,
    mocoWeight: Float, mlmScale: Float, mocoScale: Float, separateMLM: Bool, keysOut k: UnsafeMutablePointer<Float>
  ) -> LaneLosses {
    let config = moco.config
    let b = qb.batch
    let p = config.projectionDim
    let d = config.dim
    let kq = config.queueSize
    let tau = config.temperature
    let queue = moco.queue
    let step = moco.step
    let mlmGradWeight = mlmScale == 1 ? mlmWeight : mlmWeight * mlmScale
    let mocoGradWeight = mocoScale == 1 ? mocoWeight : mocoWeight * mocoScale
    var result = LaneLosses(rows: b)

    // query side, with dropout drawn from (seed, step)
    queryEncoder.training = true
    EncoderFactory.reseedDropout(queryEncoder, seed: mixSeed(config.seed, 4, UInt64(step)))
    queryEncoder.parameters.zeroGrad()
    queryHead.parameters.zeroGrad()
    mlmHead?.parameters.zeroGrad()
    // masked-token prediction on the token states (of its own pass first, when separate)
    var dStatesPointer: UnsafeMutablePointer<Float>?
    func runMLM(states: UnsafePointer<Float>, targets: [Int32], head: MaskedLMHead, ds: UnsafeMutablePointer<Float>) {
      let r = head.forward(states: states, targets: targets, encoder: queryEncoder.parameters, gradWeight: mlmGradWeight)
      result.mlm = r.loss
      result.mlmSelected = head.m
      result.mlmCorrect = Int((r.accuracy * Float(head.m)).rounded())
      head.backward(weight: mlmGradWeight, dStates: ds, encoder: queryEncoder.parameters)
    }
    if separateMLM, let mlmHead, let masked, mlmWeight > 0 {
      let m = masked.input
      // dropout of this pass from its own seed, so the contrastive pass draws the same masks with or without it
      EncoderFactory.reseedDropout(queryEncoder, seed: mixSeed(config.seed, 15, UInt64(step)))
      // this pass's states are read only at the masked positions: the last block computes just those rows
      let pruning = queryEncoder as? TransformerEncoder
      pruning?.outputRows = masked.targets.indices.filter { masked.targets[$0] != TokenMasking.ignore }
      defer { pruning?.outputRows = nil }
      let out = queryEncoder.forward(tokens: m.tokens, mask: m.mask, batch: m.batch, length: m.length)
      let ds = dStates.reserve(m.batch * m.length * d)
      ds.update(repeating: 0, count: m.batch * m.length * d)
      runMLM(states: out.states.data, targets: masked.targets, head: mlmHead, ds: ds)
      queryEncoder.backward(dPooled: nil, dStates: ds)
      pruning?.outputRows = nil
    }
    let input = separateMLM ? qb : masked?.input ?? qb
    var qOut: EncoderOutput?
    if !separateMLM || mocoWeight > 0 {
      EncoderFactory.reseedDropout(queryEncoder, seed: mixSeed(config.seed, 4, UInt64(step)))
      qOut = queryEncoder.forward(tokens: input.tokens, mask: input.mask, batch: b, length: input.length)
    }
    if !separateMLM, let qOut, let mlmHead, let masked, mlmWeight > 0 {
      precondition(masked.targets.count == b * input.length, "MoCo: masked targets do not match the batch")
      let ds = dStates.reserve(b * input.length * d)
      ds.update(repeating: 0, count: b * input.length * d)
      runMLM(states: qOut.states.data, targets: masked.targets, head: mlmHead, ds: ds)
      dStatesPointer = ds
    }

    var dPooled: UnsafePointer<Float>?
    if mocoWeight > 0 {
      let pooled = pooledQ.reserve(b * d)
      pooled.update(from: qOut!.pooled.data, count: b * d)
      let q = queryHead.forward(pooled, n: b)  // (B, p)

      // key side, no gradient, no dropout
      keyEncoder.training = false
      let kOut = keyEncoder.forward(tokens: kb.tokens, mask: kb.mask, batch: b, length: kb.length)
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
        CrossEntropy.forwardVectorized(probs: pr, logits: lg, targets: $0.baseAddress!, n: b, c: c)
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
      result.contrastive = loss
      result.contrastiveCorrect = correct

      // backward: dlogits → dq → head
      dl.update(repeating: 0, count: b * c)
      targets.withUnsafeBufferPointer {
        CrossEntropy.backward(dlogits: dl, probs: pr, targets: $0.baseAddress!, n: b, c: c)
      }
      for i in 0..<(b * c) { dl[i] *= invTau }
      if mocoGradWeight != 1 { for i in 0..<(b * c) { dl[i] *= mocoGradWeight } }
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
      dPooled = queryHead.backward(dy: g)
    }

    // both parts into the encoder: pooled gradient from the contrastive part, state gradient from MLM
    if dPooled != nil || dStatesPointer != nil {
      queryEncoder.backward(dPooled: dPooled, dStates: UnsafePointer(dStatesPointer))
    }
    return result
  }
}
