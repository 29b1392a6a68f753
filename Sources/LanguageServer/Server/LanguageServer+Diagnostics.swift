import Dispatch
import Syntax

// MARK: - textDocument/publishDiagnostics

extension LanguageServer {
  /// Publishes the document's diagnostics after `diagnosticsDebounceMs` without further edits.
  func scheduleDiagnostics(_ doc: Document) {
    doc.generation += 1
    let generation = doc.generation
    let delay = DispatchTimeInterval.milliseconds(configuration.diagnosticsDebounceMs)
    queue.asyncAfter(deadline: .now() + delay) { [weak self, weak doc] in
      guard let self, let doc, self.lifecycle == .running, self.documents[doc.uri] === doc,
        doc.generation == generation
      else { return }
      self.publishDiagnostics(doc)
    }
  }

  /// Computes and sends the diagnostics of one document now.
  func publishDiagnostics(_ doc: Document) {
    var diagnostics: [Diagnostic] = []
    if configuration.diagnosticsEnabled, doc.tree != nil {
      let token = CancellationToken()
      for unit in doc.units {
        guard let nameRange = unit.nameRange, let name = unit.name else { continue }
        let range = doc.range(ofBytes: nameRange)
        do {
          if configuration.cloneDiagnostics, let clones = try cloneMatches(unit, doc, cancellation: token),
            let best = clones.first
          {
            diagnostics.append(cloneDiagnostic(name: name, range: range, best: best, all: clones))
          }
          if configuration.nameDiagnostics, let top = try nameSuggestions(unit, doc, cancellation: token)?.first,
            top.confidence >= configuration.minNameConfidence, top.name != name
          {
            diagnostics.append(
              Diagnostic(
                range: range, severity: .hint, code: "name-mismatch",
                message: "name `\(name)` does not match what the body does (suggested: `\(top.name)`)",
                data: .object(["suggestion": .string(top.name)])))
          }
        } catch {
          Log.warning("diagnostics for \(name) in \(doc.uri) failed: \(error)")
        }
      }
    }
    notify(PublishDiagnosticsNotification.self, .init(uri: doc.uri, version: doc.version, diagnostics: diagnostics))
  }

  private func cloneDiagnostic(name: String, range: LSPRange, best: CloneMatch, all: [CloneMatch]) -> Diagnostic {
    let other = best.name ?? "<anonymous>"
    return Diagnostic(
      range: range, severity: .information, code: "functional-clone",
      message: "functional clone of `\(other)` in `\(displayPath(best.uri)):\(best.range.start.line + 1)` "
        + "(similarity \(format(best.similarity)))",
      relatedInformation: all.prefix(10).map {
        DiagnosticRelatedInformation(
          location: Location(uri: $0.uri, range: $0.range),
          message: "`\($0.name ?? "<anonymous>")` (similarity \(format($0.similarity)))")
      })
  }
}
