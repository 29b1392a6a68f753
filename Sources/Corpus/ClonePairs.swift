import Augment
import Syntax

/// Makes a semantics-preserving variant of a function for the clone pairs (the `Augment` pipeline
/// plugs in here).
public protocol CloneAugmenter {
  /// A variant of `text` (a function unit in `language`), or nil when none could be made.
  /// `transforms` receives the names of the transforms applied. All randomness from `rng`.
  func augment(_ text: String, language: Language, rng: inout SeededRandom, transforms: inout [String]) throws -> String?
}

/// The development clone pairs: each sampled held-out function paired with an augmentation of
/// itself (label 1) and with another held-out function (label 0).
///
/// Easy by construction: the positive is a rewrite of the same code and the negative is almost
/// always unrelated code. Numbers on this set show that a model learned the augmentations, not that
/// it finds real clones.
public enum ClonePairs {
  /// Writes the pairs and returns how many.
  public static func write(
    units: [HeldOutUnit], anchors: Int, seed: UInt64, augmenter: any CloneAugmenter, to writer: JSONLinesWriter
  ) throws -> Int {
    guard units.count >= 2 else { return 0 }
    var rng = SeededRandom(seed: seed ^ 0xC10E_5EED)
    var order = Array(units.indices)
    for i in stride(from: order.count - 1, to: 0, by: -1) {
      let j = Int(rng.next() % UInt64(i + 1))
      order.swapAt(i, j)
    }
    var written = 0
    for a in order.prefix(anchors) {
      let anchor = units[a]
      var unitRNG = rng.split()
      var transforms: [String] = []
      guard let positive = try? augmenter.augment(anchor.text, language: anchor.language, rng: &unitRNG, transforms: &transforms),
        positive != anchor.text
      else { continue }
      var b = Int(unitRNG.next() % UInt64(units.count - 1))
      if b >= a { b += 1 }
      let other = units[b]
      writer.write(record(anchor, label: 1, text: positive, source: anchor, transforms: transforms))
      writer.write(record(anchor, label: 0, text: other.text, source: other, transforms: []))
      written += 2
    }
    return written
  }

  private static func record(_ anchor: HeldOutUnit, label: Int, text: String, source: HeldOutUnit, transforms: [String])
    -> JSONValue
  {
    .object([
      ("label", .int(label)), ("package", .string(anchor.package)), ("path", .string(anchor.path)),
      ("language", .string(anchor.language.rawValue)), ("start_byte", .int(anchor.byteRange.lowerBound)),
      ("end_byte", .int(anchor.byteRange.upperBound)), ("a", .string(anchor.text)),
      ("b_package", .string(source.package)), ("b_path", .string(source.path)),
      ("b_start_byte", .int(source.byteRange.lowerBound)), ("transforms", .array(transforms.map(JSONValue.string))),
      ("b", .string(text)),
    ])
  }
}
