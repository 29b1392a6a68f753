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
///   lane that finishes first does most of it and the two cores stay busy until the join; while another lane
///   is still computing it goes on with the batches after it (up to `config.prefetchBatches` ahead), so time
///   a lane would spend waiting (a longer lane, a lane the scheduler holds back) is banked. `next` builds
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
  // and under `lock` the data order and the batches the lanes are filling, by step
  private var makers: [ViewMaker] = []
  private var order: BatchOrder
  private let endStep: Int
  private let lock = NSLock()
  private var pending: [Int: PendingBatch] = [:]

  /// A batch the lanes are building: the next function to claim, the views built so far.
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

  /// Called by lane `lane` of a split step once its share of the step is done: builds functions of the next
  /// step's batch until every one is claimed, then, while `othersBusy()` (another lane is still computing, so
  /// this lane's core would idle), of the batches after it, up to `config.prefetchBatches` steps ahead; then
  /// returns. A lane never starts a function of a later batch once no lane is computing, so the step waits
  /// for at most the function in hand. No-op in `threads` mode.
  public func help(lane: Int, othersBusy: () -> Bool = { false }) {
    guard mode == .lanes, lane < makers.count else { return }
    let maker = makers[lane]
    let depth = max(config.prefetchBatches, 1)
    while true {
      lock.lock()
      let first = nextWanted
      var job = claim(step: first)
      if job == nil && othersBusy() {
        for s in (first + 1)..<max(first + 1, min(first + depth, endStep)) {
          job = claim(step: s)
          if job != nil { break }
        }
      }
      lock.unlock()
      guard let (step, j, index) = job else { return }
      build(position: j, of: step, index: index, maker: maker, byLane: true)
    }
  }

  /// The next unclaimed function of `step`'s batch (starting the batch if needed), claimed; nil when all are
  /// claimed or the step is past the end. Call with `lock` held.
  private func claim(step: Int) -> (step: Int, position: Int, index: Int)? {
    guard step < endStep else { return nil }
    if pending[step] == nil { pending[step] = PendingBatch(step: step, indices: order.indices(step: step)) }
    let j = pending[step]!.claimed
    guard j < pending[step]!.indices.count else { return nil }
    pending[step]!.claimed += 1
    return (step, j, pending[step]!.indices[j])
  }

  /// Functions built by lanes (`help`) so far, not by `next` (for tests).
  public private(set) var builtByLanes = 0

  private func build(position j: Int, of step: Int, index: Int, maker: ViewMaker, byLane: Bool = false) {
    let t0 = DispatchTime.now().uptimeNanoseconds
    let v = Self.views(step: step, position: j, unit: units[index], maker: maker, seed: config.seed)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    lock.lock()
    pending[step]!.query[j] = v.query
    pending[step]!.key[j] = v.key
    pending[step]!.original[j] = v.original
    pending[step]!.finished += 1
    pending[step]!.seconds += seconds
    if byLane { builtByLanes += 1 }
    lock.unlock()
  }

  /// `lanes` mode's `next`: completes `step`'s batch on this thread (what no lane built) and hands it out.
  private func nextFromLanes(step: Int) -> Pair {
    lock.lock()
    while let (_, j, index) = claim(step: step) {
      lock.unlock()
      build(position: j, of: step, index: index, maker: makers[0])
      lock.lock()
    }
    let p = pending.removeValue(forKey: step)
    lock.unlock()
    guard let p else { preconditionFailure("BatchProducer.next: step \(step) is past the end (\(endStep))") }
    precondition(p.finished == p.indices.count, "BatchProducer: a lane is still building step \(step)'s batch")
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
      let pair = nextFromLanes(step: step)
      lock.lock()
      nextWanted = step + 1
      lock.unlock()
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
    pending = [:]
    lock.unlock()
    condition.lock()
    stopped = true
    condition.broadcast()
    while running > 0 { condition.wait() }
    condition.unlock()
  }
}
