import Foundation
import Testing

@testable import Tensor

// MARK: - Splitting row-wise work over threads (issue 16)

/// The ops that split their rows, columns or elements over workers must give the same bits for every
/// worker count. The shapes are above the size where the split starts (rows · width ≥ 2¹⁵).
@Suite struct ThreadSplitTests {
  let n = 600, c = 136  // 136: a column split that is not a multiple of 16, and a SIMD tail of 0

  func run(threads: Int, _ body: (Int, [UnsafeMutablePointer<Float>]) -> Void, _ arrays: [[Float]]) -> [[Float]] {
    withBuffers(arrays) { body(threads, $0) }
  }

  @Test func layerNormForwardAndBackward() {
    let x = randomArray(n * c, seed: 1, scale: 3)
    let w = randomArray(c, seed: 2)
    let bias = randomArray(c, seed: 3)
    let dy = randomArray(n * c, seed: 4)
    let dx0 = randomArray(n * c, seed: 5)  // backward adds into what is there
    let results = [1, 2, 3].map { threads in
      run(
        threads: threads,
        { th, p in
          LayerNorm.forward(
            out: p[3], mean: p[4], rstd: p[5], inp: p[0], weight: p[1], bias: p[2], n: n, c: c, threads: th)
          LayerNorm.backward(
            dinp: p[7], dweight: p[8], dbias: p[9], dout: p[6], inp: p[0], weight: p[1], mean: p[4], rstd: p[5],
            n: n, c: c, threads: th)
        }, [x, w, bias] + zeros(n * c, n, n) + [dy, dx0] + zeros(c, c))
    }
    #expect(results[0] == results[1])
    #expect(results[0] == results[2])
    // and it still normalises: each output row has mean 0 and variance 1 before the affine part
    let mean = results[0][4]
    let rstd = results[0][5]
    let row = Array(x[0..<c]).map(Double.init)
    let m = row.reduce(0, +) / Double(c)
    let v = row.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(c)
    #expect(abs(Double(mean[0]) - m) < 1e-5)
    #expect(abs(Double(rstd[0]) - 1 / (v + 1e-5).squareRoot()) < 1e-4)
  }

  @Test func dropoutMasksDoNotDependOnTheSplit() {
    let count = 70_001
    let x = randomArray(count, seed: 6)
    let results = [1, 2, 4].map { threads in
      var rng = TensorRandom(seed: 9)
      return withBuffers([x] + zeros(count, count)) { p in
        Dropout.forward(out: p[1], mask: p[2], inp: p[0], count: count, p: 0.1, rng: &rng, threads: threads)
      }
    }
    #expect(results[0] == results[1] && results[0] == results[2])
    let kept = results[0][2].filter { $0 != 0 }.count
    #expect(abs(Double(kept) / Double(count) - 0.9) < 0.01)
    // two calls on one generator draw different masks
    var rng = TensorRandom(seed: 9)
    let twice = withBuffers([x] + zeros(count, count, count, count)) { p in
      Dropout.forward(out: p[1], mask: p[2], inp: p[0], count: count, p: 0.5, rng: &rng)
      Dropout.forward(out: p[3], mask: p[4], inp: p[0], count: count, p: 0.5, rng: &rng)
    }
    #expect(twice[2] != twice[4])
  }

  @Test func linearBiasAndItsGradient() {
    let (k, oc) = (64, 136)
    let x = randomArray(n * k, seed: 7)
    let w = randomArray(oc * k, seed: 8)
    let bias = randomArray(oc, seed: 9)
    let dy = randomArray(n * oc, seed: 10)
    let results = [1, 2].map { threads in
      run(
        threads: threads,
        { th, p in
          Linear.forward(out: p[3], inp: p[0], weight: p[1], bias: p[2], n: n, c: k, oc: oc, threads: th)
          Linear.backward(
            dinp: p[5], dweight: p[6], dbias: p[7], dout: p[4], inp: p[0], weight: p[1], n: n, c: k, oc: oc,
            threads: th)
        }, [x, w, bias] + zeros(n * oc) + [dy] + zeros(n * k, oc * k, oc))
    }
    #expect(results[0] == results[1])
    // the bias gradient is the column sum of dout
    let sum0 = (0..<n).reduce(Float(0)) { $0 + dy[$1 * oc] }
    #expect(abs(results[0][7][0] - sum0) < 1e-3)
  }

