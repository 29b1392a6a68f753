import Corpus
import Foundation
import Model
import Syntax

// MARK: - Name reports

/// What `codeintel suggest-names` says about one named function.
public struct NameReport: Sendable, Codable, Equatable {
  public struct Suggestion: Sendable, Codable, Equatable {
    public var name: String
    /// exp(log-probability of the whole name).
    public var probability: Double
    /// Length-normalised log-probability (what the beam ranks by).
    public var score: Double
    /// The calibrated probability that the name is exactly right (a head whose `display.json` has a confidence
    /// model, fitted with retrieval on the valid splits); nil otherwise.
    public var confidence: Double? = nil
  }

  /// The function's current name.
  public var name: String
  public var kind: String
  /// 1-based line and UTF-16 column (0-based) of the name.
  public var line: Int
  public var character: Int
  /// Top names from the model, best first (empty without a model).
  public var suggestions: [Suggestion]
  /// The current name's length-normalised log-probability under the decoder (nil without a model).
  public var currentScore: Double?
  /// Whether the name disagrees strongly with the body, the combined score in [0, 1], and why.
  public var mismatch: Bool
  public var mismatchScore: Double
  public var reasons: [String]
  /// Suggestions the model made but the head's display calibration (`display.json`) holds back as too
  /// unsure to show, or that another declaration of the same scope already has (`takenNames`).
  public var hidden: Int = 0
  /// True when an API fixes the name (a Proxy trap, `toString`, an override, a member of a typed object literal or
  /// of one handed to a call…: `NameAnalysis.nameIsFixedByAnInterface`): no other name is suggested and no rule
  /// judges it. Absent otherwise.
  public var fixedByAPI: Bool? = nil
  /// Every rule's evidence, on or off (not in the JSON output: `reasons` lists the rules that count), so that a
  /// cached report can be re-judged under other rules (`applying(rules:)`).
  public var evidence: [Evidence] = []

  /// One rule's finding: its score and why.
  public struct Evidence: Sendable, Equatable {
    public var rule: MismatchRule
    public var score: Double
    public var reason: String
  }

  enum CodingKeys: String, CodingKey {
    case name, kind, line, character, suggestions, currentScore, mismatch, mismatchScore, reasons, hidden, fixedByAPI
  }

  /// The verdict when only `rules` count: reasons, combined score and flag from their evidence alone.
  public func applying(rules: Set<MismatchRule>) -> NameReport {
    var r = self
    let counted = evidence.filter { rules.contains($0.rule) }
    r.reasons = counted.map(\.reason)
    r.mismatchScore = NameAnalysis.combine(counted.map(\.score))
    r.mismatch = r.mismatchScore >= NameAnalysis.flagThreshold
    return r
  }
}

/// The kinds of evidence that a function's name contradicts its body. Each is on by default only where its precision,
/// measured on data its code was not written against, reached 80 % both on planted swaps in held-out files and on an
/// audit of real repositories, with at least `NameAnalysis.minRuleSupport` warnings behind each (docs/NAMES.md,
/// "Which rules are on by default"): a warning a developer has to double-check is worse than none.
public enum MismatchRule: String, CaseIterable, Sendable, Codable, Comparable {
  /// The name head disagrees (no shared subtoken with its top names, a large score gap), when it is sure.
  case model
  /// An `is/has/can…` name whose every return is a string, number, object or array literal.
  case predicate
  /// A `get…` function that returns nothing.
  case get
  /// A `set…` function that returns a value without assigning anything.
  case set

  public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

  /// Parses `default`, `all`, or a comma-separated list of rule names; nil for an unknown name.
  public static func parseList(_ text: String) -> Set<MismatchRule>? {
    switch text {
    case "default": return NameAnalysis.defaultRules
    case "all": return Set(allCases)
    case "none": return []
    default:
      var out = Set<MismatchRule>()
      for part in text.split(separator: ",") {
        guard let r = MismatchRule(rawValue: part.trimmingCharacters(in: .whitespaces)) else { return nil }
        out.insert(r)
      }
      return out.isEmpty ? nil : out
    }
  }
}

