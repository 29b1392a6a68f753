import Syntax

/// What the code says about the outer structure of a site's type while leaving the inner type open:
/// generate-then-rank for type arguments and unions. The head and the name prior rank inner types; a site's
/// shape rewrites each of their candidates into the shape the code demands (`T` → `Promise<T>` for an async
/// function's return) and merges candidates that become the same type, so the ranking stays the learned one.
///
/// Shapes, each read off the syntax alone:
/// - an `async` function's return is `Promise<…>` (the compiler demands it);
/// - a function whose `return`s give a value and also nothing (`return;`, `return undefined`) returns
///   `… | undefined`; a value and `null`: `… | null`; a returned expression says so itself too (session 21):
///   `e || null` / `e ?? null` gives `null`, an optional chain (`a?.b`) or `xs.find(…)` nothing;
/// - a function every one of whose `return`s gives an array the code makes (`[]`, `.map(…)`, `.filter(…)`,
///   `Object.keys(…)`, …, or a local variable initialised with one of those) returns an array `…[]` (a
///   non-empty array literal may be a tuple: not counted);
/// - a variable or class property initialised with `null` is `… | null`, with `undefined` `… | undefined`;
/// - a variable or class property initialised with `[]`, or with a call that always makes an array (`.map(…)`, `.filter(…)`,
///   `.slice()` of one of those, `Array.from(…)`, `Object.keys(…)`/`values`/`entries`, `.split(…)`), is an array
///   `…[]`;
/// - a variable initialised with `new Map()` / `new Set()` / `new WeakMap()` without type arguments keeps only
///   candidates of that generic;
/// - anywhere: a bare generic name `G` that the file only ever writes with type arguments is replaced by the
///   application `G<…>` the file writes most (`InternalOptions` → `InternalOptions<Node, ElementNode>`): a bare
///   generic without defaults does not compile.
public enum TypeShapes {
  /// The outer structure of one site's type.
  public enum Shape: Sendable, Equatable {
    case promise
    case orUndefined
    case orNull
    case array
    /// Only applications of this generic (`Map<…>`).
    case generic(String)
    /// `Promise<inner>` of an async function whose returns also demand `inner`.
    indirect case promiseOf(Shape)

    /// `type` (normalised) in this shape; nil when it cannot take it (`void` as an array element).
    public func apply(_ type: String) -> String? {
      let n = TypeAccuracy.normalize(type)
      switch self {
      case .promise:
        return n.hasPrefix("Promise<") ? n : "Promise<\(n)>"
      case .promiseOf(let inner):
        if n.hasPrefix("Promise<"), n.hasSuffix(">") {
          let body = String(n.dropFirst("Promise<".count).dropLast())
          return inner.apply(body).map { "Promise<\($0)>" }
        }
        return inner.apply(n).map { "Promise<\($0)>" }
      case .orUndefined, .orNull:
        let extra = self == .orUndefined ? "undefined" : "null"
        if TypeShapes.empty.contains(n) { return nil }
        let (members, isFunction) = TypeShapes.topLevel(n)
        if members.contains(extra) { return n }
        // A bare function type takes parentheses: `() => void | null` would return the union.
        if isFunction { return "(\(n))|" + extra }
        return n + "|" + extra
      case .array:
        if n.hasSuffix("[]") || n.hasPrefix("Array<") || n.hasPrefix("ReadonlyArray<") { return n }
        if TypeShapes.empty.contains(n) { return nil }
        let needsParentheses = n.contains("|") || n.contains("&") || n.contains("=>")
        return needsParentheses ? "(\(n))[]" : n + "[]"
      case .generic(let name):
        return n.hasPrefix(name + "<") ? n : nil
      }
    }
  }

  /// Types that are no value's inner type: they vanish in a union or an array.
  static let empty: Set<String> = ["void", "undefined", "null", "never", "any", "unknown"]

  /// The members of a union at the top level (not inside `<…>`, `(…)`, `[…]` or `{…}`); a function type is one
  /// member. The `>` of a function type's arrow (`=>`) closes nothing: counted as a closer it made
  /// `(() => void) | null` one member, so the `| null` shape stacked a second `null` on it (session 11).
  static func topLevelMembers(_ type: String) -> [String] { topLevel(type).members }

