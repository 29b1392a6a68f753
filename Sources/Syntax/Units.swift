/// The kind of a function unit.
public enum UnitKind: String, Sendable, Codable, CaseIterable {
  /// `function f() {}` (also `function* f`, `async function f`).
  case function
  /// `function () {}` / `function g() {}` used as a value.
  case functionExpression
  /// `(a) => a`
  case arrow
  /// A method in a class or an object literal: `m() {}`.
  case method
  /// `get x() {}`
  case getter
  /// `set x(v) {}`
  case setter
  /// A class constructor.
  case constructor
}

/// How a parameter binds its value.
public enum ParameterShape: String, Sendable, Codable {
  case identifier
  case object
  case array
  case rest
}

/// One parameter of a function unit.
public struct Parameter: Sendable, Codable, Equatable {
  /// The parameter's source text, e.g. `{a, b = 2}: Opts = {}`.
  public var text: String
  /// The names it binds, in order (several for destructuring).
  public var names: [String]
  public var shape: ParameterShape
  /// The default value's source text, if any.
  public var defaultValue: String?
  /// The TypeScript annotation without its colon, if any.
  public var annotation: String?
  /// `x?: T`
  public var isOptional: Bool
  /// Byte range of the whole parameter.
  public var byteRange: Range<Int>
  /// Byte offset just after the binding pattern (where `: T` would be inserted), also for `x?`.
  public var annotationInsertionOffset: Int
}

/// A function-like unit of code: the thing codeintel embeds, names, types and compares.
public struct FunctionUnit: Sendable, Codable, Equatable {
  public var kind: UnitKind
  /// The declared or inferred name (`const f = () => …` → `f`, `obj.f = function…` → `f`,
  /// `{ f() {} }` → `f`, class members by their key). Nil for anonymous functions.
  public var name: String?
  /// Byte range of the name's identifier when the name is written in the source (for renames).
  public var nameRange: Range<Int>?
  public var isAsync: Bool
  public var isGenerator: Bool
  public var isStatic: Bool
  /// Byte range of the whole function, from its first keyword/modifier to its closing brace.
  public var byteRange: Range<Int>
  /// Byte range of the body (the block, or the expression of a concise arrow).
  public var bodyRange: Range<Int>
  /// 1-based first and last lines.
  public var startLine: Int
  public var endLine: Int
  public var parameters: [Parameter]
  /// The TypeScript return annotation without its colon, if any.
  public var returnAnnotation: String?
  /// Byte offset just after the parameter list's `)` (where `: T` would be inserted); nil for an
  /// arrow with a bare parameter (`x => …`), which needs parentheses first.
  public var returnAnnotationInsertionOffset: Int?
  /// The name of the nearest enclosing class, if any.
  public var enclosingClass: String?
  /// Index (in the same array) of the nearest enclosing function unit, if any.
  public var parent: Int?

  /// Number of lines the unit spans.
  public var lineCount: Int { endLine - startLine + 1 }
}

// MARK: - Extraction

/// Finds every function unit of a tree, in document order (outer before inner).
public func extractUnits(from tree: Tree) -> [FunctionUnit] {
  var units: [FunctionUnit] = []
  var stack: [(end: Int, index: Int)] = []  // enclosing units
  var classes: [(end: Int, name: String?)] = []
  let symbols = unitSymbols[tree.language]!
  tree.root.walk { node in
    let isFunction = symbols.functions.contains(node)
    let isClass = !isFunction && symbols.classes.contains(node)
    guard isFunction || isClass else { return true }
    let start = node.startByte
    while let last = stack.last, last.end <= start { stack.removeLast() }
    while let last = classes.last, last.end <= start { classes.removeLast() }
    if isClass {
      classes.append((node.endByte, node.child(field: "name")?.text ?? inferredName(of: node)?.name))
      return true
    }
    guard let body = node.child(field: "body") else { return true }
    var unit = makeUnit(node, body: body)
    unit.enclosingClass = classes.last?.name
    unit.parent = stack.last?.index
    stack.append((node.endByte, units.count))
    units.append(unit)
    return true
  }
  return units
}