/// Method-name suggestions and the name/body mismatch flag, shared by `suggest-names` and the language server.
///
/// The mismatch combines two kinds of evidence (docs/NAMES.md):
/// - the model: the current name shares no subtoken with any of the top-k predictions AND its length-normalised
///   log-probability is at least `minGap` nats per subtoken below the best beam's; its score rises linearly from
///   0 at a gap of `minGap - 1` to 1 at `minGap + 1` (so it is 0.5 at exactly `minGap`); it counts only when
///   the model is itself fairly sure of its reading (best name's probability ≥ `minProbability`, default
///   0.2 in `analyze`): an unsure model disagrees with almost every name, which is noise, not evidence;
/// - the body, deterministically: an `is/has/can/should…` name whose every `return` is a string, number,
///   template, object or array literal; a `get…` function that returns nothing; a `set…` function that returns a
///   value and assigns nothing. Each counts 0.8.
/// Scores combine as independent evidence, 1 - Π(1 - sᵢ); the function is flagged at ≥ 0.5.
public enum NameAnalysis {
  public static let predicatePrefixes: Set<String> = [
    "is", "has", "can", "should", "will", "was", "were", "are", "does", "did", "needs", "must", "contains",
  ]
  public static let ruleWeight = 0.8
  /// The rules on by default (`MismatchRule`): none. A rule is on only where its warnings were right ≥ 80 % of the
  /// time both on planted swaps and on an audit of real repositories its code was not written against, with at
  /// least `minRuleSupport` warnings behind each (issue 19's bar). Session 7 (docs/NAMES.md, "Which rules are on by
  /// default"): planted swaps 18 of 18 (`predicate`), 27 of 27 (`get`), 1 of 1 (`set`); real code (170,351
  /// functions of GitHub and Debian repositories) 1 of 11, 0 of 128 and 0 of 1; the model's disagreement has no
  /// calibrated level in the shipped head and fired on no planted swap.
  public static let defaultRules: Set<MismatchRule> = []
  /// Warnings a rule's measured precision must rest on before it can be on by default.
  public static let minRuleSupport = 5
  public static let flagThreshold = 0.5
  /// The model's reading counts as mismatch evidence only at this probability of its best name or above.
  public static let defaultMinProbability = 0.2

  /// The model-side mismatch score and its reason.
  public static func modelEvidence(
    current: [String], currentScore: Double, predictions: [NamePrediction], minGap: Double = 2,
    minProbability: Double = 0
  ) -> (score: Double, reason: String?) {
    guard let best = predictions.first, !current.isEmpty, best.probability >= minProbability else { return (0, nil) }
    let cur = Set(current.map { $0.lowercased() })
    let predicted = Set(predictions.flatMap(\.subtokens))
    guard cur.isDisjoint(with: predicted) else { return (0, nil) }
    let gap = best.score - currentScore
    let score = min(max((gap - (minGap - 1)) / 2, 0), 1)
    guard score > 0 else { return (0, nil) }
    let reason = String(
      format:
        "the model reads it as `%@`: no subtoken of the name is in its top %d, and the name scores %.2f nats per subtoken below the best",
      best.name, predictions.count, gap)
    return (score, reason)
  }

  /// Deterministic evidence that the name contradicts the body (empty when none). Names an interface fixes
  /// (`nameIsFixedByAnInterface`) are not judged at all: `analyze` leaves them out before asking.
  public static func bodyEvidence(unit: Syntax.FunctionUnit, tree: Tree, subtokens: [String]) -> [String] {
    bodyFindings(unit: unit, tree: tree, subtokens: subtokens).map(\.reason)
  }

