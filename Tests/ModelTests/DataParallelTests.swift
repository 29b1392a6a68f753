import Foundation
import Testing
import Tokenizer

@testable import Model
@testable import Tensor

// MARK: - A step split over lanes equals the unsplit step (issue 16, throughput)

/// `dataParallel` > 1 cuts a step's batch into slices computed by replicas side by side and sums their
/// gradients. The split step must give the unsplit step's losses, keys and gradients up to float summation
/// order: every lane must draw the whole batch's dropout masks at its rows and weight its part by its share of
/// the rows (or of the masked positions). Dropout is on (Tiny's 0.1), so a lane that drew its own masks, or a
/// sum without the shares, is far outside the tolerances.
@Suite struct DataParallelTests {
  /// Tiny's config with a batch of 5 (slices of 2 + 3 and 1 + 2 + 2) and the given objective.
  func config(mlmWeight: Float, view: String = "query", split: Int) -> PretrainConfig {
    var c = Tiny.config(seed: 5)
    c.batchSize = 5
    c.mlmWeight = mlmWeight
    c.mlmView = view
    c.dataParallel = split
    return c
  }

  func grads(_ s: ParameterStore) -> [Float] { array(s.grad, s.count) }
  func weights(_ s: ParameterStore) -> [Float] { array(s.data, s.count) }

  /// The largest |a − b| over the largest |a|: float summation order moves gradients by ~1e-6 of their scale.
  func relativeGap(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    let scale = a.reduce(Float(0)) { max($0, abs($1)) }
    let gap = zip(a, b).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
    return gap / max(scale, 1e-12)
  }

  @Test(arguments: [(Float(0), "query"), (Float(1), "query"), (Float(0.5), "original")])
  func splitGradientsEqualTheWholeBatch(mlmWeight: Float, view: String) throws {
    let whole = MoCo(config: config(mlmWeight: mlmWeight, view: view, split: 1), vocab: Tiny.tokenizer.vocabSize)
    let c = config(mlmWeight: mlmWeight, view: view, split: 1)
    let pair = BatchProducer.build(step: 0, units: Tiny.units, tokenizer: Tiny.tokenizer, config: c)
    let masked = whole.maskQuery(pair.original ?? pair.query, step: 0)
    #expect(whole.splitLanes(batch: 5) == 1)
    let a = whole.computeGradients(
      query: pair.query, key: pair.key, masked: masked, mlmWeight: mlmWeight, mocoWeight: 0.8,
      separateMLM: pair.original != nil)
    for split in [2, 3] {
      let moco = MoCo(config: config(mlmWeight: mlmWeight, view: view, split: split), vocab: Tiny.tokenizer.vocabSize)
      #expect(moco.splitLanes(batch: 5) == split)
      let b = moco.computeGradients(
        query: pair.query, key: pair.key, masked: masked, mlmWeight: mlmWeight, mocoWeight: 0.8,
        separateMLM: pair.original != nil)
      let label = "mlm \(mlmWeight) \(view), \(split) lanes"
      #expect(abs(a.total - b.total) <= 1e-5 * abs(a.total), "\(label): loss \(a.total) vs \(b.total)")
      #expect(abs((a.contrastive ?? 0) - (b.contrastive ?? 0)) <= 1e-5 * abs(a.contrastive ?? 1), "\(label)")
      #expect((a.mlm == nil) == (b.mlm == nil) && abs((a.mlm ?? 0) - (b.mlm ?? 0)) <= 1e-5 * abs(a.mlm ?? 1))
      #expect(a.contrastiveAccuracy == b.contrastiveAccuracy && a.mlmAccuracy == b.mlmAccuracy, "\(label)")
      let gq = relativeGap(grads(whole.queryEncoder.parameters), grads(moco.queryEncoder.parameters))
      let gh = relativeGap(grads(whole.queryHead.parameters), grads(moco.queryHead.parameters))
      #expect(gq < 1e-4 && gh < 1e-4, "\(label): encoder gradient gap \(gq), head \(gh)")
      if let h1 = whole.mlmHead, let h2 = moco.mlmHead {
        let gm = relativeGap(grads(h1.parameters), grads(h2.parameters))
        #expect(gm < 1e-4, "\(label): MLM head gradient gap \(gm)")
      }
      let p = c.projectionDim
      let k = relativeGap(array(whole.keys.data, 5 * p), array(moco.keys.data, 5 * p))
      #expect(k < 1e-5, "\(label): keys, gathered in row order, gap \(k)")
      // the lanes' gradients are summed, not left behind: the gradient is not that of one slice alone
      #expect(grads(moco.queryEncoder.parameters) != grads(moco.replicas[0].queryEncoder.parameters))
    }
  }

  @Test func splitStepsFollowTheWholeBatchAndRepeatBitForBit() throws {
    func run(split: Int) -> MoCo {
      let c = config(mlmWeight: 1, view: "original", split: split)
      let moco = MoCo(config: c, vocab: Tiny.tokenizer.vocabSize)
      for step in 0..<3 {
        let pair = BatchProducer.build(step: step, units: Tiny.units, tokenizer: Tiny.tokenizer, config: c)
        moco.step(query: pair.query, key: pair.key, original: pair.original)
      }
      return moco
    }
    let whole = run(split: 1)
    let split = run(split: 2)
    let again = run(split: 2)
    for (x, y) in [(whole, split)] {
      #expect(relativeGap(weights(x.queryEncoder.parameters), weights(y.queryEncoder.parameters)) < 1e-4)
      #expect(relativeGap(weights(x.keyEncoder.parameters), weights(y.keyEncoder.parameters)) < 1e-4)
      #expect(relativeGap(weights(x.mlmHead!.parameters), weights(y.mlmHead!.parameters)) < 1e-4)
      #expect(relativeGap(array(x.queue, 10 * 8), array(y.queue, 10 * 8)) < 1e-4)
    }
    // a fixed reduction order: the same split gives the same bits
    #expect(weights(split.queryEncoder.parameters) == weights(again.queryEncoder.parameters))
    #expect(weights(split.mlmHead!.parameters) == weights(again.mlmHead!.parameters))
    #expect(array(split.queue, 10 * 8) == array(again.queue, 10 * 8))
  }

  @Test func theKnobDecodesValidatesAndLeavesTheShapeAlone() throws {
    #expect(PretrainConfig().dataParallel == 2)
    let c = try JSONDecoder().decode(PretrainConfig.self, from: Data(#"{"dataParallel": 3}"#.utf8))
    #expect(c.dataParallel == 3 && c.shapeSignature == PretrainConfig().shapeSignature)
    // a config (or checkpoint) written before the key existed gets the default
    let old = try JSONDecoder().decode(PretrainConfig.self, from: Data(#"{"threads": 2}"#.utf8))
    #expect(old.dataParallel == 2)
    var bad = PretrainConfig()
    bad.dataParallel = 0
    #expect(throws: PretrainError.self) { try bad.validate() }
  }

  @Test func inBatchNegativesAreNotSplit() {
    var c = config(mlmWeight: 0, split: 2)
    c.inBatchNegatives = true
    #expect(MoCo(config: c, vocab: Tiny.tokenizer.vocabSize).splitLanes(batch: 5) == 1)
    #expect(MoCo(config: config(mlmWeight: 0, split: 8), vocab: Tiny.tokenizer.vocabSize).splitLanes(batch: 5) == 5)
  }
}
