import Syntax

/// What a transform sees: one parsed program (a whole file, or a function unit wrapped so that it
/// parses on its own) and its language.
public struct TransformInput {
  public let tree: Tree
  public var language: Language { tree.language }
  public var bytes: [UInt8] { tree.bytes }
  /// The bytes a transform may edit. The whole text for a file; for a function unit wrapped in a
  /// context that parses (`(…);`, `(class {…});`), the unit's own bytes, so the wrapper survives.
  public let focus: Range<Int>

  public init(tree: Tree, focus: Range<Int>? = nil) {
    self.tree = tree
    self.focus = focus ?? 0..<tree.bytes.count
  }
}

/// A source-to-source transformation of JavaScript/TypeScript, expressed as byte-range edits against
/// the input text (applied in one pass by `[ByteEdit].apply(to:)`).
///
/// Every transform but line subsampling preserves behaviour: the program prints the same transcript
/// under node before and after. Each conforming type says in its doc comment why.
public protocol Transform: Sendable {
  /// Short stable name used on the command line and in logs, e.g. `rename`, `fold`.
  var name: String { get }
  /// False only for transforms that deliberately change behaviour (line subsampling).
  var preservesSemantics: Bool { get }
  /// The edits to make, or an empty array when the transform has nothing to do on this input.
  /// All randomness comes from `rng`.
  func edits(for input: TransformInput, rng: inout SeededRandom) throws -> [ByteEdit]
}

extension Transform {
  public var preservesSemantics: Bool { true }
}

/// SplitMix64: a small, fast, seedable generator. The same seed gives the same sequence on every
/// platform, which keeps augmentations, training and splits reproducible.
public struct SeededRandom: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) { state = seed }

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
  public mutating func split() -> SeededRandom { SeededRandom(seed: next()) }
}