  /// `bodyEvidence` with the rule each reason comes from.
  public static func bodyFindings(unit: Syntax.FunctionUnit, tree: Tree, subtokens: [String])
    -> [(rule: MismatchRule, reason: String)]
  {
    guard let first = subtokens.first?.lowercased(), let body = tree.root.descendant(for: unit.bodyRange) else {
      return []
    }
    var returns: [Node?] = []  // returned expressions (nil: a bare `return`)
    var assigns = false
    var calls = false  // any call or `new`: the value may be a modified copy, or the call may mutate
    var storesIntoMember = false  // `state.result = …`: an out-parameter or a field receives the value
    var passesCallback = false  // a function passed as an argument: callback style, the result is not returned
    let parameterNames = Set(unit.parameters.flatMap(\.names))
    if body.type == "statement_block" {
      visitOwn(body) { n in
        switch n.type {
        case "return_statement": returns.append(n.namedChildren.first { $0.type != "comment" })
        case "assignment_expression", "augmented_assignment_expression", "update_expression":
          assigns = true
          if let left = n.child(field: "left") ?? n.child(field: "argument"),
            left.type == "member_expression" || left.type == "subscript_expression"
          {
            storesIntoMember = true
          }
        case "unary_expression" where n.text.hasPrefix("delete"):
          assigns = true
        case "new_expression":
          calls = true
        case "call_expression":
          calls = true
          if let f = n.child(field: "function"), f.type == "member_expression",
            let p = f.child(field: "property")?.text
          {
            // `this.#dispatch(…)` mutates as surely as `this.dispatch(…)`; `.call`/`.apply` and `Reflect.*`
            // delegate to a function that may assign.
            let property = (p.hasPrefix("#") ? String(p.dropFirst()) : p).lowercased()
            let object = f.child(field: "object")?.text ?? ""
            if mutators.contains(where: { property.hasPrefix($0) }) || delegations.contains(property)
              || object == "Reflect" || object == "this"
            {
              assigns = true
            }
            // `bounds.addRect(…)` on a parameter: the result goes out through it (pixijs's
            // `_getGlobalBoundsRecursive(…, bounds, …)`), as surely as `state.x = …` does
            if parameterNames.contains(object), mutators.contains(where: { property.hasPrefix($0) }) {
              storesIntoMember = true
            }
          }
          // `setSession(data.session)`: a state setter (React's useState) receives the result (supabase's example
          // `getSession()`), as a field would
          if let f = n.child(field: "function"), f.type == "identifier", isSetterName(f.text) {
            storesIntoMember = true
          }
          if let args = n.child(field: "arguments"),
            args.namedChildren.contains(where: { functionTypes.contains($0.type) })
          {
            passesCallback = true
          }
        default: break
        }
      }
    } else {
      returns.append(body)  // concise arrow body
      visitOwn(body) { n in if n.type == "call_expression" || n.type == "new_expression" { calls = true } }
    }
    let values = returns.compactMap { $0 }
    var reasons: [(rule: MismatchRule, reason: String)] = []
    if predicatePrefixes.contains(first), !values.isEmpty, values.count == returns.count,
      values.allSatisfy({ literalTypes.contains($0.type) }),
      // C-style truth values (`return 0;` / `return 1;`) are booleans in all but type
      !values.allSatisfy({ $0.type == "number" && ["0", "1"].contains($0.text) }),
      // a predicate with its details (`return { isError, message }`, `return [isNameChar(c), count]`): the answer is
      // in the record (the train audit, session 7)
      records(values).isEmpty || !records(values).allSatisfy(carriesBoolean)
    {
      let kinds = Set(values.map { literalNames[$0.type] ?? $0.type }).sorted().joined(separator: "/")
      reasons.append(
        (.predicate, "named like a predicate (`\(first)…`) but every return is a \(kinds) literal, never a boolean"))
    }
    if first == "get", body.type == "statement_block", values.isEmpty, MethodNames.statementCount(unit, tree) > 0,
      !unit.isGenerator, unit.kind != .setter, !passesCallback, !storesIntoMember,
      // `getUser(id, callback)`: Node-style getters hand their result to a callback
      !unit.parameters.contains(where: { $0.names.contains(where: callbackParameter) })
    {
      reasons.append((.get, "named `get…` but returns nothing"))
    }
    // Immutable setters (`setDay(date, day)` returning a new Date, `setIn(obj, …)` returning a copy) compute
    // their value with calls, `new`, or a spread literal: only a body without any of those is evidence.
    if first == "set", unit.kind != .setter, !assigns, !calls,
      values.contains(where: { $0.type != "this" }),
      !values.contains(where: { $0.type == "object" || $0.type == "array" })
    {
      reasons.append((.set, "named `set…` but returns a value without assigning anything"))
    }
    return reasons
  }

  /// Whether an object or array literal carries a truth value: an element or property value `true`/`false`, a
  /// comparison, a negation or a predicate call (`isX(…)`, `this.#isX(…)`), or a predicate-named key (`{ isError }`,
  /// `{ isTask: … }`).
  static func carriesBoolean(_ literal: Node) -> Bool {
    func predicateNamed(_ name: String) -> Bool {
      let bare = name.hasPrefix("#") ? String(name.dropFirst()) : name
      return identifierSubtokens(bare).first.map { predicatePrefixes.contains($0.lowercased()) } ?? false
    }
    func truthValue(_ n: Node) -> Bool {
      switch n.type {
      case "true", "false": return true
      case "unary_expression": return n.text.hasPrefix("!")
      case "binary_expression":
        let op = n.child(field: "operator")?.text ?? ""
        return ["===", "!==", "==", "!=", "<", ">", "<=", ">=", "instanceof", "in"].contains(op)
      case "call_expression":
        guard let f = n.child(field: "function") else { return false }
        let name = f.type == "member_expression" ? f.child(field: "property")?.text ?? "" : f.text
        return predicateNamed(name)
      case "parenthesized_expression": return n.namedChildren.contains(where: truthValue)
      default: return false
      }
    }
    switch literal.type {
    case "array": return literal.namedChildren.contains(where: truthValue)
    case "object":
      return literal.namedChildren.contains { m in
        switch m.type {
        case "shorthand_property_identifier": return predicateNamed(m.text)
        case "pair":
          return (m.child(field: "key").map { predicateNamed($0.text) } ?? false)
            || (m.child(field: "value").map(truthValue) ?? false)
        default: return false
        }
      }
    default: return false
    }
  }

