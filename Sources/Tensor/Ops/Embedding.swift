// MARK: - Embedding and pooling

/// Table lookup. The backward pass is sparse: it touches only the rows of the tokens that occurred.
public enum Embedding {
  /// out: (n, c) = table: (v, c)[tokens: (n)]. Token ids must be in 0..<v.
  public static func forward(
    out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>, table: UnsafePointer<Float>, n: Int, c: Int
  ) {
    for r in 0..<n { (out + r * c).update(from: table + Int(tokens[r]) * c, count: c) }
  }

  /// dtable[tokens[r]] += dout[r] for each row r.
  public static func backward(
    dtable: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>, dout: UnsafePointer<Float>, n: Int, c: Int
  ) {
    for r in 0..<n {
      let dst = dtable + Int(tokens[r]) * c
      let src = dout + r * c
      for i in 0..<c { dst[i] += src[i] }
    }
  }
}

/// The mean of the token states where the mask is 1 (a sequence with no valid token pools to zeros).
public enum MaskedMeanPool {
  /// out: (b, c) = Σₜ mask[b, t] · inp[b, t] / Σₜ mask[b, t];  inp: (b, t, c), mask: (b, t)
  public static func forward(
    out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, mask: UnsafePointer<Float>, b: Int, t: Int, c: Int
  ) {
    for i in 0..<b {
      let dst = out + i * c
      dst.update(repeating: 0, count: c)
      var n: Float = 0
      for j in 0..<t {
        let m = mask[i * t + j]
        if m == 0 { continue }
        n += m
        let src = inp + (i * t + j) * c
        for k in 0..<c { dst[k] += m * src[k] }
      }
      if n > 0 {
        let inv = 1 / n
        for k in 0..<c { dst[k] *= inv }
      }
    }
  }

  /// dinp[b, t] += mask[b, t] · dout[b] / Σₜ mask[b, t]
  public static func backward(
    dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, mask: UnsafePointer<Float>, b: Int, t: Int, c: Int
  ) {
    for i in 0..<b {
      var n: Float = 0
      for j in 0..<t { n += mask[i * t + j] }
      if n == 0 { continue }
      for j in 0..<t {
        let m = mask[i * t + j] / n
        if m == 0 { continue }
        let dst = dinp + (i * t + j) * c
        let src = dout + i * c
        for k in 0..<c { dst[k] += m * src[k] }
      }
    }
  }
}
