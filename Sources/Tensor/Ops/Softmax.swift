import CKernels
import Foundation

// MARK: - Softmax

/// Softmax over the last axis.
public enum Softmax {
  /// out: (n, c) = exp(inp - max) / Σ exp(inp - max), row by row.
  public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, n: Int, c: Int) {
    for r in 0..<n {
      let x = inp + r * c
      let y = out + r * c
      var mx = -Float.infinity
      for i in 0..<c { mx = max(mx, x[i]) }
      var sum: Float = 0
      for i in 0..<c {
        let e = expf(x[i] - mx)
        y[i] = e
        sum += e
      }
      let inv = 1 / sum
      for i in 0..<c { y[i] *= inv }
    }
  }

  /// dinp += y ⊙ (dout - Σ dout ⊙ y), from the forward output y.
  public static func backward(
    dinp: UnsafeMutablePointer<Float>, out: UnsafePointer<Float>, dout: UnsafePointer<Float>, n: Int, c: Int
  ) {
    for r in 0..<n {
      let y = out + r * c
      let dy = dout + r * c
      var dot: Float = 0
      for i in 0..<c { dot += y[i] * dy[i] }
      for i in 0..<c { dinp[r * c + i] += y[i] * (dy[i] - dot) }
    }
  }
}

/// Log-softmax over the last axis.
public enum LogSoftmax {
  /// out: (n, c) = inp - logsumexp(inp), row by row.
  public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, n: Int, c: Int) {
    for r in 0..<n {
      let x = inp + r * c
      var mx = -Float.infinity
      for i in 0..<c { mx = max(mx, x[i]) }
      var sum: Float = 0
      for i in 0..<c { sum += expf(x[i] - mx) }
      let lse = mx + logf(sum)
      for i in 0..<c { out[r * c + i] = x[i] - lse }
    }
  }

  /// dinp += dout - softmax · Σ dout, from the forward output.
  public static func backward(
    dinp: UnsafeMutablePointer<Float>, out: UnsafePointer<Float>, dout: UnsafePointer<Float>, n: Int, c: Int
  ) {
    for r in 0..<n {
      let y = out + r * c
      let dy = dout + r * c
      var sum: Float = 0
      for i in 0..<c { sum += dy[i] }
      for i in 0..<c { dinp[r * c + i] += dy[i] - expf(y[i]) * sum }
    }
  }
}

// MARK: - Cross-entropy

/// Mean cross-entropy of logits against integer targets, fused with the softmax; rows whose target is
/// `ignoreIndex` do not count, and label smoothing ε mixes the one-hot target with a uniform one.
public enum CrossEntropy {
  /// Returns the mean loss over counted rows; probs: (n, c) keeps the softmax for backward.
  /// logits: (n, c), targets: (n)
  public static func forward(
    probs: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
    n: Int, c: Int, ignoreIndex: Int32 = -100, smoothing: Float = 0
  ) -> Float {
    var total: Double = 0
    var counted = 0
    for r in 0..<n {
      let x = logits + r * c
      let p = probs + r * c
      var mx = -Float.infinity
      for i in 0..<c { mx = max(mx, x[i]) }
      var sum: Float = 0
      for i in 0..<c {
        let e = expf(x[i] - mx)
        p[i] = e
        sum += e
      }
      let inv = 1 / sum
      for i in 0..<c { p[i] *= inv }
      let t = targets[r]
      if t == ignoreIndex { continue }
      let lse = mx + logf(sum)
      var loss = (1 - smoothing) * (lse - x[Int(t)])
      if smoothing > 0 {
        var meanLogit: Float = 0
        for i in 0..<c { meanLogit += x[i] }
        meanLogit /= Float(c)
        loss += smoothing * (lse - meanLogit)
      }
      total += Double(loss)
      counted += 1
    }
    return counted == 0 ? 0 : Float(total / Double(counted))
  }

  /// `forward` without label smoothing, each row's softmax and log-sum-exp by `ci_softmax_logsumexp_row`
  /// (CKernels: sixteen lanes, the engine's polynomial exp instead of libm's `expf`; equal to `forward` within
  /// float rounding, tested). For wide rows in hot loops: the masked-token head's 8,000-way output and
  /// MoCo's 4,097-way InfoNCE.
  public static func forwardVectorized(
    probs: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
    n: Int, c: Int, ignoreIndex: Int32 = -100
  ) -> Float {
    var total: Double = 0
    var counted = 0
    for r in 0..<n {
      let x = logits + r * c
      let lse = ci_softmax_logsumexp_row(probs + r * c, x, c)
      let t = targets[r]
      if t == ignoreIndex { continue }
      total += Double(lse - x[Int(t)])
      counted += 1
    }
    return counted == 0 ? 0 : Float(total / Double(counted))
  }

  /// One row of `forwardVectorized`: probs = softmax(logits) over `count`, returns log Σ exp(logits) (the
  /// same kernel, so the same bits), for callers that consume each row while it is in cache.
  public static func rowLogSumExp(probs: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, count: Int)
    -> Float
  {
    ci_softmax_logsumexp_row(probs, logits, count)
  }

  /// dlogits += dloss · (probs - target distribution) / counted rows.
  public static func backward(
    dlogits: UnsafeMutablePointer<Float>, probs: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
    n: Int, c: Int, dloss: Float = 1, ignoreIndex: Int32 = -100, smoothing: Float = 0
  ) {
    var counted = 0
    for r in 0..<n where targets[r] != ignoreIndex { counted += 1 }
    if counted == 0 { return }
    let s = dloss / Float(counted)
    let uniform = smoothing / Float(c)
    for r in 0..<n {
      let t = targets[r]
      if t == ignoreIndex { continue }
      let p = probs + r * c
      let d = dlogits + r * c
      for i in 0..<c { d[i] += s * (p[i] - uniform) }
      d[Int(t)] -= s * (1 - smoothing)
    }
  }
}
