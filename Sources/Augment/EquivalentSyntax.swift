import Syntax

/// Rewrites constructs into equivalent spellings, in both directions, each site with probability
/// `rate` (the terser `compress` family): `true` ↔ `!0`, `false` ↔ `!1`, `undefined` ↔ `void 0`,
/// `a.b` ↔ `a["b"]`, `if (c) s;` ↔ `c && s;`, `if (c) return x; else return y;` ↔ `return c ? x : y;`,
/// and `x = x + e` ↔ `x += e`.
///
/// Why behaviour is preserved: `!0` and `!1` evaluate to the booleans; `void 0` is always `undefined`,
/// and `undefined` is only rewritten where it names the global (no binding of that name, no `with`, no
/// `eval` in the program); `a["b"]` and `a.b` are the same property access when `b` is an identifier
/// name; `c && s` evaluates `s` exactly when `c` is truthy, like the `if`; the conditional operator picks
/// the same branch as the `if`; and `x op= e` is `x = x op (e)` for a plain local variable `x` (a `let`, `var`,
/// parameter or catch parameter of a function, per scope analysis, outside `with`/`eval` scopes), whose
/// reference resolves the same way twice and whose reads have no side effect. Operands are parenthesised wherever the
/// new context binds tighter, and a rewritten statement never starts with a token that could glue onto an
/// ASI-terminated predecessor.
public struct EquivalentSyntax: Transform {
  public let name = "equivalent"
  /// Probability that each eligible site is rewritten.
  public var rate: Double

  public init(rate: Double = 0.5) { self.rate = rate }

  /// Every node type the walk in `edits` acts on or tracks.
  private static let interesting = NodeTypes([
    "decorator", "jsx_opening_element", "jsx_closing_element", "jsx_self_closing_element", "true", "false",
    "undefined", "unary_expression", "member_expression", "subscript_expression", "if_statement",
    "expression_statement", "return_statement", "assignment_expression", "augmented_assignment_expression",
  ])

