import Foundation
import Testing

@testable import Model
@testable import Tensor

// MARK: - Shared checks for both encoders

/// L = Σ wp ⊙ pooled + Σ ws ⊙ states for fixed random wp, ws.
private func probeLoss(
  _ e: SequenceEncoder, _ tokens: [Int32], _ mask: [Float], _ b: Int, _ t: Int,
  _ wp: [Float], _ ws: [Float]
) -> Double {
  let out = e.forward(tokens: tokens, mask: mask, batch: b, length: t)
  var s: Double = 0
  for i in 0..<out.pooled.count { s += Double(out.pooled[i]) * Double(wp[i]) }
  for i in 0..<out.states.count where mask[i / e.dim] != 0 { s += Double(out.states[i]) * Double(ws[i]) }
  return s
}

/// Finite differences against the encoder's backward pass for a sample of parameters of every tensor.
func checkEncoderGradients(_ e: SequenceEncoder, vocab: Int, sourceLocation: SourceLocation = #_sourceLocation) {
  let (b, t) = (2, 5)
  var rng = TensorRandom(seed: 3)
  let tokens = (0..<(b * t)).map { _ in Int32(rng.next() % UInt64(vocab)) }
  let mask: [Float] = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]
  let wp = (0..<(b * e.dim)).map { _ in rng.normal() }
  var ws = (0..<(b * t * e.dim)).map { _ in rng.normal() }
  for i in ws.indices where mask[i / e.dim] == 0 { ws[i] = 0 }
  _ = e.forward(tokens: tokens, mask: mask, batch: b, length: t)
  e.parameters.zeroGrad()
  e.backward(dPooled: wp, dStates: ws)
  let p = e.parameters
  let analytic = Array(UnsafeBufferPointer(start: p.grad, count: p.count))
  let eps: Float = 1e-2
  var checked = 0
  for entry in p.layout.entries {
    // a few elements of each tensor, including ones a used token/position touches
    let picks = Set([0, entry.count / 2, entry.count - 1, Int(tokens[0]) * e.dim % entry.count])
    for k in picks {
      let i = entry.offset + k
      let saved = p.data[i]
      p.data[i] = saved + eps
      let lp = probeLoss(e, tokens, mask, b, t, wp, ws)
      p.data[i] = saved - eps
      let lm = probeLoss(e, tokens, mask, b, t, wp, ws)
      p.data[i] = saved
      let numeric = Float((lp - lm) / Double(2 * eps))
      let allowed = 5e-3 + 3e-2 * max(abs(numeric), abs(analytic[i]))
      #expect(
        abs(numeric - analytic[i]) <= allowed,
        "\(entry.name)[\(k)]: analytic \(analytic[i]) numeric \(numeric)", sourceLocation: sourceLocation)
      checked += 1
    }
  }
  #expect(checked >= p.layout.entries.count)
}

/// Padding must not change a sequence's pooled embedding.
func checkPaddingInvariance(_ e: SequenceEncoder, sourceLocation: SourceLocation = #_sourceLocation) {
  let short = e.forward(tokens: [3, 1, 4], mask: [1, 1, 1], batch: 1, length: 3).pooled.array
  let padded = e.forward(
    tokens: [3, 1, 4, 0, 0, 5, 9, 2, 6, 5], mask: [1, 1, 1, 0, 0, 1, 1, 1, 1, 1], batch: 2,
    length: 5
  ).pooled.array
  for i in 0..<e.dim {
    #expect(
      abs(short[i] - padded[i]) < 1e-5, "pooled[\(i)] \(short[i]) vs \(padded[i])", sourceLocation: sourceLocation)
  }
}

