import Foundation

// MARK: - LSTM cell

/// One LSTM step for a batch of rows, gates in PyTorch's order (input, forget, cell, output):
/// c = f ⊙ cPrev + i ⊙ g,  h = o ⊙ tanh(c).
public enum LSTMCell {
  /// gates: (n, 4·hidden) holds the pre-activations (x Wᵢₕᵀ + h Wₕₕᵀ + b) and is activated in place;
  /// c, h: (n, hidden) are written; cPrev: (n, hidden), nil for a zero state.
  public static func forward(
    gates: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>,
    cPrev: UnsafePointer<Float>?, n: Int, hidden: Int
  ) {
    for r in 0..<n {
      forwardRow(
        gates: gates + r * 4 * hidden, c: c + r * hidden, h: h + r * hidden,
        cPrev: cPrev.map { $0 + r * hidden }, hidden: hidden)
    }
  }

  /// dgates += ∂/∂pre-activations; dcPrev += ∂/∂cPrev. dh, dc: the incoming gradients of h and c
  /// (dc may be nil). `gates` are the activated gates from forward.
  public static func backward(
    dgates: UnsafeMutablePointer<Float>, dcPrev: UnsafeMutablePointer<Float>?, dh: UnsafePointer<Float>,
    dc: UnsafePointer<Float>?, gates: UnsafePointer<Float>, c: UnsafePointer<Float>, cPrev: UnsafePointer<Float>?,
    n: Int, hidden: Int
  ) {
    for r in 0..<n {
      let o = r * hidden
      backwardRow(
        dgates: dgates + 4 * o, dcPrev: dcPrev.map { $0 + o }, dh: dh + o, dc: dc.map { $0 + o },
        gates: gates + 4 * o, c: c + o, cPrev: cPrev.map { $0 + o }, hidden: hidden)
    }
  }

  @inline(__always)
  static func forwardRow(
    gates: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>,
    cPrev: UnsafePointer<Float>?, hidden: Int
  ) {
    for j in 0..<hidden {
      let i = Sigmoid.value(gates[j])
      let f = Sigmoid.value(gates[hidden + j])
      let g = tanhf(gates[2 * hidden + j])
      let o = Sigmoid.value(gates[3 * hidden + j])
      gates[j] = i
      gates[hidden + j] = f
      gates[2 * hidden + j] = g
      gates[3 * hidden + j] = o
      let cv = f * (cPrev?[j] ?? 0) + i * g
      c[j] = cv
      h[j] = o * tanhf(cv)
    }
  }

  /// Writes (not adds) the row's gate gradients; adds into dcPrev.
  @inline(__always)
  static func backwardRow(
    dgates: UnsafeMutablePointer<Float>, dcPrev: UnsafeMutablePointer<Float>?, dh: UnsafePointer<Float>,
    dc: UnsafePointer<Float>?, gates: UnsafePointer<Float>, c: UnsafePointer<Float>, cPrev: UnsafePointer<Float>?,
    hidden: Int, accumulate: Bool = true
  ) {
    for j in 0..<hidden {
      let i = gates[j]
      let f = gates[hidden + j]
      let g = gates[2 * hidden + j]
      let o = gates[3 * hidden + j]
      let tc = tanhf(c[j])
      let dhj = dh[j]
      let dct = (dc?[j] ?? 0) + dhj * o * (1 - tc * tc)
      let di = dct * g * i * (1 - i)
      let df = dct * (cPrev?[j] ?? 0) * f * (1 - f)
      let dg = dct * i * (1 - g * g)
      let dout = dhj * tc * o * (1 - o)
      if accumulate {
        dgates[j] += di
        dgates[hidden + j] += df
        dgates[2 * hidden + j] += dg
        dgates[3 * hidden + j] += dout
      } else {
        dgates[j] = di
        dgates[hidden + j] = df
        dgates[2 * hidden + j] = dg
        dgates[3 * hidden + j] = dout
      }
      if let dcPrev { dcPrev[j] += dct * f }
    }
  }
}

// MARK: - LSTM layer

