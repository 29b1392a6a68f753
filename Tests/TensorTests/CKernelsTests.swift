import CKernels
import Foundation
import Testing

@testable import Tensor

// MARK: - The C kernels against the Swift ones they replaced (issue 16)

/// GELU, the attention softmax rows and the vectorised cross-entropy moved to CKernels (sixteen lanes, one
/// clone per x86-64 level). GELU is the same operations in the same order, so the same bits; the softmax rows
/// sum sixteen lanes where Swift summed eight, so they agree within float rounding; masked and out-of-range
/// entries stay exactly zero.
@Suite struct CKernelsTests {
  /// Inputs over GELU's whole range: normal values, large ones (where exp clamps), zeros and ±0.
  func inputs(_ n: Int, seed: UInt64) -> [Float] {
    var x = randomArray(n, seed: seed, scale: 3)
    for i in stride(from: 0, to: n, by: 37) { x[i] *= 40 }
    if n > 10 { (x[3], x[5], x[7]) = (0, -0.0, 1e-30) }
    return x
  }

  @Test func geluForwardAndBackwardGiveTheSwiftKernelsBits() {
    let n = 8 * 517  // the Swift kernel's 8-lane blocks: same operations, same order
    let x = inputs(n, seed: 1)
    let dy = randomArray(n, seed: 2)
    let d0 = randomArray(n, seed: 3)  // backward adds into what is there
    let c = withBuffers([x, dy, d0] + zeros(n)) { p in
      GELU.forward(out: p[3], inp: p[0], count: n)
      GELU.backward(dinp: p[2], inp: p[0], dout: p[1], count: n)
    }
    let swift = withBuffers([x, dy, d0] + zeros(n)) { p in
      GELU.referenceForward(out: p[3], inp: p[0], count: n)
      GELU.referenceBackward(dinp: p[2], inp: p[0], dout: p[1], count: n)
    }
    #expect(c[3] == swift[3])
    #expect(c[2] == swift[2])
    #expect(c[3].allSatisfy { $0.isFinite })
  }

  @Test func geluBackwardOverwriteIsFillThenAddBitForBit() {
    let n = 8 * 131 + 5
    let x = inputs(n, seed: 4)
    var dy = randomArray(n, seed: 5)
    (dy[1], dy[2]) = (-0.0, 0)  // products of ±0: the fill then add gives +0, so must the overwrite
    var garbage = randomArray(n, seed: 6, scale: 1e6)
    garbage[0] = .nan
    let filled = withBuffers([x, dy] + zeros(n)) { p in GELU.backward(dinp: p[2], inp: p[0], dout: p[1], count: n) }
    let written = withBuffers([x, dy, garbage]) { p in
      GELU.backward(dinp: p[2], inp: p[0], dout: p[1], count: n, overwrite: true)
    }
    #expect(filled[2].map(\.bitPattern) == written[2].map(\.bitPattern))
    #expect(written[2][1].bitPattern == Float(0).bitPattern && written[2][2].bitPattern == Float(0).bitPattern)
    #expect(written[2].allSatisfy { $0.isFinite })
  }