  /// The object and array literals among returned values.
  static func records(_ values: [Node]) -> [Node] { values.filter { $0.type == "object" || $0.type == "array" } }

  static let literalTypes: Set<String> = ["string", "template_string", "number", "object", "array"]
  static let literalNames = [
    "string": "string", "template_string": "string", "number": "number", "object": "object", "array": "array",
  ]
  /// Method names that count as assigning (`map.set(…)`, `Object.assign(…)`, `list.push(…)`, `this.setState(…)`).
  static let mutators = [
    "set", "assign", "push", "unshift", "splice", "add", "put", "update", "define", "store", "save", "write",
    "emit", "dispatch", "delete", "remove", "clear", "fill", "sort", "reverse", "append", "insert", "replace",
  ]
  /// Calls that run another function on the receiver's behalf (`fn.call(this, …)`, `Reflect.apply(…)`).
  static let delegations: Set<String> = ["call", "apply", "bind"]

  /// Parameter names that Node-style code uses for callbacks.
  static func callbackParameter(_ name: String) -> Bool {
    let n = name.lowercased()
    return ["cb", "callback", "done", "next", "fn", "resolve", "handler", "listener"].contains(n)
      || n.hasSuffix("callback") || n.hasSuffix("handler") || n.hasSuffix("cb")
  }

  /// Names an API fixes, so the body cannot contradict them: Proxy traps in an object literal, the protocol
  /// methods every object may define, framework lifecycle hooks, `override` members, and the members of a
  /// class that extends or implements something (the base type may declare the name).
  public static func nameIsFixedByAnInterface(_ name: String, unit: Syntax.FunctionUnit, tree: Tree) -> Bool {
    if protocolMethods.contains(name) || lifecycleHooks.contains(name) { return true }
    // an event handler's name (`getRequest_onsuccess`, `xhrOnError`): it says which event, not what it returns
    if isHandlerName(name) { return true }
    // an HTTP route handler (`export const GET = async (req, res) => {…}`: Next.js, SvelteKit, Astro, Medusa): the
    // framework fixes the name to the request's method, and the answer goes out through the response
    if httpMethods.contains(name) { return true }
    guard let node = tree.root.descendant(for: unit.byteRange) else { return false }
    // a function assigned to an `on…` property (`req.onsuccess = function getRequest_onsuccess() {…}`)
    if let p = node.parent, p.type == "assignment_expression", let left = p.child(field: "left"),
      left.type == "member_expression", let prop = left.child(field: "property")?.text,
      prop.count > 2, prop.lowercased().hasPrefix("on")
    {
      return true
    }
    // The member: the method itself, or the pair / class field whose value the function is.
    var member = node
    if let p = node.parent, ["pair", "public_field_definition", "field_definition"].contains(p.type) { member = p }
    guard let container = member.parent else { return false }
    if member.text.hasPrefix("override ") || member.children.contains(where: { $0.type == "override_modifier" }) {
      return true
    }
    if container.type == "object", proxyTraps.contains(name) { return true }
    // a member of an object literal handed to a call (`persist(…, { getItem() {…} })`, `createStorage(() => ({…}))`):
    // it implements the callee's protocol, so the callee, not the body, chose the name
    if container.type == "object", isPassedAsArgument(container) { return true }
    // a member of an object literal given a declared type (`const v: Visitor = { enter() {…} }`, `{…} satisfies
    // Plugin`, `{…} as Hooks`): the type, not the body, chose the name (graphql-js's `enter`/`leave`, session 11)
    if container.type == "object", isTyped(container) { return true }
    if container.type == "class_body", let cls = container.parent,
      cls.children.contains(where: { $0.type == "class_heritage" })
    {
      return true
    }
    return false
  }

