import CodeIntel
import Foundation
import Syntax

/// Where a type annotation adds information the compiler does not already have: the "holes" that
/// `suggest-types` and the LSP's hints aim at by default (`--all` lists every site).
///
/// A site is a hole when
/// - it is a parameter of a function that has no contextual type (a function passed as a call argument,
///   a JSX attribute, assigned to a typed variable, property or `this.x` field, returned where the return
///   is typed, or placed inside an object/array literal in such a position, gets its parameters' types from
///   there), and it has no default value the compiler infers from (`= null`, `= undefined`, `= []`, `= {}`
///   infer nothing useful, so those stay holes);
/// - it is a variable or class property without an initializer, or initialised with `null`, `undefined`,
///   `[]` or `{}`;
/// - it is the return of an exported function, an exported arrow/function variable, or a non-private
///   method of an exported class (the module's public surface, where a written return type is documentation
///   and a guard against accidental changes).
///
/// Everything else (`const x = 1`, `: void` on a callback) restates what the compiler infers. JavaScript
/// files have no inference to restate, so every site of theirs counts (`--jsdoc` writes them as JSDoc).
///
/// This file also enumerates the sites `TypeSites` leaves out: class properties, rest parameters
/// (`...args`, whose annotation must be an array type) and destructured parameters (`{ a, b }`), with
/// the evidence an initialiser gives a property.
public enum TypeHoles {
  /// One site and what the hole rule says about it.
  public struct ClassifiedSite: Sendable, Equatable {
    public var site: TypeSites.Site
    /// Whether an annotation here adds information (see the type's comment).
    public var isHole: Bool
    /// A rest parameter: only array types fit.
    public var isRest: Bool
    /// A site `TypeSites.unannotated` does not list (class property, rest or destructured parameter).
    public var isExtra: Bool
    /// For a return: what its body says about the type (nil for other sites).
    public var returns: ReturnShape? = nil
  }

  /// What a function's own body says about its return type, whatever a model predicts: a statement body
  /// whose `return`s never carry a value returns `void` (`Promise<void>` when async; `never` when it only
  /// throws), one with a `return <value>` does not; an async function returns a `Promise`.
  public struct ReturnShape: Sendable, Equatable {
    public var isAsync: Bool
    /// The body is an expression (`() => x`): it returns that expression, whose type the body alone does not
    /// say.
    public var expressionBody: Bool
    /// Some `return` of a statement body carries a value other than `undefined`.
    public var returnsValue: Bool

    /// Whether `type` can be the function's return type.
    public func admits(_ type: String) -> Bool {
      let t = TypeAccuracy.normalize(type)
      let voidLike: Set<String> = [
        "void", "undefined", "never", "Promise<void>", "Promise<undefined>", "Promise<never>",
      ]
      if isAsync && !t.hasPrefix("Promise<") { return false }
      if !isAsync && (t == "Promise<void>" || t == "Promise<undefined>" || t == "Promise<never>") { return false }
      if expressionBody { return true }
      return returnsValue ? !voidLike.contains(t) : voidLike.contains(t)
    }
  }

  /// The key a suggestion and a site share: anchor and kind.
  static func key(anchor: Int, kind: TypeEvidence.Suggestion.Kind) -> String { "\(anchor):\(kind.rawValue)" }

  // MARK: - Enumerating and classifying

  /// Every unannotated site of the tree, classified. Anchors follow `TypeSites` and `TypeEvidence` (after the
  /// name, after `?` of an optional parameter or property, after the parameter list for returns).
  /// Computed once per tree (`Tree.memoized`).
  public static func classify(in tree: Tree) -> [ClassifiedSite] {
    tree.memoized("TypeHoles.classify") { computeClassification(in: tree) }
  }

