import Syntax

/// A set of named node types, resolved to grammar symbols for every language: membership is an array
/// lookup, for the hot tree walks that would otherwise compare type-name strings at every node.
struct NodeTypes: Sendable {
  private let sets: [SymbolSet]

  init(_ names: Set<String>) { sets = Language.allCases.map { SymbolSet(names, language: $0) } }

  @inline(__always) func contains(_ node: Node) -> Bool {
    switch node.tree.language {
    case .javascript: return sets[0].contains(node)
    case .typescript: return sets[1].contains(node)
    case .tsx: return sets[2].contains(node)
    }
  }
}

/// Like `NodeTypes`, but for every symbol with a matching name, anonymous tokens included (`yield`,
/// `import`): the same nodes a comparison of `node.type` with the names finds.
struct AnyNodeTypes: Sendable {
  private let member: [[Bool]]

  init(_ names: Set<String>) {
    member = Language.allCases.map { $0.symbolNames.map { names.contains($0) } }
  }

  @inline(__always) func contains(_ node: Node) -> Bool {
    let table: [Bool]
    switch node.tree.language {
    case .javascript: table = member[0]
    case .typescript: table = member[1]
    case .tsx: table = member[2]
    }
    let s = Int(node.symbol)
    return s < table.count && table[s]
  }
}

/// Facts about JavaScript/TypeScript syntax that several transforms share: which nodes hold statement
/// lists, expression precedence (to know when a rewritten operand needs parentheses), and whether a
/// statement start could glue onto the previous statement (ASI hazards).
enum JSSyntax {
  // MARK: - Statements

  /// Node types whose named children are statements in sequence.
  static let statementLists: Set<String> = ["program", "statement_block", "switch_case", "switch_default"]
  static let statementListNodes = NodeTypes(statementLists)

  /// Statement types whose end is a (possibly automatic) semicolon.
  static let semicolonStatements: Set<String> = [
    "expression_statement", "variable_declaration", "lexical_declaration", "return_statement",
    "throw_statement", "break_statement", "continue_statement", "debugger_statement", "do_statement",
    "import_statement", "export_statement", "type_alias_declaration", "import_alias",
  ]

  /// Class and interface members that end in a (possibly automatic) `;` or a `,`.
  static let memberTerminated: Set<String> = [
    "field_definition", "public_field_definition", "property_signature", "method_signature",
    "abstract_method_signature", "index_signature", "call_signature", "construct_signature",
  ]

  static let declarationKinds: Set<String> = [
    "function_declaration", "generator_function_declaration", "class_declaration", "lexical_declaration",
    "variable_declaration", "abstract_class_declaration", "interface_declaration", "type_alias_declaration",
    "enum_declaration", "module", "internal_module", "ambient_declaration", "import_statement",
    "export_statement",
  ]

  /// The last leaf (token) of a node.
  static func lastLeaf(_ node: Node) -> Node {
    var n = node
    while n.childCount > 0, let last = n.child(n.childCount - 1) {
      if last.endByte == last.startByte && n.childCount > 1, let prev = n.child(n.childCount - 2) {
        n = prev  // skip a zero-width automatic semicolon
      } else {
        n = last
      }
    }
    return n
  }

  /// Whether `node` (a statement) certainly ends where it ends: its last token is `;` or the `}` of a
  /// block or class body. A statement that relies on ASI might instead continue onto a next line that
  /// starts with `(`, `[`, `` ` ``, `+`, `-` or `/`.
  static func endsSafely(_ node: Node) -> Bool {
    let leaf = lastLeaf(node)
    let t = leaf.type
    if t == ";" { return true }
    if t == "}", let p = leaf.parent {
      let pt = p.type
      return pt == "statement_block" || pt == "class_body" || pt == "switch_body" || pt == "enum_body"
        || pt == "interface_body"
    }
    return false
  }

