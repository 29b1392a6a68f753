import Augment
import CodeIntel
import Syntax

// MARK: - textDocument/codeAction

extension LanguageServer {
  /// "Add type annotation" for the suggestions the range touches; on a function, "Rename function
  /// to …" (with a name provider) and "Show functional clones" (with a clone provider).
  func codeActions(_ params: CodeActionRequest.Params, cancellation: CancellationToken) throws -> [CodeAction] {
    let doc = try document(params.textDocument.uri)
    guard doc.tree != nil else { return [] }
    let uri = doc.uri
    let range = params.range
    var actions: [CodeAction] = []

    let (a, b) = (doc.byteOffset(of: range.start), doc.byteOffset(of: range.end))
    let bytes = min(a, b)...max(a, b)
    for s in try annotatable(doc, bytes: bytes, cancellation: cancellation) {
      let anchor = doc.position(ofByte: s.anchor)
      guard range.overlaps(doc.range(ofBytes: s.nameRange)) || range.contains(anchor) else { continue }
      let what = s.kind == .returnType ? "return type of `\(s.name)`" : "`\(s.name)`"
      actions.append(
        CodeAction(
          title: "Add type annotation `\(s.annotation)` to \(what)", kind: "quickfix", diagnostics: nil,
          isPreferred: true,
          edit: WorkspaceEdit(changes: [uri: [TextEdit(range: LSPRange(at: anchor), newText: s.annotation)]]),
          command: nil))
    }

    for unit in doc.units where touches(unit, range, doc) {
      try cancellation.check()
      if let name = unit.name, let nameRange = unit.nameRange,
        let best = try nameSuggestions(unit, doc, cancellation: cancellation)?.first,
        let names = providers.names, best.confidence >= configuration.minNameConfidence(for: names),
        best.name != name, let safe = renameEdits(of: name, declaredAt: nameRange, to: best.name, in: doc)
      {
        let edits = safe.map { TextEdit(range: doc.range(ofBytes: $0.range), newText: $0.text) }
        actions.append(
          CodeAction(
            title: "Rename function to `\(best.name)`", kind: "refactor.rewrite", diagnostics: nil, isPreferred: nil,
            edit: WorkspaceEdit(changes: [uri: edits]), command: nil))
      }
      if let clones = try cloneMatches(unit, doc, cancellation: cancellation), !clones.isEmpty,
        let nameRange = unit.nameRange
      {
        let at = doc.position(ofByte: nameRange.lowerBound)
        actions.append(
          CodeAction(
            title: "Show functional clones of `\(unit.name ?? "function")` (\(clones.count))", kind: "quickfix",
            diagnostics: nil, isPreferred: nil, edit: nil,
            command: Command(
              title: "Show functional clones", command: "codeintel.showClones",
              arguments: [.string(uri), .int(at.line), .int(at.character)])))
      }
    }

    if let only = params.context.only, !only.isEmpty {
      actions = actions.filter { a in only.contains { k in (a.kind ?? "") == k || (a.kind ?? "").hasPrefix(k + ".") } }
    }
    return actions
  }

  /// Whether the range is on the function's name or its signature line.
  private func touches(_ unit: FunctionUnit, _ range: LSPRange, _ doc: Document) -> Bool {
    if let n = unit.nameRange, range.overlaps(doc.range(ofBytes: n)) { return true }
    let signature = doc.range(
      ofBytes: unit.byteRange.lowerBound..<max(unit.byteRange.lowerBound, unit.bodyRange.lowerBound))
    return range.overlaps(signature)
  }

  /// The edits that rename the function declared at `declaration` to `newName`, or nil when that is not safe
  /// from this file alone (`FileLocalRename`: methods, exported names, a script's globals, a name already in
  /// the file, …); a class's `#private` member is renamed throughout its class body. A shadowing local of the
  /// same name is left alone, and a shorthand property `{f}` becomes
  /// `{f: newName}` so the object keeps its key.
  func renameEdits(
    of name: String, declaredAt declaration: Range<Int>, to newName: String, in doc: Document
  ) -> [(range: Range<Int>, text: String)]? {
    guard let tree = doc.tree else { return nil }
    if name.hasPrefix("#") {
      return FileLocalRename.privateMemberEdits(of: name, declaredAt: declaration, to: newName, in: tree)
    }
    return FileLocalRename.edits(of: name, declaredAt: declaration, to: newName, in: tree)
  }
}
