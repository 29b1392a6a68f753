import Foundation
import Testing

@testable import Model
@testable import Tensor

// MARK: - Skipping the padding equals computing it (issue 16, throughput)

/// `TransformerEncoder.skipsPadding` computes only the real rows of a right-padded batch. At the real positions
/// the states, the pooled embeddings and every parameter gradient must equal the padded computation's up to
/// the products' summation blocking, with dropout on: each packed row must draw the mask of its position in
/// the padded batch (and, in a replica, in the whole split batch), so a wrong row index is far outside the
/// tolerances.
@Suite struct PackedEncoderTests {
  let config = TransformerConfig(vocab: 50, dim: 16, layers: 2, heads: 2, ffn: 32, maxLen: 24, dropout: 0.1)
  let lengths = [7, 24, 1, 13, 20]  // one full row, one of a single token
  let t = 24

  func batch(seed: UInt64) -> (tokens: [Int32], mask: [Float]) {
    var rng = TensorRandom(seed: seed)
    var tokens = [Int32](repeating: 0, count: lengths.count * t)
    var mask = [Float](repeating: 0, count: lengths.count * t)
    for (i, l) in lengths.enumerated() {
      for j in 0..<l {
        tokens[i * t + j] = Int32(1 + rng.next() % 49)
        mask[i * t + j] = 1
      }
    }
    return (tokens, mask)
  }

  /// Forward and backward (a pooled gradient and a state gradient at the real positions) with dropout on.
  func run(skip: Bool, batchOffset: Int = 0, threads: Int = 1, tokens: [Int32], mask: [Float]) -> (
    states: [Float], pooled: [Float], grad: [Float], packed: Bool
  ) {
    let e = TransformerEncoder(config: config, seed: 3)
    e.threads = threads
    e.skipsPadding = skip
    e.batchOffset = batchOffset
    e.training = true
    e.rng = TensorRandom(seed: 99)
    let b = lengths.count
    let c = config.dim
    let out = e.forward(tokens: tokens, mask: mask, batch: b, length: t)
    let states = out.states.array
    let pooled = out.pooled.array
    var rng = TensorRandom(seed: 5)
    let dPooled = (0..<(b * c)).map { _ in rng.normal() }
    var dStates = (0..<(b * t * c)).map { _ in rng.normal() }
    for i in 0..<(b * t) where mask[i] == 0 { for k in 0..<c { dStates[i * c + k] = 0 } }
    e.parameters.zeroGrad()
    dPooled.withUnsafeBufferPointer { dp in
      dStates.withUnsafeBufferPointer { ds in e.backward(dPooled: dp.baseAddress, dStates: ds.baseAddress) }
    }
    return (states, pooled, array(e.parameters.grad, e.parameters.count), e.packed)
  }

