import Foundation
import Tokenizer

// MARK: - Prefetching augmented batches

/// Builds the two augmented, tokenised views of every step's functions on background threads, ahead of the
/// training step, into a bounded buffer of ready batches — so augmentation runs in parallel with the
/// training math instead of stalling it.
///
/// Worker w builds the batches of steps w, w + W, w + 2W, … Each batch depends only on (seed, step), never
/// on timing, so a run is reproducible and resuming at step s is just starting the workers at s.
public final class BatchProducer: @unchecked Sendable {
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

  /// Starts `config.augmentWorkers` threads producing batches from `startStep` on.
  public init(units: [FunctionUnit], tokenizer: Tokenizer, config: PretrainConfig, startStep: Int) {
    self.units = units
    self.config = config
    self.tokenizer = tokenizer
    nextWanted = startStep
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
      let unit = units[index]
      q.append(maker.view(of: unit, seed: mixSeed(seed, 6, UInt64(step), UInt64(j), 0)))
      k.append(maker.view(of: unit, seed: mixSeed(seed, 6, UInt64(step), UInt64(j), 1)))
      if maker.original { o.append(maker.plain(of: unit, seed: mixSeed(seed, 6, UInt64(step), UInt64(j), 2))) }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    return Pair(
      step: step, query: TokenBatch(sequences: q), key: TokenBatch(sequences: k),
      original: maker.original ? TokenBatch(sequences: o) : nil, buildSeconds: seconds)
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
    condition.lock()
    stopped = true
    condition.broadcast()
    while running > 0 { condition.wait() }
    condition.unlock()
  }
}
