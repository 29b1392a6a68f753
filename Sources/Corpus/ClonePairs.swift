import Augment
import Syntax

/// The development clone pairs: each sampled held-out function paired with an augmentation of
/// itself (label 1) and with another held-out function (label 0). The augmentations are `Augment`'s
/// semantics-preserving ContraCode composition, so every positive behaves like its anchor.
///
/// Easy by construction: the positive is a rewrite of the same code and the negative is almost
/// always unrelated code. Numbers on this set show that a model learned the augmentations, not that
/// it finds real clones.
public enum ClonePairs {
  /// Writes the pairs and returns how many.
  public static func write(
    units: [HeldOutUnit], anchors: Int, seed: UInt64, augmenter: Augmenter, to writer: JSONLinesWriter
  ) -> Int {
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
      let variant = augmenter.variant(of: anchor.text, language: anchor.language, rng: &unitRNG)
      guard variant.text != anchor.text else { continue }
      let positive = variant.text
      let transforms = variant.applied
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