/// Trains encoder + linear head to read the class off the first token of a sequence; returns the final loss.
func fitFirstTokenTask(_ e: SequenceEncoder, steps: Int, lr: Float) -> (first: Float, last: Float) {
  // tiny products: threads only add contention when the test runner runs tests in parallel
  BLAS.setThreads(1)
  let (b, t, classes) = (16, 6, 4)
  var layout = ParameterLayout()
  let hw = layout.add("head.weight", [classes, e.dim])
  let hb = layout.add("head.bias", [classes])
  let head = ParameterStore(layout: layout)
  var rng = TensorRandom(seed: 9)
  head.initialize(std: 0.1, rng: &rng)
  let optE = AdamW(for: e.parameters, weightDecay: 0)
  let optH = AdamW(for: head, weightDecay: 0)
  var logits = [Float](repeating: 0, count: b * classes)
  var probs = logits
  var dlogits = logits
  var dpooled = [Float](repeating: 0, count: b * e.dim)
  var first: Float = 0
  var last: Float = 0
  for step in 0..<steps {
    var tokens = [Int32]()
    var mask = [Float]()
    var labels = [Int32]()
    for _ in 0..<b {
      let len = 3 + Int(rng.next() % UInt64(t - 2))
      let label = Int32(rng.next() % UInt64(classes))
      labels.append(label)
      for j in 0..<t {
        tokens.append(j == 0 ? label : j < len ? Int32(classes) + Int32(rng.next() % 4) : 0)
        mask.append(j < len ? 1 : 0)
      }
    }
    let out = e.forward(tokens: tokens, mask: mask, batch: b, length: t)
    Linear.forward(
      out: &logits, inp: out.pooled.data, weight: head.data + hw, bias: head.data + hb, n: b, c: e.dim,
      oc: classes)
    let loss = CrossEntropy.forward(probs: &probs, logits: logits, targets: labels, n: b, c: classes)
    if step == 0 { first = loss }
    last = loss
    e.parameters.zeroGrad()
    head.zeroGrad()
    for i in dlogits.indices { dlogits[i] = 0 }
    for i in dpooled.indices { dpooled[i] = 0 }
    CrossEntropy.backward(dlogits: &dlogits, probs: probs, targets: labels, n: b, c: classes)
    Linear.backward(
      dinp: &dpooled, dweight: head.grad + hw, dbias: head.grad + hb, dout: dlogits,
      inp: out.pooled.data, weight: head.data + hw, n: b, c: e.dim, oc: classes)
    e.backward(dPooled: dpooled, dStates: nil)
    e.parameters.clipGradNorm(1)
    optE.update(e.parameters, lr: lr)
    optH.update(head, lr: lr)
  }
  return (first, last)
}

// MARK: - Transformer

@Suite struct TransformerEncoderTests {
  let tiny = TransformerConfig(vocab: 11, dim: 8, layers: 2, heads: 2, ffn: 16, maxLen: 6, dropout: 0)

  @Test func gradientsMatchFiniteDifferences() {
    checkEncoderGradients(TransformerEncoder(config: tiny, seed: 1), vocab: tiny.vocab)
  }

  @Test func paddingDoesNotChangeThePooledEmbedding() {
    let e = TransformerEncoder(config: tiny, seed: 2)
    e.training = false
    checkPaddingInvariance(e)
  }

  @Test func oneLayerTransformerFitsAToyTask() {
    let config = TransformerConfig(vocab: 8, dim: 32, layers: 1, heads: 2, ffn: 64, maxLen: 6, dropout: 0)
    let (first, last) = fitFirstTokenTask(TransformerEncoder(config: config, seed: 4), steps: 300, lr: 3e-3)
    #expect(first > 1.0)
    #expect(last < 0.1, "final loss \(last)")
  }

  @Test func dropoutIsDeterministicForASeed() {
    var config = tiny
    config.dropout = 0.2
    let a = TransformerEncoder(config: config, seed: 5)
    let b = TransformerEncoder(config: config, seed: 5)
    let tokens: [Int32] = [1, 2, 3, 4, 5, 6]
    let mask: [Float] = [1, 1, 1, 1, 1, 1]
    let pa = a.forward(tokens: tokens, mask: mask, batch: 2, length: 3).pooled.array
    let pb = b.forward(tokens: tokens, mask: mask, batch: 2, length: 3).pooled.array
    #expect(pa == pb)
    let again = a.forward(tokens: tokens, mask: mask, batch: 2, length: 3).pooled.array
    #expect(again != pa)  // a fresh dropout mask
    a.training = false
    let e1 = a.forward(tokens: tokens, mask: mask, batch: 2, length: 3).pooled.array
    let e2 = a.forward(tokens: tokens, mask: mask, batch: 2, length: 3).pooled.array
    #expect(e1 == e2)
  }