  public func edits(for input: TransformInput, rng: inout SeededRandom) throws -> [ByteEdit] {
    // Scope analysis only when a site needs it (most functions have none).
    var analysis: ScopeAnalysis? = nil
    var noUndefinedBinding = false
    func scopeAnalysis() -> ScopeAnalysis {
      if let analysis { return analysis }
      let a = input.scopes
      noUndefinedBinding = !a.bindings.contains { $0.name == "undefined" }
      analysis = a
      return a
    }
    /// `undefined` here is the global: no binding of that name and no `eval`/`with` that could add one.
    func globalUndefined(at offset: Int) -> Bool {
      let scopes = scopeAnalysis()
      return noUndefinedBinding && !scopes.innermostScope(at: offset).isUnsafe
    }
    /// A plain local variable (not `const`, not visible to `eval`/`with`).
    func simpleLocal(_ identifier: Node) -> Bool {
      let scopes = scopeAnalysis()
      guard let b = scopes.binding(at: identifier.startByte), b.name == identifier.text,
        !scopes.scopes[b.scope].isUnsafe, !scopes.innermostScope(at: identifier.startByte).isUnsafe
      else { return false }
      switch b.kind {
      case .var, .let, .parameter, .catchParameter: return b.scope != 0 || b.kind == .let
      default: return false
      }
    }
    var edits: [ByteEdit] = []
    var lastEnd = -1
    func add(_ node: Node, _ text: String) {
      add(node.startByte, node.endByte, text)
    }
    func add(_ start: Int, _ end: Int, _ text: String) {
      guard start >= lastEnd else { return }
      edits.append(ByteEdit(start: start, deletedLength: end - start, inserted: text))
      lastEnd = end
    }
    var contextUntil = -1  // end of the innermost decorator or JSX tag being walked
    JSSyntax.walk(input) { node in
      if node.startByte < lastEnd { return false }
      // TypeScript types hold no values to rewrite: skip them whole (no per-node ancestor checks).
      if JSSyntax.isTypeNode(node) { return false }
      // Most nodes are none of the types below: skip them without comparing type names.
      guard Self.interesting.contains(node) else { return true }
      let type = node.type
      if type == "decorator" || type == "jsx_opening_element" || type == "jsx_closing_element"
        || type == "jsx_self_closing_element"
      {
        contextUntil = max(contextUntil, node.endByte)
      }
      let inDecoratorOrJSX = node.startByte < contextUntil
      switch type {
      case "true", "false":
        guard rng.chance(rate) else { return false }
        add(node, tight(type == "true" ? "!0" : "!1", at: node))
        return false
      case "undefined":
        guard globalUndefined(at: node.startByte), isValueUse(node), rng.chance(rate) else { return false }
        add(node, tight("void 0", at: node))
        return false
      case "unary_expression":
        guard let op = node.child(field: "operator")?.type, let arg = node.child(field: "argument") else { return true }
        if op == "!" && arg.type == "number" && (arg.text == "0" || arg.text == "1") {
          if rng.chance(rate) { add(node, arg.text == "0" ? "true" : "false") }
          return false
        }
        if op == "void" && arg.type == "number" && arg.text == "0" && globalUndefined(at: node.startByte) {
          if rng.chance(rate) { add(node, "undefined") }
          return false
        }
        return true
      case "member_expression":
        guard let prop = node.child(field: "property"), prop.type == "property_identifier",
          let obj = node.child(field: "object"), obj.type != "number", !inDecoratorOrJSX, rng.chance(rate)
        else { return true }
        // `.b` or `?.b` → `["b"]` or `?.["b"]`
        let bytes = input.bytes
        // The `.` or `?.` after the object, past any comments (which may hold a `.` of their own).
        let dot = skipTrivia(bytes, from: obj.endByte, to: prop.startByte)
        let optional = dot < prop.startByte && bytes[dot] == UInt8(ascii: "?")
        edits.append(contentsOf: [])
        add(dot, prop.endByte, (optional ? "?." : "") + "[\"" + prop.text + "\"]")
        return false
      case "subscript_expression":
        guard let index = node.child(field: "index"), index.type == "string",
          let obj = node.child(field: "object"), obj.type != "number",
          let value = JSString.decode(index.bytes), isIdentifierName(value), !inDecoratorOrJSX,
          rng.chance(rate)
        else { return true }
        let bytes = input.bytes
        let open = skipTrivia(bytes, from: obj.endByte, to: index.startByte)
        let optional = open < index.startByte && bytes[open] == UInt8(ascii: "?")
        add(open, node.endByte, (optional ? "?." : ".") + String(decoding: value.map { UInt8($0) }, as: UTF8.self))
        return false
      case "if_statement":
        if let text = ifToExpression(node, input: input), rng.chance(rate) {
          add(node, text)
          return false
        }
        if let (end, text) = ifReturnToTernary(node), rng.chance(rate) {
          add(node.startByte, end, text)
          return false
        }
        return true
      case "expression_statement":
        if let text = expressionToIf(node), rng.chance(rate) {
          add(node, text)
          return false
        }
        return true
      case "return_statement":
        if let text = ternaryToIf(node), rng.chance(rate) {
          add(node, text)
          return false
        }
        return true
      case "assignment_expression", "augmented_assignment_expression":
        guard let left = node.child(field: "left"), left.type == "identifier", simpleLocal(left) else { return true }
        if let text = compoundAssignment(node, left: left, type: type), rng.chance(rate) {
          add(node, text)
          return false
        }
        return true
      default:
        return true
      }
    }
    return edits
  }

  // MARK: - Rewrites

