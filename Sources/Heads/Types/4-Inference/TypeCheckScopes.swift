import Syntax

/// Which parts of a file the compiler's verdict on an annotation can depend on, so that a verdict survives
/// edits elsewhere and a check reads only the part of the file that matters (the editor's hints after an edit:
/// docs/LSP.md, "Verdicts across edits").
///
/// The file is cut into **units**: its top-level statements, each with the comments right before it (a
/// `// @ts-expect-error` belongs to the statement it silences). Units are **linked** when one mentions a name
/// that the other declares, or both declare it: a top-level name (a function, class, variable, type, enum,
/// namespace) or a member name (a class or interface member, an object literal's key, an enum member). A mention
/// is any identifier, type name, property name or identifier-shaped string in the unit, wherever it sits
/// (`a.m`, `a["m"]`, a local that happens to share the name), so linking over-approximates every way one
/// statement's types can reach another's within the file. A **component** is a set of units linked directly or
/// through others. The **environment** is what can change every unit's types without a name: the import and
/// re-export statements, `export { … }` and `export =` lists, `declare global` and `declare module "m"` blocks,
/// pragma comments (`/// <reference …>`, `@ts-nocheck`, `@jsx`), declarations that reuse a global lib type's name
/// (in a script, any interface or namespace, since it can merge with a global one), and whether the file is a
/// module at all. A file with a syntax error is one component whose environment is its whole text (no verdict
/// outlives an edit there).
///
/// An annotation at a site changes the types of names its unit declares, so the diagnostics it can add lie in
/// units that mention those names, whose own diagnostics depend on the names they mention in turn: all inside the
/// site's component. Its **reach** is that component, joined with the components of the units that declare a
/// name its candidate types mention (a `: Query` links to `class Query`, and to a `Query` declared later). The
/// verdict depends only on the reach's texts, in order, and the environment: what `key(for:types:)` hashes, and
/// what `scopedText(keeping:)` keeps when it blanks the rest of the file (so a check re-reads a few statements,
/// not the file). The diagnostics of the other units are the same with and without the annotation, and the
/// checker compares diagnostic counts, which add up over independent units.
public struct TypeCheckScopes: Sendable {
  /// The units' byte ranges, in order (leading comments included).
  public let units: [Range<Int>]
  /// Per unit: its component, or nil for a unit of the environment.
  let component: [Int?]
  /// Per component: its units, in order.
  let members: [[Int]]
  /// Per component: a hash of its units' texts, in order.
  let componentHash: [Int]
  /// A hash of everything that is not a component: the environment's units, module or script, syntax errors.
  public let environment: Int
  /// Names declared in the file (top-level and member names) → the component of a unit that declares it.
  let declaredIn: [String: Int]
  /// Whether the file has an import or export (blanking must not turn it into a script).
  let isModule: Bool
  /// Pragma comments between units (`/// <reference …>`, `@ts-nocheck`): kept in every scoped text.
  let pragmas: [Range<Int>]
  let bytes: [UInt8]

  /// How many components the file has.
  public var componentCount: Int { members.count }

