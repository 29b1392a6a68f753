import Foundation
import Testing

@testable import Tensor

// MARK: - Parameters, AdamW, schedules, EMA

@Suite struct OptimizerTests {
  func store() -> ParameterStore {
    var layout = ParameterLayout()
    layout.add("w", [2, 3])
    layout.add("b", [3])
    return ParameterStore(layout: layout)
  }

  @Test func layoutIsContiguousAndNamed() throws {
    let s = store()
    #expect(s.count == 9)
    let b = try #require(s.tensor("b"))
    b.fill(2)
    #expect(s.data[6] == 2 && s.data[5] == 0)
    #expect(s.entry("w")?.decay == true && s.entry("b")?.decay == false)
    #expect(s.tensor("missing") == nil)
  }

  @Test func adamWFirstStepMovesByLearningRate() {
    let s = store()
    for i in 0..<9 {
      s.data[i] = 1
      s.grad[i] = i % 2 == 0 ? 0.5 : -3
    }
    let opt = AdamW(for: s, weightDecay: 0.1)
    opt.update(s, lr: 0.01)
    // step 1: m̂ = g, v̂ = g², so the update is lr · sign(g), plus decay lr·wd·p on matrices only
    #expect(abs(s.data[0] - (1 - 0.01 - 0.001)) < 1e-5)
    #expect(abs(s.data[1] - (1 + 0.01 - 0.001)) < 1e-5)
    #expect(abs(s.data[6] - (1 - 0.01)) < 1e-5)
  }

  @Test func adamWMinimisesAQuadratic() {
    let s = store()
    let target: [Float] = (0..<9).map { Float($0) - 4 }
    let opt = AdamW(for: s, weightDecay: 0)
    for _ in 0..<500 {
      for i in 0..<9 { s.grad[i] = 2 * (s.data[i] - target[i]) }
      opt.update(s, lr: 0.05)
    }
    for i in 0..<9 { #expect(abs(s.data[i] - target[i]) < 0.05) }
  }

  @Test func clippingScalesToTheGlobalNorm() {
    let s = store()
    for i in 0..<9 { s.grad[i] = 3 }
    let norm = s.clipGradNorm(1)
    #expect(abs(norm - 9) < 1e-5)
    #expect(abs(s.gradNorm() - 1) < 1e-4)
    s.clipGradNorm(5)
    #expect(abs(s.gradNorm() - 1) < 1e-4)
  }

  @Test func schedules() {
    let cos = LearningRateSchedule(peak: 1, warmup: 10, total: 110, decay: .cosine, floor: 0.1)
    #expect(abs(cos.rate(at: 0) - 0.1) < 1e-6)
    #expect(cos.rate(at: 9) == 1)
    #expect(abs(cos.rate(at: 60) - 0.55) < 1e-5)
    #expect(abs(cos.rate(at: 110) - 0.1) < 1e-6)
    let lin = LearningRateSchedule(peak: 2, warmup: 0, total: 100, decay: .linear)
    #expect(abs(lin.rate(at: 50) - 1) < 1e-6)
    #expect(lin.rate(at: 500) == 0)
  }

  @Test func emaFollowsTheQueryEncoder() {
    let key = store()
    let query = store()
    for i in 0..<9 {
      key.data[i] = 1
      query.data[i] = 3
    }
    key.updateEMA(from: query, momentum: 0.75)
    #expect((0..<9).allSatisfy { abs(key.data[$0] - 1.5) < 1e-6 })
    let c = query.clone()
    #expect(c.data[4] == 3 && c.data != query.data)
  }
}

/// Saving and reloading AdamW's state mid-run must give the same weights as an uninterrupted run.
@Test func adamWResumesExactly() throws {
  func makeStore() -> ParameterStore {
    var layout = ParameterLayout()
    layout.add("w", [3, 2])
    let s = ParameterStore(layout: layout)
    for i in 0..<6 { s.data[i] = Float(i) * 0.1 }
    return s
  }
  func grads(_ s: ParameterStore, _ k: Int) { for i in 0..<6 { s.grad[i] = sinf(Float(i + k)) } }
  let a = makeStore()
  let optA = AdamW(for: a)
  for k in 0..<6 {
    grads(a, k)
    optA.update(a, lr: 0.01)
  }
  let b = makeStore()
  let optB = AdamW(for: b)
  for k in 0..<3 {
    grads(b, k)
    optB.update(b, lr: 0.01)
  }
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("adamw-\(getpid()).safetensors").path
  try optB.save(to: path)
  let c = b.clone()
  let optC = AdamW(for: c)
  try optC.load(from: path)
  #expect(optC.step == 3)
  for k in 3..<6 {
    grads(c, k)
    optC.update(c, lr: 0.01)
  }
  #expect((0..<6).allSatisfy { a.data[$0] == c.data[$0] })
}
