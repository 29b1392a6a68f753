import Syntax

/// Deterministic type inference from what the source says outright: literal initialisers,
/// `new C()`, homogeneous array literals, `x as T`, default parameter values, and functions whose
/// every `return` returns a literal of one type. No model is involved, so the result is the same
/// for the same text, and every suggestion carries the reason it was made.
///
/// It fills the gap until the type head exists, and stays afterwards as the high-precision
/// evidence a model prediction can be checked against. Only bindings without an annotation get
/// a suggestion. The result is meant as an annotation to insert (`anchor` is where `: T` goes).
public enum TypeEvidence {
  // MARK: - Results

  /// A type proposed for one unannotated binding, parameter or function return.
  public struct Suggestion: Sendable, Hashable {
    /// What gets the annotation.
    public enum Kind: String, Sendable, Hashable, Codable {
      case variable
      case parameter
      case returnType
      /// A class property (`TypeHoles` lists these sites).
      case property
    }

    /// One candidate type with its confidence in [0, 1] and why it was proposed.
    public struct Candidate: Sendable, Hashable {
      public var type: String
      public var confidence: Double
      public var reason: String
      /// Where it came from: `evidence`, `model` (the type head) or `combined` (both proposed it).
      public var source: String
      /// Which evidence rule gave it (`string-literal`, `constructor`, `returns number-literal async`, …):
      /// what `TypeEvidencePrecision` measures; empty for candidates that are no evidence.
      public var rule: String

      public init(type: String, confidence: Double, reason: String, source: String = "evidence", rule: String = "") {
        self.type = type
        self.confidence = confidence
        self.reason = reason
        self.source = source
        self.rule = rule
      }
    }

    public var kind: Kind
    /// The binding's name, or the function's name for a return type (`<anonymous>` when it has none).
    public var name: String
    /// Bytes of the name that the suggestion is about (the function's name for a return type,
    /// or its parameter list when it has no name).
    public var nameRange: Range<Int>
    /// Byte offset where the annotation `: T` is inserted.
    public var anchor: Int
    /// Candidates, best first (never empty).
    public var candidates: [Candidate]
    /// A class property written `name!: T` (a definite assignment assertion): the compiler's search found that the
    /// best candidate, written plainly, only adds `TS2564` (no initializer, not assigned in the constructor) —
    /// the property is assigned elsewhere, as the unannotated (`any`) property allowed.
    public var definite: Bool = false

    public init(
      kind: Kind, name: String, nameRange: Range<Int>, anchor: Int, candidates: [Candidate], definite: Bool = false
    ) {
      self.kind = kind
      self.name = name
      self.nameRange = nameRange
      self.anchor = anchor
      self.candidates = candidates
      self.definite = definite
    }

    /// The best candidate.
    public var best: Candidate { candidates[0] }

    /// The text to insert at `anchor` to accept the best candidate.
    public var annotation: String { Self.annotation(best.type, definite: definite) }

    /// `type` written as an annotation: `: T`, or `!: T` for a definite property.
    public static func annotation(_ type: String, definite: Bool) -> String { (definite ? "!: " : ": ") + type }
  }

  // MARK: - Confidences

  /// How sure each kind of evidence is. A literal says exactly what it is; a return type read off
  /// the literals of every `return` misses throws and callers that expect a wider type.
  public enum Confidence {
    public static let literal = 0.95
    public static let assertion = 0.95
    public static let constructor = 0.9
    public static let array = 0.85
    public static let nullable = 0.7
    public static let returnLiteral = 0.85
    public static let void = 0.8
    public static let comparison = 0.9
  }

  /// Binary operators whose result is always a boolean.
  static let comparisons: Set<String> = ["<", ">", "<=", ">=", "==", "===", "!=", "!==", "instanceof", "in"]

  // MARK: - Inference