  private static func computeClassification(in tree: Tree) -> [ClassifiedSite] {
    let exportedNames = exportClauseNames(in: tree)
    var typedFields: Set<String> = []  // `x: T` fields of any class: `this.x = (a) => …` is contextually typed
    var typedVariables: Set<String> = []
    tree.root.walk { node in
      if node.type == "public_field_definition", node.child(field: "type") != nil,
        let name = node.child(field: "name")
      {
        typedFields.insert(name.text)
      }
      if node.type == "variable_declarator", node.child(field: "type") != nil, let name = node.child(field: "name"),
        name.type == "identifier"
      {
        typedVariables.insert(name.text)
      }
      return true
    }
    let context = Context(typedFields: typedFields, typedVariables: typedVariables)
    var out: [ClassifiedSite] = []
    tree.root.walk { node in
      switch node.type {
      case "variable_declarator":
        guard node.child(field: "type") == nil, let name = node.child(field: "name"), name.type == "identifier"
        else { break }
        out.append(
          ClassifiedSite(
            site: TypeSites.Site(kind: .variable, name: name.text, nameRange: name.byteRange, anchor: name.endByte),
            isHole: infersNothing(node.child(field: "value")), isRest: false, isExtra: false))
      case "public_field_definition":
        guard let (name, anchor) = TypeSites.unannotatedProperty(node) else { break }
        out.append(
          ClassifiedSite(
            site: TypeSites.Site(kind: .property, name: name.text, nameRange: name.byteRange, anchor: anchor),
            isHole: infersNothing(node.child(field: "value")), isRest: false, isExtra: true))
      case "required_parameter", "optional_parameter":
        guard node.child(field: "type") == nil, let pattern = node.child(field: "pattern"), pattern.text != "this"
        else { break }
        let function = node.parent?.parent
        let contextual = function.map { isContextuallyTyped($0, context) } ?? false
        let hole = !contextual && infersNothing(node.child(field: "value"))
        let anchor = TypeSites.parameterAnchor(node, pattern: pattern)
        switch pattern.type {
        case "identifier":
          out.append(
            ClassifiedSite(
              site: TypeSites.Site(kind: .parameter, name: pattern.text, nameRange: pattern.byteRange, anchor: anchor),
              isHole: hole, isRest: false, isExtra: false))
        case "rest_pattern":
          guard let name = pattern.namedChildren.first, name.type == "identifier" else { break }
          out.append(
            ClassifiedSite(
              site: TypeSites.Site(
                kind: .parameter, name: name.text, nameRange: name.byteRange, anchor: pattern.endByte),
              isHole: hole, isRest: true, isExtra: true))
        case "object_pattern", "array_pattern":
          out.append(
            ClassifiedSite(
              site: TypeSites.Site(kind: .parameter, name: pattern.text, nameRange: pattern.byteRange, anchor: anchor),
              isHole: hole, isRest: false, isExtra: true))
        default:
          break
        }
      case "function_declaration", "function_expression", "function", "arrow_function", "method_definition":
        guard let site = TypeSites.returnSite(of: node) else { break }
        out.append(
          ClassifiedSite(
            site: site, isHole: isPublicSurface(node, exportedNames: exportedNames), isRest: false, isExtra: false,
            returns: returnShape(node)))
      default:
        break
      }
      return true
    }
    return out.sorted { ($0.site.anchor, $0.site.kind.rawValue) < ($1.site.anchor, $1.site.kind.rawValue) }
  }

  /// The sites `TypeSites.unannotated` leaves out: class properties, rest and destructured parameters.
  public static func extraSites(in tree: Tree) -> [TypeSites.Site] {
    classify(in: tree).filter(\.isExtra).map(\.site)
  }

  /// Evidence for class properties (`count = 0` → `number`, `cache = new Map<string, number>()`), which
  /// `TypeEvidence` does not look at; `null` gives nothing.
  public static func propertyEvidence(in tree: Tree, bytes range: ClosedRange<Int>? = nil) -> [TypeEvidence.Suggestion]
  {
    var out: [TypeEvidence.Suggestion] = []
    tree.root.walk { node in
      if let range, node.endByte < range.lowerBound || node.startByte > range.upperBound { return false }
      guard node.type == "public_field_definition" else { return true }
      guard let (name, anchor) = TypeSites.unannotatedProperty(node), let value = node.child(field: "value"),
        let c = TypeEvidence.expressionType(of: value), c.type != "null"
      else { return false }
      out.append(
        TypeEvidence.Suggestion(
          kind: .property, name: name.text, nameRange: name.byteRange, anchor: anchor,
          candidates: [
            .init(type: c.type, confidence: c.confidence, reason: "initialised with " + c.reason, rule: c.rule)
          ]))
      return false
    }
    return out
  }

  // MARK: - The gate

