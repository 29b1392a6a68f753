import Augment
import Syntax

/// Applies one transform to a whole program with a fixed seed and returns the text.
func applying(_ transform: any Transform, to source: String, language: Language = .javascript, seed: UInt64 = 1)
  throws -> String
{
  let tree = try Parser(language: language).parse(source)
  var rng = SeededRandom(seed: seed)
  let edits = try transform.edits(for: TransformInput(tree: tree), rng: &rng)
  return String(decoding: try edits.apply(to: tree.bytes), as: UTF8.self)
}