  /// One scan for both: the union's top-level members, or the whole type as its one member when an arrow
  /// stands outside every bracket (then it is a function type: `() => A | B` returns the union).
  private static func topLevel(_ type: String) -> (members: [String], isFunction: Bool) {
    var out: [String] = []
    var depth = 0
    var current = ""
    var previous: Character?
    for c in type {
      switch c {
      case "<", "(", "[", "{": depth += 1
      case ">" where previous == "=":
        if depth == 0 { return ([type], true) }
      case ">", ")", "]", "}": depth -= 1
      default: break
      }
      previous = c
      if c == "|" && depth == 0 {
        out.append(current)
        current = ""
      } else {
        current.append(c)
      }
    }
    out.append(current)
    return (out, false)
  }

  /// A file's shapes: per site (anchor and dataset kind: `parameter`, `return`, `variable`, `property`) and the
  /// file's generic applications for bare generic names.
  public struct FileShapes: Sendable {
    public var sites: [String: Shape] = [:]
    /// Bare generic name → the application the file writes most (first written on a tie), for generics the file
    /// never writes bare in a type.
    public var applications: [String: String] = [:]
    /// Imported generics to expand: a bare name the file imports from a package (not a relative module; and
    /// neither declares, applies nor writes bare in a type) that the train labels apply to type arguments (`TypeNamePrior.generics`), with its arity and
    /// the train's most frequent lib application (`ElementRef<HTMLElement>`) if any.
    public var imported: [String: TypeNamePrior.GenericUse] = [:]
    /// The file's argument names for those generics (declared types; imported upper-case names never used as a
    /// value), each with the byte offsets of its mentions, in order of first mention.
    public var arguments: [(name: String, mentions: [Int])] = []

    public init() {}

    /// At most this many applications replace one bare imported generic.
    public static let expansionLimit = 3
    /// The share of the bare name's probability (or confidence) each application takes, in order: the first
    /// takes its place in the list.
    public static let expansionShares: [Float] = [1, 0.5, 0.25]

    /// The applications that replace a bare imported generic `name` at the site at `anchor`, best first: the
    /// train's lib application, then `name<X>` for the argument names `X` whose nearest mention is closest to
    /// the site (ties by first mention); nil when `name` is not one to expand.
    public func expansions(of name: String, anchor: Int) -> [String]? {
      guard let use = imported[name] else { return nil }
      var out: [String] = []
      if let application = use.application { out.append(application) }
      if use.arity == 1 {
        let ranked = arguments.enumerated()
          .filter { $0.element.name != name }
          .map { (distance: $0.element.mentions.map { abs($0 - anchor) }.min() ?? Int.max, $0.offset, $0.element.name) }
          .sorted { ($0.distance, $0.1) < ($1.distance, $1.1) }
        for r in ranked where out.count < Self.expansionLimit {
          let t = "\(name)<\(r.2)>"
          if !out.contains(t) { out.append(t) }
        }
      }
      return out.isEmpty ? nil : Array(out.prefix(Self.expansionLimit))
    }

    /// A candidate rewritten for a site: each type it becomes with the share of its score it takes (one, or the
    /// applications of a bare imported generic).
    func rewritten(_ type: String, shape: Shape?, anchor: Int) -> [(type: String, share: Float)] {
      var t = TypeAccuracy.normalize(type)
      if let application = applications[t] { t = application }
      if let expanded = expansions(of: t, anchor: anchor) {
        return zip(expanded, Self.expansionShares).compactMap { e, share in
          (shape.map { $0.apply(e) } ?? e).map { ($0, share) }
        }
      }
      guard let shape else { return [(t, Float(1))] }
      return shape.apply(t).map { [($0, Float(1))] } ?? []
    }

    static func key(_ anchor: Int, _ kind: String) -> String { "\(anchor):\(kind)" }

    public func shape(anchor: Int, kind: String) -> Shape? { sites[Self.key(anchor, kind)] }

    /// One ranked list rewritten for a site: bare generics replaced by their application, then the site's shape
    /// applied; candidates that become the same type are merged (probabilities added), best first, ties in the
    /// list's order.
    public func shaped(_ ranked: [(type: String, probability: Float)], anchor: Int, kind: String)
      -> [(type: String, probability: Float)]
    {
      let shape = shape(anchor: anchor, kind: kind)
      guard shape != nil || !applications.isEmpty || !imported.isEmpty else { return ranked }
      var order: [String] = []
      var total: [String: Float] = [:]
      for (type, p) in ranked {
        for (t, share) in rewritten(type, shape: shape, anchor: anchor) {
          if total[t] == nil { order.append(t) }
          total[t, default: 0] += p * share
        }
      }
      return order.enumerated()
        .sorted {
          total[$0.element]! != total[$1.element]! ? total[$0.element]! > total[$1.element]! : $0.offset < $1.offset
        }
        .map { ($0.element, total[$0.element]!) }
    }