  public init(tree: Tree) {
    let root = tree.root
    bytes = tree.bytes
    var units: [Range<Int>] = []
    var environmentUnit: [Bool] = []
    var declared: [Set<String>] = []
    var mentioned: [Set<String>] = []
    var environment = Hasher()
    var pragmas: [Range<Int>] = []
    var pendingComments: Int?
    let children = root.children
    let isModule = children.contains { $0.type == "import_statement" || $0.type == "export_statement" }
    for child in children {
      if child.type == "comment" {
        let text = child.text
        if Self.isPragma(text) {
          environment.combine(text)
          pragmas.append(child.byteRange)
        } else if pendingComments == nil {
          pendingComments = child.startByte
        }
        continue
      }
      let range = (pendingComments ?? child.startByte)..<child.endByte
      pendingComments = nil
      let names = Self.names(in: child)
      let top = Self.declaredNames(of: child)
      let inEnvironment =
        Self.isEnvironment(child)
        || top.contains { TypeNames.globalTypes.contains($0) }
        || (!isModule && Self.mayMergeWithGlobals(child))
      units.append(range)
      environmentUnit.append(inEnvironment)
      declared.append(top.union(names.members))
      mentioned.append(names.mentions)
      if inEnvironment { environment.combine(bytes[range]) }
    }
    environment.combine(isModule)
    // Union-find over the units that are not the environment's.
    var sets = DisjointSets(count: units.count)
    var declarer: [String: Int] = [:]
    for i in units.indices where !environmentUnit[i] {
      for name in declared[i] {
        if let other = declarer[name] { sets.union(i, other) } else { declarer[name] = i }
      }
    }
    for i in units.indices where !environmentUnit[i] {
      for name in mentioned[i] { if let other = declarer[name] { sets.union(i, other) } }
    }
    if tree.hasError {
      // No verdict outlives an edit of a file that does not parse: one component, the whole text as environment.
      environment.combine(bytes)
      for i in units.indices where !environmentUnit[i] { sets.union(i, units.indices.first { !environmentUnit[$0] } ?? i) }
    }
    var componentOfRoot: [Int: Int] = [:]
    var component = [Int?](repeating: nil, count: units.count)
    var members: [[Int]] = []
    for i in units.indices where !environmentUnit[i] {
      let r = sets.find(i)
      if let c = componentOfRoot[r] {
        component[i] = c
        members[c].append(i)
      } else {
        componentOfRoot[r] = members.count
        component[i] = members.count
        members.append([i])
      }
    }
    componentHash = members.map { units_ in
      var h = Hasher()
      for i in units_ {
        h.combine(i == units_.first ? 0 : 1)
        h.combine(tree.bytes[units[i]])
      }
      return h.finalize()
    }
    var declaredIn: [String: Int] = [:]
    for (name, unit) in declarer { declaredIn[name] = component[unit] }
    self.units = units
    self.component = component
    self.members = members
    self.environment = environment.finalize()
    self.declaredIn = declaredIn
    self.isModule = isModule
    self.pragmas = pragmas
  }

  // MARK: - Sites

  /// The unit whose bytes hold `offset` (an anchor at a unit's very end belongs to it).
  public func unit(containing offset: Int) -> Int? {
    var (lo, hi) = (0, units.count)
    while lo < hi {
      let mid = (lo + hi) / 2
      if units[mid].upperBound < offset { lo = mid + 1 } else { hi = mid }
    }
    guard lo < units.count, units[lo].lowerBound <= offset else { return nil }
    return lo
  }

  /// The components an annotation at `anchor` with these candidate types can reach: the anchor's unit's, and
  /// those of the units that declare a name the types mention. Nil: the anchor is in no component's unit (the
  /// environment, or between units), so the whole file is its reach.
  public func reach(anchor: Int, types: [String]) -> Set<Int>? {
    guard let unit = unit(containing: anchor), let own = component[unit] else { return nil }
    var reach: Set<Int> = [own]
    for type in types {
      for name in Self.identifiers(in: type) { if let c = declaredIn[name] { reach.insert(c) } }
    }
    return reach
  }

  /// What a verdict on one suggestion is kept under across versions of the file: the environment, the reach's
  /// texts in order, the site's place in them, its kind and the candidate types it was checked with.
  public struct Key: Hashable, Sendable {
    let scope: Int
    let offset: Int
    let kind: String
    let types: [String]
  }

  /// The key of a verdict on `suggestion` checked with `types` (its candidates at or above the bar, in order).
  public func key(for suggestion: TypeEvidence.Suggestion, types: [String]) -> Key {
    var h = Hasher()
    h.combine(environment)
    guard let reach = reach(anchor: suggestion.anchor, types: types), let unit = unit(containing: suggestion.anchor)
    else {
      // Not in a component: valid for this exact text only.
      h.combine(bytes)
      return Key(scope: h.finalize(), offset: suggestion.anchor, kind: suggestion.kind.rawValue, types: types)
    }
    let ordered = reach.sorted()
    for c in ordered { h.combine(componentHash[c]) }
    // Which unit of the reach (counted in the reach's own order) holds the site.
    var index = 0
    for c in ordered {
      if let k = members[c].firstIndex(of: unit) {
        index += k
        break
      }
      index += members[c].count
    }
    h.combine(index)
    return Key(
      scope: h.finalize(), offset: suggestion.anchor - units[unit].lowerBound, kind: suggestion.kind.rawValue,
      types: types)
  }