  /// The names the other declarations of the function's own scope hold: for a function declared in a module or
  /// block (`function f`, `const f = …`), the functions, classes, variables and imports declared in that module or
  /// block; for a class member, the class's other members; for an object literal's member, its other keys. The
  /// function's own declaration is left out (an overload's signatures carry its name; getter and setter pairs
  /// share theirs). Names declared inside other functions are not the scope's.
  public static func takenNames(besides unit: Syntax.FunctionUnit, in tree: Tree) -> Set<String> {
    guard let node = tree.root.descendant(for: unit.byteRange) else { return [] }
    var member = node
    if let p = node.parent, ["pair", "public_field_definition", "field_definition", "variable_declarator"].contains(p.type) {
      member = p
    }
    if member.type == "variable_declarator", let p = member.parent,
      ["lexical_declaration", "variable_declaration"].contains(p.type)
    {
      member = p
    }
    if let p = member.parent, p.type == "export_statement" { member = p }
    guard let container = member.parent else { return [] }
    var names = Set<String>()
    for child in container.namedChildren where child.byteRange != member.byteRange {
      names.formUnion(declaredNames(child))
    }
    // `const f = …, g = …`: the other declarators of the same statement
    if let declarator = node.parent, declarator.type == "variable_declarator", let declaration = declarator.parent {
      let own = declarator.child(field: "name")?.text
      names.formUnion(declaredNames(declaration).filter { $0 != own })
    }
    if let own = unit.name { names.remove(own) }
    return names
  }

  /// The names one statement or member declares in its scope (see `takenNames`).
  static func declaredNames(_ node: Node) -> [String] {
    switch node.type {
    case "export_statement":
      if let d = node.child(field: "declaration") { return declaredNames(d) }
      return []
    case "function_declaration", "generator_function_declaration", "class_declaration", "abstract_class_declaration",
      "function_signature", "interface_declaration", "type_alias_declaration", "enum_declaration":
      return node.child(field: "name").map { [$0.text] } ?? []
    case "lexical_declaration", "variable_declaration":
      return node.namedChildren.compactMap { d in
        guard d.type == "variable_declarator", let n = d.child(field: "name"), n.type == "identifier" else { return nil }
        return n.text
      }
    case "method_definition", "public_field_definition", "field_definition", "method_signature", "abstract_method_signature":
      guard let n = node.child(field: "name") ?? node.child(field: "property") else { return [] }
      return ["property_identifier", "identifier", "private_property_identifier"].contains(n.type) ? [n.text] : []
    case "pair":
      guard let k = node.child(field: "key"), ["property_identifier", "identifier"].contains(k.type) else { return [] }
      return [k.text]
    case "shorthand_property_identifier":
      return [node.text]
    case "import_statement":
      var out: [String] = []
      func walk(_ n: Node) {
        switch n.type {
        case "import_specifier":
          if let a = n.child(field: "alias") ?? n.child(field: "name") { out.append(a.text) }
        case "namespace_import":
          if let id = n.namedChildren.first(where: { $0.type == "identifier" }) { out.append(id.text) }
        case "identifier":
          out.append(n.text)
        case "import_clause", "named_imports":
          n.namedChildren.forEach(walk)
        default:
          break
        }
      }
      node.namedChildren.filter { $0.type == "import_clause" }.forEach(walk)
      return out
    default:
      return []
    }
  }

  /// Whether an object literal's type is declared where it is written: the value of a variable declared with a type
  /// (`const v: T = {…}`), or the expression of `satisfies T` or `as T` (through parentheses).
  static func isTyped(_ object: Node) -> Bool {
    var node = object
    while let parent = node.parent, parent.type == "parenthesized_expression" { node = parent }
    guard let parent = node.parent else { return false }
    switch parent.type {
    case "variable_declarator":
      return parent.child(field: "value")?.byteRange == node.byteRange && parent.child(field: "type") != nil
    case "satisfies_expression", "as_expression":
      // `{…} as const` fixes nothing
      return parent.children.first?.byteRange == node.byteRange && !parent.text.hasSuffix("as const")
    default:
      return false
    }
  }

  /// Whether an object literal is an argument of a call or `new`, directly or inside other literals, a
  /// parenthesis, a type assertion, or as the returned body of an arrow function that is itself the argument
  /// (`f({ a: { m() {} } })`, `f([{ m() {} }])`, `f(() => ({ m() {} }))`, `f({…} as Storage)`).
  static func isPassedAsArgument(_ object: Node) -> Bool {
    var node = object
    for _ in 0..<8 {
      guard let parent = node.parent else { return false }
      switch parent.type {
      case "arguments": return true
      case "pair":
        guard parent.child(field: "value")?.byteRange == node.byteRange else { return false }
      case "object", "array", "parenthesized_expression", "as_expression", "satisfies_expression",
        "non_null_expression", "spread_element":
        break
      case "arrow_function":
        guard parent.child(field: "body")?.byteRange == node.byteRange else { return false }
      default: return false
      }
      node = parent
    }
    return false
  }

