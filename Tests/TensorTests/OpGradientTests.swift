import Foundation
import Testing

@testable import Tensor

// MARK: - One finite-difference check per op

@Suite struct OpGradientTests {
  let gc = GradCheck()

  @Test func linear() {
    let (n, c, oc) = (3, 4, 5)
    gc.check(
      "linear", inputs: [randomArray(n * c, seed: 1), randomArray(oc * c, seed: 2), randomArray(oc, seed: 3)],
      forward: { x in
        withBuffers(x + zeros(n * oc)) { p in
          Linear.forward(out: p[3], inp: p[0], weight: p[1], bias: p[2], n: n, c: c, oc: oc)
        }[3]
      },
      backward: { x, dy in
        let r = withBuffers(x + [dy] + zeros(n * c, oc * c, oc)) { p in
          Linear.backward(
            dinp: p[4], dweight: p[5], dbias: p[6], dout: p[3], inp: p[0], weight: p[1], n: n, c: c, oc: oc)
        }
        return [r[4], r[5], r[6]]
      })
  }

  @Test func batchedMatmul() {
    let (bt, m, k, n) = (2, 3, 4, 2)
    gc.check(
      "matmul", inputs: [randomArray(bt * m * k, seed: 1), randomArray(bt * k * n, seed: 2)],
      forward: { x in
        withBuffers(x + zeros(bt * m * n)) { p in MatMul.forward(c: p[2], a: p[0], b: p[1], batch: bt, m: m, k: k, n: n)
        }[2]
      },
      backward: { x, dy in
        let r = withBuffers(x + [dy] + zeros(bt * m * k, bt * k * n)) { p in
          MatMul.backward(da: p[3], db: p[4], dc: p[2], a: p[0], b: p[1], batch: bt, m: m, k: k, n: n)
        }
        return [r[3], r[4]]
      })
  }

  @Test(arguments: [Broadcast.Op.add, .sub, .mul])
  func broadcasting(op: Broadcast.Op) throws {
    let aShape = [2, 1, 3]
    let bShape = [4, 1]
    let outShape = try #require(Broadcast.shape(aShape, bShape))
    #expect(outShape == [2, 4, 3])
    let on = outShape.reduce(1, *)
    gc.check(
      "broadcast \(op)", inputs: [randomArray(6, seed: 1), randomArray(4, seed: 2)],
      forward: { x in
        withBuffers(x + zeros(on)) { p in
          Broadcast.forward(op, out: p[2], a: p[0], aShape: aShape, b: p[1], bShape: bShape, outShape: outShape)
        }[2]
      },
      backward: { x, dy in
        let r = withBuffers(x + [dy] + zeros(6, 4)) { p in
          Broadcast.backward(
            op, da: p[3], db: p[4], dout: p[2], a: p[0], aShape: aShape, b: p[1], bShape: bShape, outShape: outShape)
        }
        return [r[3], r[4]]
      })
    #expect(Broadcast.shape([2, 3], [4]) == nil)
  }

  @Test func scale() {
    gc.check(
      "scale", inputs: [randomArray(5, seed: 1)],
      forward: { x in withBuffers(x + zeros(5)) { p in Scale.forward(out: p[1], inp: p[0], s: -1.5, count: 5) }[1] },
      backward: { x, dy in
        [withBuffers([dy] + zeros(5)) { p in Scale.backward(dinp: p[1], dout: p[0], s: -1.5, count: 5) }[1]]
      })
  }

  @Test(arguments: [false, true])
  func sumAndMean(mean: Bool) {
    let (o, n, i) = (2, 3, 4)
    gc.check(
      "reduce", inputs: [randomArray(o * n * i, seed: 1)],
      forward: { x in
        withBuffers(x + zeros(o * i)) { p in Reduce.forward(out: p[1], inp: p[0], outer: o, n: n, inner: i, mean: mean)
        }[1]
      },
      backward: { x, dy in
        [
          withBuffers([dy] + zeros(o * n * i)) { p in
            Reduce.backward(dinp: p[1], dout: p[0], outer: o, n: n, inner: i, mean: mean)
          }[1]
        ]
      })
  }

