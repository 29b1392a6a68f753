import Syntax

/// Summarises scope analysis for display: every binding with its kind, its declaration position and
/// the positions of its other references (1-based line and byte column), plus free (global) names.
func summarizeBindings(_ tree: Tree) -> [ParseReport.BindingSummary] {
  let analysis = ScopeAnalysis(tree: tree)
  let lines = LineIndex(tree.bytes)
  func position(_ offset: Int) -> [Int] {
    let p = lines.bytePosition(ofByte: offset)
    return [p.line + 1, p.column + 1]
  }
  let typeUses = typePositionUses(tree)
  var out = analysis.bindings.map { binding in
    let declaration = position(binding.declarationRange.lowerBound)
    var offsets = analysis.references(of: binding).filter { !$0.isDeclaration }.map { $0.range.lowerBound }
    if binding.kind == .import { offsets = (offsets + (typeUses[binding.name] ?? [])).sorted() }
    let references = offsets.map(position)
    let unsafe = analysis.scopes[binding.scope].isUnsafe ? ", unsafe to rename" : ""
    return ParseReport.BindingSummary(
      name: binding.name, kind: binding.kind.rawValue + unsafe, line: declaration[0], column: declaration[1],
      references: references)
  }
  var free: [String: [[Int]]] = [:]
  var order: [String] = []
  for reference in analysis.freeReferences {
    if free[reference.name] == nil { order.append(reference.name) }
    free[reference.name, default: []].append(position(reference.range.lowerBound))
  }
  out += order.map {
    ParseReport.BindingSummary(name: $0, kind: "global", line: 0, column: 0, references: free[$0] ?? [])
  }
  return out
}

/// Uses of names in type positions (`let p: Point`, `Array<Shape>`), by name: start bytes of the
/// `type_identifier`s that are not themselves declarations. Scope analysis leaves type positions out (its
/// references are values), so an import used only as a type would show no references. Only imports take
/// these (they live at the top of the module); a name that the file also declares as a type (an interface,
/// a type alias, a class, a type parameter) is left out, since which one a use means needs type scopes.
func typePositionUses(_ tree: Tree) -> [String: [Int]] {
  let declaring: Set<String> = [
    "interface_declaration", "type_alias_declaration", "class_declaration", "abstract_class_declaration",
    "class", "type_parameter", "enum_declaration",
  ]
  var uses: [String: [Int]] = [:]
  var declared: Set<String> = []
  tree.root.walk { node in
    if node.type == "type_identifier" {
      let name = node.text
      if let parent = node.parent, declaring.contains(parent.type), parent.child(field: "name") == node {
        declared.insert(name)
      } else {
        uses[name, default: []].append(node.startByte)
      }
      return false
    }
    return true
  }
  for name in declared { uses[name] = nil }
  return uses
}
