import CodeIntel
import Dispatch
import Heads
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

  /// Functions per slice of a diagnostics run: requests that arrive during a run are answered between
  /// slices instead of waiting for the whole file (the name head makes a slice cost milliseconds).
  static let diagnosticsSlice = 16

  /// Computes and sends the diagnostics of one document, a slice of its functions per turn of the server
  /// queue. A run whose document changes before it ends is dropped (the change schedules a new one).
  func publishDiagnostics(_ doc: Document) {
    let run = DiagnosticsRun(generation: doc.generation, units: doc.units)
    continueDiagnostics(doc, run)
  }

  private func continueDiagnostics(_ doc: Document, _ run: DiagnosticsRun) {
    guard doc.generation == run.generation else { return }
    let start = DispatchTime.now().uptimeNanoseconds
    if configuration.diagnosticsEnabled, doc.tree != nil {
      let token = CancellationToken()
      let end = min(run.next + Self.diagnosticsSlice, run.units.count)
      for unit in run.units[run.next..<end] {
        guard let nameRange = unit.nameRange, let name = unit.name else { continue }
        let range = doc.range(ofBytes: nameRange)
        do {
          if configuration.cloneDiagnostics, let clones = try cloneMatches(unit, doc, cancellation: token),
            let best = clones.first
          {
            run.diagnostics.append(cloneDiagnostic(name: name, range: range, best: best, all: clones))
          }
          if configuration.nameDiagnostics,
            let d = try nameDiagnostic(unit, name: name, range: range, doc, cancellation: token)
          {
            run.diagnostics.append(d)
          }
        } catch {
          Log.warning("diagnostics for \(name) in \(doc.uri) failed: \(error)")
        }
      }
      run.next = end
    } else {
      run.next = run.units.count
    }
    run.nanoseconds += DispatchTime.now().uptimeNanoseconds - start
    if run.next < run.units.count {
      queue.async { [weak self, weak doc] in
        guard let self, let doc, self.lifecycle == .running, self.documents[doc.uri] === doc else { return }
        self.continueDiagnostics(doc, run)
      }
      return
    }
    Log.debug("diagnostics of \(doc.uri): \(run.units.count) functions, \(run.nanoseconds / 1_000_000) ms")
    notify(
      PublishDiagnosticsNotification.self, .init(uri: doc.uri, version: doc.version, diagnostics: run.diagnostics))
  }

  /// The name-mismatch diagnostic of a function, if any: the verdict of `NameAnalysis` (the same as
  /// `codeintel suggest-names --only-mismatches`) from the name suggester, or from the body rules alone when
  /// no suggester is installed; a suggester without that analysis is trusted when its top suggestion is
  /// confident (`minNameConfidence`) and differs.
  private func nameDiagnostic(
    _ unit: FunctionUnit, name: String, range: LSPRange, _ doc: Document, cancellation: CancellationToken
  ) throws -> Diagnostic? {
    guard let tree = doc.tree else { return nil }
    let report: NameReport?
    if let names = providers.names {
      report = try names.report(for: unit, in: tree, cancellation: cancellation)
      if report == nil {
        guard let top = try names.suggestNames(for: unit, in: tree, cancellation: cancellation).first,
          top.confidence >= configuration.minNameConfidence, top.name != name
        else { return nil }
        return mismatchDiagnostic(name: name, range: range, reason: nil, suggestion: top.name)
      }
    } else {
      report = NameAnalysis.analyze(tree: tree, units: [unit], head: nil).first
    }
    guard let report, report.mismatch else { return nil }
    let suggestion = report.suggestions.first.map(\.name).flatMap { $0 == name ? nil : $0 }
    return mismatchDiagnostic(name: name, range: range, reason: report.reasons.first, suggestion: suggestion)
  }

  private func mismatchDiagnostic(name: String, range: LSPRange, reason: String?, suggestion: String?) -> Diagnostic {
    var message = "name `\(name)` does not match what the body does"
    if let reason { message += ": " + reason }
    if let suggestion { message += " (suggested: `\(suggestion)`)" }
    return Diagnostic(
      range: range, severity: .hint, code: "name-mismatch", message: message,
      data: suggestion.map { .object(["suggestion": .string($0)]) })
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

/// The state of one diagnostics run between slices (used on the server queue only).
final class DiagnosticsRun: @unchecked Sendable {
  let generation: Int
  let units: [FunctionUnit]
  var next = 0
  var diagnostics: [Diagnostic] = []
  var nanoseconds: UInt64 = 0

  init(generation: Int, units: [FunctionUnit]) {
    self.generation = generation
    self.units = units
  }
}
