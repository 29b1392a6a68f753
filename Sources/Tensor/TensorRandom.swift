import Foundation
@_exported import Randomness

// MARK: - Seeded randomness

/// The generator behind every random choice in `Tensor` (initialisation, dropout), so the same seed
/// gives the same bytes: the shared SplitMix64, with float samplers added here.
public typealias TensorRandom = SplitMix64

extension SplitMix64 {
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
