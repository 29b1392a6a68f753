import CodeIntel
import Dispatch
import Heads

// MARK: - textDocument/inlayHint

extension LanguageServer {
  /// Predicted types for unannotated TypeScript bindings, parameters and returns in the range,
  /// above the confidence bar, each with the edit that writes the annotation.
  func inlayHints(_ params: InlayHintRequest.Params, cancellation: CancellationToken) throws -> [InlayHint] {
    let doc = try document(params.textDocument.uri)
    guard configuration.inlayHintsEnabled, doc.language.isTypeScript else { return [] }
    let (a, b) = (doc.byteOffset(of: params.range.start), doc.byteOffset(of: params.range.end))
    let bytes = min(a, b)...max(a, b)
    return try annotatable(doc, bytes: bytes, holesOnly: true, cancellation: cancellation).compactMap { s in
      let position = doc.position(ofByte: s.anchor)
      guard params.range.contains(position) else { return nil }
      return InlayHint(
        position: position, label: s.annotation, kind: 1,
        textEdits: [TextEdit(range: LSPRange(at: position), newText: s.annotation)],
        tooltip: "codeintel: `\(s.best.type)` (confidence \(format(s.best.confidence))): \(s.best.reason)",
        paddingLeft: false, paddingRight: false)
    }
  }

  /// The type suggestions of a TypeScript document that clear the confidence bar, with only types in scope
  /// (`TypeNames`); with `holesOnly` (the hints), only where an annotation adds information (`TypeHoles`, the
  /// rule `suggest-types` follows by default). A quick fix the user asks for at one site may restate.
  func annotatable(
    _ doc: Document, bytes: ClosedRange<Int>?, holesOnly: Bool = false, cancellation: CancellationToken
  ) throws -> [TypeEvidence.Suggestion] {
    guard doc.language.isTypeScript, let tree = doc.tree else { return [] }
    let (start, misses) = (DispatchTime.now().uptimeNanoseconds, doc.typeHeadCache.misses)
    let suggestions = try doc.typeSuggestions(
      providers.types, bytes: bytes, projectTypes: configuration.typeProjectEnabled, cancellation: cancellation)
    Log.debug(
      "type suggestions of \(doc.uri): \(suggestions.count) in \((DispatchTime.now().uptimeNanoseconds - start) / 1_000_000) ms, "
        + "\(doc.typeHeadCache.misses - misses) windows computed, \(doc.typeHeadCache.count) cached")
    let path = LanguageServer.path(fromURI: doc.uri)
    // The user's setting, else the head's threshold fitted on the valid splits for 90 % precision.
    let bar =
      configuration.minTypeConfidence ?? providers.types.displayThreshold
      ?? ServerConfiguration.defaultMinTypeConfidence
    let gated = DispatchTime.now().uptimeNanoseconds
    let shown = TypeHoles.gate(suggestions, in: tree, all: !holesOnly, path: path).filter {
      $0.best.confidence >= bar
    }
    guard configuration.typeCheckEnabled, let typeCheck = providers.typeCheck, !shown.isEmpty else { return shown }
    let scoped = DispatchTime.now().uptimeNanoseconds
    let scopes = doc.typeCheckScopes ?? TypeCheckScopes(tree: tree)
    let checked = DispatchTime.now().uptimeNanoseconds
    defer {
      Log.debug(
        "type hints of \(doc.uri): holes \((scoped - gated) / 1_000_000) ms, scopes \((checked - scoped) / 1_000_000) ms, "
          + "check \((DispatchTime.now().uptimeNanoseconds - checked) / 1_000_000) ms")
    }
    return try typeCheck.filter(
      shown, path: path, bytes: tree.bytes, scopes: scopes, minConfidence: bar, cancellation: cancellation
    ) { self.logToEditor("codeintel: type hints are unchecked: \($0)", type: 2) }
  }
}

/// A confidence or similarity with two decimals.
func format(_ x: Double) -> String {
  let hundredths = Int((x * 100).rounded())
  return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
}
