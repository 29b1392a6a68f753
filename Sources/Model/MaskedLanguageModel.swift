import Foundation
import Tensor
import Tokenizer

// MARK: - Masking

/// A batch with BERT-style corruption applied, and the ids the model must recover.
public struct MaskedTokens: Sendable, Equatable {
  /// The corrupted batch the encoder reads (same shape and padding mask as the original).
  public var input: TokenBatch
  /// (batch · length): the original id at every selected position, `TokenMasking.ignore` elsewhere.
  public var targets: [Int32]
  /// How many positions were selected.
  public var selected: Int

  /// The functions `range` of the batch with their targets (a slice of a step split over threads).
  public func rows(_ range: Range<Int>) -> MaskedTokens {
    let span = (range.lowerBound * input.length)..<(range.upperBound * input.length)
    let t = Array(targets[span])
    return MaskedTokens(input: input.rows(range), targets: t, selected: t.count { $0 != TokenMasking.ignore })
  }
}

/// BERT's masking (Devlin et al. 2019): each maskable position is selected with probability p (15 %); a
/// selected position becomes `<mask>` 80 % of the time, a random ordinary id 10 % of the time, and stays
/// as it is 10 % of the time; the loss is read at the selected positions only.
///
/// Maskable = a real token (padding mask 1) whose id is not a special token (`<pad>`, `<unk>`, `<s>`,
/// `</s>`, `<mask>`, `<fn>`, extras: every id below `firstOrdinaryID`). Random replacements are drawn from
/// the ordinary ids only. When no position of the whole batch is drawn, the first maskable position in a
/// seeded order is selected, so a step always has a target (an empty batch of maskable tokens has none).
/// Deterministic: the same batch and seed give the same bytes.
public enum TokenMasking {
  /// The target of an unselected position (`CrossEntropy`'s ignore index).
  public static let ignore: Int32 = -100

  /// Corrupts `batch`. `vocab` is the number of ids; ids in `firstOrdinaryID..<vocab` are maskable.
  public static func apply(
    to batch: TokenBatch, probability: Double, vocab: Int, firstOrdinaryID: Int32, maskID: Int32, seed: UInt64
  ) -> MaskedTokens {
    precondition(Int(firstOrdinaryID) < vocab, "TokenMasking: no ordinary ids to draw from")
    var rng = SplitMix64(seed: seed)
    var input = batch
    var targets = [Int32](repeating: ignore, count: batch.tokens.count)
    var selected = 0
    var firstMaskable = -1
    let ordinary = UInt64(vocab - Int(firstOrdinaryID))
    func corrupt(_ i: Int) {
      let original = batch.tokens[i]
      targets[i] = original
      selected += 1
      let r = rng.unit()
      if r < 0.8 {
        input.tokens[i] = maskID
      } else if r < 0.9 {
        input.tokens[i] = firstOrdinaryID + Int32(truncatingIfNeeded: rng.next() % ordinary)
      }
    }
    for i in batch.tokens.indices {
      guard batch.mask[i] > 0, batch.tokens[i] >= firstOrdinaryID, Int(batch.tokens[i]) < vocab else { continue }
      if firstMaskable < 0 { firstMaskable = i }
      if rng.unit() < probability { corrupt(i) }
    }
    if selected == 0, firstMaskable >= 0 { corrupt(firstMaskable) }
    return MaskedTokens(input: input, targets: targets, selected: selected)
  }

  /// `apply` with the tokenizer's special ids.
  public static func apply(to batch: TokenBatch, probability: Double, tokenizer: Tokenizer, seed: UInt64)
    -> MaskedTokens
  {
    apply(
      to: batch, probability: probability, vocab: tokenizer.vocabSize, firstOrdinaryID: tokenizer.byteOffset,
      maskID: tokenizer.maskID, seed: seed)
  }
}

// MARK: - The masked-token prediction head

/// BERT's prediction head on the encoder's token states, read at the selected positions only:
/// x (m, d) → dense d → d → GELU → LayerNorm → logits (m, vocab) = · Eᵀ + bias → cross-entropy.
///
/// With `tied`, E is the encoder's own token-embedding table (`embed.tokens`, (vocab, d)), read from and
/// back-propagated into the encoder's `ParameterStore`; otherwise the head holds its own output matrix.
/// The head's other weights live in its own store (one AdamW, one checkpoint tensor).
public final class MaskedLMHead: @unchecked Sendable {
  public let dim: Int
  public let vocab: Int
  public let tied: Bool
  public let parameters: ParameterStore
  let densew: Int, denseb: Int, normw: Int, normb: Int, outb: Int, outw: Int?