  /// The component of the unit that holds a byte offset of the file; nil for the environment or outside units.
  public func component(at offset: Int) -> Int? { unit(containing: offset).flatMap { component[$0] } }

  /// The file with only the environment and the given components' units kept; every other byte that is not a
  /// line break becomes a space, so offsets stay where they were. A module stays a module (`export {};` is
  /// appended when no kept unit imports or exports). Nil reach or every component: the text as it is.
  public func scopedText(keeping reach: Set<Int>?) -> [UInt8] {
    guard let reach, reach.count < members.count else { return bytes }
    var keep = [Bool](repeating: false, count: units.count)
    for (i, c) in component.enumerated() { keep[i] = c.map { reach.contains($0) } ?? true }
    var out = [UInt8](repeating: 0x20, count: bytes.count)
    var cursor = 0
    var keptModuleSyntax = false
    for (i, range) in units.enumerated() {
      for j in cursor..<range.lowerBound where bytes[j] == 0x0A || bytes[j] == 0x0D { out[j] = bytes[j] }
      if keep[i] {
        out.replaceSubrange(range, with: bytes[range])
        let head = bytes[range.lowerBound..<min(range.upperBound, range.lowerBound + 8)]
        if head.starts(with: Array("import".utf8)) || head.starts(with: Array("export".utf8)) {
          keptModuleSyntax = true
        }
      } else {
        for j in range where bytes[j] == 0x0A || bytes[j] == 0x0D { out[j] = bytes[j] }
      }
      cursor = range.upperBound
    }
    for j in cursor..<bytes.count where bytes[j] == 0x0A || bytes[j] == 0x0D { out[j] = bytes[j] }
    for range in pragmas { out.replaceSubrange(range, with: bytes[range]) }
    if isModule && !keptModuleSyntax { out.append(contentsOf: Array("\nexport {};\n".utf8)) }
    return out
  }

  // MARK: - Reading units

  static func isPragma(_ comment: String) -> Bool {
    comment.hasPrefix("///") || comment.contains("@ts-nocheck") || comment.contains("@ts-check")
      || comment.contains("@jsx")
  }

  /// Statements that change every unit's types without a name, or whose names come from other files.
  static func isEnvironment(_ node: Node) -> Bool {
    switch node.type {
    case "import_statement", "import_alias":
      return true
    case "export_statement":
      // `export … from`, `export { a, b }`, `export = x`: no declaration of its own.
      return node.child(field: "source") != nil
        || (node.child(field: "declaration") == nil && node.child(field: "value") == nil)
        || node.children.contains { $0.type == "=" }
    case "ambient_declaration":
      // `declare global { … }`, `declare module "m" { … }`.
      let text = node.text.dropFirst("declare".count).drop { $0 == " " || $0 == "\n" || $0 == "\t" }
      if text.hasPrefix("global") { return true }
      if let module = node.namedChildren.first, module.type == "module",
        module.child(field: "name")?.type == "string"
      {
        return true
      }
      return false
    default:
      return false
    }
  }

  /// In a script every top-level interface or namespace can merge with a global one of the lib.
  static func mayMergeWithGlobals(_ node: Node) -> Bool {
    var found = false
    node.walk { n in
      if ["interface_declaration", "module", "internal_module"].contains(n.type) { found = true }
      return !found && (n == node || n.type == "ambient_declaration" || n.type == "expression_statement")
    }
    return found
  }

