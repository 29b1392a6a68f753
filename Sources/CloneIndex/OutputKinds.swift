import Foundation
import Syntax

/// The kinds of value a function returns, read from its syntax alone (issue 18, session 17;
/// docs/audits/clones-s17-outputs.md, docs/CLONES.md "What a function returns").
///
/// Two functions with the same behaviour return the same kind of value. A functional pair whose functions both
/// have known kinds that share none (`canFinish` returns a boolean, `findOrder` an array) is not a functional
/// clone, however alike the code looks: that is the output rule (`CloneOptions.outputRule`, off by default: it was
/// measured under its adoption bar). A function whose kinds cannot all be read is `nil` (unknown) and never tells a
/// pair apart.
///
/// - `async` functions return a `promise`, generators an `iterator`, whatever their `return`s say.
/// - Otherwise the function's `return` expressions (not those of nested functions; an arrow's expression body is
///   its one return) are read: literals, operators, a few well-known methods and globals (`x.length`,
///   `.join(…)`, `Math.max(…)`, `Object.keys(…)`), a conditional's two branches, and a local variable through its
///   initialiser and every assignment to it in the function. `null` and `undefined` say nothing; a call,
///   a parameter, a property or anything else makes the whole function unknown.
/// - A function without a `return` of a value is unknown (not `void`: an in-place version of an algorithm and one
///   that returns its result are not told apart).
public enum OutputKind: String, Sendable, Hashable, CaseIterable {
  case boolean, number, string, array, object, promise, iterator
}

public enum OutputKinds {
  /// Whether two functions' kinds tell them apart: both known, no kind in common.
  public static func differ(_ a: Set<OutputKind>?, _ b: Set<OutputKind>?) -> Bool {
    guard let a, let b, !a.isEmpty, !b.isEmpty else { return false }
    return a.isDisjoint(with: b)
  }

  /// The kinds of the function `node` returns (a function, method or arrow node); nil when unknown.
  public static func of(function node: Node) -> Set<OutputKind>? {
    guard UnitTokens.functionTypes.contains(node.type) else { return nil }
    var isAsync = false
    var isGenerator = node.type.hasPrefix("generator_")
    for c in node.children where !c.isNamed {
      if c.type == "async" { isAsync = true }
      if c.type == "*" { isGenerator = true }
    }
    if isGenerator { return [.iterator] }
    if isAsync { return [.promise] }
    guard let body = node.child(field: "body") else { return nil }
    let scope = FunctionScope(function: node, body: body)
    if body.type != "statement_block" {
      // An arrow's expression body.
      return known(scope.kinds(of: body))
    }
    var out: Set<OutputKind> = []
    var returnsValue = false
    var unknown = false
    scope.visitOwn { n in
      guard n.type == "return_statement" else { return }
      guard let value = n.namedChildren.first(where: { $0.type != "comment" }) else { return }
      guard let k = scope.kinds(of: value) else {
        unknown = true
        return
      }
      if !k.isEmpty { returnsValue = true }
      out.formUnion(k)
    }
    if unknown { return nil }
    // A function that returns no value is unknown, not `void` (candidate B of docs/audits/clones-s17-outputs.md):
    // an in-place version of an algorithm and one that returns its result are never told apart.
    if !returnsValue { return nil }
    return out
  }

  /// The kinds of each unit, reading each file under `root` once (nil for a unit whose file cannot be read or
  /// parsed, or whose byte range is no longer a function).
  public static func of(units: [StoredUnit], root: String) -> [Set<OutputKind>?] {
    functionNodes(units: units, root: root) { $0.flatMap(of(function:)) }
  }

  /// `read` of each unit's function node (nil when its file cannot be read or parsed, or its byte range is no longer
  /// a function), reading and parsing each file under `root` once.
  public static func functionNodes<T>(units: [StoredUnit], root: String, _ read: (Node?) -> T) -> [T] {
    var trees: [String: Tree?] = [:]
    var parsers: [Language: Parser] = [:]
    return units.map { u in
      let tree: Tree?
      if let known = trees[u.path] {
        tree = known
      } else {
        let url = URL(fileURLWithPath: root).appendingPathComponent(u.path)
        if let data = FileManager.default.contents(atPath: url.path), let language = Language(path: u.path) {
          let parser = parsers[language] ?? Parser(language: language)
          parsers[language] = parser
          tree = try? parser.parse(bytes: Array(data))
        } else {
          tree = nil
        }
        trees[u.path] = tree
      }
      return read(tree.flatMap { functionNode(u.startByte..<u.endByte, in: $0) })
    }
  }

  /// The function node spanning `range` in `tree`, if any.
  public static func functionNode(_ range: Range<Int>, in tree: Tree) -> Node? {
    guard range.lowerBound >= 0, range.upperBound <= tree.bytes.count,
      var node = tree.root.namedDescendant(for: range)
    else { return nil }
    while !UnitTokens.functionTypes.contains(node.type), let p = node.parent, p.byteRange == range { node = p }
    return UnitTokens.functionTypes.contains(node.type) && node.byteRange == range ? node : nil
  }

