import Foundation
import Tokenizer

// MARK: - Prefetching augmented batches

/// Builds the two augmented, tokenised views of every step's functions (and the unaugmented one the MLM may
/// read) off the training step's critical path, in one of two ways (`Mode`):
///
/// - `threads`: `config.augmentWorkers` background threads build batches ahead of the step into a bounded
///   buffer of ready batches; worker w builds the batches of steps w, w + W, w + 2W, …
/// - `lanes`: no thread of its own. While step s runs split over lanes (`MoCo.laneIdleWork`), each lane,
///   once its share of the step is done, builds functions of step s + 1's batch until none is left, so the
///   lane that finishes first does most of it and the two cores stay busy until the join; `next` builds
///   whatever no lane took (the first step, an unsplit step) on the calling thread.
///
/// Each view depends only on (seed, step, position, view), never on timing or on which thread built it, so
/// both modes give the same bytes, a run is reproducible, and resuming at step s is just starting at s.
public final class BatchProducer: @unchecked Sendable {
  /// Where batches are built (see the type's comment).
  public enum Mode: Sendable, Equatable {
    case threads
    case lanes
  }
  /// The two views of one step: row i of `query` and of `key` are variants of the same function.
  public struct Pair: Sendable {
    public var step: Int
    public var query: TokenBatch
    public var key: TokenBatch
    /// The unaugmented functions, for the MLM when `mlmView` is `original` (nil otherwise).
    public var original: TokenBatch?
    /// Seconds a worker spent building it.
    public var buildSeconds: Double
  }

  private let units: [FunctionUnit]
  private let config: PretrainConfig
  private let tokenizer: Tokenizer
  private let condition = NSCondition()
  private var ready: [Int: Pair] = [:]
  private var nextWanted: Int
  private var stopped = false
  private var threads: [Thread] = []
  private var running = 0

  public let mode: Mode

  // `lanes` mode: one view maker per lane (lane 0's also serves `next`, which never runs beside the lanes),
  // the data order (read by `next` only), and the batch the lanes are filling, under `lock`
  private var makers: [ViewMaker] = []
  private var order: BatchOrder
  private let endStep: Int
  private let lock = NSLock()
  private var pending: PendingBatch?

  /// The step whose functions the lanes are building: the next one claimed, the views built so far.
  private struct PendingBatch {
    var step: Int
    var indices: [Int]
    var claimed = 0
    var finished = 0
    var query: [[Int32]]
    var key: [[Int32]]
    var original: [[Int32]]
    var seconds = 0.0

    init(step: Int, indices: [Int]) {
      self.step = step
      self.indices = indices
      query = Array(repeating: [], count: indices.count)
      key = query
      original = query
    }
  }

  /// With `threads`, starts `config.augmentWorkers` threads producing batches from `startStep` on; with
  /// `lanes`, builds batches for the steps `startStep..<endStep` on `lanes` lanes' threads (`help`) and in
  /// `next`.
  public init(
    units: [FunctionUnit], tokenizer: Tokenizer, config: PretrainConfig, startStep: Int, mode: Mode = .threads,
    lanes: Int = 1, endStep: Int = .max
  ) {
    self.units = units
    self.config = config
    self.tokenizer = tokenizer
    self.mode = mode
    self.endStep = endStep
    order = BatchOrder(count: units.count, batchSize: config.batchSize, seed: config.seed)
    nextWanted = startStep
    if mode == .lanes {
      makers = (0..<max(lanes, 1)).map { _ in ViewMaker(config: config, tokenizer: tokenizer) }
      return
    }
    let workers = max(1, config.augmentWorkers)
    running = workers
    for w in 0..<workers {
      let t = Thread { [self] in self.work(first: startStep + w, stride: workers) }
      t.name = "codeintel-augment-\(w)"
      t.stackSize = 8 << 20
      threads.append(t)
    }
    for t in threads { t.start() }
  }

  deinit { stop() }

  /// Builds one step's pair on the calling thread (what the workers do; also the reference in tests).
  public static func build(
    step: Int, units: [FunctionUnit], tokenizer: Tokenizer, config: PretrainConfig
  ) -> Pair {
    var order = BatchOrder(count: units.count, batchSize: config.batchSize, seed: config.seed)
    let maker = ViewMaker(config: config, tokenizer: tokenizer)
    return build(step: step, units: units, order: &order, maker: maker, seed: config.seed)
  }