  /// The names a top-level statement declares (its function, class, variables, type, enum or namespace).
  static func declaredNames(of node: Node) -> Set<String> {
    var d = node
    if d.type == "export_statement" {
      guard let declaration = d.child(field: "declaration") else { return [] }
      d = declaration
    }
    if d.type == "ambient_declaration", let inner = d.namedChildren.first { d = inner }
    if d.type == "expression_statement", let inner = d.namedChildren.first, inner.type == "internal_module" {
      d = inner
    }
    var out: Set<String> = []
    switch d.type {
    case "lexical_declaration", "variable_declaration":
      for declarator in d.namedChildren where declarator.type == "variable_declarator" {
        guard let name = declarator.child(field: "name") else { continue }
        name.walk { n in
          if n.type == "identifier" || n.type == "shorthand_property_identifier_pattern" { out.insert(n.text) }
          return true
        }
      }
    default:
      if let name = d.child(field: "name") {
        name.walk { n in
          if n.type == "identifier" || n.type == "type_identifier" { out.insert(n.text) }
          return true
        }
        if name.namedChildCount == 0 { out.insert(name.text) }
      }
    }
    return out
  }

  /// Every name a unit mentions, and the member names it declares (keys of classes, interfaces, object
  /// literals, enums: a property name that is not the right side of `a.b`).
  static func names(in unit: Node) -> (mentions: Set<String>, members: Set<String>) {
    var mentions: Set<String> = []
    var members: Set<String> = []
    let cursor = TreeCursor(unit)
    var ancestors: [String] = []
    var current = unit.type
    func visit(_ n: Node, type: String, parent: String?) {
      switch type {
      case "identifier", "type_identifier", "shorthand_property_identifier_pattern", "statement_identifier":
        mentions.insert(n.text)
      case "property_identifier", "private_property_identifier":
        let text = n.text
        mentions.insert(text)
        if parent != "member_expression" { members.insert(text) }
      case "shorthand_property_identifier":
        let text = n.text
        mentions.insert(text)
        members.insert(text)
      case "string_fragment":
        // `a["m"]` mentions `m`; a string is a declared member only as a key (below).
        let text = n.text
        if isIdentifier(text) { mentions.insert(text) }
      case "string":
        // `{ "m": 1 }`, `interface I { "m": T }`, `enum E { "A" }`: a member named by a string.
        if let parent, Self.keyParents.contains(parent), cursor.fieldName.map({ $0 == "key" || $0 == "name" }) ?? true {
          let text = String(n.text.dropFirst().dropLast())
          if isIdentifier(text) { members.insert(text) }
        }
      default:
        break
      }
    }
    visit(unit, type: current, parent: nil)
    outer: while true {
      if cursor.gotoFirstChild() {
        ancestors.append(current)
      } else {
        while !cursor.gotoNextSibling() {
          guard !ancestors.isEmpty, cursor.gotoParent() else { break outer }
          ancestors.removeLast()
        }
      }
      let n = cursor.node
      current = n.type
      visit(n, type: current, parent: ancestors.last)
    }
    return (mentions, members)
  }

  static let keyParents: Set<String> = [
    "pair", "property_signature", "method_signature", "method_definition", "public_field_definition",
    "abstract_method_signature", "enum_assignment", "enum_body",
  ]

  static func isIdentifier(_ text: String) -> Bool {
    guard let first = text.utf8.first, !(0x30...0x39).contains(first), text.utf8.count <= 128 else { return false }
    return text.utf8.allSatisfy { isIdentifierByte($0) }
  }

  static func isIdentifierByte(_ b: UInt8) -> Bool {
    (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == 0x5F || b == 0x24
      || b >= 0x80
  }

  /// The identifier-shaped words of a type's text (`Map<string, Query>` → Map, string, Query).
  static func identifiers(in type: String) -> Set<String> {
    var out: Set<String> = []
    var word: [UInt8] = []
    for b in type.utf8 {
      if isIdentifierByte(b) {
        word.append(b)
      } else {
        if !word.isEmpty, !(0x30...0x39).contains(word[0]) { out.insert(String(decoding: word, as: UTF8.self)) }
        word.removeAll(keepingCapacity: true)
      }
    }
    if !word.isEmpty, !(0x30...0x39).contains(word[0]) { out.insert(String(decoding: word, as: UTF8.self)) }
    return out
  }
}