  private static func known(_ k: Set<OutputKind>?) -> Set<OutputKind>? {
    guard let k, !k.isEmpty else { return nil }
    return k
  }
}

/// One function's own statements (nested functions left out), its parameters and its local variables' values.
private struct FunctionScope {
  let body: Node
  /// Names bound by the parameters (unknown values).
  var parameters: Set<String> = []
  /// Per local variable, the expressions it is given (initialiser, `=`), and whether some other write (a
  /// destructuring, a `for … of`) makes it unknown; `numberWrites` counts `++`, `-=` and the like.
  var values: [String: [Node]] = [:]
  var declared: Set<String> = []
  var opaque: Set<String> = []
  var numberWrites: Set<String> = []
  var keepWrites: Set<String> = []

  init(function: Node, body: Node) {
    self.body = body
    if let params = function.child(field: "parameters") ?? function.child(field: "parameter") {
      parameters = Self.boundNames(params)
    }
    var values: [String: [Node]] = [:]
    var declared: Set<String> = []
    var opaque: Set<String> = []
    var numberWrites: Set<String> = []
    var keepWrites: Set<String> = []
    Self.visit(body) { n in
      switch n.type {
      case "variable_declarator":
        guard let name = n.child(field: "name") else { return }
        if name.type == "identifier" {
          declared.insert(name.text)
          if let v = n.child(field: "value") { values[name.text, default: []].append(v) }
          // `for (const x of xs)` has no declarator in this grammar; `for (let i = 0; …)` has one.
        } else {
          let names = Self.boundNames(name)
          declared.formUnion(names)
          opaque.formUnion(names)
        }
      case "assignment_expression":
        guard let left = n.child(field: "left") else { return }
        if left.type == "identifier" {
          if let r = n.child(field: "right") { values[left.text, default: []].append(r) }
        } else if left.type != "member_expression" && left.type != "subscript_expression" {
          opaque.formUnion(Self.boundNames(left))
        }
      case "augmented_assignment_expression":
        guard let left = n.child(field: "left"), left.type == "identifier" else { return }
        let op = n.child(field: "operator")?.text ?? ""
        if op == "+=" {
          keepWrites.insert(left.text)
        } else if ["-=", "*=", "/=", "%=", "**=", "<<=", ">>=", ">>>=", "&=", "|=", "^="].contains(op) {
          numberWrites.insert(left.text)
        } else {
          opaque.insert(left.text)  // `||=`, `&&=`, `??=`
        }
      case "update_expression":
        if let a = n.child(field: "argument"), a.type == "identifier" { numberWrites.insert(a.text) }
      case "for_in_statement":
        if let left = n.child(field: "left") {
          let names = Self.boundNames(left)
          declared.formUnion(names)
          opaque.formUnion(names)
        }
      case "catch_clause":
        if let p = n.child(field: "parameter") { opaque.formUnion(Self.boundNames(p)) }
      default:
        break
      }
    }
    // A variable a nested function writes (`root.walk(i => { value = i.raws.before })`) may hold anything.
    Self.visitNested(body) { n in
      switch n.type {
      case "assignment_expression", "augmented_assignment_expression":
        if let left = n.child(field: "left"), left.type != "member_expression", left.type != "subscript_expression" {
          opaque.formUnion(Self.boundNames(left))
        }
      case "update_expression":
        if let a = n.child(field: "argument"), a.type == "identifier" { opaque.insert(a.text) }
      default:
        break
      }
    }
    self.values = values
    self.declared = declared
    self.opaque = opaque
    self.numberWrites = numberWrites
    self.keepWrites = keepWrites
  }

  /// The names a pattern (or a parameter list) binds, as identifiers anywhere in it.
  static func boundNames(_ pattern: Node) -> Set<String> {
    var out: Set<String> = []
    pattern.walk { p in
      if p.type == "identifier" || p.type == "shorthand_property_identifier_pattern" { out.insert(p.text) }
      return true
    }
    return out
  }

  /// Whether `node` starts another function's code (a nested function or class).
  static func opensScope(_ node: Node) -> Bool {
    UnitTokens.functionTypes.contains(node.type) || node.type == "class_declaration" || node.type == "class"
  }

  /// Visits every node under `node` that belongs to this function (not inside a nested function or class).
  static func visit(_ node: Node, _ f: (Node) -> Void) {
    f(node)
    for c in node.children where !opensScope(c) { visit(c, f) }
  }

  func visitOwn(_ f: (Node) -> Void) { Self.visit(body, f) }

  /// Visits every node under `node` that sits inside a nested function or class.
  static func visitNested(_ node: Node, inside: Bool = false, _ f: (Node) -> Void) {
    if inside { f(node) }
    for c in node.children { visitNested(c, inside: inside || opensScope(c), f) }
  }

