import Syntax

/// Removes code that can never run: statements after `return`, `throw`, `break` or `continue` in the same
/// block, and the never-taken branch of `if (false)`, `if (0)`, `if (!1)`, `if (null)`, `if ("")`,
/// `if (void 0)` (and the `else` of `if (true)`, `if (1)`, `if (!0)`), and declarations of function-local
/// variables that are never used and whose initialiser has no effect (`let unused = [1, 2];`).
///
/// Why behaviour is preserved: unreachable statements never execute, so only what they declare can matter.
/// Function declarations after a jump are hoisted and stay as written; a `var` after a jump still creates
/// its (undefined) binding, so it stays as a bare `var a, b;`; `let`/`const`/`class` after a jump keep their
/// bindings in the temporal dead zone, so a block holding them is left alone. A dead branch that declares
/// a `var` or a function (both hoist out of blocks) is left alone too. An unused local (scope analysis:
/// its only occurrence is its declaration, no `eval`/`with` can see it, not exported, not a global) with
/// a literal, function, or array/object-of-literals initialiser can go: creating that value has no effect.
public struct DeadCodeElimination: Transform {
  public let name = "dce"

  /// The node types the walk in `edits` acts on.
  private static let visited = NodeTypes(["statement_block", "if_statement"])

  public init() {}

  public func edits(for input: TransformInput, rng: inout SeededRandom) throws -> [ByteEdit] {
    var edits: [ByteEdit] = []
    var lastEnd = -1
    JSSyntax.walk(input) { node in
      if node.startByte < lastEnd { return false }
      guard Self.visited.contains(node) else { return true }
      switch node.type {
      case "statement_block":
        if let edit = afterJump(node) {
          edits.append(edit)
          lastEnd = edit.start + edit.deletedLength
        }
        return true
      case "if_statement":
        if let edit = deadBranch(node) {
          edits.append(edit)
          lastEnd = node.endByte
          return false
        }
        return true
      default:
        return true
      }
    }
    for edit in unusedLocals(input) where !edits.contains(where: { overlaps($0, edit) }) {
      edits.append(edit)
    }
    return edits
  }

  private func overlaps(_ a: ByteEdit, _ b: ByteEdit) -> Bool {
    a.start < b.start + b.deletedLength && b.start < a.start + a.deletedLength
  }

  // MARK: - Unused locals

  /// Declarations of function-local `let`/`const`/`var` names that nothing reads or writes, whose
  /// initialisers have no side effects.
  private func unusedLocals(_ input: TransformInput) -> [ByteEdit] {
    let scopes = input.scopes
    var edits: [ByteEdit] = []
    var removable = Set<Int>()  // start bytes of declarators whose binding is unused
    for b in scopes.bindings where b.scope != 0 && !b.isExported {
      switch b.kind {
      case .let, .const, .var: break
      default: continue
      }
      guard !scopes.scopes[b.scope].isUnsafe else { continue }
      let refs = scopes.references(of: b)
      guard refs.count == 1, let only = refs.first, only.isDeclaration, !only.isShorthand else { continue }
      removable.insert(only.range.lowerBound)
    }
    guard !removable.isEmpty else { return [] }
    JSSyntax.walk(input) { node in
      let t = node.type
      guard t == "lexical_declaration" || t == "variable_declaration" else { return true }
      guard let parent = node.parent, JSSyntax.statementLists.contains(parent.type) else { return false }
      let declarators = node.namedChildren.filter { $0.type == "variable_declarator" }
      guard !declarators.isEmpty else { return false }
      let dead = declarators.map { d -> Bool in
        guard let name = d.child(field: "name"), name.type == "identifier", removable.contains(name.startByte) else {
          return false
        }
        return d.child(field: "value").map(isPure) ?? true
      }
      if dead.allSatisfy({ $0 }) {
        edits.append(ByteEdit(start: node.startByte, deletedLength: node.endByte - node.startByte, inserted: ""))
      } else if dead.contains(true) {
        let kept = zip(declarators, dead).filter { !$0.1 }.map { $0.0.text }
        guard let first = declarators.first, let last = declarators.last else { return false }
        edits.append(
          ByteEdit(start: first.startByte, deletedLength: last.endByte - first.startByte,
            inserted: kept.joined(separator: ", ")))
      }
      return false
    }
    return edits
  }

  /// An expression whose evaluation cannot have an effect or throw: literals, functions, and arrays and
  /// objects of those.
  private func isPure(_ node: Node) -> Bool {
    switch node.type {
    case "number", "string", "true", "false", "null", "regex", "arrow_function", "function_expression", "function",
      "undefined":
      return true
    case "template_string":
      return !node.namedChildren.contains { $0.type == "template_substitution" }
    case "parenthesized_expression":
      return node.namedChildren.count == 1 && node.namedChildren.allSatisfy(isPure)
    case "array":
      return node.namedChildren.allSatisfy { $0.type != "spread_element" && isPure($0) }
    case "object":
      return node.namedChildren.allSatisfy { member in
        switch member.type {
        case "pair":
          guard let key = member.child(field: "key"), let value = member.child(field: "value") else { return false }
          return key.type != "computed_property_name" && isPure(value)
        case "method_definition":
          return member.child(field: "name")?.type != "computed_property_name"
        default:
          return false
        }
      }
    case "unary_expression":
      // `!` and `void` never run user code. `-` converts its operand to a number, which calls an object's
      // `valueOf`/`toString` (an array's elements' too): pure only on a primitive.
      guard let op = node.child(field: "operator")?.type, let argument = node.child(field: "argument") else {
        return false
      }
      switch op {
      case "!", "void": return isPure(argument)
      case "-": return isPrimitive(argument)
      default: return false
      }
    default:
      return false
    }
  }

