import Foundation

// MARK: - Layer normalisation

/// Layer normalisation over the last axis with a learned scale and shift (eps = 1e-5, as PyTorch).
public enum LayerNorm {
  /// out: (n, c) = (inp - mean) · rstd · weight + bias; mean, rstd: (n) are kept for backward.
  public static func forward(
    out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
    inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, n: Int, c: Int,
    eps: Float = 1e-5
  ) {
    for r in 0..<n {
      let x = inp + r * c
      var m: Float = 0
      for i in 0..<c { m += x[i] }
      m /= Float(c)
      var v: Float = 0
      for i in 0..<c {
        let d = x[i] - m
        v += d * d
      }
      v /= Float(c)
      let s = 1 / (v + eps).squareRoot()
      let y = out + r * c
      for i in 0..<c { y[i] = (x[i] - m) * s * weight[i] + bias[i] }
      mean[r] = m
      rstd[r] = s
    }
  }

  /// dinp += ∂L/∂inp; dweight += Σ dout · x̂; dbias += Σ dout
  public static func backward(
    dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, n: Int, c: Int
  ) {
    for r in 0..<n {
      let x = inp + r * c
      let dy = dout + r * c
      let dx = dinp + r * c
      let m = mean[r]
      let s = rstd[r]
      var dnormMean: Float = 0
      var dnormNormMean: Float = 0
      for i in 0..<c {
        let xhat = (x[i] - m) * s
        let dnorm = weight[i] * dy[i]
        dnormMean += dnorm
        dnormNormMean += dnorm * xhat
      }
      dnormMean /= Float(c)
      dnormNormMean /= Float(c)
      for i in 0..<c {
        let xhat = (x[i] - m) * s
        let dnorm = weight[i] * dy[i]
        dbias[i] += dy[i]
        dweight[i] += xhat * dy[i]
        dx[i] += (dnorm - dnormMean - xhat * dnormNormMean) * s
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