  /// The kinds of an expression; an empty set says nothing (`null`, `undefined`); nil: unknown.
  func kinds(of node: Node, seen: Set<String> = []) -> Set<OutputKind>? {
    switch node.type {
    case "true", "false":
      return [.boolean]
    case "number":
      return [.number]
    case "string", "template_string":
      return [.string]
    case "array":
      return [.array]
    case "object":
      return [.object]
    case "null", "undefined":
      return []
    case "parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression",
      "type_assertion":
      guard let inner = node.namedChildren.first(where: { $0.type != "comment" && !$0.type.hasSuffix("type") })
      else { return nil }
      return kinds(of: inner, seen: seen)
    case "ternary_expression":
      guard let a = node.child(field: "consequence"), let b = node.child(field: "alternative"),
        let ka = kinds(of: a, seen: seen), let kb = kinds(of: b, seen: seen)
      else { return nil }
      return ka.union(kb)
    case "unary_expression":
      switch node.child(field: "operator")?.text ?? "" {
      case "!", "delete": return [.boolean]
      case "-", "+", "~": return [.number]
      case "typeof": return [.string]
      case "void": return []
      default: return nil
      }
    case "update_expression":
      return [.number]
    case "binary_expression":
      let op = node.child(field: "operator")?.text ?? ""
      switch op {
      case "==", "===", "!=", "!==", "<", "<=", ">", ">=", "instanceof", "in":
        return [.boolean]
      case "-", "*", "/", "%", "**", "&", "|", "^", "<<", ">>", ">>>":
        return [.number]
      case "+":
        guard let l = node.child(field: "left"), let r = node.child(field: "right") else { return nil }
        let kl = kinds(of: l, seen: seen)
        let kr = kinds(of: r, seen: seen)
        if kl == [.string] || kr == [.string] { return [.string] }
        if kl == [.number] && kr == [.number] { return [.number] }
        return nil
      case "&&", "||", "??":
        guard let l = node.child(field: "left"), let r = node.child(field: "right"),
          let kl = kinds(of: l, seen: seen), let kr = kinds(of: r, seen: seen)
        else { return nil }
        return kl.union(kr)
      default:
        return nil
      }
    case "member_expression":
      if node.child(field: "property")?.text == "length" { return [.number] }
      return nil
    case "call_expression":
      return callKinds(node)
    case "new_expression":
      guard let c = node.child(field: "constructor") else { return nil }
      if c.text == "Array" { return [.array] }
      if ["Map", "Set", "WeakMap", "WeakSet", "Object", "Date", "RegExp", "Error"].contains(c.text) { return [.object] }
      return nil
    case "identifier":
      return variableKinds(node.text, seen: seen)
    default:
      return nil
    }
  }

  private func callKinds(_ node: Node) -> Set<OutputKind>? {
    guard let callee = node.child(field: "function") else { return nil }
    if callee.type == "identifier" {
      switch callee.text {
      case "Number", "parseInt", "parseFloat": return [.number]
      case "String": return [.string]
      case "Boolean", "isNaN", "isFinite": return [.boolean]
      case "Array": return [.array]
      default: return nil
      }
    }
    guard callee.type == "member_expression", let property = callee.child(field: "property"),
      let object = callee.child(field: "object")
    else { return nil }
    let method = property.text
    switch object.text {
    case "Math":
      return ["random", "floor", "ceil", "round", "trunc", "abs", "max", "min", "pow", "sqrt", "cbrt", "log", "log2",
        "log10", "exp", "sign", "hypot", "sin", "cos", "tan", "atan", "atan2", "asin", "acos", "clz32", "imul", "fround",
      ].contains(method) ? [.number] : nil
    case "Object":
      return ["keys", "values", "entries"].contains(method) ? [.array] : nil
    case "Array":
      if ["from", "of"].contains(method) { return [.array] }
      return method == "isArray" ? [.boolean] : nil
    case "Number":
      return ["isInteger", "isSafeInteger", "isNaN", "isFinite"].contains(method) ? [.boolean] : nil
    case "JSON":
      return method == "stringify" ? [.string] : nil
    default:
      break
    }
    switch method {
    case "indexOf", "lastIndexOf", "findIndex", "findLastIndex", "charCodeAt", "codePointAt", "localeCompare":
      return [.number]
    case "join", "toString", "toUpperCase", "toLowerCase", "trim", "trimStart", "trimEnd", "repeat", "charAt",
      "substring", "substr", "padStart", "padEnd", "toFixed", "replace", "replaceAll":
      return [.string]
    case "map", "filter", "flatMap", "split", "flat", "fill", "sort", "reverse", "splice":
      return [.array]
    case "includes", "some", "every", "has", "startsWith", "endsWith", "test":
      return [.boolean]
    default:
      return nil
    }
  }

  private func variableKinds(_ name: String, seen: Set<String>) -> Set<OutputKind>? {
    if name == "undefined" { return [] }
    guard !parameters.contains(name), declared.contains(name), !opaque.contains(name), !seen.contains(name) else {
      return nil
    }
    var out: Set<OutputKind> = []
    for v in values[name] ?? [] {
      guard let k = kinds(of: v, seen: seen.union([name])) else { return nil }
      out.formUnion(k)
    }
    if numberWrites.contains(name) {
      guard out.isEmpty || out == [.number] else { return nil }
      out = [.number]
    }
    if keepWrites.contains(name) {
      // `+=` keeps a number a number and a string a string; anything else is unknown.
      guard out == [.number] || out == [.string] else { return nil }
    }
    return out
  }
}