  @Test func adamWUpdatesTheSameForAnyThreadCount() {
    var layout = ParameterLayout()
    _ = layout.add("big", [300, 300])
    _ = layout.add("small", [7])
    let results = [1, 2].map { threads -> [Float] in
      let store = ParameterStore(layout: layout)
      var rng = TensorRandom(seed: 11)
      rng.fillNormal(store.data, count: store.count, std: 1)
      rng.fillNormal(store.grad, count: store.count, std: 1)
      let opt = AdamW(for: store)
      opt.threads = threads
      for _ in 0..<3 { opt.update(store, lr: 1e-2) }
      return Array(UnsafeBufferPointer(start: store.data, count: store.count))
    }
    #expect(results[0] == results[1])
  }
}

// MARK: - Replicas for data parallelism

@Suite struct ReplicaTests {
  @Test func dropoutOfASliceIsTheWholeTensorsMaskThere() {
    let n = 1000
    let x = randomArray(n, seed: 9)
    var rng = TensorRandom(seed: 4)
    var (whole, wholeMask) = ([Float](repeating: 0, count: n), [Float](repeating: 0, count: n))
    Dropout.forward(out: &whole, mask: &wholeMask, inp: x, count: n, p: 0.3, rng: &rng)
    var pieces = [Float](repeating: 0, count: n)
    var pieceMask = [Float](repeating: 0, count: n)
    for (start, end) in [(0, 370), (370, 1000)] {
      var r = TensorRandom(seed: 4)  // each slice reseeded alike, as the lanes of a step are
      x.withUnsafeBufferPointer { xp in
        pieces.withUnsafeMutableBufferPointer { o in
          pieceMask.withUnsafeMutableBufferPointer { m in
            Dropout.forward(
              out: o.baseAddress! + start, mask: m.baseAddress! + start, inp: xp.baseAddress! + start,
              count: end - start, p: 0.3, rng: &r, indexOffset: start)
          }
        }
      }
    }
    #expect(pieces == whole && pieceMask == wholeMask)
    #expect(wholeMask.contains(0) && wholeMask.contains { $0 > 1 })
  }

  @Test func momentumUpdateSplitOverThreadsGivesOneCallsBits() {
    var layout = ParameterLayout()
    layout.add("w", [701, 311])  // 218,011 floats: split, with a tail that is no multiple of a vector
    layout.add("b", [13])
    func make() -> (ParameterStore, ParameterStore) {
      let (key, query) = (ParameterStore(layout: layout), ParameterStore(layout: layout))
      let (k, q) = (randomArray(key.count, seed: 41), randomArray(key.count, seed: 42, scale: 3))
      for i in 0..<key.count { (key.data[i], query.data[i]) = (k[i], q[i]) }
      return (key, query)
    }
    let (a, qa) = make()
    let (b, qb) = make()
    for m: Float in [0.99, 0.9137, 0.5] {
      a.updateEMA(from: qa, momentum: m, threads: 1)
      b.updateEMA(from: qb, momentum: m, threads: 2)
      #expect(array(a.data, a.count).map(\.bitPattern) == array(b.data, b.count).map(\.bitPattern))
    }
    #expect(array(a.data, a.count) != randomArray(a.count, seed: 41))
  }

  @Test func sharedStoresReadOneWeightBufferAndSumTheirGradients() {
    var layout = ParameterLayout()
    layout.add("w", [3, 5])
    layout.add("b", [5])
    let main = ParameterStore(layout: layout)
    let r1 = ParameterStore(sharingParametersOf: main)
    let r2 = ParameterStore(sharingParametersOf: r1)  // a replica of a replica reads the same root
    main.data[7] = 2.5
    #expect(r1.data[7] == 2.5 && r2.data[7] == 2.5 && r2.sharedWith === main)
    #expect(r1.grad != main.grad && r2.grad != r1.grad)
    for i in 0..<main.count {
      r1.grad[i] = Float(i)
      r2.grad[i] = 0.5
      main.grad[i] = 100  // overwritten, not added to
    }
    main.setGradients(toSumOf: [r1, r2])
    #expect((0..<main.count).allSatisfy { main.grad[$0] == Float($0) + 0.5 })
  }
}
