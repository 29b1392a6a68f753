import Testing

@testable import Tensor

// MARK: - Finite-difference gradient checking

/// Checks an op's backward pass against central differences of L = Σ w ⊙ forward(inputs), with a fixed
/// random w. The loss is accumulated in Double, so Float32 rounding stays well below the tolerance.
struct GradCheck {
  var eps: Float = 1e-2
  var atol: Float = 2e-3
  var rtol: Float = 2e-2

  /// `forward(inputs) -> output`; `backward(inputs, dout) -> one gradient per input` (nil to skip one).
  func check(
    _ label: String, inputs: [[Float]], seed: UInt64 = 7,
    forward: ([[Float]]) -> [Float], backward: ([[Float]], [Float]) -> [[Float]?],
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    var rng = TensorRandom(seed: seed)
    let out = forward(inputs)
    let w = (0..<out.count).map { _ in rng.normal() }
    func loss(_ xs: [[Float]]) -> Double {
      zip(forward(xs), w).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    let analytic = backward(inputs, w)
    var worst: Float = 0
    for (k, input) in inputs.enumerated() {
      guard let grad = analytic[k] else { continue }
      #expect(grad.count == input.count, "\(label): gradient \(k) has the wrong size", sourceLocation: sourceLocation)
      for i in input.indices {
        var plus = inputs
        var minus = inputs
        plus[k][i] += eps
        minus[k][i] -= eps
        let numeric = Float((loss(plus) - loss(minus)) / Double(2 * eps))
        let err = abs(numeric - grad[i])
        let allowed = atol + rtol * max(abs(numeric), abs(grad[i]))
        worst = max(worst, err / allowed)
        if err > allowed {
          Issue.record(
            "\(label): input \(k)[\(i)] analytic \(grad[i]) numeric \(numeric)", sourceLocation: sourceLocation)
          return
        }
      }
    }
    #expect(worst <= 1, sourceLocation: sourceLocation)
  }
}

/// Random values from a fixed seed.
func randomArray(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
  var rng = TensorRandom(seed: seed)
  return (0..<n).map { _ in rng.normal() * scale }
}

/// Runs `body` with mutable pointers to copies of the arrays and returns the (possibly written) copies.
func withBuffers(_ arrays: [[Float]], _ body: ([UnsafeMutablePointer<Float>]) -> Void) -> [[Float]] {
  let ptrs = arrays.map { a -> UnsafeMutablePointer<Float> in
    let p = UnsafeMutablePointer<Float>.allocate(capacity: max(a.count, 1))
    p.initialize(repeating: 0, count: max(a.count, 1))
    for (i, x) in a.enumerated() { p[i] = x }
    return p
  }
  body(ptrs)
  let out = zip(ptrs, arrays).map { Array(UnsafeBufferPointer(start: $0.0, count: $0.1.count)) }
  ptrs.forEach { $0.deallocate() }
  return out
}

/// Zero arrays of the given sizes.
func zeros(_ sizes: Int...) -> [[Float]] { sizes.map { [Float](repeating: 0, count: $0) } }