private let functionTypes: Set<String> = [
  "function_declaration", "generator_function_declaration", "function_expression", "function",
  "generator_function", "arrow_function", "method_definition",
]
private let classTypes: Set<String> = ["class_declaration", "class", "abstract_class_declaration"]
private let unitSymbols: [Language: (functions: SymbolSet, classes: SymbolSet)] = Dictionary(
  uniqueKeysWithValues: Language.allCases.map { ($0, (SymbolSet(functionTypes, language: $0), SymbolSet(classTypes, language: $0))) })

private func makeUnit(_ node: Node, body: Node) -> FunctionUnit {
  let type = node.type
  var kind: UnitKind
  var isAsync = false
  var isGenerator = type.hasPrefix("generator")
  var isStatic = false
  var name: String?
  var nameRange: Range<Int>?
  for child in node.children where !child.isNamed {
    switch child.type {
    case "async": isAsync = true
    case "*": isGenerator = true
    case "static": isStatic = true
    default: break
    }
  }
  switch type {
  case "arrow_function": kind = .arrow
  case "function_declaration", "generator_function_declaration": kind = .function
  case "method_definition":
    kind = .method
    for child in node.children where !child.isNamed {
      if child.type == "get" { kind = .getter }
      if child.type == "set" { kind = .setter }
    }
  default: kind = .functionExpression
  }
  if let n = node.child(field: "name") {
    name = propertyName(n)
    nameRange = n.type == "computed_property_name" ? nil : n.byteRange
    if kind == .method && name == "constructor" && node.parent?.type == "class_body" { kind = .constructor }
  }
  if name == nil, let inferred = inferredName(of: node) {
    name = inferred.name
    nameRange = inferred.range
  }

  let parameters = functionParameters(node)
  let returnOffset = node.child(field: "parameters")?.endByte
  let returnAnnotation = node.child(field: "return_type").map(annotationText)
  let lines = LineSpan(node)
  return FunctionUnit(
    kind: kind, name: name, nameRange: nameRange, isAsync: isAsync, isGenerator: isGenerator, isStatic: isStatic,
    byteRange: node.byteRange, bodyRange: body.byteRange, startLine: lines.start, endLine: lines.end,
    parameters: parameters, returnAnnotation: returnAnnotation, returnAnnotationInsertionOffset: returnOffset,
    enclosingClass: nil, parent: nil)
}

/// The parameters of a function, method or arrow node, in order (a TypeScript `this` pseudo-parameter left out;
/// an arrow's one bare parameter `x => …` included).
public func functionParameters(_ node: Node) -> [Parameter] {
  if let params = node.child(field: "parameters") {
    return params.namedChildren.compactMap(makeParameter)
  }
  if let single = node.child(field: "parameter") {
    return [
      Parameter(
        text: single.text, names: [single.text], shape: .identifier, defaultValue: nil, annotation: nil,
        isOptional: false, byteRange: single.byteRange, annotationInsertionOffset: single.endByte)
    ]
  }
  return []
}

private struct LineSpan {
  let start: Int
  let end: Int
  init(_ node: Node) {
    start = node.startPoint.row + 1
    end = node.endPoint.row + 1
  }
}

