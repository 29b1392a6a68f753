import Testing

@testable import Tensor

/// The checker itself must catch a wrong gradient, or every passing op check means nothing.
@Test func gradCheckCatchesAWrongGradient() {
  withKnownIssue {
    GradCheck().check(
      "doubled relu", inputs: [[0.5, -1, 2]],
      forward: { x in withBuffers(x + zeros(3)) { p in ReLU.forward(out: p[1], inp: p[0], count: 3) }[1] },
      backward: { x, dy in
        [
          withBuffers(x + [dy.map { 2 * $0 }] + zeros(3)) { p in
            ReLU.backward(dinp: p[2], inp: p[0], dout: p[1], count: 3)
          }[2]
        ]
      })
  }
}