  // activations of the last forward (m selected rows) and gradient scratch
  var m = 0
  var rows: [Int] = []
  var rowTargets: [Int32] = []
  let x = Buffer(), h = Buffer(), g = Buffer(), ln = Buffer(), lnMean = Buffer(), lnRstd = Buffer()
  let logits = Buffer(), probs = Buffer(), dlogits = Buffer(), dln = Buffer(), dg = Buffer(), dh = Buffer()
  let dx = Buffer()

  /// A fresh head: dense and (untied) output weights N(0, 0.02), biases 0, LayerNorm scale 1.
  public convenience init(dim: Int, vocab: Int, tied: Bool, seed: UInt64) {
    self.init(dim: dim, vocab: vocab, tied: tied, seed: seed, sharing: nil)
  }

  /// A replica for data parallelism: reads this head's weights (the same memory), with gradients and
  /// activations of its own. A tied replica reads the table of the encoder store it is given, so give it the
  /// encoder replica's store: the table's gradient then lands in that replica's gradients.
  public func replica() -> MaskedLMHead {
    MaskedLMHead(dim: dim, vocab: vocab, tied: tied, seed: 0, sharing: parameters)
  }

  init(dim: Int, vocab: Int, tied: Bool, seed: UInt64, sharing: ParameterStore?) {
    self.dim = dim
    self.vocab = vocab
    self.tied = tied
    var layout = ParameterLayout()
    densew = layout.add("mlm.dense.weight", [dim, dim])
    denseb = layout.add("mlm.dense.bias", [dim])
    normw = layout.add("mlm.norm.weight", [dim])
    normb = layout.add("mlm.norm.bias", [dim])
    outb = layout.add("mlm.output.bias", [vocab])
    outw = tied ? nil : layout.add("mlm.output.weight", [vocab, dim])
    if let sharing {
      precondition(sharing.layout == layout, "MaskedLMHead.replica: the layouts differ")
      parameters = ParameterStore(sharingParametersOf: sharing)
      return
    }
    parameters = ParameterStore(layout: layout)
    var rng = TensorRandom(seed: seed)
    let p = parameters.data
    rng.fillNormal(p + densew, count: dim * dim, std: 0.02)
    (p + normw).update(repeating: 1, count: dim)
    if let outw { rng.fillNormal(p + outw, count: vocab * dim, std: 0.02) }
  }