  @Test func saveLoadCloneAndMomentum() throws {
    let e = TransformerEncoder(config: tiny, seed: 6)
    e.training = false
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("enc-\(getpid()).safetensors").path
    try e.save(to: path)
    let loaded = try TransformerEncoder.load(from: path)
    loaded.training = false
    #expect(loaded.config == tiny)
    let tokens: [Int32] = [1, 2, 3]
    let mask: [Float] = [1, 1, 1]
    let x = e.forward(tokens: tokens, mask: mask, batch: 1, length: 3).pooled.array
    #expect(loaded.forward(tokens: tokens, mask: mask, batch: 1, length: 3).pooled.array == x)
    let key = e.clone()
    #expect(key.forward(tokens: tokens, mask: mask, batch: 1, length: 3).pooled.array == x)
    key.parameters.updateEMA(from: TransformerEncoder(config: tiny, seed: 7).parameters, momentum: 0.999)
    #expect(key.forward(tokens: tokens, mask: mask, batch: 1, length: 3).pooled.array != x)
    // a file for another config is refused with a hint
    var other = tiny
    other.dim = 16
    other.heads = 2
    let o = TransformerEncoder(config: other)
    #expect(throws: TensorError.self) { try o.parameters.load(from: path) }
  }
}

// MARK: - BiLSTM

@Suite struct BiLSTMEncoderTests {
  let tiny = BiLSTMConfig(vocab: 11, dim: 6, layers: 2, dropout: 0)

  @Test func gradientsMatchFiniteDifferences() {
    checkEncoderGradients(BiLSTMEncoder(config: tiny, seed: 1), vocab: tiny.vocab)
  }

  @Test func paddingDoesNotChangeThePooledEmbedding() {
    let e = BiLSTMEncoder(config: tiny, seed: 2)
    e.training = false
    checkPaddingInvariance(e)
  }

  @Test func fitsTheToyTask() {
    let config = BiLSTMConfig(vocab: 8, dim: 32, layers: 1, dropout: 0)
    let (first, last) = fitFirstTokenTask(BiLSTMEncoder(config: config, seed: 4), steps: 300, lr: 1e-2)
    #expect(first > 1.0)
    #expect(last < 0.1, "final loss \(last)")
  }

  @Test func saveLoadAndDeterministicDropout() throws {
    var config = tiny
    config.dropout = 0.3
    let a = BiLSTMEncoder(config: config, seed: 5)
    let b = BiLSTMEncoder(config: config, seed: 5)
    let tokens: [Int32] = [1, 2, 3, 4, 5, 6]
    let mask: [Float] = [1, 1, 1, 1, 1, 0]
    #expect(
      a.forward(tokens: tokens, mask: mask, batch: 2, length: 3).pooled.array
        == b.forward(tokens: tokens, mask: mask, batch: 2, length: 3).pooled.array)
    a.training = false
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-\(getpid()).safetensors").path
    try a.save(to: path)
    let loaded = try BiLSTMEncoder.load(from: path)
    loaded.training = false
    #expect(
      loaded.forward(tokens: tokens, mask: mask, batch: 2, length: 3).pooled.array
        == a.forward(tokens: tokens, mask: mask, batch: 2, length: 3).pooled.array)
    #expect(throws: TensorError.self) { try TransformerEncoder.load(from: path) }
  }
}

// MARK: - Threads

/// Splitting attention heads, GELU, layer norm, dropout and the bias and residual adds over threads must
/// not change a single bit (for a fixed OpenBLAS thread count: OpenBLAS itself may round differently with
/// another one). The shape is large enough for every row-wise split to start (rows · d ≥ 2¹⁵).
@Test func transformerResultsDoNotDependOnThreads() {
  BLAS.setThreads(1)
  let config = TransformerConfig(vocab: 50, dim: 128, layers: 2, heads: 4, ffn: 512, maxLen: 40, dropout: 0.1)
  var rng = TensorRandom(seed: 8)
  let (b, t) = (16, 40)
  let tokens = (0..<(b * t)).map { _ in Int32(rng.next() % 50) }
  let mask = (0..<(b * t)).map { Float($0 % t < 25 + $0 / t ? 1 : 0) }
  let dPooled = (0..<(b * 128)).map { _ in rng.normal() }
  var results = [[Float]]()
  for threads in [1, 2] {
    let e = TransformerEncoder(config: config, seed: 3)
    e.threads = threads
    let pooled = e.forward(tokens: tokens, mask: mask, batch: b, length: t).pooled.array
    e.backward(dPooled: dPooled, dStates: nil)
    results.append(pooled + Array(UnsafeBufferPointer(start: e.parameters.grad, count: e.parameters.count)))
  }
  let same = results[0] == results[1]  // (a Bool, so a failure does not diff 100k floats)
  #expect(same, "\(zip(results[0], results[1]).filter { $0 != $1 }.count) values differ")
}