  /// Whether every path through the function ends in a `throw`: it has no `return` of its own, and a statement of
  /// its body throws on every path (`throw …`, or an `if` whose branches both do, or a block that does). Such a
  /// function is a stub or a test double (`getItem: async () => { await sleep(10); throw new Error(…) }`, an
  /// exercise's `throw new Error('Remove this line and implement the function')`): its body says nothing about
  /// what the name promises.
  public static func everyPathThrows(unit: Syntax.FunctionUnit, tree: Tree) -> Bool {
    guard let body = tree.root.descendant(for: unit.bodyRange), body.type == "statement_block" else { return false }
    var returns = false
    visitOwn(body) { n in if n.type == "return_statement" { returns = true } }
    return !returns && alwaysThrows(body)
  }

  /// Whether a statement throws on every path (without looking at loops, `try` or `switch`: those answer no).
  static func alwaysThrows(_ node: Node) -> Bool {
    switch node.type {
    case "throw_statement": return true
    case "statement_block": return node.namedChildren.contains(where: alwaysThrows)
    case "else_clause": return node.namedChildren.contains(where: alwaysThrows)
    case "if_statement":
      guard let then = node.child(field: "consequence"), let otherwise = node.child(field: "alternative") else {
        return false
      }
      return alwaysThrows(then) && alwaysThrows(otherwise)
    default: return false
    }
  }

  /// `setX…`: `set` then an upper-case letter (a state setter such as `setSession`), not `settle` or `set`.
  static func isSetterName(_ name: String) -> Bool {
    guard name.hasPrefix("set"), let next = name.dropFirst(3).first else { return false }
    return next.isUppercase
  }

  /// A name with an `on` subtoken after the first (`getRequest_onsuccess`, `getRequestOnSuccess`): an event handler.
  static func isHandlerName(_ name: String) -> Bool {
    let parts = identifierSubtokens(name).map { $0.lowercased() }
    guard parts.count > 1 else { return false }
    return parts.dropFirst().contains { $0 == "on" || ($0.count > 4 && $0.hasPrefix("on") && name.contains("_on")) }
  }

