import CodeIntel
import Heads
import Syntax

// MARK: - textDocument/hover

extension LanguageServer {
  /// On a function's name: its predicted return type, predicted names and the most similar
  /// functions of the workspace. On an unannotated binding: its predicted types with confidences.
  func hover(_ params: HoverRequest.Params, cancellation: CancellationToken) throws -> Hover? {
    let doc = try document(params.textDocument.uri)
    guard configuration.hoverEnabled, doc.tree != nil else { return nil }
    let offset = doc.byteOffset(of: params.position)
    let types = try doc.typeSuggestions(
      providers.types, bytes: offset...offset, projectTypes: configuration.typeProjectEnabled, cancellation: cancellation)

    if let unit = doc.units.first(where: {
      $0.nameRange.map { $0.contains(offset) || $0.upperBound == offset } ?? false
    }),
      let nameRange = unit.nameRange
    {
      var lines = ["**codeintel** · function `\(unit.name ?? "")`"]
      if let r = types.first(where: { $0.kind == .returnType && $0.nameRange == nameRange }) {
        lines.append("")
        lines.append("Return type: " + candidates(r))
      }
      if let names = try nameSuggestions(unit, doc, cancellation: cancellation), !names.isEmpty {
        lines.append("")
        lines.append(
          "Predicted names: "
            + names.prefix(5).map { "`\($0.name)` (\(format($0.confidence)))" }.joined(separator: ", "))
      }
      if let clones = try cloneMatches(unit, doc, cancellation: cancellation) {
        lines.append("")
        if clones.isEmpty {
          lines.append("No similar functions in the indexed workspace.")
        } else {
          lines.append("Similar functions:")
          for c in clones.prefix(5) {
            lines.append(
              "- `\(c.name ?? "<anonymous>")` in `\(displayPath(c.uri)):\(c.range.start.line + 1)` "
                + "(\(c.strength))")
          }
        }
      }
      return Hover(
        contents: MarkupContent(markdown: lines.joined(separator: "\n")), range: doc.range(ofBytes: nameRange))
    }

    if let s = types.first(where: {
      $0.kind != .returnType && ($0.nameRange.contains(offset) || $0.nameRange.upperBound == offset)
    }) {
      let what = s.kind == .parameter ? "parameter" : "variable"
      let text = "**codeintel** · \(what) `\(s.name)`\n\nPredicted type: " + candidates(s)
      return Hover(contents: MarkupContent(markdown: text), range: doc.range(ofBytes: s.nameRange))
    }
    return nil
  }

  private func candidates(_ s: TypeEvidence.Suggestion) -> String {
    s.candidates.prefix(3).map { "`\($0.type)` (\(format($0.confidence)), \($0.reason))" }.joined(separator: ", ")
  }

  /// Names from the name provider, or nil when there is none.
  func nameSuggestions(_ unit: FunctionUnit, _ doc: Document, cancellation: CancellationToken) throws
    -> [NameSuggestion]?
  {
    guard let names = providers.names, let tree = doc.tree else { return nil }
    return try names.suggestNames(
      for: unit, in: tree, path: LanguageServer.path(fromURI: doc.uri), cancellation: cancellation)
  }

  /// Clones above the similarity bar from the clone provider, or nil when there is none.
  func cloneMatches(_ unit: FunctionUnit, _ doc: Document, cancellation: CancellationToken) throws -> [CloneMatch]? {
    guard let clones = providers.clones, let tree = doc.tree else { return nil }
    if doc.clonesIndexedGeneration != doc.generation {
      // The finder must see this version, or the function would match its own stale entry.
      clones.update(uri: doc.uri, tree: tree)
      doc.clonesIndexedGeneration = doc.generation
    }
    return try clones.clones(of: unit, uri: doc.uri, tree: tree, cancellation: cancellation)
      .filter { $0.shown(minSimilarity: configuration.minCloneSimilarity) }
  }

  /// A URI as a path relative to the workspace root when it is inside it.
  func displayPath(_ uri: String) -> String { Self.displayPath(uri, root: rootPath) }

  /// `uri` as a path relative to `root` when it is inside it.
  static func displayPath(_ uri: String, root: String?) -> String {
    guard let path = Self.path(fromURI: uri) else { return uri }
    if let root {
      let prefix = root.hasSuffix("/") ? root : root + "/"
      if path.hasPrefix(prefix) { return String(path.dropFirst(prefix.count)) }
    }
    return path
  }
}