    /// The name prior's candidates for a site, rewritten the same way (merged candidates keep the higher
    /// confidence: the prior's confidences are shares of one name's sites, not of one distribution).
    public func shaped(_ prior: [TypeNamePrior.Candidate], anchor: Int, kind: String) -> [TypeNamePrior.Candidate] {
      let shape = shape(anchor: anchor, kind: kind)
      guard shape != nil || !applications.isEmpty || !imported.isEmpty else { return prior }
      var out: [TypeNamePrior.Candidate] = []
      for original in prior {
        for (t, share) in rewritten(original.type, shape: shape, anchor: anchor) {
          var c = original
          c.confidence *= Double(share)
          if let i = out.firstIndex(where: { $0.type == t }) {
            out[i].confidence = max(out[i].confidence, c.confidence)
            continue
          }
          if t != TypeAccuracy.normalize(c.type) { c.reason += " (shaped by the code)" }
          c.type = t
          out.append(c)
        }
      }
      return out.enumerated()
        .sorted {
          $0.element.confidence != $1.element.confidence
            ? $0.element.confidence > $1.element.confidence : $0.offset < $1.offset
        }
        .map(\.element)
    }

  }

  /// The shapes of every site of `tree` (anchors as `TypeSites` and the types dataset place them). With
  /// `generics` (the train labels' generic names, `TypeNamePrior.generics`), bare imported generics are expanded
  /// into applications to the file's types (`FileShapes.expansions`).
  public static func shapes(in tree: Tree, generics: [String: TypeNamePrior.GenericUse]? = nil) -> FileShapes {
    var out = FileShapes()
    var applied: [String: [String: Int]] = [:]  // generic → application → count
    var firstSeen: [String: Int] = [:]
    var bare: Set<String> = []
    var order = 0
    tree.root.walk { node in
      switch node.type {
      case "function_declaration", "function_expression", "function", "arrow_function", "method_definition":
        if let site = TypeSites.returnSite(of: node), let shape = returnShape(node) {
          out.sites[FileShapes.key(site.anchor, "return")] = shape
        }
      case "variable_declarator":
        if node.child(field: "type") == nil, let name = node.child(field: "name"), name.type == "identifier",
          let value = node.child(field: "value"), let shape = initialiserShape(value)
        {
          out.sites[FileShapes.key(name.endByte, "variable")] = shape
        }
      case "public_field_definition":
        if let (_, anchor) = TypeSites.unannotatedProperty(node), let value = node.child(field: "value"),
          let shape = initialiserShape(value)
        {
          out.sites[FileShapes.key(anchor, "property")] = shape
        }
      case "generic_type":
        if let name = node.child(field: "name"), !node.hasError {
          let text = TypeAccuracy.normalize(node.text)
          applied[name.text, default: [:]][text, default: 0] += 1
          if firstSeen[text] == nil {
            firstSeen[text] = order
            order += 1
          }
        }
        return false
      case "type_identifier":
        // A type name written without arguments (not the name of a declaration or of a generic_type).
        if let parent = node.parent, parent.type != "generic_type",
          !TypeCandidates.declarationTypes.contains(parent.type), parent.type != "type_parameter"
        {
          bare.insert(node.text)
        }
      default:
        break
      }
      return true
    }
    for (name, texts) in applied where !bare.contains(name) {
      let best = texts.max { a, b in a.value != b.value ? a.value < b.value : firstSeen[a.key]! > firstSeen[b.key]! }
      if let best { out.applications[name] = best.key }
    }
    if let generics, !generics.isEmpty {
      importedGenerics(in: tree, generics: generics, applied: Set(applied.keys), bare: bare, into: &out)
    }
    return out
  }