  @Test func transposeAndPermute() {
    let shape = [2, 3, 4]
    let perm = [2, 0, 1]
    let t = withBuffers([(0..<24).map(Float.init)] + zeros(24)) { p in
      Permute.forward(out: p[1], inp: p[0], shape: shape, perm: perm)
    }[1]
    // out[k][a][b] = in[a][b][k]
    #expect(t[0 * 6 + 1 * 3 + 2] == Float(1 * 12 + 2 * 4 + 0))
    gc.check(
      "permute", inputs: [randomArray(24, seed: 1)],
      forward: { x in
        withBuffers(x + zeros(24)) { p in Permute.forward(out: p[1], inp: p[0], shape: shape, perm: perm) }[1]
      },
      backward: { x, dy in
        [withBuffers([dy] + zeros(24)) { p in Permute.backward(dinp: p[1], dout: p[0], shape: shape, perm: perm) }[1]]
      })
  }

  @Test func concatSplitSlice() {
    let sizes = [1, 3]
    let (o, i) = (2, 2)
    gc.check(
      "concat", inputs: [randomArray(o * 1 * i, seed: 1), randomArray(o * 3 * i, seed: 2)],
      forward: { x in
        withBuffers(x + zeros(o * 4 * i)) { p in
          Concat.forward(out: p[2], parts: [p[0], p[1]], sizes: sizes, outer: o, inner: i)
        }[2]
      },
      backward: { x, dy in
        let r = withBuffers([dy] + zeros(o * i, o * 3 * i)) { p in
          Concat.backward(dparts: [p[1], p[2]], dout: p[0], sizes: sizes, outer: o, inner: i)
        }
        return [r[1], r[2]]
      })
    gc.check(
      "split", inputs: [randomArray(o * 4 * i, seed: 3)],
      forward: { x in
        let r = withBuffers(x + zeros(o * i, o * 3 * i)) { p in
          Split.forward(parts: [p[1], p[2]], inp: p[0], sizes: sizes, outer: o, inner: i)
        }
        return r[1] + r[2]
      },
      backward: { x, dy in
        let r = withBuffers([Array(dy[0..<(o * i)]), Array(dy[(o * i)...])] + zeros(o * 4 * i)) { p in
          Split.backward(dinp: p[2], dparts: [p[0], p[1]], sizes: sizes, outer: o, inner: i)
        }
        return [r[2]]
      })
    gc.check(
      "slice", inputs: [randomArray(o * 4 * i, seed: 4)],
      forward: { x in
        withBuffers(x + zeros(o * 2 * i)) { p in
          Slice.forward(out: p[1], inp: p[0], outer: o, n: 4, inner: i, start: 1, length: 2)
        }[1]
      },
      backward: { x, dy in
        [
          withBuffers([dy] + zeros(o * 4 * i)) { p in
            Slice.backward(dinp: p[1], dout: p[0], outer: o, n: 4, inner: i, start: 1, length: 2)
          }[1]
        ]
      })
  }

  @Test func embeddingIsSparse() {
    let (v, c) = (5, 3)
    let tokens: [Int32] = [4, 1, 4]
    gc.check(
      "embedding", inputs: [randomArray(v * c, seed: 1)],
      forward: { x in
        withBuffers(x + zeros(3 * c)) { p in Embedding.forward(out: p[1], tokens: tokens, table: p[0], n: 3, c: c) }[1]
      },
      backward: { x, dy in
        [
          withBuffers([dy] + zeros(v * c)) { p in
            Embedding.backward(dtable: p[1], tokens: tokens, dout: p[0], n: 3, c: c)
          }[1]
        ]
      })
    let g = withBuffers([[Float](repeating: 1, count: 3 * c)] + zeros(v * c)) { p in
      Embedding.backward(dtable: p[1], tokens: tokens, dout: p[0], n: 3, c: c)
    }[1]
    #expect(g[0..<c].allSatisfy { $0 == 0 } && g[(4 * c)...].allSatisfy { $0 == 2 })
  }

