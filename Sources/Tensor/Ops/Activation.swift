import CKernels
import Foundation

// MARK: - Elementwise activations

/// GELU with the tanh approximation (as in GPT-2 and PyTorch's `approximate="tanh"`), computed as
/// x · σ(2u) with u = √(2/π)(x + 0.044715x³), which equals 0.5x(1 + tanh u), eight lanes at a time.
public enum GELU {
  @usableFromInline static let k: Float = 0.797_884_560_802_865_4  // sqrt(2/pi)

  /// out = gelu(inp), `count` elements. Runs `ci_gelu_forward` (CKernels: sixteen lanes, the same operations
  /// in the same order as `referenceForward`, so the same bits).
  public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    ci_gelu_forward(out, inp, count)
  }

  /// dinp += gelu'(inp) · dout (`ci_gelu_backward`; the same bits as `referenceBackward`). With `overwrite`,
  /// dinp = gelu'(inp) · dout without reading it: bit for bit what zero-filling dinp and adding gives (a -0
  /// product comes out +0 as after the fill), without the fill's pass over memory.
  public static func backward(
    dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, dout: UnsafePointer<Float>, count: Int,
    overwrite: Bool = false
  ) {
    if overwrite {
      ci_gelu_backward_set(dinp, inp, dout, count)
    } else {
      ci_gelu_backward(dinp, inp, dout, count)
    }
  }

  /// `forward` in Swift, eight lanes at a time (the engine's kernel before CKernels; tests compare the two).
  public static func referenceForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count {
      let x = FastMath.load(inp + i)
      let x3: FastMath.V = x * x * x
      let u2: FastMath.V = (2 * k) * (x + 0.044715 * x3)
      let e: FastMath.V = FastMath.exp(-u2)
      FastMath.store(x / (1 + e), out + i)
      i += 8
    }
    while i < count {
      let x = inp[i]
      let u2: Float = 2 * k * (x + 0.044715 * x * x * x)
      out[i] = x / (1 + FastMath.exp(-u2))
      i += 1
    }
  }

  /// `backward` in Swift (the engine's kernel before CKernels).
  public static func referenceBackward(
    dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, dout: UnsafePointer<Float>, count: Int
  ) {
    var i = 0
    while i + 8 <= count {
      let x = FastMath.load(inp + i)
      let x2: FastMath.V = x * x
      let u2: FastMath.V = (2 * k) * (x + 0.044715 * x2 * x)
      let s: FastMath.V = 1 / (1 + FastMath.exp(-u2))
      let du: FastMath.V = (2 * k) * (1 + (3 * 0.044715) * x2)
      let g: FastMath.V = s + x * s * (1 - s) * du
      let d: FastMath.V = FastMath.load(dinp + i) + g * FastMath.load(dout + i)
      FastMath.store(d, dinp + i)
      i += 8
    }
    while i < count {
      let x = inp[i]
      let u2: Float = 2 * k * (x + 0.044715 * x * x * x)
      let s: Float = 1 / (1 + FastMath.exp(-u2))
      let du: Float = 2 * k * (1 + 3 * 0.044715 * x * x)
      dinp[i] += (s + x * s * (1 - s) * du) * dout[i]
      i += 1
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
/// rescaling. The mask (0 or 1/(1-p) per element) is kept for the backward pass. Each call draws one
/// number from `rng` as a key; element i's draw is a hash of (key, i), so the mask is the same for any
/// split of the elements over `threads` workers.
public enum Dropout {
  /// A uniform float in [0, 1) for element `i` under `key` (SplitMix64's output function on key + i·γ). The
  /// masks are drawn by CKernels' `ci_dropout`, which computes exactly this (tests compare the two).
  @inline(__always)
  static func uniform(key: UInt64, _ i: Int) -> Float {
    var z = key &+ UInt64(truncatingIfNeeded: i) &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return Float(z >> 40) * 0x1.0p-24
  }

  /// out = inp · mask, drawing `mask` from `rng`. With p = 0 the mask is all ones. Element i's draw is a hash
  /// of (one key from `rng`, indexOffset + i): a slice of a bigger tensor given its offset there draws exactly
  /// the mask the whole tensor would at those elements (how a step split over threads keeps its masks).
  public static func forward(
    out: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int,
    p: Float, rng: inout TensorRandom, threads: Int = 1, indexOffset: Int = 0
  ) {
    let scale = p < 1 ? 1 / (1 - p) : 0
    let key = rng.next()
    Parallel.chunks(count, threads: threads) { s, e in
      ci_dropout(out + s, mask + s, inp + s, 1, e - s, nil, indexOffset + s, p, scale, key)
    }
  }

  /// `forward` over `rows` rows of `width` whose elements sit elsewhere in a bigger tensor: row r's element k
  /// draws the mask of element `rowIndex[r] · width + k` of that tensor (one key from `rng`, as `forward`).
  /// How an encoder that skips padding draws exactly the masks of the padded batch at the real positions.
  public static func forward(
    out: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows: Int,
    width: Int, rowIndex: [Int], p: Float, rng: inout TensorRandom, threads: Int = 1
  ) {
    let scale = p < 1 ? 1 / (1 - p) : 0
    let key = rng.next()
    guard rows > 0 else { return }
    rowIndex.withUnsafeBufferPointer { index in
      Parallel.rows(rows, width: width, threads: threads) { r0, r1 in
        let at = r0 * width
        ci_dropout(out + at, mask + at, inp + at, r1 - r0, width, index.baseAddress! + r0, 0, p, scale, key)
      }
    }
  }

  /// dinp += mask · dout
  public static func backward(
    dinp: UnsafeMutablePointer<Float>, mask: UnsafePointer<Float>, dout: UnsafePointer<Float>, count: Int
  ) {
    for i in 0..<count { dinp[i] += mask[i] * dout[i] }
  }
}