/// The name a function value gets from where it is stored.
private func inferredName(of node: Node) -> (name: String, range: Range<Int>?)? {
  var value = node
  // Look through parentheses, `as` casts and satisfies: `const f = (() => 1) as F`.
  while let p = value.parent, ["parenthesized_expression", "as_expression", "satisfies_expression"].contains(p.type) {
    value = p
  }
  guard let parent = value.parent else { return nil }
  switch parent.type {
  case "variable_declarator":
    guard let n = parent.child(field: "name"), n.type == "identifier" else { return nil }
    return (n.text, n.byteRange)
  case "assignment_expression", "augmented_assignment_expression":
    guard let left = parent.child(field: "left") else { return nil }
    if left.type == "identifier" { return (left.text, left.byteRange) }
    if left.type == "member_expression", let prop = left.child(field: "property") {
      return (prop.text, prop.byteRange)
    }
    return nil
  case "pair":
    guard let key = parent.child(field: "key") else { return nil }
    return propertyName(key).map { ($0, key.type == "computed_property_name" ? nil : key.byteRange) }
  case "public_field_definition", "field_definition":
    guard let key = parent.child(field: "name") ?? parent.child(field: "property") else { return nil }
    return propertyName(key).map { ($0, key.type == "computed_property_name" ? nil : key.byteRange) }
  case "assignment_pattern", "object_assignment_pattern":
    // `function f(cb = () => {})`, `const {cb = () => {}} = o`
    guard let left = parent.child(field: "left"), left.type == "identifier" || left.type == "shorthand_property_identifier_pattern"
    else { return nil }
    return (left.text, left.byteRange)
  default:
    return nil
  }
}

/// The static name of a property key: identifiers as written, string keys unquoted, computed keys
/// only when they are a string literal.
private func propertyName(_ key: Node) -> String? {
  switch key.type {
  case "string":
    return key.namedChildren.first { $0.type == "string_fragment" }?.text ?? ""
  case "computed_property_name":
    if let inner = key.namedChild(0), inner.type == "string" { return propertyName(inner) }
    return nil
  case "number":
    return key.text
  default:
    return key.text
  }
}

private func annotationText(_ typeAnnotation: Node) -> String {
  // `type_annotation` is `: T`; asserts/type predicates keep their text without the colon.
  var text = typeAnnotation.text
  if text.hasPrefix(":") { text.removeFirst() }
  return normalizeWhitespace(text)
}

/// Collapses runs of whitespace to one space and trims the ends.
public func normalizeWhitespace(_ text: String) -> String {
  text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
}

private func makeParameter(_ node: Node) -> Parameter? {
  var pattern = node
  var defaultValue: String?
  var annotation: String?
  var optional = false
  switch node.type {
  case "required_parameter", "optional_parameter":
    optional = node.type == "optional_parameter"
    guard let p = node.child(field: "pattern") else { return nil }
    pattern = p
    annotation = node.child(field: "type").map(annotationText)
    defaultValue = node.child(field: "value")?.text
  case "assignment_pattern":
    guard let p = node.child(field: "left") else { return nil }
    pattern = p
    defaultValue = node.child(field: "right")?.text
  case "identifier", "object_pattern", "array_pattern", "rest_pattern", "this":
    break
  default:
    return nil  // comments and anything the grammar adds later
  }
  if pattern.type == "this" { return nil }  // TS `this: T` pseudo-parameter
  let shape: ParameterShape
  switch pattern.type {
  case "object_pattern": shape = .object
  case "array_pattern": shape = .array
  case "rest_pattern": shape = .rest
  default: shape = .identifier
  }
  // Where `: T` goes: after the pattern, and after the `?` of an optional parameter.
  var insertion = pattern.endByte
  if optional, let q = node.children.first(where: { $0.type == "?" }) { insertion = q.endByte }
  return Parameter(
    text: node.text, names: boundNames(pattern), shape: shape, defaultValue: defaultValue, annotation: annotation,
    isOptional: optional, byteRange: node.byteRange, annotationInsertionOffset: insertion)
}

/// The identifiers a binding pattern declares, in source order.
public func boundNames(_ pattern: Node) -> [String] {
  switch pattern.type {
  case "identifier", "shorthand_property_identifier_pattern":
    return [pattern.text]
  case "object_pattern", "array_pattern":
    return pattern.namedChildren.flatMap(boundNames)
  case "pair_pattern":
    return pattern.child(field: "value").map(boundNames) ?? []
  case "object_assignment_pattern", "assignment_pattern":
    return pattern.child(field: "left").map(boundNames) ?? []
  case "rest_pattern":
    return pattern.namedChildren.flatMap(boundNames)
  case "required_parameter", "optional_parameter":
    return pattern.child(field: "pattern").map(boundNames) ?? []
  default:
    return []
  }
}
