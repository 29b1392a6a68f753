import Syntax

/// The token views of one function unit: the exact hash and the default embedder's features.
/// (Canonical hashes come from `UnitCanonicalizer`, on Augment's `Canonicalizer`.)
///
/// - `exact`: every token as written, without whitespace, comments or the function's own name.
/// - `features`: abstracted tokens for the bag-of-features embedder: locals become `ID`, string
///   and long number literals become classes, property names keep their text (`.push`).
/// - `paths`: parent→child syntax node type pairs.
public struct UnitTokens: Sendable {
  public var exact: [String] = []
  public var features: [String] = []
  public var paths: [String] = []

  /// The hash of `exact` (16 hex digits).
  public var exactHash: String {
    var h = TokenStreamHasher()
    for t in exact { h.add(t) }
    return h.hex
  }

  // MARK: - Extraction

  /// No tokens.
  public init() {}

  /// Tokenizes the unit that spans `unit.byteRange` in `tree`.
  public init(unit: FunctionUnit, in tree: Tree) {
    guard let node = Self.unitNode(unit, in: tree) else {
      self.init()
      return
    }
    let ownName = unit.nameRange.flatMap { r in unit.byteRange.contains(r.lowerBound) ? r : nil }
    self.init(node: node, skipping: ownName)
  }

  /// Tokenizes any subtree (a whole snippet when a query has no function in it).
  public init(node: Node, skipping ownName: Range<Int>? = nil) {
    let locals = Self.boundNames(in: node)
    var stack: [(node: Node, parentType: String, typeDepth: Int)] = [(node, "", 0)]
    exact.reserveCapacity(256)
    while let (n, parentType, typeDepth) = stack.popLast() {
      let type = n.type
      if type == "comment" || type == "html_comment" { continue }
      if let r = ownName, n.byteRange == r { continue }
      let inType = typeDepth > 0 || Self.typeOnly.contains(type)
      if n.isNamed && !inType { paths.append(parentType + ">" + type) }
      let count = n.childCount
      if count == 0 || Self.atomic.contains(type) {
        let text = n.text
        exact.append(text)
        if inType { continue }
        switch type {
        case "identifier", "shorthand_property_identifier", "shorthand_property_identifier_pattern":
          features.append(locals.contains(text) ? "ID" : text)
        case "property_identifier", "private_property_identifier":
          features.append("." + text)
        case "string", "template_string":
          features.append(type == "string" ? "STR" : "TPL")
        case "number":
          features.append(text.count <= 2 ? text : "NUM")
        case "regex":
          features.append("RE")
        default:
          features.append(text)
        }
        continue
      }
      var i = count - 1
      while i >= 0 {
        if let c = n.child(i) { stack.append((c, type, inType ? typeDepth + 1 : 0)) }
        i -= 1
      }
    }
  }

  /// Node types read as one token.
  static let atomic: Set<String> = ["string", "template_string", "regex", "number"]
  /// TypeScript-only syntax that carries no behaviour.
  static let typeOnly: Set<String> = [
    "type_annotation", "type_arguments", "type_parameters", "opting_type_annotation", "omitting_type_annotation",
    "asserts_annotation", "type_predicate_annotation", "accessibility_modifier", "override_modifier",
  ]

  /// The syntax node of a unit.
  static func unitNode(_ unit: FunctionUnit, in tree: Tree) -> Node? {
    guard var node = tree.root.namedDescendant(for: unit.byteRange) else { return nil }
    // The smallest node may be a child spanning the same bytes; walk up to the function itself.
    while node.byteRange == unit.byteRange, let p = node.parent, p.byteRange == unit.byteRange { node = p }
    while !UnitTokens.functionTypes.contains(node.type), let p = node.parent, p.byteRange == unit.byteRange {
      node = p
    }
    return node
  }

  static let functionTypes: Set<String> = [
    "function_declaration", "generator_function_declaration", "function_expression", "function",
    "generator_function", "arrow_function", "method_definition",
  ]

  /// Names bound inside `root`: parameters, declared variables, inner functions and classes,
  /// catch bindings. (Scope-blind: only used to abstract locals to `ID` in embedding features.)
  static func boundNames(in root: Node) -> Set<String> {
    var names: Set<String> = []
    root.walk { n in
      switch n.type {
      case "formal_parameters":
        for p in n.namedChildren { names.formUnion(Syntax.boundNames(p)) }
      case "arrow_function":
        if let p = n.child(field: "parameter") { names.insert(p.text) }
      case "variable_declarator":
        if let p = n.child(field: "name") { names.formUnion(Syntax.boundNames(p)) }
      case "catch_clause":
        if let p = n.child(field: "parameter") { names.formUnion(Syntax.boundNames(p)) }
      case "function_declaration", "generator_function_declaration", "class_declaration", "function_expression":
        if let p = n.child(field: "name"), p.type == "identifier" { names.insert(p.text) }
      case "for_in_statement":
        if let p = n.child(field: "left"), p.type == "identifier" || p.type.hasSuffix("pattern") {
          names.formUnion(Syntax.boundNames(p))
        }
      default: break
      }
      return true
    }
    return names
  }
}
