import Augment
import Syntax

/// Computes a function unit's canonical hash with Augment's `Canonicalizer` (scope-correct renaming
/// of locals, comments and formatting ignored) after two more normalisations that keep behaviour:
/// TypeScript-only syntax is removed (type annotations, type parameters, accessibility modifiers), and
/// constant expressions are folded (`ConstantFolding`: `60 * 60` → `3600`).
///
/// A unit is canonicalised on its own: its text (with a method's own name replaced by a placeholder,
/// so that `draw() {…}` and `render() {…}` agree, as function names already do) is wrapped in a context
/// that parses — `(class {…});` for class and object members, `(…);` otherwise — and re-parsed.
public final class UnitCanonicalizer {
  /// Bumped whenever the canonical form of any unit can change.
  public static let version = "augment-canonical-v2"

  /// What is dropped: `UnitTokens.typeOnly` except type arguments. `expectTypeOf(x).brand<"A">()` and
  /// `.brand<"B">()` say different things (issue 18), and inside an annotation they go with it anyway.
  static let dropped = UnitTokens.typeOnly.subtracting(["type_arguments"])

  private var parsers: [Language: Parser] = [:]
  private let folding = ConstantFolding()

  public init() {}

  /// The canonical hash of `unit` (16 hex digits).
  public func canonicalHash(of unit: FunctionUnit, in tree: Tree) -> String {
    let parser = self.parser(tree.language)
    let isMember = [.method, .getter, .setter, .constructor].contains(unit.kind)
    var edits: [ByteEdit] = []
    // TypeScript-only syntax.
    if tree.language.isTypeScript, let node = UnitTokens.unitNode(unit, in: tree) {
      node.walk { n in
        if Self.dropped.contains(n.type) {
          edits.append(ByteEdit(start: n.startByte, deletedLength: n.endByte - n.startByte, inserted: ""))
          return false
        }
        return true
      }
    }
    // A member's own name.
    if isMember && unit.kind != .constructor, let r = unit.nameRange, unit.byteRange.contains(r.lowerBound),
      !edits.contains(where: { $0.start <= r.lowerBound && r.lowerBound < $0.start + $0.deletedLength })
    {
      edits.append(ByteEdit(start: r.lowerBound, deletedLength: r.count, inserted: "unit$self"))
    }
    let start = unit.byteRange.lowerBound
    let local = edits.map { ByteEdit(start: $0.start - start, deletedLength: $0.deletedLength, inserted: $0.inserted) }
    let body = (try? local.apply(to: Array(tree.bytes[unit.byteRange]))) ?? Array(tree.bytes[unit.byteRange])
    let (open, close) = isMember ? ("(class {\n", "\n});") : ("(", "\n);")
    var text = Array(open.utf8) + body + Array(close.utf8)
    guard var wrapped = try? parser.parse(bytes: text) else { return Canonicalizer.hex(Canonicalizer.exactHash(text)) }
    var rng = SeededRandom(seed: 0)
    if let folds = try? folding.edits(for: TransformInput(tree: wrapped), rng: &rng), !folds.isEmpty,
      let folded = try? folds.apply(to: text), let reparsed = try? parser.parse(bytes: folded)
    {
      text = folded
      wrapped = reparsed
    }
    return Canonicalizer.hex(Canonicalizer.hash(of: wrapped))
  }

  private func parser(_ language: Language) -> Parser {
    if let p = parsers[language] { return p }
    let p = Parser(language: language)
    parsers[language] = p
    return p
  }
}