/// A single-direction LSTM over a (b, t, input) batch, optionally running right to left. Where the mask
/// is 0 the state is carried over unchanged, so right-padded sequences give the same states as unpadded
/// ones, and the right-to-left pass starts at each sequence's last real token.
public enum LSTMLayer {
  /// h, c: (b, t, hidden) states;  gates: (b, t, 4·hidden) activated gates, kept for backward.
  /// x: (b, t, input);  wih: (4·hidden, input);  whh: (4·hidden, hidden);  bias: (4·hidden);  mask: (b, t)
  public static func forward(
    h: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, gates: UnsafeMutablePointer<Float>,
    x: UnsafePointer<Float>, wih: UnsafePointer<Float>, whh: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    mask: UnsafePointer<Float>?, reverse: Bool, b: Int, t: Int, input: Int, hidden: Int
  ) {
    let g4 = 4 * hidden
    Linear.forward(out: gates, inp: x, weight: wih, bias: bias, n: b * t, c: input, oc: g4)
    for s in 0..<t {
      let ti = reverse ? t - 1 - s : s
      let prev = reverse ? ti + 1 : ti - 1
      if s > 0 {
        BLAS.gemm(
          transA: false, transB: true, m: b, n: g4, k: hidden, a: h + prev * hidden, lda: t * hidden,
          b: whh, ldb: hidden, beta: 1, c: gates + ti * g4, ldc: t * g4)
      }
      for r in 0..<b {
        let row = r * t + ti
        let hp = s > 0 ? h + (r * t + prev) * hidden : nil
        let cp = s > 0 ? c + (r * t + prev) * hidden : nil
        if let mask, mask[row] == 0 {
          if let hp, let cp {
            (h + row * hidden).update(from: hp, count: hidden)
            (c + row * hidden).update(from: cp, count: hidden)
          } else {
            (h + row * hidden).update(repeating: 0, count: hidden)
            (c + row * hidden).update(repeating: 0, count: hidden)
          }
          (gates + row * g4).update(repeating: 0, count: g4)
          continue
        }
        LSTMCell.forwardRow(
          gates: gates + row * g4, c: c + row * hidden, h: h + row * hidden,
          cPrev: cp.map { UnsafePointer($0) }, hidden: hidden)
      }
    }
  }

  /// dx += ∂/∂x (when given), dwih, dwhh, dbias += weight gradients; dh: (b, t, hidden) the incoming
  /// gradient of every state. Scratch: dgates (b·t·4·hidden), carry (2·b·hidden).
  public static func backward(
    dx: UnsafeMutablePointer<Float>?, dwih: UnsafeMutablePointer<Float>, dwhh: UnsafeMutablePointer<Float>,
    dbias: UnsafeMutablePointer<Float>, dgates: UnsafeMutablePointer<Float>, carry: UnsafeMutablePointer<Float>,
    dh: UnsafePointer<Float>, x: UnsafePointer<Float>, h: UnsafePointer<Float>, c: UnsafePointer<Float>,
    gates: UnsafePointer<Float>, wih: UnsafePointer<Float>, whh: UnsafePointer<Float>, mask: UnsafePointer<Float>?,
    reverse: Bool, b: Int, t: Int, input: Int, hidden: Int
  ) {
    let g4 = 4 * hidden
    let dhCarry = carry
    let dcCarry = carry + b * hidden
    carry.update(repeating: 0, count: 2 * b * hidden)
    for s in stride(from: t - 1, through: 0, by: -1) {
      let ti = reverse ? t - 1 - s : s
      let prev = reverse ? ti + 1 : ti - 1
      for r in 0..<b {
        let row = r * t + ti
        let dhr = dhCarry + r * hidden
        let dcr = dcCarry + r * hidden
        let dho = dh + row * hidden
        for j in 0..<hidden { dhr[j] += dho[j] }
        if let mask, mask[row] == 0 {
          (dgates + row * g4).update(repeating: 0, count: g4)
          continue  // the carried gradients pass through unchanged
        }
        let cp: UnsafePointer<Float>? = s > 0 ? c + (r * t + prev) * hidden : nil
        // dct·f goes into a zeroed dcPrev, so compute into a temporary then move into the carry.
        LSTMCell.backwardRow(
          dgates: dgates + row * g4, dcPrev: nil, dh: dhr, dc: dcr, gates: gates + row * g4,
          c: c + row * hidden, cPrev: cp, hidden: hidden, accumulate: false)
        let f = gates + row * g4 + hidden
        let cr = c + row * hidden
        let o = gates + row * g4 + 3 * hidden
        for j in 0..<hidden {
          let tc = tanhf(cr[j])
          dcr[j] = (dcr[j] + dhr[j] * o[j] * (1 - tc * tc)) * f[j]
          dhr[j] = 0
        }
      }
      if s > 0 {
        // the recurrent path: dh_prev += dgates · Whh;  dWhh += dgatesᵀ · h_prev
        BLAS.gemm(
          transA: false, transB: false, m: b, n: hidden, k: g4, a: dgates + ti * g4, lda: t * g4,
          b: whh, ldb: hidden, beta: 1, c: dhCarry, ldc: hidden)
        BLAS.gemm(
          transA: true, transB: false, m: g4, n: hidden, k: b, a: dgates + ti * g4, lda: t * g4,
          b: h + prev * hidden, ldb: t * hidden, beta: 1, c: dwhh, ldc: hidden)
      }
    }
    Linear.backward(
      dinp: dx, dweight: dwih, dbias: dbias, dout: dgates, inp: x, weight: wih,
      n: b * t, c: input, oc: g4)
  }
}