  @Test func layerNorm() {
    let (n, c) = (3, 5)
    func run(_ x: [[Float]], _ dy: [Float]?) -> [[Float]] {
      withBuffers(x + zeros(n * c, n, n) + [dy ?? []] + zeros(n * c, c, c)) { p in
        LayerNorm.forward(out: p[3], mean: p[4], rstd: p[5], inp: p[0], weight: p[1], bias: p[2], n: n, c: c)
        if dy != nil {
          LayerNorm.backward(
            dinp: p[7], dweight: p[8], dbias: p[9], dout: p[6], inp: p[0], weight: p[1],
            mean: p[4], rstd: p[5], n: n, c: c)
        }
      }
    }
    gc.check(
      "layernorm", inputs: [randomArray(n * c, seed: 1, scale: 2), randomArray(c, seed: 2), randomArray(c, seed: 3)],
      forward: { run($0, nil)[3] },
      backward: { x, dy in
        let r = run(x, dy)
        return [r[7], r[8], r[9]]
      })
  }

  @Test func activations() {
    let n = 8
    let x = [randomArray(n, seed: 1, scale: 2).map { abs($0) < 0.05 ? $0 + 0.2 : $0 }]
    gc.check(
      "gelu", inputs: x,
      forward: { x in withBuffers(x + zeros(n)) { p in GELU.forward(out: p[1], inp: p[0], count: n) }[1] },
      backward: { x, dy in
        [withBuffers(x + [dy] + zeros(n)) { p in GELU.backward(dinp: p[2], inp: p[0], dout: p[1], count: n) }[2]]
      })
    gc.check(
      "relu", inputs: x,
      forward: { x in withBuffers(x + zeros(n)) { p in ReLU.forward(out: p[1], inp: p[0], count: n) }[1] },
      backward: { x, dy in
        [withBuffers(x + [dy] + zeros(n)) { p in ReLU.backward(dinp: p[2], inp: p[0], dout: p[1], count: n) }[2]]
      })
    gc.check(
      "tanh", inputs: x,
      forward: { x in withBuffers(x + zeros(n)) { p in Tanh.forward(out: p[1], inp: p[0], count: n) }[1] },
      backward: { x, dy in
        [
          withBuffers(x + [dy] + zeros(n, n)) { p in
            Tanh.forward(out: p[2], inp: p[0], count: n)
            Tanh.backward(dinp: p[3], out: p[2], dout: p[1], count: n)
          }[3]
        ]
      })
    gc.check(
      "sigmoid", inputs: x,
      forward: { x in withBuffers(x + zeros(n)) { p in Sigmoid.forward(out: p[1], inp: p[0], count: n) }[1] },
      backward: { x, dy in
        [
          withBuffers(x + [dy] + zeros(n, n)) { p in
            Sigmoid.forward(out: p[2], inp: p[0], count: n)
            Sigmoid.backward(dinp: p[3], out: p[2], dout: p[1], count: n)
          }[3]
        ]
      })
  }

  @Test func dropoutIsSeededAndScaled() {
    let n = 1000
    func run(_ x: [[Float]], _ dy: [Float]?) -> [[Float]] {
      var rng = TensorRandom(seed: 42)
      return withBuffers(x + zeros(n, n) + [dy ?? []] + zeros(n)) { p in
        Dropout.forward(out: p[1], mask: p[2], inp: p[0], count: n, p: 0.25, rng: &rng)
        if dy != nil { Dropout.backward(dinp: p[4], mask: p[2], dout: p[3], count: n) }
      }
    }
    let x = randomArray(n, seed: 1)
    let a = run([x], nil)
    let b = run([x], nil)
    #expect(a[1] == b[1])
    let kept = a[2].filter { $0 != 0 }.count
    #expect(kept > 700 && kept < 800)
    #expect(a[2].allSatisfy { $0 == 0 || abs($0 - 1 / 0.75) < 1e-6 })
    gc.check(
      "dropout", inputs: [Array(x[0..<20])],
      forward: { x in
        var rng = TensorRandom(seed: 3)
        return withBuffers(x + zeros(20, 20)) { p in
          Dropout.forward(out: p[1], mask: p[2], inp: p[0], count: 20, p: 0.5, rng: &rng)
        }[1]
      },
      backward: { x, dy in
        var rng = TensorRandom(seed: 3)
        return [
          withBuffers(x + zeros(20, 20) + [dy] + zeros(20)) { p in
            Dropout.forward(out: p[1], mask: p[2], inp: p[0], count: 20, p: 0.5, rng: &rng)
            Dropout.backward(dinp: p[4], mask: p[2], dout: p[3], count: 20)
          }[4]
        ]
      })
  }

