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
  var out = analysis.bindings.map { binding in
    let declaration = position(binding.declarationRange.lowerBound)
    let references = analysis.references(of: binding).filter { !$0.isDeclaration }.map { position($0.range.lowerBound) }
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