  @Test func geluTailsAgreeWithinRounding() {
    // counts that leave a tail the Swift kernel computed in another order: within a few ulp
    for n in [1, 7, 13, 29] {
      let x = inputs(n, seed: UInt64(n))
      let c = withBuffers([x] + zeros(n)) { p in GELU.forward(out: p[1], inp: p[0], count: n) }[1]
      let s = withBuffers([x] + zeros(n)) { p in GELU.referenceForward(out: p[1], inp: p[0], count: n) }[1]
      for i in 0..<n { #expect(abs(c[i] - s[i]) <= 1e-6 * max(1, abs(s[i]))) }
    }
  }

  @Test func softmaxRowsMatchTheSwiftKernelWithinRounding() {
    let count = 133  // sixteen-lane blocks and a tail
    let rows = 24
    let x = randomArray(rows * count, seed: 4, scale: 4)
    var mask = [Float](repeating: 1, count: count)
    for j in stride(from: 2, to: count, by: 5) { mask[j] = 0 }
    for limit in [count, 1, 17, 100] {
      for useMask in [false, true] {
        let c = withBuffers([x, mask]) { p in
          for r in 0..<rows { ci_softmax_row(p[0] + r * count, limit, count, useMask ? p[1] : nil) }
        }[0]
        let s = withBuffers([x, mask]) { p in
          for r in 0..<rows {
            Attention.referenceSoftmaxRow(p[0] + r * count, limit: limit, count: count, mask: useMask ? p[1] : nil)
          }
        }[0]
        for i in 0..<(rows * count) { #expect(abs(c[i] - s[i]) <= 4e-7) }
        for r in 0..<rows {
          let row = c[(r * count)..<((r + 1) * count)]
          for j in 0..<count where j >= limit || (useMask && mask[j] == 0) { #expect(row[r * count + j] == 0) }
          let sum = row.reduce(0, +)
          #expect(abs(sum - 1) < 1e-5)
        }
      }
    }
    // a row that sees no key becomes zeros
    let zeroMask = [Float](repeating: 0, count: count)
    let none = withBuffers([x, zeroMask]) { p in ci_softmax_row(p[0], count, count, p[1]) }[0]
    #expect(none[0..<count].allSatisfy { v in v == 0 })
  }

  @Test func softmaxBackwardRowMatchesTheSwiftKernelWithinRounding() {
    let count = 133
    let p = withBuffers([randomArray(count, seed: 5, scale: 2)]) { ci_softmax_row($0[0], count, count, nil) }[0]
    let g = randomArray(count, seed: 6)
    let c = withBuffers([p, g]) { q in ci_softmax_backward_row(q[0], q[1], count, 0.25) }[1]
    let s = withBuffers([p, g]) { q in Attention.referenceSoftmaxBackwardRow(q[0], q[1], count: count, scale: 0.25) }[1]
    for i in 0..<count { #expect(abs(c[i] - s[i]) <= 1e-7) }
  }

  @Test func vectorizedCrossEntropyEqualsTheLibmOne() {
    let (n, c) = (9, 8000)
    let logits = randomArray(n * c, seed: 7, scale: 5)
    var targets: [Int32] = (0..<n).map { Int32(($0 * 997) % c) }
    targets[4] = -100  // an ignored row still gets its softmax
    let (fast, exact) = targets.withUnsafeBufferPointer { t -> ((Float, [Float]), (Float, [Float])) in
      var pf: [Float] = []
      var lf: Float = 0
      _ = withBuffers([logits] + zeros(n * c)) { p in
        lf = CrossEntropy.forwardVectorized(probs: p[1], logits: p[0], targets: t.baseAddress!, n: n, c: c)
        pf = Array(UnsafeBufferPointer(start: p[1], count: n * c))
      }
      var pe: [Float] = []
      var le: Float = 0
      _ = withBuffers([logits] + zeros(n * c)) { p in
        le = CrossEntropy.forward(probs: p[1], logits: p[0], targets: t.baseAddress!, n: n, c: c)
        pe = Array(UnsafeBufferPointer(start: p[1], count: n * c))
      }
      return ((lf, pf), (le, pe))
    }
    #expect(abs(fast.0 - exact.0) <= 1e-5 * exact.0)
    // the probabilities against a Double softmax: the libm kernel sums 8,000 terms one by one (relative error
    // up to ~1e-5 here), the vectorised one in sixteen lanes (closer)
    var worst: (fast: Double, libm: Double) = (0, 0)
    for r in 0..<n {
      let row = logits[(r * c)..<((r + 1) * c)].map(Double.init)
      let mx = row.max()!
      let sum = row.reduce(0) { $0 + Foundation.exp($1 - mx) }
      for j in 0..<c {
        let p = Foundation.exp(row[j] - mx) / sum
        worst.fast = max(worst.fast, abs(Double(fast.1[r * c + j]) - p) / p)
        worst.libm = max(worst.libm, abs(Double(exact.1[r * c + j]) - p) / p)
      }
    }
    #expect(worst.fast < 1e-5)
    #expect(worst.fast <= worst.libm)
  }

  @Test func argmaxFindsTheFirstLargest() {
    for (n, seed) in [(1, 1), (15, 2), (16, 3), (8000, 4), (133, 5)] {
      var x = randomArray(n, seed: UInt64(seed)).map { ($0 * 4).rounded() }  // rounded: many ties
      if n > 20 { x[n - 1] = 100 }
      let found = x.withUnsafeBufferPointer { FastMath.argmax($0.baseAddress!, count: n) }
      var best = 0
      for j in 1..<n where x[j] > x[best] { best = j }
      #expect(found == best, "n \(n)")
    }
    let allLow = [Float](repeating: -.infinity, count: 20)
    #expect(allLow.withUnsafeBufferPointer { FastMath.argmax($0.baseAddress!, count: 20) } == 0)
  }

  @Test func dropoutDrawsTheSwiftHashsMasks() {
    let (rows, width, p) = (37, 24, Float(0.3))
    let x = randomArray(rows * width, seed: 8)
    let scale = 1 / (1 - p)
    func expected(index: (Int, Int) -> Int, key: UInt64) -> [Float] {
      (0..<(rows * width)).map { i in
        Dropout.uniform(key: key, index(i / width, i % width)) < p ? 0 : scale
      }
    }
    // contiguous, from an offset, split over workers
    var rngA = TensorRandom(seed: 3)
    var keyRNG = TensorRandom(seed: 3)
    let keyA = keyRNG.next()
    let a = withBuffers([x] + zeros(rows * width, rows * width)) { q in
      Dropout.forward(
        out: q[1], mask: q[2], inp: q[0], count: rows * width, p: p, rng: &rngA, threads: 3, indexOffset: 1000)
    }
    let maskA = expected(index: { r, k in 1000 + r * width + k }, key: keyA)
    #expect(a[2] == maskA)
    #expect(a[1] == zip(x, maskA).map { $0 * $1 })
    // rows that sit elsewhere in a bigger tensor
    let rowIndex = (0..<rows).map { 5 + 3 * $0 }
    var rngB = TensorRandom(seed: 4)
    keyRNG = TensorRandom(seed: 4)
    let keyB = keyRNG.next()
    let b = withBuffers([x] + zeros(rows * width, rows * width)) { q in
      Dropout.forward(
        out: q[1], mask: q[2], inp: q[0], rows: rows, width: width, rowIndex: rowIndex, p: p, rng: &rngB, threads: 2)
    }
    let maskB = expected(index: { r, k in rowIndex[r] * width + k }, key: keyB)
    #expect(b[2] == maskB)
    #expect(b[1] == zip(x, maskB).map { $0 * $1 })
    let dropped = maskB.filter { $0 == 0 }.count
    #expect(dropped > rows * width / 5 && dropped < rows * width * 2 / 5)
  }

  /// A store with seeded weights and its AdamW (weight decay 0.05, two threads): the two sides of a bit comparison.
  static func adamW(_ layout: ParameterLayout) -> (ParameterStore, AdamW) {
    let store = ParameterStore(layout: layout)
    let w = randomArray(store.count, seed: 9)
    for i in 0..<store.count { store.data[i] = w[i] }
    let opt = AdamW(for: store, weightDecay: 0.05)
    opt.threads = 2
    return (store, opt)
  }

  @Test func adamWGivesTheSwiftLoopsBits() {
    var layout = ParameterLayout()
    _ = layout.add("w", [37, 11])
    _ = layout.add("b", [37], decay: false)
    let (a, optA) = Self.adamW(layout)
    let (b, optB) = Self.adamW(layout)
    for step in 0..<3 {
      let g = randomArray(a.count, seed: 20 + UInt64(step), scale: 0.1)
      for i in 0..<a.count { (a.grad[i], b.grad[i]) = (g[i], g[i]) }
      optA.update(a, lr: 1e-2)
      optB.referenceUpdate(b, lr: 1e-2)
    }
    #expect(array(a.data, a.count) == array(b.data, b.count))
    #expect(array(optA.m, a.count) == array(optB.m, b.count))
    #expect(array(optA.v, a.count) == array(optB.v, b.count))
    #expect(array(a.data, a.count) != randomArray(a.count, seed: 9))
  }

  @Test func adamWWithAGradientScaleIsScalingThenUpdatingBitForBit() {
    var layout = ParameterLayout()
    _ = layout.add("w", [300, 251])  // large enough for the two-thread split
    _ = layout.add("b", [37], decay: false)
    let (a, optA) = Self.adamW(layout)
    let (b, optB) = Self.adamW(layout)
    for step in 0..<3 {
      let g = randomArray(a.count, seed: 30 + UInt64(step), scale: 3)
      let scale: Float = [0.173, 1, 0.0421][step]
      for i in 0..<a.count { (a.grad[i], b.grad[i]) = (g[i], g[i]) }
      optA.update(a, lr: 1e-2, gradScale: scale)
      for i in 0..<b.count { b.grad[i] *= scale }
      optB.update(b, lr: 1e-2)
      #expect(array(a.grad, a.count) == g, "the gradients are read, not scaled in place")
    }
    #expect(array(a.data, a.count) == array(b.data, b.count))
    #expect(array(optA.m, a.count) == array(optB.m, b.count))
    #expect(array(optA.v, a.count) == array(optB.v, b.count))
  }
}

func array(_ p: UnsafePointer<Float>, _ n: Int) -> [Float] { Array(UnsafeBufferPointer(start: p, count: n)) }