  /// Every suggestion in the tree, in source order. With `bytes`, only the bindings and functions
  /// whose nodes overlap that range (ends included) are looked at, so an editor's request for the
  /// visible lines costs work in proportion to them, not to the file.
  public static func suggestions(in tree: Tree, bytes range: ClosedRange<Int>? = nil) -> [Suggestion] {
    let genericClasses = genericClassNames(in: tree)
    var out: [Suggestion] = []
    tree.root.walk { node in
      if let range, node.endByte < range.lowerBound || node.startByte > range.upperBound { return false }
      switch node.type {
      case "variable_declarator":
        if let s = variableSuggestion(node, genericClasses: genericClasses) { out.append(s) }
      case "required_parameter", "optional_parameter", "assignment_pattern":
        if let s = parameterSuggestion(node, genericClasses: genericClasses) { out.append(s) }
      case "function_declaration", "function_expression", "function", "arrow_function", "method_definition":
        if let s = returnSuggestion(node, genericClasses: genericClasses) { out.append(s) }
      default:
        break
      }
      return true
    }
    return out.sorted { ($0.anchor, $0.kind.rawValue) < ($1.anchor, $1.kind.rawValue) }
  }

  /// The type an expression has by its form alone, with the evidence kind, or nil.
  public static func expressionType(of node: Node, genericClasses: Set<String> = []) -> Suggestion.Candidate? {
    switch node.type {
    case "number":
      return .init(type: "number", confidence: Confidence.literal, reason: "a number literal", rule: "number-literal")
    case "string", "template_string":
      return .init(type: "string", confidence: Confidence.literal, reason: "a string literal", rule: "string-literal")
    case "true", "false":
      return .init(
        type: "boolean", confidence: Confidence.literal, reason: "a boolean literal", rule: "boolean-literal")
    case "null":
      return .init(type: "null", confidence: Confidence.literal, reason: "`null`", rule: "null")
    case "regex":
      return .init(
        type: "RegExp", confidence: Confidence.literal, reason: "a regular expression literal", rule: "regex")
    case "unary_expression":
      guard let op = node.child(field: "operator")?.text, let arg = node.child(field: "argument") else { return nil }
      if op == "!" {
        return .init(type: "boolean", confidence: Confidence.literal, reason: "a `!` expression", rule: "not")
      }
      if (op == "-" || op == "+") && arg.type == "number" {
        return .init(type: "number", confidence: Confidence.literal, reason: "a number literal", rule: "number-literal")
      }
      if op == "typeof" {
        return .init(type: "string", confidence: Confidence.literal, reason: "a `typeof` expression", rule: "typeof")
      }
      return nil
    case "binary_expression":
      guard let op = node.child(field: "operator")?.text, comparisons.contains(op) else { return nil }
      return .init(
        type: "boolean", confidence: Confidence.comparison, reason: "a `\(op)` comparison", rule: "comparison")
    case "parenthesized_expression":
      guard node.namedChildCount == 1, let inner = node.namedChild(0) else { return nil }
      return expressionType(of: inner, genericClasses: genericClasses)
    case "as_expression", "satisfies_expression":
      guard node.namedChildCount == 2, let type = node.namedChild(1), !type.hasError else { return nil }
      let keyword = node.type == "as_expression" ? "as" : "satisfies"
      return .init(
        type: type.text, confidence: Confidence.assertion, reason: "`\(keyword) \(type.text)`", rule: "assertion")
    case "new_expression":
      return constructorType(node, genericClasses: genericClasses)
    case "array":
      return arrayType(node, genericClasses: genericClasses)
    default:
      return nil
    }
  }

  // MARK: - Bindings

  private static func variableSuggestion(_ node: Node, genericClasses: Set<String>) -> Suggestion? {
    guard node.child(field: "type") == nil, let name = node.child(field: "name"), name.type == "identifier",
      let value = node.child(field: "value"),
      let candidate = expressionType(of: value, genericClasses: genericClasses), candidate.type != "null"
    else { return nil }
    return Suggestion(
      kind: .variable, name: name.text, nameRange: name.byteRange, anchor: name.endByte,
      candidates: [
        .init(
          type: candidate.type, confidence: candidate.confidence, reason: "initialised with " + candidate.reason,
          rule: candidate.rule)
      ])
  }

