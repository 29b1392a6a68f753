import Syntax

/// Evaluates arithmetic, string, comparison, bitwise, logical and `typeof` operations whose operands are
/// all literals (`60 * 60 * 1000` → `3600000`, `"a" + 1` → `"a1"`, `typeof "x"` → `"string"`,
/// `1 / 0 > 2` → `true`).
///
/// Why behaviour is preserved: an operation on literals has no side effects and its result is fixed by
/// the language, so the expression can be replaced by a literal of that value. The evaluator follows
/// ECMA-262 exactly for the cases it folds: IEEE doubles, `Number::toString` when a number meets a
/// string (`JSNumber.format`), UTF-16 string comparison, ToInt32 for bitwise operators, `**` and `%`
/// edge cases, `-0`; anything else (strings compared with numbers, BigInt, legacy octal, template
/// literals) is left alone. Results that are not plain literals are written so they cannot be shadowed
/// or re-associated: `(-0)`, `(0/0)`, `(1/0)`, `void 0`, and parenthesised where the context binds tighter.
public struct ConstantFolding: Transform {
  /// Statements whose parentheses are part of their syntax, not a grouping.
  static let statementSyntax: Set<String> = [
    "if_statement", "while_statement", "do_statement", "switch_statement", "with_statement",
  ]

  public let name = "fold"

  /// The node types the walk in `edits` may fold.
  private static let foldable = NodeTypes(["binary_expression", "unary_expression", "parenthesized_expression"])

  public init() {}

  public func edits(for input: TransformInput, rng: inout SeededRandom) throws -> [ByteEdit] {
    var edits: [ByteEdit] = []
    JSSyntax.walk(input) { node in
      guard Self.foldable.contains(node) else { return !JSSyntax.isTypeNode(node) }
      let t = node.type
      // Parentheses that belong to a statement's syntax (`if (…)`, `while (…)`, `switch (…)`) stay and
      // their content is folded; other parentheses around a constant fold away with it, so
      // `t * (60 * 1000)` and `t * 60000` read the same (`print` re-adds parentheses where the
      // context needs them, as in `(60000).toFixed()`).
      let foldsParens = t == "parenthesized_expression" && !Self.statementSyntax.contains(node.parent?.type ?? "")
      guard t == "binary_expression" || t == "unary_expression" || foldsParens else {
        return !JSSyntax.isTypeNode(node)
      }
      if foldsParens, let inner = node.namedChild(0), inner.type != "binary_expression" && inner.type != "unary_expression"
        && inner.type != "parenthesized_expression"
      {
        return true  // `(3)`, `(x)`: nothing to fold here; look inside
      }
      if t == "unary_expression", let op = node.child(field: "operator")?.type, let arg = node.child(field: "argument") {
        let at = arg.type
        if (op == "-" || op == "void") && (at == "number" || at == "string" || at == "true" || at == "false") {
          return false  // already a literal form
        }
      }
      guard let value = Evaluator.evaluate(node), !JSSyntax.isInType(node) else { return true }
      guard let printed = print(value, at: node) else { return true }
      if printed.utf8.elementsEqual(node.bytes) { return false }  // already in its folded form: `(void 0)`
      edits.append(ByteEdit(start: node.startByte, deletedLength: node.endByte - node.startByte, inserted: printed))
      return false
    }
    return edits
  }

  /// The replacement text of `value` standing where `node` stood.
  private func print(_ value: JSValue, at node: Node) -> String? {
    var text: String
    var tight = true  // binds like a primary expression
    switch value {
    case .number(let d):
      text = JSNumber.literal(d)
      if !text.hasPrefix("(") { tight = false }  // `3.toFixed` would be a syntax error
    case .string(let s):
      guard s.count <= 256 else { return nil }
      text = JSString.encode(s, quote: quote(in: node))
    case .bool(let b): text = b ? "true" : "false"
    case .null: text = "null"
    case .undefined:
      text = "void 0"
      tight = false
    }
    if !tight, let parent = node.parent {
      let pt = parent.type
      let isObject = parent.child(field: "object") == node || parent.child(field: "function") == node
        || parent.child(field: "constructor") == node
      if (isObject && (pt == "member_expression" || pt == "subscript_expression" || pt == "call_expression"
        || pt == "new_expression")) || pt == "update_expression"
        || (pt == "binary_expression" && parent.child(field: "operator")?.type == "**")
      {
        text = "(" + text + ")"
      }
    }
    return text
  }

  private func quote(in node: Node) -> UInt8 {
    var q = UInt8(ascii: "\"")
    var found = false
    node.walk { n in
      if found { return false }
      if n.type == "string", let first = n.bytes.first {
        q = first
        found = true
      }
      return true
    }
    return q
  }
}

// MARK: - Values and evaluation

/// A JavaScript primitive value that a literal can spell.
enum JSValue: Equatable {
  case number(Double)
  case string([UInt16])
  case bool(Bool)
  case null
  case undefined

  var truthy: Bool {
    switch self {
    case .number(let d): return !(d == 0 || d.isNaN)
    case .string(let s): return !s.isEmpty
    case .bool(let b): return b
    case .null, .undefined: return false
    }
  }

