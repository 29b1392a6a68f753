import Syntax

// MARK: - FileLocalRename

/// The edits of renaming one function to a suggested name inside one file, or nil when that cannot be done safely
/// from this file alone. The editor's "Rename function to …" action offers only what this returns: a rename
/// that leaves a caller elsewhere, a `this.name()` call or a type query behind is worse than none.
///
/// Refused (nil): a name that is not a variable binding (a method or object member is a property key: its
/// callers are `x.name(…)` anywhere, which no scope analysis links); an exported binding (`export function f`,
/// `export { f }`: other modules import it by name); a program-scope binding of a script (neither an ES module
/// nor CommonJS: its top-level names are globals other scripts may use); bindings of a scope an `eval` or `with`
/// can observe; function declarations inside blocks (sloppy Annex B gives them a second binding); TypeScript
/// parameter properties; a new name that is reserved, not an identifier, already occurs anywhere in the file
/// (it could capture or be captured), or lower case where a JSX tag uses the name; and any occurrence of the old
/// name as a plain identifier that the analysis does not link to a binding (e.g. `typeof f` in a type).
/// Shorthand properties keep their key (`{f}` → `{f: g}`).
public enum FileLocalRename {
  public static func edits(
    of name: String, declaredAt declaration: Range<Int>, to newName: String, in tree: Tree,
    analysis: ScopeAnalysis? = nil
  ) -> [(range: Range<Int>, text: String)]? {
    guard newName != name, IdentifierWords.isIdentifier(newName), !IdentifierWords.reserved.contains(newName) else {
      return nil
    }
    let analysis = analysis ?? ScopeAnalysis(tree: tree)
    guard let binding = analysis.binding(at: declaration.lowerBound), binding.name == name else { return nil }
    switch binding.kind {
    case .function, .var, .let, .const, .functionExpressionName: break
    default: return nil
    }
    let scope = analysis.scopes[binding.scope]
    guard !binding.isExported, !binding.isBlockFunction, !binding.isParameterProperty, !scope.isUnsafe else {
      return nil
    }
    if scope.kind == .program && !isModule(tree, analysis) { return nil }
    let references = analysis.referenceIndices(of: binding).map { analysis.references[$0] }
    guard !references.contains(where: \.isExportSpecifier) else { return nil }
    if references.contains(where: \.isJSXTag), !(newName.first?.isUppercase ?? false) { return nil }
    // The new name must be new to the file: then no occurrence can start or stop resolving to the binding.
    guard !analysis.references.contains(where: { $0.name == newName }),
      !analysis.bindings.contains(where: { $0.name == newName })
    else { return nil }
    // Every plain identifier spelled like the old name is an occurrence the analysis knows.
    let known = Set(analysis.references.map(\.range))
    var unknown = false
    tree.root.walk { node in
      if unknown { return false }
      if node.type == "identifier" || node.type.hasPrefix("shorthand_property_identifier"),
        !known.contains(node.byteRange), node.text == name
      {
        unknown = true
      }
      return true
    }
    guard !unknown else { return nil }
    var edits = references.map { (range: $0.range, text: $0.renamedText(newName)) }
    if !edits.contains(where: { $0.range == declaration }) { edits.append((declaration, newName)) }
    return edits.sorted { $0.range.lowerBound < $1.range.lowerBound }
  }

  /// The edits of renaming a class's private method or field `#name` (declared at `declaration`) to `#new`:
  /// private names are scoped to their class body, so every `#name` in that body is the member (nil when a
  /// class nested in it declares its own `#name`, when the class already has `#new`, or when the new name is not
  /// a private identifier).
  public static func privateMemberEdits(
    of name: String, declaredAt declaration: Range<Int>, to newName: String, in tree: Tree
  ) -> [(range: Range<Int>, text: String)]? {
    guard name.hasPrefix("#"), newName.hasPrefix("#"), newName != name,
      IdentifierWords.isIdentifier(String(newName.dropFirst()))
    else { return nil }
    // The class body holding the declaration.
    var node = tree.root.descendant(for: declaration)
    while let n = node, n.type != "class_body" { node = n.parent }
    guard let body = node else { return nil }
    var edits: [(range: Range<Int>, text: String)] = []
    var blocked = false
    func declares(_ classBody: Node, _ privateName: String) -> Bool {
      classBody.namedChildren.contains { member in
        member.namedChildren.contains { $0.type == "private_property_identifier" && $0.text == privateName }
      }
    }
    body.walk { n in
      if blocked { return false }
      if n.type == "class_body", n.byteRange != body.byteRange, declares(n, name) {
        blocked = true  // a nested class's own `#name`: its uses are not this member
        return false
      }
      if n.type == "private_property_identifier" {
        if n.text == newName { blocked = true }
        if n.text == name { edits.append((n.byteRange, newName)) }
      }
      return true
    }
    guard !blocked, edits.contains(where: { $0.range == declaration }) else { return nil }
    return edits
  }

  /// An ES module (an `import` or `export` statement at the top) or CommonJS (`require`, `module` or `exports`
  /// used without a declaration): its top-level names are its own.
  static func isModule(_ tree: Tree, _ analysis: ScopeAnalysis) -> Bool {
    if tree.root.children.contains(where: { $0.type == "import_statement" || $0.type == "export_statement" }) {
      return true
    }
    return analysis.freeReferences.contains { ["require", "module", "exports"].contains($0.name) }
  }
}