  /// Fills `imported` and `arguments` (see `FileShapes`).
  static func importedGenerics(
    in tree: Tree, generics: [String: TypeNamePrior.GenericUse], applied: Set<String>, bare: Set<String>,
    into out: inout FileShapes
  ) {
    var imports: [String] = []
    var declared: [String] = []
    var declarationNames: Set<Int> = []
    var packageImports: Set<String> = []
    tree.root.walk { node in
      switch node.type {
      case "import_statement":
        // Only a package's names (`rxjs`, `@angular/core/testing`) are read as the train labels' generics: a
        // relative module is the project's own code, and its name may be a different type that another train
        // package declares generic (cheerio's `InternalOptions`, css-select's `InternalOptions<Node, E>`).
        let relative = node.child(field: "source").map { $0.text.dropFirst().hasPrefix(".") } ?? true
        node.walk { n in
          guard n.type == "import_specifier" else { return true }
          if let name = n.child(field: "alias") ?? n.child(field: "name") {
            imports.append(name.text)
            if !relative { packageImports.insert(name.text) }
          }
          return false
        }
        return false
      case "class_declaration", "abstract_class_declaration", "interface_declaration", "type_alias_declaration",
        "enum_declaration":
        if let name = node.child(field: "name") {
          declared.append(name.text)
          declarationNames.insert(name.startByte)
        }
      default:
        break
      }
      return true
    }
    let declaredSet = Set(declared)
    for name in packageImports where !declaredSet.contains(name) && !applied.contains(name) && !bare.contains(name) {
      if let use = generics[name], use.arity == 1 || use.application != nil { out.imported[name] = use }
    }
    guard !out.imported.isEmpty else { return }
    let candidates = Set(declared + imports.filter { $0.first?.isUppercase == true })
      .filter { generics[$0] == nil }
    var mentions: [String: [Int]] = [:]
    var firstMention: [String: Int] = [:]
    var values: Set<String> = []
    tree.root.walk { node in
      switch node.type {
      case "import_statement":
        return false
      case "identifier", "type_identifier":
        let name = node.text
        guard candidates.contains(name), !declarationNames.contains(node.startByte) else { return true }
        mentions[name, default: []].append(node.startByte)
        if firstMention[name] == nil { firstMention[name] = node.startByte }
        if let parent = node.parent,
          (parent.type == "member_expression" && node.fieldName == "object")
            || (parent.type == "call_expression" && node.fieldName == "function") || parent.type == "decorator"
        {
          values.insert(name)
        }
      default:
        break
      }
      return true
    }
    let importedSet = Set(imports)
    out.arguments = candidates
      .filter { declaredSet.contains($0) || !(importedSet.contains($0) && values.contains($0)) }
      .map { (name: $0, mentions: mentions[$0] ?? []) }
      .sorted { (firstMention[$0.name] ?? Int.max, $0.name) < (firstMention[$1.name] ?? Int.max, $1.name) }
  }

  /// Parses `text` and returns its shapes (none when it does not parse).
  public static func shapes(
    in text: String, tsx: Bool, generics: [String: TypeNamePrior.GenericUse]? = nil
  ) -> FileShapes {
    guard let tree = try? Parser(language: tsx ? .tsx : .typescript).parse(text) else { return FileShapes() }
    return shapes(in: tree, generics: generics)
  }

  // MARK: - Returns

  /// An async function's `Promise<…>` (with the inner shape its returns demand), else the returns' shape.
  static func returnShape(_ node: Node) -> Shape? {
    let keywords = Set(node.children.filter { !$0.isNamed }.map(\.text))
    let inner: Shape?
    if let body = node.child(field: "body"), body.type == "statement_block" {
      var values: [Node] = []
      var bare = false
      TypeEvidence.collectReturns(in: body, values: &values, bare: &bare)
      let undefinedValues = values.filter { isUndefined($0) }.count
      let nullValues = values.filter { $0.type == "null" }.count
      let real = values.count - undefinedValues - nullValues
      // Values that say "maybe nothing" in their own syntax (session 21): `e || null`, `a?.b`, `xs.find(…)`.
      let parts = values.map(nothingPart)
      let maybeNull = nullValues > 0 || parts.contains { $0 == .null }
      let maybeUndefined = bare || undefinedValues > 0 || parts.contains { $0 == .undefined }
      if real > 0 && maybeUndefined && !maybeNull {
        inner = .orUndefined
      } else if real > 0 && maybeNull && !maybeUndefined {
        inner = .orNull
      } else if real > 0 && !maybeNull && !maybeUndefined && returnsArrays(values, body: body) {
        inner = .array
      } else {
        inner = nil
      }
    } else {
      inner = nil
    }
    if keywords.contains("async") && !keywords.contains("*") { return inner.map { .promiseOf($0) } ?? .promise }
    return inner
  }

