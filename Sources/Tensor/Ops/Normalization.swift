import Foundation

// MARK: - Layer normalisation

/// Layer normalisation over the last axis with a learned scale and shift (eps = 1e-5, as PyTorch).
/// Rows are independent, so `threads` > 1 splits them over workers with bit-identical results; the row
/// statistics are summed eight lanes at a time.
public enum LayerNorm {
  typealias V = FastMath.V

  /// Σ x[i] for i < c, in eight lanes then the tail.
  @inline(__always)
  static func sum(_ c: Int, _ f: (Int) -> V, _ tail: (Int) -> Float) -> Float {
    var acc = V()
    var i = 0
    while i + 8 <= c {
      acc += f(i)
      i += 8
    }
    var s = acc.sum()
    while i < c {
      s += tail(i)
      i += 1
    }
    return s
  }

  /// out: (n, c) = (inp - mean) · rstd · weight + bias; mean, rstd: (n) are kept for backward.
  public static func forward(
    out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
    inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, n: Int, c: Int,
    eps: Float = 1e-5, threads: Int = 1
  ) {
    Parallel.rows(n, width: c, threads: threads) { r0, r1 in
      for r in r0..<r1 {
        let x = inp + r * c
        let m = sum(c, { FastMath.load(x + $0) }, { x[$0] }) / Float(c)
        let mv = V(repeating: m)
        let v =
          sum(
            c,
            {
              let d = FastMath.load(x + $0) - mv
              return d * d
            },
            {
              let d = x[$0] - m
              return d * d
            }) / Float(c)
        let s = 1 / (v + eps).squareRoot()
        let sv = V(repeating: s)
        let y = out + r * c
        var i = 0
        while i + 8 <= c {
          let yv = (FastMath.load(x + i) - mv) * sv * FastMath.load(weight + i) + FastMath.load(bias + i)
          FastMath.store(yv, y + i)
          i += 8
        }
        while i < c {
          y[i] = (x[i] - m) * s * weight[i] + bias[i]
          i += 1
        }
        mean[r] = m
        rstd[r] = s
      }
    }
  }

  /// dinp += ∂L/∂inp; dweight += Σ dout · x̂; dbias += Σ dout
  public static func backward(
    dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, n: Int, c: Int, threads: Int = 1
  ) {
    // dinp, row by row
    Parallel.rows(n, width: c, threads: threads) { r0, r1 in
      for r in r0..<r1 {
        let x = inp + r * c
        let dy = dout + r * c
        let dx = dinp + r * c
        let m = mean[r]
        let s = rstd[r]
        let (mv, sv) = (V(repeating: m), V(repeating: s))
        let dnormMean =
          sum(c, { FastMath.load(weight + $0) * FastMath.load(dy + $0) }, { weight[$0] * dy[$0] }) / Float(c)
        let dnormNormMean =
          sum(
            c, { FastMath.load(weight + $0) * FastMath.load(dy + $0) * ((FastMath.load(x + $0) - mv) * sv) },
            { weight[$0] * dy[$0] * ((x[$0] - m) * s) }) / Float(c)
        let (dmv, dnmv) = (V(repeating: dnormMean), V(repeating: dnormNormMean))
        var i = 0
        while i + 8 <= c {
          let xhat = (FastMath.load(x + i) - mv) * sv
          let dnorm = FastMath.load(weight + i) * FastMath.load(dy + i)
          FastMath.store(FastMath.load(dx + i) + (dnorm - dmv - xhat * dnmv) * sv, dx + i)
          i += 8
        }
        while i < c {
          let xhat = (x[i] - m) * s
          dx[i] += (weight[i] * dy[i] - dnormMean - xhat * dnormNormMean) * s
          i += 1
        }
      }
    }
    // dweight, dbias: sums over rows, split by columns so each sum runs over the rows in order
    Parallel.columns(c, rows: n, threads: threads) { c0, c1 in
      for r in 0..<n {
        let x = inp + r * c
        let dy = dout + r * c
        let m = mean[r]
        let s = rstd[r]
        for i in c0..<c1 {
          dbias[i] += dy[i]
          dweight[i] += (x[i] - m) * s * dy[i]
        }
      }
    }
  }
}

// MARK: - L2 normalisation

/// Scales each row to unit Euclidean length (rows shorter than `eps` are divided by `eps`).
public enum L2Normalize {
  /// out: (n, c) = inp / max(‖inp‖, eps); norms: (n) kept for backward.
  public static func forward(
    out: UnsafeMutablePointer<Float>, norms: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
    n: Int, c: Int, eps: Float = 1e-12
  ) {
    for r in 0..<n {
      let x = inp + r * c
      var ss: Float = 0
      for i in 0..<c { ss += x[i] * x[i] }
      let norm = max(ss.squareRoot(), eps)
      norms[r] = norm
      let inv = 1 / norm
      for i in 0..<c { out[r * c + i] = x[i] * inv }
    }
  }

  /// dinp += (dout - y (y · dout)) / norm, from the forward output y.
  public static func backward(
    dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, out: UnsafePointer<Float>,
    norms: UnsafePointer<Float>, n: Int, c: Int, eps: Float = 1e-12
  ) {
    for r in 0..<n {
      let y = out + r * c
      let dy = dout + r * c
      let inv = 1 / norms[r]
      if norms[r] <= eps {
        for i in 0..<c { dinp[r * c + i] += dy[i] * inv }
        continue
      }
      var dot: Float = 0
      for i in 0..<c { dot += y[i] * dy[i] }
      for i in 0..<c { dinp[r * c + i] += (dy[i] - y[i] * dot) * inv }
    }
  }
}
