import Foundation

// MARK: - Elementwise activations

/// GELU with the tanh approximation (as in GPT-2 and PyTorch's `approximate="tanh"`).
public enum GELU {
  @usableFromInline static let k: Float = 0.797_884_560_802_865_4  // sqrt(2/pi)

  /// out = gelu(inp), `count` elements.
  public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    for i in 0..<count {
      let x = inp[i]
      let u = k * (x + 0.044715 * x * x * x)
      out[i] = 0.5 * x * (1 + tanhf(u))
    }
  }

  /// dinp += gelu'(inp) · dout
  public static func backward(
    dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, dout: UnsafePointer<Float>, count: Int
  ) {
    for i in 0..<count {
      let x = inp[i]
      let u = k * (x + 0.044715 * x * x * x)
      let t = tanhf(u)
      let sech2 = 1 - t * t
      let g = 0.5 * (1 + t) + 0.5 * x * sech2 * k * (1 + 3 * 0.044715 * x * x)
      dinp[i] += g * dout[i]
    }
  }
}

/// ReLU: max(x, 0).
public enum ReLU {
  /// out = max(inp, 0)
  public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = max(inp[i], 0) }
  }

  /// dinp += (inp > 0) · dout
  public static func backward(
    dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, dout: UnsafePointer<Float>, count: Int
  ) {
    for i in 0..<count where inp[i] > 0 { dinp[i] += dout[i] }
  }
}

/// Hyperbolic tangent.
public enum Tanh {
  /// out = tanh(inp)
  public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = tanhf(inp[i]) }
  }

  /// dinp += (1 - out²) · dout, from the forward output.
  public static func backward(
    dinp: UnsafeMutablePointer<Float>, out: UnsafePointer<Float>, dout: UnsafePointer<Float>, count: Int
  ) {
    for i in 0..<count { dinp[i] += (1 - out[i] * out[i]) * dout[i] }
  }
}

/// The logistic sigmoid.
public enum Sigmoid {
  @inline(__always) static func value(_ x: Float) -> Float { 1 / (1 + expf(-x)) }

  /// out = 1 / (1 + e^-inp)
  public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = value(inp[i]) }
  }

  /// dinp += out (1 - out) · dout, from the forward output.
  public static func backward(
    dinp: UnsafeMutablePointer<Float>, out: UnsafePointer<Float>, dout: UnsafePointer<Float>, count: Int
  ) {
    for i in 0..<count { dinp[i] += out[i] * (1 - out[i]) * dout[i] }
  }
}

/// Inverted dropout with a seeded generator: kept elements are scaled by 1/(1-p) so evaluation needs no
/// rescaling. The mask (0 or 1/(1-p) per element) is kept for the backward pass.
public enum Dropout {
  /// out = inp · mask, drawing `mask` from `rng`. With p = 0 the mask is all ones.
  public static func forward(
    out: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int,
    p: Float, rng: inout TensorRandom
  ) {
    let scale = p < 1 ? 1 / (1 - p) : 0
    for i in 0..<count {
      let m: Float = rng.uniform() < p ? 0 : scale
      mask[i] = m
      out[i] = inp[i] * m
    }
  }

  /// dinp += mask · dout
  public static func backward(
    dinp: UnsafeMutablePointer<Float>, mask: UnsafePointer<Float>, dout: UnsafePointer<Float>, count: Int
  ) {
    for i in 0..<count { dinp[i] += mask[i] * dout[i] }
  }
}