  @Test func softmaxAndLogSoftmax() {
    let (n, c) = (3, 4)
    gc.check(
      "softmax", inputs: [randomArray(n * c, seed: 1)],
      forward: { x in withBuffers(x + zeros(n * c)) { p in Softmax.forward(out: p[1], inp: p[0], n: n, c: c) }[1] },
      backward: { x, dy in
        [
          withBuffers(x + [dy] + zeros(n * c, n * c)) { p in
            Softmax.forward(out: p[2], inp: p[0], n: n, c: c)
            Softmax.backward(dinp: p[3], out: p[2], dout: p[1], n: n, c: c)
          }[3]
        ]
      })
    gc.check(
      "logsoftmax", inputs: [randomArray(n * c, seed: 2)],
      forward: { x in withBuffers(x + zeros(n * c)) { p in LogSoftmax.forward(out: p[1], inp: p[0], n: n, c: c) }[1] },
      backward: { x, dy in
        [
          withBuffers(x + [dy] + zeros(n * c, n * c)) { p in
            LogSoftmax.forward(out: p[2], inp: p[0], n: n, c: c)
            LogSoftmax.backward(dinp: p[3], out: p[2], dout: p[1], n: n, c: c)
          }[3]
        ]
      })
  }

  @Test(arguments: [Float(0), 0.1])
  func crossEntropy(smoothing: Float) {
    let (n, c) = (4, 5)
    let targets: [Int32] = [2, -100, 0, 4]
    gc.check(
      "cross-entropy", inputs: [randomArray(n * c, seed: 1)],
      forward: { x in
        var loss: Float = 0
        _ = withBuffers(x + zeros(n * c)) { p in
          loss = CrossEntropy.forward(probs: p[1], logits: p[0], targets: targets, n: n, c: c, smoothing: smoothing)
        }
        return [loss]
      },
      backward: { x, dy in
        [
          withBuffers(x + zeros(n * c, n * c)) { p in
            _ = CrossEntropy.forward(probs: p[1], logits: p[0], targets: targets, n: n, c: c, smoothing: smoothing)
            CrossEntropy.backward(
              dlogits: p[2], probs: p[1], targets: targets, n: n, c: c, dloss: dy[0], smoothing: smoothing)
          }[2]
        ]
      })
    // the ignored row gets no gradient, and uniform logits give log(c)
    let uniform = withBuffers([[Float](repeating: 0, count: n * c)] + zeros(n * c)) { p in
      let l = CrossEntropy.forward(probs: p[1], logits: p[0], targets: targets, n: n, c: c)
      p[1][0] = l
    }[1][0]
    #expect(abs(uniform - logf(5)) < 1e-5)
  }

  @Test func maskedMeanPool() {
    let (b, t, c) = (2, 3, 2)
    let mask: [Float] = [1, 1, 0, 1, 0, 0]
    gc.check(
      "pool", inputs: [randomArray(b * t * c, seed: 1)],
      forward: { x in
        withBuffers(x + zeros(b * c)) { p in MaskedMeanPool.forward(out: p[1], inp: p[0], mask: mask, b: b, t: t, c: c)
        }[1]
      },
      backward: { x, dy in
        [
          withBuffers([dy] + zeros(b * t * c)) { p in
            MaskedMeanPool.backward(dinp: p[1], dout: p[0], mask: mask, b: b, t: t, c: c)
          }[1]
        ]
      })
  }

  @Test func l2Normalize() {
    let (n, c) = (3, 4)
    gc.check(
      "l2norm", inputs: [randomArray(n * c, seed: 1)],
      forward: { x in
        withBuffers(x + zeros(n * c, n)) { p in L2Normalize.forward(out: p[1], norms: p[2], inp: p[0], n: n, c: c) }[1]
      },
      backward: { x, dy in
        [
          withBuffers(x + [dy] + zeros(n * c, n, n * c)) { p in
            L2Normalize.forward(out: p[2], norms: p[3], inp: p[0], n: n, c: c)
            L2Normalize.backward(dinp: p[4], dout: p[1], out: p[2], norms: p[3], n: n, c: c)
          }[4]
        ]
      })
  }