  /// `if (c) s;` → `c && s;` (s an expression statement, no else, in a statement list).
  private func ifToExpression(_ node: Node, input: TransformInput) -> String? {
    guard node.child(field: "alternative") == nil, let parent = node.parent,
      JSSyntax.statementLists.contains(parent.type),
      let cond = node.child(field: "condition"), let inner = unparen(cond),
      let body = node.child(field: "consequence")
    else { return nil }
    var stmt = body
    if body.type == "statement_block" {
      let items = body.namedChildren
      guard items.count == 1, let only = items.first else { return nil }
      stmt = only
    }
    guard stmt.type == "expression_statement", let expr = stmt.namedChild(0) else { return nil }
    var c = JSSyntax.operand(inner, minimum: 6)
    if startsAmbiguously(c) { c = "(" + c + ")" }
    let text = c + " && " + JSSyntax.operand(expr, minimum: 6) + ";"
    guard JSSyntax.canFollow(node.previousNamedSibling, with: text.utf8) else { return nil }
    return text
  }

  /// `c && s;` → `if (c) s;` and `c || s;` → `if (!(c)) s;`.
  private func expressionToIf(_ node: Node) -> String? {
    guard let parent = node.parent, JSSyntax.statementLists.contains(parent.type),
      let expr = node.namedChild(0), expr.type == "binary_expression",
      let op = expr.child(field: "operator")?.type, op == "&&" || op == "||",
      let l = expr.child(field: "left"), let r = expr.child(field: "right")
    else { return nil }
    var s = r.text
    if startsAmbiguously(s) || r.type == "sequence_expression" { s = "(" + s + ")" }
    let c = op == "&&" ? l.text : "!" + JSSyntax.operand(l, minimum: 15)
    return "if (" + c + ") " + s + ";"
  }

  /// `if (c) return x; else return y;` or `if (c) return x;` + next `return y;` → `return c ? x : y;`.
  private func ifReturnToTernary(_ node: Node) -> (Int, String)? {
    guard let cond = node.child(field: "condition"), let inner = unparen(cond),
      let cons = node.child(field: "consequence"), let x = singleReturn(cons)
    else { return nil }
    var end = node.endByte
    let y: Node
    if let alt = node.child(field: "alternative") {
      guard let altStmt = alt.namedChildren.last, let v = singleReturn(altStmt) else { return nil }
      y = v
    } else {
      guard let parent = node.parent, JSSyntax.statementLists.contains(parent.type),
        let next = node.nextNamedSibling, next.type == "return_statement", let v = next.namedChild(0),
        v.type != "comment"
      else { return nil }
      y = v
      end = next.endByte
    }
    let text = "return " + JSSyntax.operand(inner, minimum: 4) + " ? " + JSSyntax.operand(x, minimum: 2) + " : "
      + JSSyntax.operand(y, minimum: 2) + ";"
    return (end, text)
  }

  /// `return c ? x : y;` → `if (c) return x; else return y;`.
  private func ternaryToIf(_ node: Node) -> String? {
    guard let expr = node.namedChild(0), expr.type == "ternary_expression",
      let c = expr.child(field: "condition"), let x = expr.child(field: "consequence"),
      let y = expr.child(field: "alternative")
    else { return nil }
    let text = "if (" + c.text + ") return " + x.text + "; else return " + y.text + ";"
    if let parent = node.parent, JSSyntax.statementLists.contains(parent.type) { return text }
    return "{ " + text + " }"
  }

  /// `x = x op e` ↔ `x op= e` for a declared variable `x`.
  private func compoundAssignment(_ node: Node, left: Node, type: String) -> String? {
    let ops: Set<String> = ["+", "-", "*", "/", "%", "**", "<<", ">>", ">>>", "&", "|", "^"]
    guard let right = node.child(field: "right") else { return nil }
    if type == "assignment_expression" {
      guard right.type == "binary_expression", let op = right.child(field: "operator")?.type, ops.contains(op),
        let l = right.child(field: "left"), l.type == "identifier", l.text == left.text,
        let r = right.child(field: "right")
      else { return nil }
      return left.text + " " + op + "= " + JSSyntax.operand(r, minimum: 2)
    }
    guard let opNode = node.child(field: "operator") else { return nil }
    let full = opNode.type
    guard full.hasSuffix("="), ops.contains(String(full.dropLast())) else { return nil }
    let op = String(full.dropLast())
    return left.text + " = " + left.text + " " + op + " " + JSSyntax.operand(right, minimum: 16)
  }

