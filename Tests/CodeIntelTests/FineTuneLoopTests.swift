import Foundation
import Tensor
import Testing

@testable import Heads

/// The heads' shared fine-tuning loop on a toy least-squares problem: two parts (an "encoder" and a "head"),
/// their gradients written by hand.
@Suite struct FineTuneLoopTests {
  /// Two stores of 3 and 2 weights, starting at fixed values.
  func stores() -> (ParameterStore, ParameterStore) {
    var a = ParameterLayout()
    _ = a.add("w", [3])
    var b = ParameterLayout()
    _ = b.add("v", [2])
    let (x, y) = (ParameterStore(layout: a), ParameterStore(layout: b))
    for i in 0..<3 { x.data[i] = Float(i) - 1 }
    for i in 0..<2 { y.data[i] = 2 * Float(i) + 0.5 }
    return (x, y)
  }

  /// loss = Σ (w_i - t_i)² + Σ (v_j - s_j)², targets depending on the step (so data order matters);
  /// gradients added to the stores' grad buffers.
  func lossAndGradients(_ x: ParameterStore, _ y: ParameterStore, step: Int) -> Float {
    var loss: Float = 0
    for (s, n) in [(x, 3), (y, 2)] {
      for i in 0..<n {
        let d = s.data[i] - Float((step + i) % 4)
        loss += d * d
        s.grad[i] += 2 * d
      }
    }
    return loss
  }

  func loop(_ x: ParameterStore, _ y: ParameterStore, clipping: FineTuneLoop.Clipping) -> FineTuneLoop {
    FineTuneLoop(
      parts: [
        .init(
          store: x, weightDecay: 0.01, learningRateScale: 0.3, weightsFile: "x.safetensors",
          optimizerFile: "adam-x.safetensors"),
        .init(store: y, weightDecay: 0.01, weightsFile: "y.safetensors", optimizerFile: "adam-y.safetensors"),
      ], clipping: clipping)
  }

  func schedule(_ step: Int, _: Double) -> Float? { step < 7 ? 0.1 * Float(step + 1) / 7 : nil }

  @Test func eachStepIsZeroLossClipUpdateInThatOrder() throws {
    let (x, y) = stores()
    let l = loop(x, y, clipping: .together(1))
    var seen: [FineTuneLoop.Step] = []
    let finished = try l.run(
      checkpointEvery: .steps(1000), learningRate: schedule, step: { lossAndGradients(x, y, step: $0) },
      after: { seen.append($0) }, checkpoint: { _ in })
    #expect(finished && l.step == 7 && seen.count == 7)
    // the same by hand: one norm over both stores, AdamW per store with its scale
    let (rx, ry) = stores()
    let (ox, oy) = (AdamW(for: rx, weightDecay: 0.01), AdamW(for: ry, weightDecay: 0.01))
    for step in 0..<7 {
      rx.zeroGrad()
      ry.zeroGrad()
      let loss = lossAndGradients(rx, ry, step: step)
      var s: Double = 0
      for i in 0..<3 { s += Double(rx.grad[i]) * Double(rx.grad[i]) }
      for i in 0..<2 { s += Double(ry.grad[i]) * Double(ry.grad[i]) }
      let norm = Float(s.squareRoot())
      if norm > 1 {
        let k = 1 / (norm + 1e-6)
        for i in 0..<3 { rx.grad[i] *= k }
        for i in 0..<2 { ry.grad[i] *= k }
      }
      let lr = schedule(step, 0)!
      ox.update(rx, lr: lr * 0.3)
      oy.update(ry, lr: lr)
      #expect(seen[step].loss == loss && seen[step].gradientNorm == norm && seen[step].learningRate == lr)
    }
    #expect((0..<3).allSatisfy { x.data[$0] == rx.data[$0] } && (0..<2).allSatisfy { y.data[$0] == ry.data[$0] })
  }

  @Test func aStoppedRunResumedFromItsCheckpointEndsBitForBitWhereAnUninterruptedOneDoes() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("finetune-loop-\(UUID())")
    defer { try? FileManager.default.removeItem(at: dir) }
    struct State: Codable, Equatable {
      var step: Int
      var note: String
    }

    let (ax, ay) = stores()
    let whole = loop(ax, ay, clipping: .each(0.5))
    #expect(
      try whole.run(
        checkpointEvery: .steps(1000), learningRate: schedule, step: { lossAndGradients(ax, ay, step: $0) },
        after: { _ in }, checkpoint: { _ in }))

    let (bx, by) = stores()
    let first = loop(bx, by, clipping: .each(0.5))
    var checkpoints: [Int] = []
    let finished = try first.run(
      stopAt: 4, checkpointEvery: .steps(2), learningRate: schedule, step: { lossAndGradients(bx, by, step: $0) },
      after: { _ in },
      checkpoint: { _ in
        checkpoints.append(first.step)
        try first.checkpoint(to: dir, state: State(step: first.step, note: "x"))
      })
    #expect(!finished && first.step == 4 && checkpoints == [2, 4])
    #expect(FineTuneLoop.state(State.self, in: dir) == State(step: 4, note: "x"))

    let (cx, cy) = stores()  // fresh weights: everything comes from the checkpoint
    let second = loop(cx, cy, clipping: .each(0.5))
    try second.restore(from: dir, step: 4, seconds: 12)
    #expect(second.step == 4 && second.elapsedSeconds >= 12)
    #expect(
      try second.run(
        checkpointEvery: .steps(1000), learningRate: schedule, step: { lossAndGradients(cx, cy, step: $0) },
        after: { _ in }, checkpoint: { _ in }))
    #expect(second.step == 7)
    #expect((0..<3).allSatisfy { cx.data[$0] == ax.data[$0] } && (0..<2).allSatisfy { cy.data[$0] == ay.data[$0] })
    // a checkpoint of another shape is refused
    var other = ParameterLayout()
    _ = other.add("w", [4])
    let wrong = FineTuneLoop(
      parts: [
        .init(
          store: ParameterStore(layout: other), weightDecay: 0, weightsFile: "x.safetensors",
          optimizerFile: "adam-x.safetensors")
      ],
      clipping: .each(1))
    #expect(throws: (any Error).self) { try wrong.restore(from: dir, step: 4, seconds: 0) }
  }
}