  /// What a returned expression may give besides a value, read off its own syntax: `null` for `e || null` and
  /// `e ?? null`; `undefined` for an optional chain at the top of the expression (`a?.b`, `a?.[k]`, `a?.m()`, also
  /// continued: `a?.b.c`) and for a call of `find` / `findLast` with a function written in place as its first argument
  /// (`xs.find((x) => …)`); nil otherwise (a `null` or
  /// `undefined` literal is counted apart).
  static func nothingPart(_ value: Node) -> NothingPart? {
    switch value.type {
    case "binary_expression":
      guard let op = value.child(field: "operator")?.text, op == "||" || op == "??",
        let right = value.child(field: "right"), right.type == "null"
      else { return nil }
      return .null
    case "member_expression", "subscript_expression", "call_expression":
      // An array's `find(predicate)`: the predicate written in place. jQuery's and cheerio's `find(selector)` and
      // mongoose's `find(filter)` return objects, never `undefined`.
      if value.type == "call_expression", let function = value.child(field: "function"),
        function.type == "member_expression", let property = function.child(field: "property"),
        property.text == "find" || property.text == "findLast",
        let first = value.child(field: "arguments")?.namedChildren.first(where: { $0.type != "comment" }),
        functionExpressions.contains(first.type)
      {
        return .undefined
      }
      var node: Node? = value
      while let n = node, ["member_expression", "subscript_expression", "call_expression"].contains(n.type) {
        // `a?.b` and `a?.[k]` hold an `optional_chain` node; a call `f?.()` holds the bare `?.` token.
        if n.children.contains(where: { $0.type == "optional_chain" || $0.type == "?." }) { return .undefined }
        node = n.child(field: n.type == "call_expression" ? "function" : "object")
      }
      return nil
    default:
      return nil
    }
  }

  enum NothingPart { case null, undefined }

  /// Function literals: an array predicate written in place.
  static let functionExpressions: Set<String> = ["arrow_function", "function_expression", "function"]

  /// Every value is an array the code makes: an empty `[]`, a call that always gives an array, or a variable
  /// declared in `body` with such an initialiser.
  static func returnsArrays(_ values: [Node], body: Node) -> Bool {
    var arrays: Set<String>?
    for value in values {
      switch value.type {
      case "array", "call_expression":
        guard initialiserShape(value) == .array else { return false }
      case "identifier":
        if arrays == nil { arrays = arrayVariables(in: body) }
        guard arrays?.contains(value.text) == true else { return false }
      default:
        return false
      }
    }
    return !values.isEmpty
  }

  /// Names of the variables declared in `body` (outside nested functions) with an array-making initialiser.
  static func arrayVariables(in body: Node) -> Set<String> {
    var out: Set<String> = []
    var other: Set<String> = []
    body.walk { node in
      switch node.type {
      case "function_declaration", "function_expression", "function", "arrow_function", "method_definition",
        "class_declaration", "class":
        return false
      case "variable_declarator":
        if let name = node.child(field: "name"), name.type == "identifier" {
          if let value = node.child(field: "value"), initialiserShape(value) == .array {
            out.insert(name.text)
          } else {
            other.insert(name.text)
          }
        }
      default:
        break
      }
      return true
    }
    return out.subtracting(other)
  }

  static func isUndefined(_ node: Node) -> Bool {
    (node.type == "undefined" || node.type == "identifier") && node.text == "undefined"
  }

  // MARK: - Initialisers

  /// Methods whose call always gives an array, whatever the receiver (on arrays; `.split` on strings).
  static let arrayMethods: Set<String> = ["map", "filter", "flatMap", "split"]
  /// `Array.from`, `Object.keys`, … : static calls that give arrays.
  static let arrayStatics: Set<String> = [
    "Array.from", "Array.of", "Object.keys", "Object.values", "Object.entries",
  ]
  /// Built-in generics whose constructor without type arguments says the variable is that generic.
  static let constructorGenerics: Set<String> = ["Map", "Set", "WeakMap", "WeakSet"]

  static func initialiserShape(_ value: Node) -> Shape? {
    switch value.type {
    case "array":
      return value.namedChildren.filter { $0.type != "comment" }.isEmpty ? .array : nil
    case "call_expression":
      guard let function = value.child(field: "function") else { return nil }
      if function.type == "member_expression", let property = function.child(field: "property") {
        if arrayStatics.contains(function.text) { return .array }
        if arrayMethods.contains(property.text) { return .array }
      }
      return nil
    case "null":
      return .orNull
    case "undefined", "identifier":
      return isUndefined(value) ? .orUndefined : nil
    case "new_expression":
      guard let ctor = value.child(field: "constructor"), ctor.type == "identifier",
        constructorGenerics.contains(ctor.text), value.child(field: "type_arguments") == nil
      else { return nil }
      return .generic(ctor.text)
    default:
      return nil
    }
  }
}
