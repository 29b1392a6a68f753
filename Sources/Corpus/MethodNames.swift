import Augment
import Syntax

/// One method-naming example: a function with its own name hidden, and the name to predict.
public struct MethodNameExample: Sendable, Equatable {
  /// The function's text with its name and recursive references replaced by `placeholder`.
  public var input: String
  /// The hidden name as written.
  public var name: String
  /// The name split into lowercase subtokens: the prediction target.
  public var target: [String]
}

/// Builds method-naming examples from function units.
public enum MethodNames {
  /// Stands in for the function's own name in the input. A plain identifier, so the input parses.
  public static let placeholder = "METHOD_NAME"

  /// Names that say where a function is stored rather than what it does.
  public static let uninformative: Set<String> = ["exports", "default"]

  /// The example for `unit`, or nil when its name is trivial: anonymous, `constructor`, a single
  /// letter (or `$`, `_`), not an identifier, `exports`/`default`, or a body of fewer than 2 statements.
  public static func example(for unit: FunctionUnit, in tree: Tree) -> MethodNameExample? {
    guard unit.kind != .constructor, let name = unit.name else { return nil }
    let bare = name.hasPrefix("#") ? String(name.dropFirst()) : name
    guard IdentifierWords.isIdentifier(bare), bare.filter({ $0.isLetter || $0.isNumber }).count >= 2 else {
      return nil
    }
    // `module.exports = function …` / `exports.default = …`: where it is stored, not what it does.
    guard !uninformative.contains(bare) else { return nil }
    let target = identifierSubtokens(bare)
    guard !target.isEmpty, statementCount(unit, tree) >= 2 else { return nil }
    guard let node = tree.root.descendant(for: unit.byteRange) else { return nil }
    let isMethod = [.method, .getter, .setter].contains(unit.kind)
    var ranges = Set<Range<Int>>()
    if let r = unit.nameRange, unit.byteRange.contains(r.lowerBound) { ranges.insert(r) }
    node.walk { n in
      switch n.type {
      case "identifier":
        if !isMethod && n.text == name { ranges.insert(n.byteRange) }
      case "property_identifier", "private_property_identifier":
        // `this.name(...)` calls the method itself (also from `proto.name = function …`).
        if n.text == name, let member = n.parent, member.type == "member_expression",
          member.child(field: "object")?.type == "this"
        {
          ranges.insert(n.byteRange)
        }
      default: break
      }
      return true
    }
    let replacement = name.hasPrefix("#") ? "#" + placeholder : placeholder
    let base = unit.byteRange.lowerBound
    let edits = ranges.map { ByteEdit(start: $0.lowerBound - base, deletedLength: $0.count, inserted: replacement) }
    guard let text = try? edits.apply(to: Array(tree.bytes[unit.byteRange])) else { return nil }
    return MethodNameExample(input: String(decoding: text, as: UTF8.self), name: bare, target: target)
  }

  /// Statements in the unit's body block (0 for a concise arrow body).
  public static func statementCount(_ unit: FunctionUnit, _ tree: Tree) -> Int {
    guard let body = tree.root.descendant(for: unit.bodyRange), body.type == "statement_block",
      body.byteRange == unit.bodyRange
    else { return 0 }
    return body.namedChildren.filter { $0.type != "comment" }.count
  }
}