  /// The suggestions worth showing: with `all` false, only those at holes (JavaScript: every site); always
  /// with the candidates `TypeNames` refuses removed (a value, an unknown name or a bare generic as a type,
  /// `any`), a rest parameter's candidates limited to array types, and suggestions left without candidates
  /// dropped.
  /// `path` (the file's) lets `TypeNames` look into the modules it imports relatively.
  public static func gate(_ suggestions: [TypeEvidence.Suggestion], in tree: Tree, all: Bool, path: String? = nil)
    -> [TypeEvidence.Suggestion]
  {
    guard !suggestions.isEmpty else { return [] }
    var byKey: [String: ClassifiedSite] = [:]
    for c in classify(in: tree) { byKey[key(anchor: c.site.anchor, kind: c.site.kind)] = c }
    let names = TypeNames(tree: tree, path: path)
    let everySite = all || !tree.language.isTypeScript
    var out: [TypeEvidence.Suggestion] = []
    for var s in suggestions {
      let site = byKey[key(anchor: s.anchor, kind: s.kind)]
      if !everySite, site?.isHole != true { continue }
      s.candidates = s.candidates.compactMap { c -> TypeEvidence.Suggestion.Candidate? in
        guard var c = names.vet(c, at: s.anchor) else { return nil }
        if site?.isRest == true, !isArrayType(c.type) { return nil }
        if let shape = site?.returns, !shape.admits(c.type) { return nil }
        c.confidence = min(c.confidence, 1)
        return c
      }
      if !s.candidates.isEmpty { out.append(s) }
    }
    return out
  }

  // MARK: - Rules

  /// Whether an initialiser leaves the type open: none, `null`, `undefined`, `[]`, `{}`.
  static func infersNothing(_ value: Node?) -> Bool {
    guard var value else { return true }
    while value.type == "parenthesized_expression", let inner = value.namedChildren.first { value = inner }
    switch value.type {
    case "null", "undefined": return true
    case "identifier": return value.text == "undefined"
    case "array", "object": return value.namedChildren.allSatisfy { $0.type == "comment" }
    default: return false
    }
  }

  struct Context {
    var typedFields: Set<String>
    var typedVariables: Set<String>
  }

  /// Whether a function expression (or an object-literal method) gets its parameter types from where it
  /// stands.
  static func isContextuallyTyped(_ function: Node, _ context: Context) -> Bool {
    switch function.type {
    case "arrow_function", "function_expression", "function":
      return expressionIsContextual(function, context)
    case "method_definition":
      // A method of an object literal takes the object's context; a class method has none.
      guard let object = function.parent, object.type == "object" else { return false }
      return expressionIsContextual(object, context)
    default:
      return false
    }
  }

  private static func expressionIsContextual(_ expression: Node, _ context: Context) -> Bool {
    guard let parent = expression.parent else { return false }
    switch parent.type {
    case "arguments", "jsx_expression", "as_expression", "satisfies_expression", "type_assertion":
      return true
    case "call_expression":
      // An immediately invoked function takes its parameter types from the arguments.
      return parent.child(field: "function") == expression
    case "parenthesized_expression", "ternary_expression", "binary_expression", "spread_element", "array",
      "non_null_expression":
      return expressionIsContextual(parent, context)
    case "pair":
      guard parent.child(field: "value") == expression, let object = parent.parent else { return false }
      return expressionIsContextual(object, context)
    case "variable_declarator":
      return parent.child(field: "value") == expression && parent.child(field: "type") != nil
    case "public_field_definition":
      return parent.child(field: "type") != nil
    case "required_parameter", "optional_parameter":
      return parent.child(field: "type") != nil
    case "assignment_expression":
      guard parent.child(field: "right") == expression, let left = parent.child(field: "left") else { return false }
      if left.type == "member_expression", left.child(field: "object")?.type == "this",
        let property = left.child(field: "property")
      {
        return context.typedFields.contains(property.text)
      }
      if left.type == "identifier" { return context.typedVariables.contains(left.text) }
      return false
    case "return_statement":
      guard let function = enclosingFunction(of: parent) else { return false }
      return function.child(field: "return_type") != nil || isContextuallyTyped(function, context)
    case "arrow_function":
      // The expression body of an arrow: typed by the arrow's return type or context.
      guard parent.child(field: "body") == expression else { return false }
      return parent.child(field: "return_type") != nil || isContextuallyTyped(parent, context)
    default:
      return false
    }
  }