  static func build(step: Int, units: [FunctionUnit], order: inout BatchOrder, maker: ViewMaker, seed: UInt64)
    -> Pair
  {
    let t0 = DispatchTime.now().uptimeNanoseconds
    var q: [[Int32]] = []
    var k: [[Int32]] = []
    var o: [[Int32]] = []
    for (j, index) in order.indices(step: step).enumerated() {
      let v = views(step: step, position: j, unit: units[index], maker: maker, seed: seed)
      q.append(v.query)
      k.append(v.key)
      if maker.original { o.append(v.original) }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    return Pair(
      step: step, query: TokenBatch(sequences: q), key: TokenBatch(sequences: k),
      original: maker.original ? TokenBatch(sequences: o) : nil, buildSeconds: seconds)
  }

  /// The views of the function at `position` of step `step`'s batch (the original one empty unless the maker
  /// builds it): each from its own seed, so the same whichever thread builds it, in whichever order.
  static func views(step: Int, position j: Int, unit: FunctionUnit, maker: ViewMaker, seed: UInt64)
    -> (query: [Int32], key: [Int32], original: [Int32])
  {
    let q = maker.view(of: unit, seed: mixSeed(seed, 6, UInt64(step), UInt64(j), 0))
    let k = maker.view(of: unit, seed: mixSeed(seed, 6, UInt64(step), UInt64(j), 1))
    let o = maker.original ? maker.plain(of: unit, seed: mixSeed(seed, 6, UInt64(step), UInt64(j), 2)) : []
    return (q, k, o)
  }

  // MARK: Building on the lanes

  /// Called by lane `lane` of a split step once its share of the step is done: builds functions of the
  /// pending batch (the next step's) until every one is claimed, then returns. No-op in `threads` mode.
  public func help(lane: Int) {
    guard mode == .lanes, lane < makers.count else { return }
    let maker = makers[lane]
    while true {
      lock.lock()
      guard let j = pending?.claimed, j < pending!.indices.count else {
        lock.unlock()
        return
      }
      let (step, index) = (pending!.step, pending!.indices[j])
      pending!.claimed += 1
      lock.unlock()
      build(position: j, of: step, index: index, maker: maker, byLane: true)
    }
  }

  /// Functions built by lanes (`help`) so far, not by `next` (for tests).
  public private(set) var builtByLanes = 0

  private func build(position j: Int, of step: Int, index: Int, maker: ViewMaker, byLane: Bool = false) {
    let t0 = DispatchTime.now().uptimeNanoseconds
    let v = Self.views(step: step, position: j, unit: units[index], maker: maker, seed: config.seed)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    lock.lock()
    pending!.query[j] = v.query
    pending!.key[j] = v.key
    pending!.original[j] = v.original
    pending!.finished += 1
    pending!.seconds += seconds
    if byLane { builtByLanes += 1 }
    lock.unlock()
  }

  /// `lanes` mode's `next`: completes the pending batch on this thread (what no lane built), hands it out and
  /// makes the following step's batch the pending one.
  private func nextFromLanes(step: Int) -> Pair {
    lock.lock()
    if pending?.step != step { pending = PendingBatch(step: step, indices: order.indices(step: step)) }
    let count = pending!.indices.count
    while pending!.claimed < count {
      let j = pending!.claimed
      pending!.claimed += 1
      let index = pending!.indices[j]
      lock.unlock()
      build(position: j, of: step, index: index, maker: makers[0])
      lock.lock()
    }
    let p = pending!
    precondition(p.finished == count, "BatchProducer: a lane is still building step \(step)'s batch")
    pending = step + 1 < endStep ? PendingBatch(step: step + 1, indices: order.indices(step: step + 1)) : nil
    lock.unlock()
    let original = makers[0].original
    return Pair(
      step: step, query: TokenBatch(sequences: p.query), key: TokenBatch(sequences: p.key),
      original: original ? TokenBatch(sequences: p.original) : nil, buildSeconds: p.seconds)
  }

  private func work(first: Int, stride: Int) {
    var order = BatchOrder(count: units.count, batchSize: config.batchSize, seed: config.seed)
    let maker = ViewMaker(config: config, tokenizer: tokenizer)
    var step = first
    while true {
      condition.lock()
      while !stopped && step - nextWanted >= config.prefetchBatches { condition.wait() }
      if stopped {
        running -= 1
        condition.broadcast()
        condition.unlock()
        return
      }
      condition.unlock()
      let pair = Self.build(step: step, units: units, order: &order, maker: maker, seed: config.seed)
      condition.lock()
      ready[step] = pair
      condition.broadcast()
      condition.unlock()
      step += stride
    }
  }

  /// The pair for `step` (steps must be asked for in order), waiting until a worker has built it.
  /// Returns the pair and the seconds spent waiting (0 when augmentation kept ahead).
  public func next(step: Int) -> (Pair, waited: Double) {
    let t0 = DispatchTime.now().uptimeNanoseconds
    if mode == .lanes {
      precondition(step == nextWanted, "BatchProducer.next: steps must be asked for in order")
      nextWanted = step + 1
      let pair = nextFromLanes(step: step)
      return (pair, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    condition.lock()
    defer { condition.unlock() }
    precondition(step == nextWanted, "BatchProducer.next: steps must be asked for in order")
    while ready[step] == nil { condition.wait() }
    let pair = ready.removeValue(forKey: step)!
    nextWanted = step + 1
    condition.broadcast()
    return (pair, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
  }

  /// Stops the workers and waits for them to finish their current batch.
  public func stop() {
    lock.lock()
    pending = nil
    lock.unlock()
    condition.lock()
    stopped = true
    condition.broadcast()
    while running > 0 { condition.wait() }
    condition.unlock()
  }
}
