import Foundation
import Testing

@testable import Heads
@testable import Model
@testable import Tensor

@Suite("TypeHead")
struct TypeHeadTests {
  static let config = TypeHeadConfig(inputDim: 5, hidden: 4, vocabulary: 3, subtokens: 6, forms: 2, pairFeatures: 2)
  static let candidates = [
    TypeHeadCandidate(tokens: [1, 2], form: 0), TypeHeadCandidate(tokens: [3], form: 1),
    TypeHeadCandidate(tokens: [2, 5, 4], form: 1),
  ]
  static let offers: [[TypeHeadOffer]] = [
    [TypeHeadOffer(candidate: 0, features: [0.5, 1]), TypeHeadOffer(candidate: 2, features: [0, 0])],
    [],
    [
      TypeHeadOffer(candidate: 1, features: [1, 0]), TypeHeadOffer(candidate: 0, features: [0.25, 0]),
      TypeHeadOffer(candidate: 2, features: [0, 1]),
    ],
  ]
  static let targets: [Int?] = [3, 1, 4]

  static func features(seed: UInt64) -> [Float] {
    var rng = TensorRandom(seed: seed)
    return (0..<15).map { _ in rng.normal() }
  }

  static func loss(_ head: TypeHead, _ x: [Float]) -> Float {
    _ = x.withUnsafeBufferPointer { head.forward(features: $0.baseAddress!, n: 3, candidates: candidates, offers: offers) }
    head.parameters.zeroGrad()
    return head.lossAndBackward(targets: targets).loss
  }

  @Test("logits: vocabulary then each site's own candidates")
  func shapes() {
    let head = TypeHead(config: Self.config, seed: 3)
    let x = Self.features(seed: 1)
    let logits = x.withUnsafeBufferPointer {
      head.forward(features: $0.baseAddress!, n: 3, candidates: Self.candidates, offers: Self.offers)
    }
    #expect(logits.map(\.count) == [5, 3, 6])
    let p = TypeHead.softmax(logits[2])
    #expect(abs(p.reduce(0, +) - 1) < 1e-5)
  }

  @Test("analytic gradients match finite differences (parameters and features)")
  func gradients() {
    let head = TypeHead(config: Self.config, seed: 3)
    // Biases and the pair weights start at zero; move them so their gradients are exercised off zero.
    var rng = TensorRandom(seed: 9)
    for i in 0..<head.parameters.count { head.parameters.data[i] += 0.3 * rng.normal() }
    let x = Self.features(seed: 1)
    x.withUnsafeBufferPointer {
      _ = head.forward(features: $0.baseAddress!, n: 3, candidates: Self.candidates, offers: Self.offers)
    }
    head.parameters.zeroGrad()
    let (_, dxPtr) = head.lossAndBackward(targets: Self.targets)
    let dx = Array(UnsafeBufferPointer(start: dxPtr, count: 15))
    let analytic = Array(UnsafeBufferPointer(start: head.parameters.grad, count: head.parameters.count))
    let eps: Float = 1e-2
    var checked = 0
    for i in 0..<head.parameters.count {
      let saved = head.parameters.data[i]
      head.parameters.data[i] = saved + eps
      let up = Self.loss(head, x)
      head.parameters.data[i] = saved - eps
      let down = Self.loss(head, x)
      head.parameters.data[i] = saved
      let numeric = (up - down) / (2 * eps)
      #expect(abs(numeric - analytic[i]) <= 2e-3 + 2e-2 * abs(numeric), "parameter \(i): \(numeric) vs \(analytic[i])")
      if abs(analytic[i]) > 1e-4 { checked += 1 }
    }
    // Every kind of parameter got a gradient (only unused subtoken rows stay zero).
    #expect(checked > head.parameters.count / 2)
    for i in 0..<15 {
      var xp = x
      xp[i] += eps
      let up = Self.loss(head, xp)
      xp[i] -= 2 * eps
      let down = Self.loss(head, xp)
      let numeric = (up - down) / (2 * eps)
      #expect(abs(numeric - dx[i]) <= 2e-3 + 2e-2 * abs(numeric), "feature \(i): \(numeric) vs \(dx[i])")
    }
  }

  @Test("a site without a target gets no gradient and is left out of the loss")
  func untargeted() {
    let head = TypeHead(config: Self.config, seed: 3)
    let x = Self.features(seed: 2)
    x.withUnsafeBufferPointer {
      _ = head.forward(features: $0.baseAddress!, n: 3, candidates: Self.candidates, offers: Self.offers)
    }
    head.parameters.zeroGrad()
    let (_, dx) = head.lossAndBackward(targets: [nil, 1, nil])
    for i in 0..<5 { #expect(dx[i] == 0) }
    #expect((5..<10).contains { dx[$0] != 0 })
  }

  @Test("training on a pointer target raises its probability; save/load round trip")
  func learnsAndRoundTrips() throws {
    let head = TypeHead(config: Self.config, seed: 4)
    let x = Self.features(seed: 5)
    let opt = AdamW(for: head.parameters, weightDecay: 0)
    func prob() -> Float {
      let l = x.withUnsafeBufferPointer {
        head.forward(features: $0.baseAddress!, n: 3, candidates: Self.candidates, offers: Self.offers)
      }
      return TypeHead.softmax(l[2])[4]
    }
    let before = prob()
    for _ in 0..<50 {
      _ = Self.loss(head, x)
      opt.update(head.parameters, lr: 0.05)
    }
    let after = prob()
    #expect(after > before + 0.3)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("typehead-\(UUID()).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try head.save(to: path)
    let loaded = try TypeHead.load(from: path)
    #expect(loaded.config == head.config)
    let l = x.withUnsafeBufferPointer {
      loaded.forward(features: $0.baseAddress!, n: 3, candidates: Self.candidates, offers: Self.offers)
    }
    #expect(abs(TypeHead.softmax(l[2])[4] - after) < 1e-6)
  }
}
