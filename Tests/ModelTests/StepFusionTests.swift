import Foundation
import Testing

@testable import Model
@testable import Tensor

// MARK: - The step's cheaper passes give the old step's bits (issue 16, throughput)

/// `MoCo.step` folds the global-norm clipping into AdamW (`gradScale`) and the encoder's backward writes the
/// GELU gradient without zero-filling its buffer first. Neither may change a bit: the step here is compared
/// with the step written out the old way (`clip` scales the gradients in place, then plain `update`), on the
/// hybrid objective with dropout, split over lanes and not, with a clipping threshold every step exceeds.
@Suite struct StepFusionTests {
  func config(split: Int, view: String) -> PretrainConfig {
    var c = Tiny.config(seed: 11)
    c.batchSize = 5
    c.mlmWeight = 1
    c.mlmView = view
    c.dataParallel = split
    c.threads = 2
    c.gradClip = 0.05
    return c
  }

  /// The step as it was before the fusion: clip (scaling the gradients in place), then AdamW, EMA and queue.
  func oldStep(_ moco: MoCo, _ pair: BatchProducer.Pair) -> Float {
    let c = moco.config
    let lr = moco.schedule.rate(at: moco.step)
    let masked = moco.maskQuery(pair.original ?? pair.query, step: moco.step)
    let parts = moco.computeGradients(
      query: pair.query, key: pair.key, masked: masked, mlmWeight: c.mlmWeight, mocoWeight: c.mocoWeight,
      separateMLM: pair.original != nil)
    let stores = [moco.queryEncoder.parameters, moco.queryHead.parameters, moco.mlmHead!.parameters]
    let norm = MoCo.clip(stores, maxNorm: c.gradClip)
    moco.encoderOptimizer.update(moco.queryEncoder.parameters, lr: lr)
    if parts.contrastive != nil { moco.headOptimizer.update(moco.queryHead.parameters, lr: lr) }
    moco.mlmOptimizer!.update(moco.mlmHead!.parameters, lr: lr)
    moco.keyEncoder.parameters.updateEMA(from: moco.queryEncoder.parameters, momentum: c.momentum)
    moco.keyHead.parameters.updateEMA(from: moco.queryHead.parameters, momentum: c.momentum)
    moco.enqueue(moco.keys.data, count: pair.query.batch)
    moco.step += 1
    return norm
  }

  func state(_ m: MoCo) -> [[Float]] {
    var out: [[Float]] = []
    for s in [m.queryEncoder.parameters, m.keyEncoder.parameters, m.queryHead.parameters, m.keyHead.parameters,
      m.mlmHead!.parameters]
    {
      out.append(array(s.data, s.count))
    }
    for o in [m.encoderOptimizer, m.headOptimizer, m.mlmOptimizer!] {
      let n = o === m.encoderOptimizer ? m.queryEncoder.parameters.count
        : o === m.headOptimizer ? m.queryHead.parameters.count : m.mlmHead!.parameters.count
      out.append(array(o.m, n))
      out.append(array(o.v, n))
    }
    out.append(array(m.queue, m.config.queueSize * m.config.projectionDim))
    return out
  }

  @Test(arguments: [(1, "original"), (2, "original"), (2, "query")])
  func fusedStepsGiveTheOldStepsBits(split: Int, view: String) {
    let c = config(split: split, view: view)
    let fused = MoCo(config: c, vocab: Tiny.tokenizer.vocabSize)
    let old = MoCo(config: c, vocab: Tiny.tokenizer.vocabSize)
    #expect(state(fused) == state(old))
    for step in 0..<3 {
      let pair = BatchProducer.build(step: step, units: Tiny.units, tokenizer: Tiny.tokenizer, config: c)
      let r = fused.step(query: pair.query, key: pair.key, original: pair.original)
      let norm = oldStep(old, pair)
      #expect(r.gradNorm == norm && norm > c.gradClip, "step \(step): clipping must happen for the test to bite")
      #expect(state(fused) == state(old), "split \(split), \(view): step \(step) differs in some bit")
    }
    #expect(state(fused)[0] != state(MoCo(config: c, vocab: Tiny.tokenizer.vocabSize))[0])
  }

  @Test func clipScaleIsTheFactorClipApplies() {
    var layout = ParameterLayout()
    _ = layout.add("w", [7, 5])
    let a = ParameterStore(layout: layout)
    let b = ParameterStore(layout: layout)
    for i in 0..<a.count { (a.grad[i], b.grad[i]) = (Float(i) - 11.5, Float(i) - 11.5) }
    let (norm, scale) = MoCo.clipScale([a], maxNorm: 2)
    #expect(norm == MoCo.clip([b], maxNorm: 2))
    #expect((0..<a.count).map { a.grad[$0] * scale! } == array(b.grad, b.count))
    #expect(MoCo.clipScale([b], maxNorm: 100).scale == nil, "no factor under the threshold")
  }
}

// MARK: - The masked-token head's one-pass rows

@Suite struct MaskedLMHeadOnePassTests {
  /// forward(gradWeight:) then backward writes the output gradient row by row during the forward; loss,
  /// accuracy and every gradient must be the separate passes' bits, tied and untied, on a vocabulary wider
  /// than one vector block.
  @Test(arguments: [false, true])
  func onePassGivesTheSeparatePassesBits(tied: Bool) {
    let (d, v, n) = (16, 203, 9)
    let targets: [Int32] = [5, TokenMasking.ignore, 202, 0, TokenMasking.ignore, 17, 17, 99, 150]
    func run(fused: Bool) -> (Float, Float, [Float], [Float], [Float]) {
      let head = MaskedLMHead(dim: d, vocab: v, tied: tied, seed: 21)
      var layout = ParameterLayout()
      layout.add("embed.tokens", [v, d])
      let encoder = ParameterStore(layout: layout)
      var rng = TensorRandom(seed: 22)
      rng.fillNormal(encoder.data, count: v * d, std: 0.5)
      rng.fillNormal(head.parameters.data, count: head.parameters.count, std: 0.5)
      var states = [Float](repeating: 0, count: n * d)
      rng.fillNormal(&states, count: n * d, std: 1)
      let weight: Float = 0.37
      let r = states.withUnsafeBufferPointer {
        head.forward(states: $0.baseAddress!, targets: targets, encoder: encoder, gradWeight: fused ? weight : nil)
      }
      var dStates = [Float](repeating: 0.25, count: n * d)
      head.backward(weight: weight, dStates: &dStates, encoder: encoder)
      return (r.loss, r.accuracy, array(head.parameters.grad, head.parameters.count),
        array(encoder.grad, encoder.count), dStates)
    }
    let (a, b) = (run(fused: false), run(fused: true))
    #expect(a.0.bitPattern == b.0.bitPattern && a.1 == b.1)
    #expect(a.2 == b.2 && a.3 == b.3 && a.4 == b.4)
    #expect(a.2.contains { $0 != 0 } && a.4.contains { $0 != 0.25 })
  }
}
