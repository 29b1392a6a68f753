/// SplitMix64: a small, fast, seedable generator. The same seed gives the same sequence on every
/// platform, which keeps augmentations, tokeniser sampling, initialisation, dropout, training and
/// splits reproducible. Every codeintel module draws its randomness from this one type (`Augment`
/// calls it `SeededRandom`, `Tensor` calls it `TensorRandom` and adds float samplers).
public struct SplitMix64: RandomNumberGenerator, Sendable {
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

  /// A uniform Double in [0, 1).
  public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// True with probability p.
  public mutating func chance(_ p: Double) -> Bool { unit() < p }

  /// A derived generator, for handing independent streams to parallel workers.
  public mutating func split() -> SplitMix64 { SplitMix64(seed: next()) }
}