  /// ToNumber, except for strings (left unfolded: string-to-number conversion has many corner cases).
  var number: Double? {
    switch self {
    case .number(let d): return d
    case .bool(let b): return b ? 1 : 0
    case .null: return 0
    case .undefined: return .nan
    case .string: return nil
    }
  }

  var string: [UInt16] {
    switch self {
    case .number(let d): return Array(JSNumber.format(d).utf16)
    case .string(let s): return s
    case .bool(let b): return Array((b ? "true" : "false").utf16)
    case .null: return Array("null".utf16)
    case .undefined: return Array("undefined".utf16)
    }
  }

  var typeName: String {
    switch self {
    case .number: return "number"
    case .string: return "string"
    case .bool: return "boolean"
    case .null: return "object"
    case .undefined: return "undefined"
    }
  }

  func strictEquals(_ other: JSValue) -> Bool {
    switch (self, other) {
    case (.number(let a), .number(let b)): return a == b
    case (.string(let a), .string(let b)): return a == b
    case (.bool(let a), .bool(let b)): return a == b
    case (.null, .null), (.undefined, .undefined): return true
    default: return false
    }
  }

  /// Abstract equality (`==`), or nil where it would convert a string.
  func looseEquals(_ other: JSValue) -> Bool? {
    switch (self, other) {
    case (.null, .undefined), (.undefined, .null): return true
    case (.null, _), (.undefined, _), (_, .null), (_, .undefined): return strictEquals(other)
    case (.string, .string): return strictEquals(other)
    case (.string, _), (_, .string): return nil
    default:
      guard let a = number, let b = other.number else { return nil }
      return a == b
    }
  }
}

enum Evaluator {
  /// The value of an expression built only from literals and operators, or nil.
  static func evaluate(_ node: Node) -> JSValue? {
    switch node.type {
    case "number": return JSNumber.parseLiteral(node.text).map(JSValue.number)
    case "string": return JSString.decode(node.bytes).map(JSValue.string)
    case "true": return .bool(true)
    case "false": return .bool(false)
    case "null": return .null
    case "parenthesized_expression":
      guard node.namedChildCount == 1, let inner = node.namedChild(0) else { return nil }
      return evaluate(inner)
    case "unary_expression":
      guard let op = node.child(field: "operator")?.type, let arg = node.child(field: "argument"),
        let v = evaluate(arg)
      else { return nil }
      switch op {
      case "!": return .bool(!v.truthy)
      case "-": return v.number.map { .number(-$0) }
      case "+": return v.number.map { .number($0) }
      case "~": return v.number.map { .number(Double(~JSNumber.toInt32($0))) }
      case "typeof": return .string(Array(v.typeName.utf16))
      case "void": return .undefined
      default: return nil
      }
    case "binary_expression":
      guard let op = node.child(field: "operator")?.type, let l = node.child(field: "left"),
        let r = node.child(field: "right"), let a = evaluate(l), let b = evaluate(r)
      else { return nil }
      return binary(op, a, b)
    default:
      return nil
    }
  }

  static func binary(_ op: String, _ a: JSValue, _ b: JSValue) -> JSValue? {
    switch op {
    case "+":
      if case .string = a { return .string(a.string + b.string) }
      if case .string = b { return .string(a.string + b.string) }
      guard let x = a.number, let y = b.number else { return nil }
      return .number(x + y)
    case "-", "*", "/", "%", "**":
      guard let x = a.number, let y = b.number else { return nil }
      switch op {
      case "-": return .number(x - y)
      case "*": return .number(x * y)
      case "/": return .number(x / y)
      case "%": return .number(JSNumber.remainder(x, y))
      default: return .number(JSNumber.power(x, y))
      }
    case "&", "|", "^", "<<", ">>", ">>>":
      guard let x = a.number, let y = b.number else { return nil }
      let i = JSNumber.toInt32(x)
      let s = JSNumber.toUint32(y) & 31
      switch op {
      case "&": return .number(Double(i & JSNumber.toInt32(y)))
      case "|": return .number(Double(i | JSNumber.toInt32(y)))
      case "^": return .number(Double(i ^ JSNumber.toInt32(y)))
      case "<<": return .number(Double(i << Int32(s)))
      case ">>": return .number(Double(i >> Int32(s)))
      default: return .number(Double(JSNumber.toUint32(x) >> s))
      }
    case "<", ">", "<=", ">=":
      if case .string(let x) = a, case .string(let y) = b {
        let less = x.lexicographicallyPrecedes(y)
        let greater = y.lexicographicallyPrecedes(x)
        switch op {
        case "<": return .bool(less)
        case ">": return .bool(greater)
        case "<=": return .bool(!greater)
        default: return .bool(!less)
        }
      }
      guard let x = a.number, let y = b.number else { return nil }
      switch op {
      case "<": return .bool(x < y)
      case ">": return .bool(x > y)
      case "<=": return .bool(x <= y)
      default: return .bool(x >= y)
      }
    case "===": return .bool(a.strictEquals(b))
    case "!==": return .bool(!a.strictEquals(b))
    case "==": return a.looseEquals(b).map(JSValue.bool)
    case "!=": return a.looseEquals(b).map { .bool(!$0) }
    case "&&": return a.truthy ? b : a
    case "||": return a.truthy ? a : b
    case "??":
      if a == .null || a == .undefined { return b }
      return a
    default: return nil
    }
  }
}