  private static func parameterSuggestion(_ node: Node, genericClasses: Set<String>) -> Suggestion? {
    let pattern: Node?
    let value: Node?
    if node.type == "assignment_pattern" {
      guard node.parent?.type == "formal_parameters" else { return nil }
      pattern = node.child(field: "left")
      value = node.child(field: "right")
    } else {
      guard node.child(field: "type") == nil else { return nil }
      pattern = node.child(field: "pattern")
      value = node.child(field: "value")
    }
    guard let pattern, pattern.type == "identifier", let value,
      let candidate = expressionType(of: value, genericClasses: genericClasses), candidate.type != "null"
    else { return nil }
    // `x?` is followed by `?`; the annotation goes after it.
    var anchor = pattern.endByte
    if node.type == "optional_parameter", let q = pattern.nextSibling, q.text == "?" { anchor = q.endByte }
    return Suggestion(
      kind: .parameter, name: pattern.text, nameRange: pattern.byteRange, anchor: anchor,
      candidates: [
        .init(
          type: candidate.type, confidence: candidate.confidence, reason: "defaults to " + candidate.reason,
          rule: candidate.rule)
      ])
  }

  // MARK: - Returns

  private static func returnSuggestion(_ node: Node, genericClasses: Set<String>) -> Suggestion? {
    guard node.child(field: "return_type") == nil, let parameters = node.child(field: "parameters"),
      let body = node.child(field: "body")
    else { return nil }
    let keywords = Set(node.children.filter { !$0.isNamed }.map(\.text))
    if keywords.contains("*") || keywords.contains("set") { return nil }
    let name = functionName(node)
    if name.text == "constructor" { return nil }
    let isAsync = keywords.contains("async")

    var candidate: Suggestion.Candidate
    if body.type == "statement_block" {
      var values: [Node] = []
      var bare = false
      collectReturns(in: body, values: &values, bare: &bare)
      if values.isEmpty {
        candidate = .init(
          type: "void", confidence: Confidence.void, reason: "no `return` returns a value", rule: "void")
      } else {
        guard !bare, let joined = joinedType(values, genericClasses: genericClasses) else { return nil }
        candidate = joined
      }
    } else {
      guard let c = expressionType(of: body, genericClasses: genericClasses), c.type != "null" else { return nil }
      candidate = .init(
        type: c.type, confidence: Confidence.returnLiteral, reason: "returns " + c.reason, rule: "returns " + c.rule)
    }
    if isAsync {
      candidate.type = "Promise<\(candidate.type)>"
      candidate.reason += " (async)"
      candidate.rule += " async"
    }
    return Suggestion(
      kind: .returnType, name: name.text, nameRange: name.range, anchor: parameters.endByte, candidates: [candidate])
  }

  /// The common type of the returned expressions: one type, or one type and `null`.
  private static func joinedType(_ values: [Node], genericClasses: Set<String>) -> Suggestion.Candidate? {
    var types: [String] = []
    var rules: Set<String> = []
    for v in values {
      guard let c = expressionType(of: v, genericClasses: genericClasses) else { return nil }
      if !types.contains(c.type) { types.append(c.type) }
      if c.type != "null" { rules.insert(c.rule) }
    }
    let rule = "returns " + rules.sorted().joined(separator: "+")
    if types.count == 1, types[0] != "null" {
      return .init(
        type: types[0], confidence: Confidence.returnLiteral, reason: "every `return` returns a \(types[0])", rule: rule
      )
    }
    if types.count == 2, types.contains("null"), let t = types.first(where: { $0 != "null" }) {
      return .init(
        type: "\(t) | null", confidence: Confidence.nullable, reason: "every `return` returns a \(t) or `null`",
        rule: rule + " or null")
    }
    return nil
  }

  /// The `return` statements of a function body, not descending into nested functions or classes.
  static func collectReturns(in node: Node, values: inout [Node], bare: inout Bool) {
    for child in node.namedChildren {
      switch child.type {
      case "return_statement":
        if let v = child.namedChildren.first(where: { $0.type != "comment" }) { values.append(v) } else { bare = true }
      case "function_declaration", "function_expression", "function", "arrow_function", "method_definition",
        "class_declaration", "class", "generator_function_declaration", "generator_function":
        continue
      default:
        collectReturns(in: child, values: &values, bare: &bare)
      }
    }
  }