  /// Whether a statement that starts with `text` could be read as continuing the previous statement.
  static func startsWithHazard(_ text: some Collection<UInt8>) -> Bool {
    guard let c = text.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x09 && $0 != 0x0D }) else { return false }
    return c == UInt8(ascii: "(") || c == UInt8(ascii: "[") || c == UInt8(ascii: "`") || c == UInt8(ascii: "+")
      || c == UInt8(ascii: "-") || c == UInt8(ascii: "/") || c == UInt8(ascii: ".") || c == UInt8(ascii: "<")
  }

  /// Whether a new statement `text` may be placed right after `previous` (nil: first in its list).
  static func canFollow(_ previous: Node?, with text: some Collection<UInt8>) -> Bool {
    guard let previous else { return true }
    return !startsWithHazard(text) || endsSafely(previous)
  }

  // MARK: - Expressions

  /// Binding strength of an expression node: higher binds tighter. 0 for unknown kinds.
  static func precedence(_ node: Node) -> Int {
    switch node.type {
    case "identifier", "this", "super", "number", "string", "template_string", "true", "false", "null",
      "undefined", "regex", "array", "object", "parenthesized_expression", "member_expression",
      "subscript_expression", "call_expression", "new_expression", "meta_property", "non_null_expression",
      "private_property_identifier", "function_expression", "function", "class", "generator_function", "bigint":
      return 20
    case "update_expression": return 16
    case "unary_expression", "await_expression", "type_assertion": return 15
    case "binary_expression":
      return binaryPrecedence(node.child(field: "operator")?.type ?? "")
    case "as_expression", "satisfies_expression": return 10
    case "ternary_expression": return 3
    case "assignment_expression", "augmented_assignment_expression", "arrow_function", "yield_expression":
      return 2
    case "sequence_expression": return 1
    default: return 0
    }
  }

  static func binaryPrecedence(_ op: String) -> Int {
    switch op {
    case "**": return 14
    case "*", "/", "%": return 13
    case "+", "-": return 12
    case "<<", ">>", ">>>": return 11
    case "<", ">", "<=", ">=", "instanceof", "in": return 10
    case "==", "!=", "===", "!==": return 9
    case "&": return 8
    case "^": return 7
    case "|": return 6
    case "&&": return 5
    case "||", "??": return 4
    default: return 0
    }
  }

  /// The node's text, parenthesised unless it binds at least as tightly as `minimum`.
  static func operand(_ node: Node, minimum: Int) -> String {
    precedence(node) >= minimum ? node.text : "(" + node.text + ")"
  }

  /// Whether a node of this type is (or wholly contains) a TypeScript type, where value rewrites must not
  /// reach.
  static func isTypeNode(_ t: String) -> Bool {
    t.hasSuffix("type") || t.hasSuffix("_type_annotation") || t == "type_annotation" || t == "type_arguments"
      || t == "type_parameters" || t == "type_alias_declaration" || t == "interface_declaration"
      || t == "ambient_declaration" || t == "enum_declaration" || t == "type_predicate_annotation"
      || t == "asserts_annotation"
  }

  /// `isTypeNode` of every named symbol, per language (index: `Language.allCases`).
  private static let typeNodeSymbols = Language.allCases.map { SymbolSet(language: $0, where: isTypeNode) }

  /// Whether the node is (or wholly contains) a TypeScript type: `isTypeNode(node.type)` without building
  /// the type name.
  static func isTypeNode(_ node: Node) -> Bool {
    switch node.tree.language {
    case .javascript: return typeNodeSymbols[0].contains(node)
    case .typescript: return typeNodeSymbols[1].contains(node)
    case .tsx: return typeNodeSymbols[2].contains(node)
    }
  }

  /// Whether `node` sits inside a TypeScript type (where value rewrites must not reach).
  static func isInType(_ node: Node) -> Bool {
    var p = node.parent
    while let n = p {
      let t = n.type
      if t.hasSuffix("type") || t.hasSuffix("_type_annotation") || t == "type_annotation" || t == "type_arguments"
        || t == "type_parameters" || t == "literal_type" || t == "type_alias_declaration"
        || t == "interface_declaration" || t == "ambient_declaration" || t == "enum_declaration"
      {
        return true
      }
      if t == "statement_block" || t == "program" || t == "expression_statement" { return false }
      p = n.parent
    }
    return false
  }

  /// Whether the node lies wholly inside the editable range.
  static func inside(_ node: Node, _ focus: Range<Int>) -> Bool {
    node.startByte >= focus.lowerBound && node.endByte <= focus.upperBound
  }

  /// Pre-order walk over the nodes that overlap `focus`.
  static func walk(_ input: TransformInput, _ visit: (Node) -> Bool) {
    let focus = input.focus
    input.tree.root.walk { node in
      if node.endByte < focus.lowerBound || node.startByte > focus.upperBound { return false }
      if node.startByte >= focus.lowerBound && node.endByte <= focus.upperBound { return visit(node) }
      return true
    }
  }

  private static let identifierNodes = NodeTypes([
    "identifier", "property_identifier", "shorthand_property_identifier", "shorthand_property_identifier_pattern",
    "type_identifier", "statement_identifier",
  ])

  /// Identifier-like texts anywhere in the tree (to pick fresh names that capture nothing).
  static func identifiers(in tree: Tree) -> Set<String> {
    var names = Set<String>()
    tree.root.walk { node in
      if node.childCount == 0 {
        guard identifierNodes.contains(node) else { return false }
        let t = node.type
        if t == "identifier" || t == "property_identifier" || t == "shorthand_property_identifier"
          || t == "shorthand_property_identifier_pattern" || t == "type_identifier" || t == "statement_identifier"
        {
          names.insert(node.text)
        }
        return false
      }
      return true
    }
    return names
  }

  /// Whether the subtree contains `with`, an identifier `eval`, or ERROR nodes: code whose names cannot be
  /// reasoned about statically.
  static func hasDynamicScope(_ node: Node) -> Bool {
    var found = false
    node.walk { n in
      if found { return false }
      let t = n.type
      if t == "with_statement" || (t == "identifier" && n.text == "eval") { found = true }
      return true
    }
    return found
  }
}
