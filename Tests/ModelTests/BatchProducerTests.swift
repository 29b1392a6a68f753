import Foundation
import Testing
import Tokenizer

@testable import Model

// MARK: - Where batches are built changes no byte of them

@Suite struct BatchProducerTests {
  /// The hybrid shape the shipped run uses: both augmented views and the unaugmented one the MLM reads.
  func hybridConfig() -> PretrainConfig {
    var c = Tiny.config(seed: 9)
    c.mlmWeight = 1
    c.mlmView = "original"
    c.batchSize = 5  // 12 functions: batches cross epoch boundaries
    return c
  }

  func same(_ a: BatchProducer.Pair, _ b: BatchProducer.Pair) -> Bool {
    a.step == b.step && a.query == b.query && a.key == b.key && a.original == b.original
  }

  /// Built by the lanes of the previous step (both, one, none: whatever is left is built in `next`), the
  /// batches equal those one thread builds in order, and those of the background threads.
  @Test func lanesBuildTheSameBatchesAsTheThreads() {
    let config = hybridConfig()
    let steps = 9
    let lanes = BatchProducer(
      units: Tiny.units, tokenizer: Tiny.tokenizer, config: config, startStep: 0, mode: .lanes, lanes: 2,
      endStep: steps)
    let threads = BatchProducer(units: Tiny.units, tokenizer: Tiny.tokenizer, config: config, startStep: 0)
    defer {
      lanes.stop()
      threads.stop()
    }
    for step in 0..<steps {
      let (pair, _) = lanes.next(step: step)
      let reference = BatchProducer.build(step: step, units: Tiny.units, tokenizer: Tiny.tokenizer, config: config)
      #expect(pair.original != nil)
      #expect(same(pair, reference), "step \(step): lanes against one thread")
      #expect(same(pair, threads.next(step: step).0), "step \(step): lanes against the background threads")
      // the "step" runs: its lanes build the next batch (both side by side, with no lane computing), or the
      // second lane alone while the first is "still computing" (it builds ahead: `prefetchBatches` = 2 steps),
      // or no lane builds
      let before = lanes.builtByLanes
      switch step % 3 {
      case 0:
        DispatchQueue.concurrentPerform(iterations: 2) { lanes.help(lane: $0) }
        #expect(lanes.builtByLanes - before == (step + 1 < steps ? config.batchSize : 0))
      case 1:
        lanes.help(lane: 1) { true }
        #expect(lanes.builtByLanes - before == min(2, steps - step - 1) * config.batchSize, "step \(step)")
      default: break
      }
    }
    // the lanes built every function of steps 1…8 (steps 2, 5 and 8 ahead of time), `next` only step 0's
    #expect(lanes.builtByLanes == (steps - 1) * config.batchSize)
    // after the last step there is nothing left to build
    lanes.help(lane: 0) { true }
    #expect(lanes.builtByLanes == (steps - 1) * config.batchSize)
  }

  /// A pretraining run whose lanes build the batches gives the same losses and weights, bit for bit, as one
  /// whose background thread does (the way before session 12).
  @Test(arguments: [false, true])
  func pretrainingIsTheSameWithTheAugmentThread(hybrid: Bool) throws {
    let config = hybrid ? hybridConfig() : Tiny.config(seed: 4)
    func run(inLanes: Bool) throws -> Pretrainer {
      let p = try Pretrainer(
        config: config, tokenizer: Tiny.tokenizer, train: Tiny.units, heldOut: Tiny.units, output: nil)
      p.augmentInLanes = inLanes
      try p.run()
      return p
    }
    let lanes = try run(inLanes: true)
    let thread = try run(inLanes: false)
    #expect(lanes.moco.splitLanes(batch: config.batchSize) == 2, "the steps are split, so the lanes build")
    #expect(lanes.losses.count == config.steps)
    #expect(lanes.losses == thread.losses)
    let a = lanes.moco.queryEncoder.parameters
    let b = thread.moco.queryEncoder.parameters
    #expect(
      Array(UnsafeBufferPointer(start: a.data, count: a.count))
        == Array(UnsafeBufferPointer(start: b.data, count: b.count)))
  }
}