  // MARK: - Helpers

  /// The first byte in `start..<end` that is neither white space nor inside a comment (`end` if none).
  private func skipTrivia(_ bytes: [UInt8], from start: Int, to end: Int) -> Int {
    var i = start
    while i < end {
      let c = bytes[i]
      if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
        i += 1
      } else if c == UInt8(ascii: "/") && i + 1 < end && bytes[i + 1] == UInt8(ascii: "/") {
        while i < end && bytes[i] != 0x0A { i += 1 }
      } else if c == UInt8(ascii: "/") && i + 1 < end && bytes[i + 1] == UInt8(ascii: "*") {
        i += 2
        while i + 1 < end && !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) { i += 1 }
        i = min(i + 2, end)
      } else {
        return i
      }
    }
    return end
  }

  private func unparen(_ cond: Node) -> Node? {
    guard cond.type == "parenthesized_expression", cond.namedChildCount == 1 else { return nil }
    return cond.namedChild(0)
  }

  private func singleReturn(_ node: Node) -> Node? {
    var stmt = node
    if node.type == "statement_block" {
      let items = node.namedChildren
      guard items.count == 1, let only = items.first else { return nil }
      stmt = only
    }
    guard stmt.type == "return_statement", stmt.namedChildCount == 1, let value = stmt.namedChild(0),
      value.type != "comment"
    else { return nil }
    return value
  }

  /// Text that, at the start of a statement, would not read as an expression.
  private func startsAmbiguously(_ s: String) -> Bool {
    s.hasPrefix("{") || s.hasPrefix("function") || s.hasPrefix("class") || s.hasPrefix("let") || s.hasPrefix("async")
  }

  private func tight(_ text: String, at node: Node) -> String {
    guard let parent = node.parent else { return text }
    let pt = parent.type
    let isObject = parent.child(field: "object") == node || parent.child(field: "function") == node
      || parent.child(field: "constructor") == node || parent.child(field: "tag") == node
    if (isObject && (pt == "member_expression" || pt == "subscript_expression" || pt == "call_expression"
      || pt == "new_expression"))
      || (pt == "binary_expression" && parent.child(field: "operator")?.type == "**"
        && parent.child(field: "left") == node)
    {
      return "(" + text + ")"
    }
    return text
  }

  private func isValueUse(_ node: Node) -> Bool {
    guard let parent = node.parent else { return false }
    switch parent.type {
    case "assignment_expression", "augmented_assignment_expression":
      return parent.child(field: "left") != node
    case "update_expression", "for_in_statement", "assignment_pattern", "object_pattern", "array_pattern",
      "pair_pattern", "formal_parameters", "required_parameter", "optional_parameter", "rest_pattern",
      "import_specifier", "export_specifier", "namespace_import", "import_clause", "catch_clause",
      "labeled_statement", "unary_expression":
      return parent.type == "unary_expression" && parent.child(field: "operator")?.type != "delete"
        && parent.child(field: "operator")?.type != "typeof"
    case "variable_declarator":
      return parent.child(field: "name") != node
    default:
      return true
    }
  }

  private func isIdentifierName(_ value: [UInt16]) -> Bool {
    guard let first = value.first else { return false }
    func start(_ c: UInt16) -> Bool {
      (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x24
    }
    guard start(first) else { return false }
    return value.allSatisfy { start($0) || ($0 >= 0x30 && $0 <= 0x39) }
  }
}
