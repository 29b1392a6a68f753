import Foundation
import Tensor

// MARK: - The ranking loss with an additive margin

/// LaBSE's translation-ranking loss (Feng et al. 2020) on unit-length embeddings: row i of `a` should pick
/// row i of `b` among all rows of `b` (in-batch negatives, then any hard negatives), with the positive's
/// cosine lowered by a margin m; and, the other way round, row i of `b` should pick row i of `a`:
///
///   S = a · bᵀ (B, N);  logits = (S − m·[j = i]) / τ;  loss = ½ (CE_rows(a → b) + CE_rows(b[:B] → a)).
public enum NaturalRankingLoss {
  /// Returns the loss and the share of rows of `a` whose positive has the highest raw cosine. Adds
  /// ∂loss/∂a (B, d) into `da` and ∂loss/∂b (N, d) into `db`. b holds N ≥ B rows, the first B the positives.
  public static func forwardBackward(
    a: UnsafePointer<Float>, b: UnsafePointer<Float>, batch: Int, candidates: Int, dim: Int, margin: Float,
    temperature: Float, da: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>
  ) -> (loss: Float, accuracy: Float) {
    let (bs, n, d) = (batch, candidates, dim)
    precondition(n >= bs, "NaturalRankingLoss: fewer candidates than pairs")
    let invTau = 1 / temperature
    var s1 = [Float](repeating: 0, count: bs * n)
    var s2 = [Float](repeating: 0, count: bs * bs)
    // s1: (B, N) = a · bᵀ;  s2: (B, B) = b[:B] · aᵀ
    BLAS.gemm(transA: false, transB: true, m: bs, n: n, k: d, a: a, lda: d, b: b, ldb: d, c: &s1, ldc: n)
    BLAS.gemm(transA: false, transB: true, m: bs, n: bs, k: d, a: b, lda: d, b: a, ldb: d, c: &s2, ldc: bs)
    var correct = 0
    for i in 0..<bs {
      let row = i * n
      if (0..<n).allSatisfy({ $0 == i || s1[row + $0] < s1[row + i] }) { correct += 1 }
    }
    var lg1 = s1.map { $0 * invTau }
    var lg2 = s2.map { $0 * invTau }
    for i in 0..<bs {
      lg1[i * n + i] -= margin * invTau
      lg2[i * bs + i] -= margin * invTau
    }
    let targets = (0..<bs).map { Int32($0) }
    var p1 = [Float](repeating: 0, count: bs * n)
    var p2 = [Float](repeating: 0, count: bs * bs)
    var dl1 = [Float](repeating: 0, count: bs * n)
    var dl2 = [Float](repeating: 0, count: bs * bs)
    let l1 = CrossEntropy.forward(probs: &p1, logits: lg1, targets: targets, n: bs, c: n)
    let l2 = CrossEntropy.forward(probs: &p2, logits: lg2, targets: targets, n: bs, c: bs)
    CrossEntropy.backward(dlogits: &dl1, probs: p1, targets: targets, n: bs, c: n, dloss: 0.5)
    CrossEntropy.backward(dlogits: &dl2, probs: p2, targets: targets, n: bs, c: bs, dloss: 0.5)
    // dS = dlogits / τ (the margin is a constant)
    for i in dl1.indices { dl1[i] *= invTau }
    for i in dl2.indices { dl2[i] *= invTau }
    // S1 = a bᵀ: da += dS1 · b, db += dS1ᵀ · a;  S2 = b[:B] aᵀ: db[:B] += dS2 · a, da += dS2ᵀ · b[:B]
    BLAS.gemm(transA: false, transB: false, m: bs, n: d, k: n, a: dl1, lda: n, b: b, ldb: d, beta: 1, c: da, ldc: d)
    BLAS.gemm(transA: true, transB: false, m: n, n: d, k: bs, a: dl1, lda: n, b: a, ldb: d, beta: 1, c: db, ldc: d)
    BLAS.gemm(transA: false, transB: false, m: bs, n: d, k: bs, a: dl2, lda: bs, b: a, ldb: d, beta: 1, c: db, ldc: d)
    BLAS.gemm(transA: true, transB: false, m: bs, n: d, k: bs, a: dl2, lda: bs, b: b, ldb: d, beta: 1, c: da, ldc: d)
    return (0.5 * (l1 + l2), Float(correct) / Float(bs))
  }
}

// MARK: - A natural-positive step

extension MoCo {
  /// The learning rate of the natural-positive stage at stage step `s`.
  public var naturalSchedule: LearningRateSchedule {
    LearningRateSchedule(
      peak: config.naturalLearningRate, warmup: config.naturalWarmupSteps, total: max(config.naturalSteps, 1),
      decay: .cosine, floor: config.naturalLearningRate * 0.05)
  }

  /// One step of the natural-positive stage on the query encoder (the model that is exported): the pooled,
  /// L2-normalised embeddings of a, b and the hard negatives in one encoder pass, the margin ranking loss,
  /// clipping and AdamW (the encoder's optimizer state carries over from the first stage). The key side and
  /// the queue are left alone.
  @discardableResult
  public func naturalStep(_ batch: NaturalBatchSampler.Batch) -> StepResult {
    let bs = batch.a.count
    let n = bs + batch.hard.count
    let d = config.dim
    let lr = naturalSchedule.rate(at: step - config.steps)
    let tb = TokenBatch(sequences: batch.a + batch.b + batch.hard)
    queryEncoder.training = true
    EncoderFactory.reseedDropout(queryEncoder, seed: mixSeed(config.seed, 14, UInt64(step)))
    queryEncoder.parameters.zeroGrad()
    let out = queryEncoder.forward(tokens: tb.tokens, mask: tb.mask, batch: tb.batch, length: tb.length)
    let rows = bs + n
    var e = [Float](repeating: 0, count: rows * d)
    var norms = [Float](repeating: 0, count: rows)
    L2Normalize.forward(out: &e, norms: &norms, inp: out.pooled.data, n: rows, c: d)
    var de = [Float](repeating: 0, count: rows * d)
    let r = e.withUnsafeBufferPointer { ep in
      de.withUnsafeMutableBufferPointer { dp in
        NaturalRankingLoss.forwardBackward(
          a: ep.baseAddress!, b: ep.baseAddress! + bs * d, batch: bs, candidates: n, dim: d,
          margin: config.naturalMargin, temperature: config.naturalTemperature, da: dp.baseAddress!,
          db: dp.baseAddress! + bs * d)
      }
    }
    var dPooled = [Float](repeating: 0, count: rows * d)
    L2Normalize.backward(dinp: &dPooled, dout: de, out: e, norms: norms, n: rows, c: d)
    queryEncoder.backward(dPooled: dPooled, dStates: nil)
    let norm = Self.clip([queryEncoder.parameters], maxNorm: config.gradClip)
    encoderOptimizer.update(queryEncoder.parameters, lr: lr)
    step += 1
    return StepResult(
      loss: r.loss, accuracy: r.accuracy, learningRate: lr, gradNorm: norm, contrastiveLoss: r.loss, mlmLoss: nil,
      mlmAccuracy: 0)
  }
}