  @Test(arguments: [false, true])
  func attention(causal: Bool) {
    let (b, t, c, h) = (2, 4, 6, 2)
    let mask: [Float] = [1, 1, 1, 0, 1, 1, 1, 1]
    func run(_ x: [[Float]], _ dy: [Float]?) -> [[Float]] {
      withBuffers(x + zeros(b * t * c, b * h * t * t) + [dy ?? []] + zeros(b * t * 3 * c, t * t)) { p in
        Attention.forward(out: p[1], att: p[2], qkv: p[0], keyMask: mask, causal: causal, b: b, t: t, c: c, heads: h)
        if dy != nil {
          Attention.backward(dqkv: p[4], scratch: p[5], dout: p[3], qkv: p[0], att: p[2], b: b, t: t, c: c, heads: h)
        }
      }
    }
    gc.check(
      "attention", inputs: [randomArray(b * t * 3 * c, seed: 1)],
      forward: { run($0, nil)[1] }, backward: { x, dy in [run(x, dy)[4]] })
    // a padded key gets no attention; with the causal mask, the first query sees only itself
    let att = run([randomArray(b * t * 3 * c, seed: 2)], nil)[2]
    #expect(att[3] == 0)
    if causal { #expect(abs(att[0] - 1) < 1e-6) }
  }

  @Test func lstmCell() {
    let (n, hd) = (2, 3)
    func run(_ x: [[Float]], _ dy: [Float]?) -> [[Float]] {
      // x[0]: gate pre-activations (n, 4h); x[1]: cPrev. Output: h then c.
      withBuffers([x[0], x[1]] + zeros(n * hd, n * hd) + [dy ?? []] + zeros(n * 4 * hd, n * hd)) { p in
        LSTMCell.forward(gates: p[0], c: p[3], h: p[2], cPrev: p[1], n: n, hidden: hd)
        if let dy {
          let dh = Array(dy[0..<(n * hd)])
          let dc = Array(dy[(n * hd)...])
          LSTMCell.backward(
            dgates: p[5], dcPrev: p[6], dh: dh, dc: dc, gates: p[0], c: p[3], cPrev: p[1], n: n, hidden: hd)
        }
      }
    }
    gc.check(
      "lstm cell", inputs: [randomArray(n * 4 * hd, seed: 1), randomArray(n * hd, seed: 2)],
      forward: { x in
        let r = run(x, nil)
        return r[2] + r[3]
      },
      backward: { x, dy in
        let r = run(x, dy)
        return [r[5], r[6]]
      })
  }

  @Test(arguments: [false, true])
  func lstmLayer(reverse: Bool) {
    let (b, t, i, hd) = (2, 3, 2, 3)
    let mask: [Float] = [1, 1, 0, 1, 1, 1]
    func run(_ x: [[Float]], _ dy: [Float]?) -> [[Float]] {
      // x: input, wih, whh, bias
      withBuffers(
        x + zeros(b * t * hd, b * t * hd, b * t * 4 * hd) + [dy ?? []]
          + zeros(b * t * i, 4 * hd * i, 4 * hd * hd, 4 * hd, b * t * 4 * hd, 2 * b * hd)
      ) { p in
        LSTMLayer.forward(
          h: p[4], c: p[5], gates: p[6], x: p[0], wih: p[1], whh: p[2], bias: p[3], mask: mask,
          reverse: reverse, b: b, t: t, input: i, hidden: hd)
        if dy != nil {
          LSTMLayer.backward(
            dx: p[8], dwih: p[9], dwhh: p[10], dbias: p[11], dgates: p[12], carry: p[13], dh: p[7],
            x: p[0], h: p[4], c: p[5], gates: p[6], wih: p[1], whh: p[2], mask: mask, reverse: reverse,
            b: b, t: t, input: i, hidden: hd)
        }
      }
    }
    gc.check(
      "lstm layer",
      inputs: [
        randomArray(b * t * i, seed: 1), randomArray(4 * hd * i, seed: 2, scale: 0.5),
        randomArray(4 * hd * hd, seed: 3, scale: 0.5), randomArray(4 * hd, seed: 4, scale: 0.5),
      ],
      forward: { run($0, nil)[4] },
      backward: { x, dy in
        let r = run(x, dy)
        return [r[8], r[9], r[10], r[11]]
      })
  }
}