  private static func functionName(_ node: Node) -> (text: String, range: Range<Int>) {
    if let name = node.child(field: "name") { return (name.text, name.byteRange) }
    if let parent = node.parent, parent.type == "variable_declarator", let name = parent.child(field: "name"),
      name.type == "identifier"
    {
      return (name.text, name.byteRange)
    }
    let params = node.child(field: "parameters")?.byteRange ?? node.byteRange
    return ("<anonymous>", params)
  }

  // MARK: - Constructors and arrays

  /// Built-in classes that need type arguments in an annotation.
  static let genericBuiltins: Set<String> = [
    "Map", "Set", "WeakMap", "WeakSet", "Array", "Promise", "WeakRef", "ReadonlyArray",
  ]

  private static func constructorType(_ node: Node, genericClasses: Set<String>) -> Suggestion.Candidate? {
    guard let ctor = node.child(field: "constructor"), ctor.type == "identifier" || ctor.type == "member_expression",
      !ctor.hasError
    else { return nil }
    var type = ctor.text
    if let args = node.child(field: "type_arguments") {
      type += args.text
    } else if genericBuiltins.contains(type) || genericClasses.contains(type) {
      return nil
    }
    return .init(type: type, confidence: Confidence.constructor, reason: "`new \(ctor.text)(…)`", rule: "constructor")
  }

  private static func arrayType(_ node: Node, genericClasses: Set<String>) -> Suggestion.Candidate? {
    let elements = node.namedChildren.filter { $0.type != "comment" }
    guard !elements.isEmpty else { return nil }
    if elements.allSatisfy({ $0.type == "array" }) { return tupleRows(elements, genericClasses: genericClasses) }
    var type: String?
    for e in elements {
      // An array of array literals is as often a list of tuples (`[string, string][]`) as an array of arrays:
      // on the valid splits its `T[][]` was right at 0 of 16 sites, so it is no evidence.
      if e.type == "array" { return nil }
      guard let c = expressionType(of: e, genericClasses: genericClasses), c.type != "null" else { return nil }
      if let t = type, t != c.type { return nil }
      type = c.type
    }
    guard let element = type else { return nil }
    let wrapped = element.contains(" ") || element.contains("|") ? "(\(element))" : element
    return .init(
      type: wrapped + "[]", confidence: Confidence.array, reason: "an array literal of \(element) values", rule: "array"
    )
  }

  /// Rows of a table: two or more array literals of the same length (2–8), each position holding values of one
  /// type (`[["a", 1], ["b", 2]]`) → a list of tuples, `[string, number][]`. Rows of different lengths, or a
  /// position whose values differ or have no type by their form, give nothing (`T[][]` was right at 0 of 16
  /// valid sites, the tuple list at 21 of 21 array-of-rows variables of the Debian valid split).
  private static func tupleRows(_ rows: [Node], genericClasses: Set<String>) -> Suggestion.Candidate? {
    let cells = rows.map { $0.namedChildren.filter { $0.type != "comment" } }
    guard cells.count >= 2, let width = cells.first?.count, (2...8).contains(width),
      cells.allSatisfy({ $0.count == width })
    else { return nil }
    var types: [String] = []
    for i in 0..<width {
      var type: String?
      for row in cells {
        guard row[i].type != "spread_element", let c = expressionType(of: row[i], genericClasses: genericClasses),
          c.type != "null"
        else { return nil }
        if let t = type, t != c.type { return nil }
        type = c.type
      }
      guard let type else { return nil }
      types.append(type)
    }
    let tuple = "[" + types.joined(separator: ", ") + "]"
    return .init(
      type: tuple + "[]", confidence: Confidence.array, reason: "rows of \(width) values of the same types",
      rule: "tuple-rows")
  }

  private static func genericClassNames(in tree: Tree) -> Set<String> {
    let classKeyword = Array("class".utf8)
    guard tree.language.isTypeScript, tree.bytes.firstRange(of: classKeyword) != nil else { return [] }
    var names: Set<String> = []
    tree.root.walk { node in
      if node.type == "class_declaration" || node.type == "abstract_class_declaration",
        node.child(field: "type_parameters") != nil, let name = node.child(field: "name")
      {
        names.insert(name.text)
      }
      return true
    }
    return names
  }
}