  static let httpMethods: Set<String> = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
  ]
  static let proxyTraps: Set<String> = [
    "get", "set", "has", "deleteProperty", "apply", "construct", "defineProperty", "getOwnPropertyDescriptor",
    "getPrototypeOf", "setPrototypeOf", "isExtensible", "preventExtensions", "ownKeys",
  ]
  static let protocolMethods: Set<String> = [
    "toString", "toJSON", "valueOf", "toLocaleString", "then", "catch", "finally", "next", "return", "throw",
    "handleEvent", "inspect",
  ]
  static let lifecycleHooks: Set<String> = [
    "render", "componentDidMount", "componentDidUpdate", "componentWillUnmount", "shouldComponentUpdate",
    "getDerivedStateFromProps", "getSnapshotBeforeUpdate", "componentDidCatch", "getDerivedStateFromError",
    "connectedCallback", "disconnectedCallback", "attributeChangedCallback", "adoptedCallback", "ngOnInit",
    "ngOnChanges", "ngOnDestroy", "ngAfterViewInit", "ngAfterContentInit", "ngDoCheck", "mounted", "created",
    "beforeMount", "beforeDestroy", "destroyed", "updated", "setup", "data", "getInitialState",
    "getDefaultProps",
  ]

  static let functionTypes: Set<String> = [
    "function_declaration", "function_expression", "function", "arrow_function", "method_definition",
    "generator_function_declaration", "generator_function", "class_declaration", "class",
  ]

  /// Visits `node`'s descendants without entering nested functions or classes.
  static func visitOwn(_ node: Node, _ visit: (Node) -> Void) {
    node.walk { n in
      if n.byteRange != node.byteRange, functionTypes.contains(n.type) { return false }
      visit(n)
      return true
    }
  }

  /// The first `top` predictions with distinct sets of subtokens: a beam often finishes the same words in
  /// several orders (`totalItems`, `itemsTotal`), which would fill a list of five with one idea. The best
  /// ordering of each set is kept, so the first prediction never changes.
  public static func distinctNames(_ predictions: [NamePrediction], top: Int) -> [NamePrediction] {
    var seen = Set<[String]>()
    var out: [NamePrediction] = []
    for p in predictions where out.count < top {
      if seen.insert(p.subtokens.map { $0.lowercased() }.sorted()).inserted { out.append(p) }
    }
    return out
  }

  /// The functions of a file a `path+siblings` head may read the names of: those the method-name dataset would keep
  /// (`MethodNames.example`), each with its name and start byte. Computed once per file, then `siblingNames` per unit.
  public static func siblingCandidates(_ fileUnits: [Syntax.FunctionUnit], in tree: Tree)
    -> [(name: String, start: Int)]
  {
    fileUnits.compactMap { u in MethodNames.example(for: u, in: tree).map { ($0.name, u.byteRange.lowerBound) } }
  }

  /// The names a `path+siblings` head reads beside `unit`: the other functions of `functions`
  /// (`siblingCandidates` of its file), nearest first (`NameInputContext.siblings`), as training saw them.
  public static func siblingNames(of unit: Syntax.FunctionUnit, among functions: [(name: String, start: Int)])
    -> [String]
  {
    if let own = functions.firstIndex(where: { $0.start == unit.byteRange.lowerBound }) {
      return NameInputContext.siblings(of: own, among: functions)
    }
    // the unit itself is not one the dataset keeps: every kept function is a sibling
    return NameInputContext.siblings(
      of: functions.count, among: functions + [(unit.name ?? "", unit.byteRange.lowerBound)])
  }

  /// Combines evidence scores as independent: 1 - Π(1 - sᵢ).
  public static func combine(_ scores: [Double]) -> Double { 1 - scores.reduce(1) { $0 * (1 - $1) } }

  /// Reports for every named function of a parsed file that the method-name dataset would keep (named,
  /// not a constructor, at least two statements; see `MethodNames.example`). Without `head`, only the
  /// deterministic evidence. `path` is the file's path, which a head trained with `--context path` reads (nil: the
  /// function alone). Only the evidence of `rules` counts (default: `defaultRules`). `showAll` shows every
  /// suggestion but does not make the model's disagreement count below the head's calibrated level.
  /// `siblingsFrom`: the file's `siblingCandidates` (default: those of `units`), whose names a head trained with
  /// `--context path+siblings` reads beside each function (`siblingNames`).
  public static func analyze(
    tree: Tree, units: [Syntax.FunctionUnit], head: NameHead?, path: String? = nil, top: Int = 5, beam: Int = 5,
    minGap: Double = 2, minProbability: Double = NameAnalysis.defaultMinProbability, showAll: Bool = false,
    rules: Set<MismatchRule> = NameAnalysis.defaultRules, siblingsFrom: [(name: String, start: Int)]? = nil
  ) -> [NameReport] {
    // The display calibration: only suggestions at or above it are shown, and the model's disagreement
    // counts as mismatch evidence only from there (nothing, when no level reached the goals on valid).
    let gate = showAll ? nil : head?.display
    let calibration = head?.display
    var kept: [(unit: Syntax.FunctionUnit, example: MethodNameExample)] = []
    for unit in units {
      guard let ex = MethodNames.example(for: unit, in: tree) else { continue }
      kept.append((unit, ex))
    }
    // The beam and its top names as `eval names` decodes them (so the first suggestion is the one the
    // evaluation scores); orderings of the same words are then merged, which can leave fewer than `top`.
    let functions =
      head?.inputContext == .pathAndSiblings
      ? siblingsFrom ?? kept.map { (name: $0.example.name, start: $0.unit.byteRange.lowerBound) } : nil
    let model =
      (head?.analyze(
        inputs: kept.map { item in
          head?.modelInput(
            item.example.input, path: path, siblings: functions.map { siblingNames(of: item.unit, among: $0) })
            ?? item.example.input
        },
        current: kept.map(\.example.target), beam: max(beam, top), top: top)
      ?? []).map { (predictions: distinctNames($0.predictions, top: top), current: $0.current) }
    let lines = LineIndex(tree.bytes)
    var out: [NameReport] = []
    for (k, item) in kept.enumerated() {
      let unit = item.unit
      var evidence: [NameReport.Evidence] = []
      var suggestions: [NameReport.Suggestion] = []
      var currentScore: Double?
      var hidden = 0
      // A name the API fixes (a Proxy trap, `toString`, an override…) is never evidence of a mismatch.
      // …nor is a stub whose every path throws: its body says nothing about what the name promises.
      let fixedByAPI = unit.name.map { nameIsFixedByAnInterface($0, unit: unit, tree: tree) } ?? false
      let fixed = fixedByAPI || everyPathThrows(unit: unit, tree: tree)
      if k < model.count {
        let m = model[k]
        var shown = m.predictions.enumerated().filter { gate?.shows($0.element, position: $0.offset) ?? true }
        // Where an API fixes the name, another name is no suggestion: renaming would break the contract (the
        // rename action would rename a Visitor's `enter`). Only the name as written may be shown (`showAll` lists all).
        if fixedByAPI && !showAll { shown = shown.filter { $0.element.subtokens == item.example.target } }
        hidden = m.predictions.count - shown.count
        // Spelled as the code spells the current name (`_mergeConfig`, `toJSON`, `MAX_SIZE`): the same words are
        // the same name, and a rename keeps the name's decoration and convention.
        let current = unit.name ?? item.example.name
        suggestions = shown.map {
          .init(
            name: spellIdentifier($0.element.subtokens, like: current), probability: $0.element.probability,
            score: $0.element.score,
            confidence: calibration?.confidence?.probability(of: $0.element, position: $0.offset))
        }
        // A name another declaration of the same scope already has is no suggestion: the rename would clash with
        // it, and it is usually the file's name copied (`function Id()` in `App.tsx` beside `function App()`).
        if !showAll, !suggestions.isEmpty {
          let taken = takenNames(besides: unit, in: tree)
          let before = suggestions.count
          suggestions.removeAll { $0.name != current && taken.contains($0.name) }
          hidden += before - suggestions.count
        }
        // the model's reading is evidence only when it is sure: its best name passes the head's display calibration, whether or not `showAll` lists more (and, without a calibrated confidence,
        // has the decoder probability `minProbability`)
        let sure =
          m.predictions.first.map { best in
            (calibration?.shows(best, position: 0) ?? true)
              && (calibration?.confidence != nil || best.probability >= minProbability)
          } ?? false
        if let cur = m.current {
          currentScore = cur.score
          let e =
            fixed || !sure
            ? (score: 0, reason: nil)
            : modelEvidence(
              current: item.example.target, currentScore: cur.score, predictions: m.predictions, minGap: minGap)
          if let r = e.reason { evidence.append(.init(rule: .model, score: e.score, reason: r)) }
        }
      }
      for r in fixed ? [] : bodyFindings(unit: unit, tree: tree, subtokens: item.example.target) {
        evidence.append(.init(rule: r.rule, score: ruleWeight, reason: r.reason))
      }
      let at = lines.utf16Position(ofByte: unit.nameRange?.lowerBound ?? unit.byteRange.lowerBound)
      var report = NameReport(
        name: item.example.name, kind: unit.kind.rawValue, line: at.line + 1, character: at.character,
        suggestions: suggestions, currentScore: currentScore, mismatch: false, mismatchScore: 0, reasons: [],
        hidden: hidden, evidence: evidence)
      if fixedByAPI { report.fixedByAPI = true }
      out.append(report.applying(rules: rules))
    }
    return out
  }
}