  /// The output matrix (vocab, d) and its gradient: the encoder's embedding table when tied.
  func outputMatrix(encoder: ParameterStore?) -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) {
    if let outw { return (parameters.data + outw, parameters.grad + outw) }
    guard let encoder, let e = encoder.entry("embed.tokens"), e.shape == [vocab, dim] else {
      preconditionFailure("MaskedLMHead: a tied head needs the encoder's (vocab, dim) `embed.tokens`")
    }
    return (encoder.data + e.offset, encoder.grad + e.offset)
  }

  /// Whether `encoder` has the token table a tied head reads.
  public static func canTie(to encoder: any SequenceEncoder, vocab: Int) -> Bool {
    encoder.parameters.entry("embed.tokens")?.shape == [vocab, encoder.dim]
  }

  // MARK: Forward and backward

  /// Mean cross-entropy over the selected positions (0 when none). states: (n, d) token states of the
  /// batch the targets belong to; targets: (n), `TokenMasking.ignore` at unselected positions. Also returns
  /// the share of selected positions whose arg-max is the original id.
  ///
  /// With `gradWeight` (the weight the following `backward` will get), each row's output gradient is written
  /// while the row's probabilities are still in cache, and the probabilities of the whole batch are never
  /// stored: one pass over the (m, vocab) rows instead of three (probabilities, arg-max, gradient), the same
  /// bits. `backward` must then get that weight.
  public func forward(
    states: UnsafePointer<Float>, targets: [Int32], encoder: ParameterStore?, gradWeight: Float? = nil
  ) -> (loss: Float, accuracy: Float) {
    let d = dim
    rows = targets.indices.filter { targets[$0] != TokenMasking.ignore }
    rowTargets = rows.map { targets[$0] }
    m = rows.count
    preparedGradWeight = nil
    guard m > 0 else { return (0, 0) }
    let p = parameters.data
    let (table, _) = outputMatrix(encoder: encoder)
    let x = self.x.reserve(m * d)
    let h = self.h.reserve(m * d)
    let g = self.g.reserve(m * d)
    let ln = self.ln.reserve(m * d)
    let lg = logits.reserve(m * vocab)
    // x: (m, d) = the selected rows of the states
    for (r, i) in rows.enumerated() { (x + r * d).update(from: states + i * d, count: d) }
    // h = x · Wᵀ + b;  g = gelu(h);  ln = LayerNorm(g);  logits: (m, V) = ln · Eᵀ + bias
    Linear.forward(out: h, inp: x, weight: p + densew, bias: p + denseb, n: m, c: d, oc: d)
    GELU.forward(out: g, inp: h, count: m * d)
    LayerNorm.forward(
      out: ln, mean: lnMean.reserve(m), rstd: lnRstd.reserve(m), inp: g, weight: p + normw, bias: p + normb,
      n: m, c: d)
    Linear.forward(out: lg, inp: ln, weight: table, bias: p + outb, n: m, c: d, oc: vocab)
    guard let gradWeight else {
      let pr = probs.reserve(m * vocab)
      let loss = rowTargets.withUnsafeBufferPointer {
        CrossEntropy.forwardVectorized(probs: pr, logits: lg, targets: $0.baseAddress!, n: m, c: vocab)
      }
      var correct = 0
      for r in 0..<m {
        let row = lg + r * vocab
        if FastMath.argmax(row, count: vocab) == Int(rowTargets[r]) { correct += 1 }
      }
      return (loss, Float(correct) / Float(m))
    }
    // row by row: `CrossEntropy.forwardVectorized`'s row kernel and sum, the arg-max, and `backward`'s
    // gradient row, each the same operations as in their own passes
    let rowProbs = probs.reserve(vocab)
    let dl = dlogits.reserve(m * vocab)
    let scale = gradWeight / Float(m)
    var total: Double = 0
    var correct = 0
    for r in 0..<m {
      let x = lg + r * vocab
      let t = Int(rowTargets[r])
      let lse = CrossEntropy.rowLogSumExp(probs: rowProbs, logits: x, count: vocab)
      total += Double(lse - x[t])
      if FastMath.argmax(x, count: vocab) == t { correct += 1 }
      Self.gradientRow(dl + r * vocab, probs: rowProbs, target: t, scale: scale, count: vocab)
    }
    preparedGradWeight = gradWeight
    return (Float(total / Double(m)), Float(correct) / Float(m))
  }

  /// The weight whose output gradient the last forward already wrote (nil: `backward` computes it).
  var preparedGradWeight: Float?

  /// One row of the output gradient, scale · (probs − onehot(target)), written whole: what the forward's one pass
  /// and `backward` both write.
  static func gradientRow(
    _ dst: UnsafeMutablePointer<Float>, probs: UnsafePointer<Float>, target: Int, scale: Float, count: Int
  ) {
    for i in 0..<count { dst[i] = scale * probs[i] }
    dst[target] -= scale
  }

  /// Back-propagates `weight` × the last forward's loss: ADDS into `parameters.grad`, into the encoder's
  /// embedding gradient when tied, and into dStates (n, d) at the selected rows.
  public func backward(weight: Float, dStates: UnsafeMutablePointer<Float>, encoder: ParameterStore?) {
    guard m > 0 else { return }
    let d = dim
    let p = parameters.data
    let gr = parameters.grad
    let (table, dtable) = outputMatrix(encoder: encoder)
    let dl = dlogits.reserve(m * vocab)
    let dln = self.dln.reserve(m * d)
    let dg = self.dg.reserve(m * d)
    let dh = self.dh.reserve(m * d)
    let dx = self.dx.reserve(m * d)
    // dlogits = weight · (probs − onehot) / m, written in one pass (what zeroing and `CrossEntropy.backward`
    // give, bit for bit: every row is a target, no smoothing)
    if let prepared = preparedGradWeight {
      precondition(prepared == weight, "MaskedLMHead.backward: the forward wrote the gradient for another weight")
    } else {
      let scale = weight / Float(m)
      let pr = UnsafePointer(probs.data)
      for r in 0..<m {
        Self.gradientRow(dl + r * vocab, probs: pr + r * vocab, target: Int(rowTargets[r]), scale: scale, count: vocab)
      }
    }
    Linear.backward(
      dinp: dln, dweight: dtable, dbias: gr + outb, dout: dl, inp: ln.data, weight: table, n: m, c: d, oc: vocab,
      overwriteInput: true)
    dg.update(repeating: 0, count: m * d)
    LayerNorm.backward(
      dinp: dg, dweight: gr + normw, dbias: gr + normb, dout: dln, inp: g.data, weight: p + normw,
      mean: lnMean.data, rstd: lnRstd.data, n: m, c: d)
    GELU.backward(dinp: dh, inp: h.data, dout: dg, count: m * d, overwrite: true)
    Linear.backward(
      dinp: dx, dweight: gr + densew, dbias: gr + denseb, dout: dh, inp: x.data, weight: p + densew, n: m, c: d,
      oc: d, overwriteInput: true)
    for (r, i) in rows.enumerated() {
      let src = dx + r * d
      let dst = dStates + i * d
      for k in 0..<d { dst[k] += src[k] }
    }
  }
}