  func gap(_ a: [Float], _ b: [Float]) -> Float {
    let scale = a.reduce(Float(0)) { max($0, abs($1)) }
    return zip(a, b).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) } / max(scale, 1e-12)
  }

  @Test(arguments: [(0, 1), (3, 1), (3, 2)])
  func packedEqualsPadded(batchOffset: Int, threads: Int) {
    let (tokens, mask) = batch(seed: 1)
    let padded = run(skip: false, batchOffset: batchOffset, threads: threads, tokens: tokens, mask: mask)
    let packed = run(skip: true, batchOffset: batchOffset, threads: threads, tokens: tokens, mask: mask)
    #expect(!padded.packed && packed.packed)
    let c = config.dim
    var real: (a: [Float], b: [Float]) = ([], [])
    for i in 0..<(lengths.count * t) where mask[i] != 0 {
      real.a += padded.states[(i * c)..<((i + 1) * c)]
      real.b += packed.states[(i * c)..<((i + 1) * c)]
    }
    #expect(gap(real.a, real.b) < 1e-5, "states at the real positions")
    for i in 0..<(lengths.count * t) where mask[i] == 0 {
      #expect(packed.states[(i * c)..<((i + 1) * c)].allSatisfy { v in v == 0 }, "padded rows are 0")
    }
    #expect(gap(padded.pooled, packed.pooled) < 1e-5, "pooled")
    #expect(gap(padded.grad, packed.grad) < 1e-5, "parameter gradients")
    // dropout really is on and its masks depend on the row index: another offset gives other results
    let moved = run(skip: true, batchOffset: batchOffset + 1, tokens: tokens, mask: mask)
    #expect(gap(packed.pooled, moved.pooled) > 1e-3)
  }

  @Test func aBatchWithoutPaddingOrNotRightPaddedRunsPadded() {
    let full = [Float](repeating: 1, count: lengths.count * t)
    let (tokens, _) = batch(seed: 2)
    let a = run(skip: true, tokens: tokens, mask: full)
    let b = run(skip: false, tokens: tokens, mask: full)
    #expect(!a.packed)
    #expect(a.states == b.states && a.grad == b.grad)
    var holes = full
    holes[3] = 0  // a hole inside the first row: not of the form 1…1 0…0
    let c = run(skip: true, tokens: tokens, mask: holes)
    let d = run(skip: false, tokens: tokens, mask: holes)
    #expect(!c.packed)
    #expect(c.pooled == d.pooled && c.grad == d.grad)
  }

  @Test(arguments: [1, 2])
  func hybridStepWithAndWithoutPaddingAgree(split: Int) {
    func make(skip: Bool) -> (MoCo, PretrainConfig) {
      var c = Tiny.config(seed: 5)
      c.batchSize = 5
      c.mlmWeight = 1
      c.mlmView = "original"
      c.dataParallel = split
      c.skipPadding = skip
      return (MoCo(config: c, vocab: Tiny.tokenizer.vocabSize), c)
    }
    let (a, c) = make(skip: false)
    let (b, _) = make(skip: true)
    var sawPadding = false
    for step in 0..<3 {
      let pair = BatchProducer.build(step: step, units: Tiny.units, tokenizer: Tiny.tokenizer, config: c)
      sawPadding = sawPadding || pair.query.realTokens < pair.query.tokens.count
      let ra = a.step(query: pair.query, key: pair.key, original: pair.original)
      let rb = b.step(query: pair.query, key: pair.key, original: pair.original)
      #expect(abs(ra.loss - rb.loss) <= 1e-5 * abs(ra.loss), "step \(step): \(ra.loss) vs \(rb.loss)")
      #expect(abs(ra.gradNorm - rb.gradNorm) <= 1e-4 * ra.gradNorm)
    }
    #expect(sawPadding, "the test batches must hold padding")
    let wa = array(a.queryEncoder.parameters.data, a.queryEncoder.parameters.count)
    let wb = array(b.queryEncoder.parameters.data, b.queryEncoder.parameters.count)
    #expect(gap(wa, wb) < 1e-5, "weights after three steps")
  }

  /// A packed forward whose caller reads only `rows` (the masked-token pass): the last block computes only those
  /// rows. Their states and every gradient (from state gradients at those rows) must equal the full packed
  /// computation's, dropout on.
  @Test(arguments: [(0, 1), (3, 1), (3, 2)])
  func lastBlockOnlyAtTheRowsReadEqualsTheFullBlock(batchOffset: Int, threads: Int) {
    let (tokens, mask) = batch(seed: 4)
    let rows = [0, 5, 6, 24 + 3, 24 + 23, 2 * 24, 3 * 24 + 12, 4 * 24 + 1, 4 * 24 + 19]  // all real positions
    let c = config.dim
    let b = lengths.count
    func run(prune: Bool) -> (states: [Float], grad: [Float], pruned: Bool) {
      let e = TransformerEncoder(config: config, seed: 3)
      e.threads = threads  // 2: heads side by side and the row-wise work split
      e.skipsPadding = true
      e.batchOffset = batchOffset
      e.rng = TensorRandom(seed: 99)
      e.outputRows = prune ? rows : nil
      let out = e.forward(tokens: tokens, mask: mask, batch: b, length: t)
      var rng = TensorRandom(seed: 6)
      var dStates = [Float](repeating: 0, count: b * t * c)
      for r in rows { for k in 0..<c { dStates[r * c + k] = rng.normal() } }
      e.parameters.zeroGrad()
      dStates.withUnsafeBufferPointer { e.backward(dPooled: nil, dStates: $0.baseAddress) }
      return (out.states.array, array(e.parameters.grad, e.parameters.count), e.pruned)
    }
    let full = run(prune: false)
    let pruned = run(prune: true)
    #expect(!full.pruned && pruned.pruned)
    let pick = { (s: [Float]) in rows.flatMap { Array(s[($0 * c)..<(($0 + 1) * c)]) } }
    #expect(gap(pick(full.states), pick(pruned.states)) < 1e-5, "states at the rows read")
    #expect(gap(full.grad, pruned.grad) < 1e-5, "parameter gradients")
    // a padded position among the rows: the last block runs in full
    let e = TransformerEncoder(config: config, seed: 3)
    e.skipsPadding = true
    e.outputRows = [0, 2 * 24 + 5]
    _ = e.forward(tokens: tokens, mask: mask, batch: b, length: t)
    #expect(e.packed && !e.pruned)
  }

  /// With padding skipped, the lanes of a split step get about equal work, not equal rows: they wait for each
  /// other at the end of the step.
  @Test func lanesGetBalancedWork() {
    func batch(_ lengths: [Int]) -> TokenBatch {
      TokenBatch(sequences: lengths.map { [Int32](repeating: 7, count: $0) })
    }
    let b = batch([2, 2, 2, 2, 2, 2, 30, 30])
    let two = MoCo.balancedSlices([b], batch: 8, lanes: 2)
    #expect(two == [0..<7, 7..<8])
    for lanes in 1...8 {
      let s = MoCo.balancedSlices([b, batch([1, 1, 1, 1, 1, 1, 1, 1])], batch: 8, lanes: lanes)
      #expect(s.count == lanes && s.first?.lowerBound == 0 && s.last?.upperBound == 8)
      #expect(s.allSatisfy { !$0.isEmpty })
      #expect(zip(s, s.dropFirst()).allSatisfy { $0.0.upperBound == $0.1.lowerBound })
    }
    let even = MoCo.balancedSlices([batch([5, 5, 5, 5])], batch: 4, lanes: 2)
    #expect(even == [0..<2, 2..<4])
  }
}
