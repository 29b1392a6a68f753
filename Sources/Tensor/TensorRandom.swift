import Foundation

// MARK: - Seeded randomness

/// SplitMix64 with float helpers: every random choice in `Tensor` (initialisation, dropout) goes through
/// one of these, so the same seed gives the same bytes.
public struct TensorRandom: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// A generator whose whole sequence is fixed by `seed`.
  public init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform float in [0, 1).
  public mutating func uniform() -> Float { Float(next() >> 40) * 0x1.0p-24 }

  /// A standard normal sample (Box–Muller).
  public mutating func normal() -> Float {
    let u1 = max(Double(next() >> 11) * 0x1.0p-53, 1e-300)
    let u2 = Double(next() >> 11) * 0x1.0p-53
    return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
  }

  /// Fills `count` floats with normal samples of standard deviation `std`.
  public mutating func fillNormal(_ p: UnsafeMutablePointer<Float>, count: Int, std: Float) {
    for i in 0..<count { p[i] = normal() * std }
  }

  /// Fills `count` floats uniformly from [-bound, bound).
  public mutating func fillUniform(_ p: UnsafeMutablePointer<Float>, count: Int, bound: Float) {
    for i in 0..<count { p[i] = (uniform() * 2 - 1) * bound }
  }
}