  private static func enclosingFunction(of node: Node) -> Node? {
    var current = node.parent
    while let n = current {
      switch n.type {
      case "function_declaration", "function_expression", "function", "arrow_function", "method_definition",
        "generator_function_declaration", "generator_function":
        return n
      default:
        current = n.parent
      }
    }
    return nil
  }

  /// Names listed in `export { a, b as c }` and `export default name;`.
  private static func exportClauseNames(in tree: Tree) -> Set<String> {
    var names: Set<String> = []
    for statement in tree.root.namedChildren where statement.type == "export_statement" {
      guard statement.child(field: "source") == nil else { continue }
      for child in statement.namedChildren {
        if child.type == "export_clause" {
          for specifier in child.namedChildren where specifier.type == "export_specifier" {
            if let name = specifier.child(field: "name") { names.insert(name.text) }
          }
        } else if child.type == "identifier" {
          names.insert(child.text)
        }
      }
    }
    return names
  }

  /// Whether a function is part of the module's public surface: exported (directly, as an exported
  /// variable's value, or by an export clause), or a non-private method of an exported class.
  static func isPublicSurface(_ function: Node, exportedNames: Set<String>) -> Bool {
    func exported(_ declaration: Node) -> Bool {
      if declaration.parent?.type == "export_statement" { return true }
      if let name = declaration.child(field: "name"), exportedNames.contains(name.text) { return true }
      return false
    }
    switch function.type {
    case "function_declaration":
      return exported(function)
    case "arrow_function", "function_expression", "function":
      if function.parent?.type == "export_statement" { return true }
      guard let declarator = function.parent, declarator.type == "variable_declarator",
        declarator.child(field: "value") == function, let declaration = declarator.parent
      else { return false }
      if declaration.parent?.type == "export_statement" { return true }
      if let name = declarator.child(field: "name"), exportedNames.contains(name.text) { return true }
      return false
    case "method_definition":
      if function.child(field: "name")?.type == "private_property_identifier" { return false }
      if function.children.contains(where: { $0.type == "accessibility_modifier" && $0.text == "private" }) {
        return false
      }
      guard let body = function.parent, body.type == "class_body", let owner = body.parent,
        owner.type == "class_declaration" || owner.type == "abstract_class_declaration" || owner.type == "class"
      else { return false }
      return exported(owner)
    default:
      return false
    }
  }

  /// What the body of a function says about its return type.
  static func returnShape(_ function: Node) -> ReturnShape {
    let isAsync = function.children.contains { !$0.isNamed && $0.text == "async" }
    guard let body = function.child(field: "body"), body.type == "statement_block" else {
      return ReturnShape(isAsync: isAsync, expressionBody: true, returnsValue: true)
    }
    var returnsValue = false
    func visit(_ node: Node) {
      for child in node.namedChildren where !returnsValue {
        switch child.type {
        case "return_statement":
          if let value = child.namedChildren.first(where: { $0.type != "comment" }),
            !(value.type == "undefined" || (value.type == "identifier" && value.text == "undefined"))
          {
            returnsValue = true
          }
        case "function_declaration", "function_expression", "function", "arrow_function", "method_definition",
          "class_declaration", "class", "generator_function_declaration", "generator_function":
          continue
        default:
          visit(child)
        }
      }
    }
    visit(body)
    return ReturnShape(isAsync: isAsync, expressionBody: false, returnsValue: returnsValue)
  }

  /// Whether a type text is an array or tuple type (what a rest parameter takes).
  static func isArrayType(_ type: String) -> Bool {
    let t = type.trimmingCharacters(in: .whitespaces)
    return t.hasSuffix("[]") || t.hasPrefix("Array<") || t.hasPrefix("ReadonlyArray<") || t.hasPrefix("[")
      || t.hasPrefix("readonly ")
  }
}

extension TypeHoles {
  /// `TypeEvidence`'s suggestions and the class-property evidence, in source order (every site, no gate).
  public static func evidence(in tree: Tree, bytes range: ClosedRange<Int>? = nil) -> [TypeEvidence.Suggestion] {
    (TypeEvidence.suggestions(in: tree, bytes: range) + propertyEvidence(in: tree, bytes: range))
      .sorted { ($0.anchor, $0.kind.rawValue) < ($1.anchor, $1.kind.rawValue) }
  }
}
