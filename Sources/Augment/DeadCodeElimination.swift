import Syntax

/// Removes code that can never run: statements after `return`, `throw`, `break` or `continue` in the same
/// block, and the never-taken branch of `if (false)`, `if (0)`, `if (!1)`, `if (null)`, `if ("")`,
/// `if (void 0)` (and the `else` of `if (true)`, `if (1)`, `if (!0)`).
///
/// Why behaviour is preserved: unreachable statements never execute, so only what they declare can matter.
/// Function declarations after a jump are hoisted and stay as written; a `var` after a jump still creates
/// its (undefined) binding, so it stays as a bare `var a, b;`; `let`/`const`/`class` after a jump keep their
/// bindings in the temporal dead zone, so a block holding them is left alone. A dead branch that declares
/// a `var` or a function (both hoist out of blocks) is left alone too.
public struct DeadCodeElimination: Transform {
  public let name = "dce"

  public init() {}

  public func edits(for input: TransformInput, rng: inout SeededRandom) throws -> [ByteEdit] {
    var edits: [ByteEdit] = []
    var lastEnd = -1
    JSSyntax.walk(input) { node in
      if node.startByte < lastEnd { return false }
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
    return edits
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
