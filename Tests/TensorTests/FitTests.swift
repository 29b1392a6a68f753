import Foundation
import Testing

@testable import Tensor

// MARK: - A tiny MLP must fit a toy task

/// Two-layer MLP (2 → 32 → GELU → 2) on 64 points in two rings: the loss must fall below 0.05.
@Test func tinyMLPFitsTwoRings() {
  var rng = TensorRandom(seed: 11)
  let n = 64
  let hidden = 32
  var x = [Float]()
  var y = [Int32]()
  for i in 0..<n {
    let r: Float = i % 2 == 0 ? 0.5 : 1.5
    let a = rng.uniform() * 6.283
    x += [r * cosf(a), r * sinf(a)]
    y.append(Int32(i % 2))
  }
  var layout = ParameterLayout()
  let w1 = layout.add("fc1.weight", [hidden, 2])
  let b1 = layout.add("fc1.bias", [hidden])
  let w2 = layout.add("fc2.weight", [2, hidden])
  let b2 = layout.add("fc2.bias", [2])
  let p = ParameterStore(layout: layout)
  p.initialize(std: 0.5, rng: &rng)
  let opt = AdamW(for: p, weightDecay: 0)
  let h = Tensor(zeros: [n, hidden])
  let a = Tensor(zeros: [n, hidden])
  let logits = Tensor(zeros: [n, 2])
  let probs = Tensor(zeros: [n, 2])
  let dlogits = Tensor(zeros: [n, 2])
  let da = Tensor(zeros: [n, hidden])
  let dh = Tensor(zeros: [n, hidden])
  var first: Float = 0
  var loss: Float = 0
  for step in 0..<400 {
    Linear.forward(out: h.data, inp: x, weight: p.data + w1, bias: p.data + b1, n: n, c: 2, oc: hidden)
    GELU.forward(out: a.data, inp: h.data, count: h.count)
    Linear.forward(out: logits.data, inp: a.data, weight: p.data + w2, bias: p.data + b2, n: n, c: hidden, oc: 2)
    loss = CrossEntropy.forward(probs: probs.data, logits: logits.data, targets: y, n: n, c: 2)
    if step == 0 { first = loss }
    p.zeroGrad()
    dlogits.fill(0)
    da.fill(0)
    dh.fill(0)
    CrossEntropy.backward(dlogits: dlogits.data, probs: probs.data, targets: y, n: n, c: 2)
    Linear.backward(
      dinp: da.data, dweight: p.grad + w2, dbias: p.grad + b2, dout: dlogits.data, inp: a.data,
      weight: p.data + w2, n: n, c: hidden, oc: 2)
    GELU.backward(dinp: dh.data, inp: h.data, dout: da.data, count: h.count)
    Linear.backward(
      dinp: nil, dweight: p.grad + w1, dbias: p.grad + b1, dout: dh.data, inp: x,
      weight: p.data + w1, n: n, c: 2, oc: hidden)
    p.clipGradNorm(5)
    opt.update(p, lr: 0.03)
  }
  #expect(first > 0.5)
  #expect(loss < 0.05, "final loss \(loss)")
}