// MARK: - A loaded head for other modules

/// The name head as the language server holds it: loading and per-function suggestions.
public final class NameModel: @unchecked Sendable {
  public let head: NameHead

  public init(head: NameHead) { self.head = head }

  /// `NameHead.loadDefault(explicit:)`.
  public static func loadDefault(explicit: String? = nil) throws -> NameModel {
    NameModel(head: try NameHead.loadDefault(explicit: explicit))
  }

  /// The head folder.
  public var directory: String { head.directory.path }

  /// The top names for one function that the head's display calibration lets through, as `NameAnalysis.analyze`
  /// lists them (so no name where an API fixes it but the name as written; empty when the dataset would skip the
  /// function: unnamed, a constructor, a one-letter name or a body of fewer than two statements).
  public func suggestions(
    for unit: Syntax.FunctionUnit, in tree: Tree, path: String? = nil, top: Int = 5, beam: Int = 5
  ) -> [NameReport.Suggestion] {
    NameAnalysis.analyze(
      tree: tree, units: [unit], head: head, path: path, top: top, beam: beam, rules: [],
      siblingsFrom: head.inputContext == .pathAndSiblings
        ? NameAnalysis.siblingCandidates(extractUnits(from: tree), in: tree) : nil
    ).first?
      .suggestions
      ?? []
  }
}