  /// A literal whose conversion to a number or string runs no code: numbers, strings, booleans, `null`,
  /// `undefined`, templates without substitutions, and `-`/`!`/`void` of those.
  private func isPrimitive(_ node: Node) -> Bool {
    switch node.type {
    case "number", "string", "true", "false", "null", "undefined":
      return true
    case "template_string":
      return !node.namedChildren.contains { $0.type == "template_substitution" }
    case "parenthesized_expression":
      return node.namedChildren.count == 1 && node.namedChildren.allSatisfy(isPrimitive)
    case "unary_expression":
      guard let op = node.child(field: "operator")?.type, let argument = node.child(field: "argument") else {
        return false
      }
      return op == "-" ? isPrimitive(argument) : (op == "!" || op == "void") && isPure(argument)
    default:
      return false
    }
  }

  // MARK: - After a jump

  private func afterJump(_ block: Node) -> ByteEdit? {
    let items = block.namedChildren
    guard let jump = items.firstIndex(where: {
      let t = $0.type
      return t == "return_statement" || t == "throw_statement" || t == "break_statement" || t == "continue_statement"
    }), jump + 1 < items.count else { return nil }
    let dead = items[(jump + 1)...].filter { $0.type != "comment" }
    guard !dead.isEmpty else { return nil }
    var kept: [String] = []
    var varNames: [String] = []
    for s in dead {
      switch s.type {
      case "function_declaration", "generator_function_declaration":
        kept.append(s.text)
      case "variable_declaration":
        for d in s.namedChildren where d.type == "variable_declarator" {
          guard let name = d.child(field: "name"), name.type == "identifier" else { return nil }
          varNames.append(name.text)
        }
      case "lexical_declaration", "class_declaration":
        return nil
      default:
        let t = s.type
        if t.hasSuffix("declaration") || t == "module" || t == "internal_module" || t == "labeled_statement" {
          return nil  // TypeScript declarations (enums and namespaces create bindings), labels
        }
        if containsHoisting(s) { return nil }
      }
    }
    if !varNames.isEmpty { kept.insert("var " + varNames.joined(separator: ", ") + ";", at: 0) }
    let start = items[jump].endByte
    guard let last = dead.last else { return nil }
    let replacement = kept.isEmpty ? "" : " " + kept.joined(separator: " ")
    return ByteEdit(start: start, deletedLength: last.endByte - start, inserted: replacement)
  }

  // MARK: - Constant conditions

  private static let falsy: Set<String> = ["false", "0", "!1", "null", "\"\"", "''", "void 0"]
  private static let truthy: Set<String> = ["true", "1", "!0"]

  private func deadBranch(_ node: Node) -> ByteEdit? {
    guard let cond = node.child(field: "condition"), cond.namedChildCount == 1,
      let inner = cond.namedChild(0)
    else { return nil }
    let text = inner.text
    let cons = node.child(field: "consequence")
    let alt = node.child(field: "alternative")?.namedChildren.last
    let inList = node.parent.map { JSSyntax.statementLists.contains($0.type) } ?? false
    if Self.falsy.contains(text) {
      guard let cons, !containsHoisting(cons) else { return nil }
      if let alt {
        return ByteEdit(start: node.startByte, deletedLength: node.endByte - node.startByte, inserted: blockify(alt))
      }
      return ByteEdit(start: node.startByte, deletedLength: node.endByte - node.startByte, inserted: inList ? "" : ";")
    }
    if Self.truthy.contains(text), let alt, let cons {
      guard !containsHoisting(alt) else { return nil }
      return ByteEdit(start: node.startByte, deletedLength: node.endByte - node.startByte, inserted: blockify(cons))
    }
    return nil
  }

  /// A kept branch as a statement: blocks stay blocks (their `let`s stay scoped); a single declaration
  /// gets braces (it was scoped to the branch).
  private func blockify(_ s: Node) -> String {
    if s.type == "statement_block" || s.type == "expression_statement" || s.type == "return_statement"
      || s.type == "throw_statement" || s.type == "if_statement"
    {
      return s.text
    }
    return "{ " + s.text + " }"
  }

  /// Whether the subtree declares something that hoists out of blocks (`var`, function declarations),
  /// outside nested functions.
  private func containsHoisting(_ node: Node) -> Bool {
    var found = false
    node.walk { n in
      if found { return false }
      switch n.type {
      case "variable_declaration", "function_declaration", "generator_function_declaration":
        found = true
        return false
      case "function_expression", "arrow_function", "method_definition", "class", "generator_function":
        return false
      default:
        return true
      }
    }
    return found
  }
}
