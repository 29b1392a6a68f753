import CodeIntel
import Dispatch
import Heads
import Syntax

// MARK: - textDocument/publishDiagnostics

extension LanguageServer {
  /// Publishes the document's diagnostics after `diagnosticsDebounceMs` without further edits.
  func scheduleDiagnostics(_ doc: Document) {
    doc.analysis?.cancel()
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

  /// Starts computing the diagnostics of one document off the server queue, on an immutable snapshot of
  /// this version (its tree, the settings, the providers), so requests are answered while it runs. The run
  /// stops early when the document changes or closes, at `shutdown`, and after `diagnostics.budgetMs`; it
  /// publishes back on the server queue only if the document is still at the version it analysed.
  func publishDiagnostics(_ doc: Document) {
    doc.analysis?.cancel()
    // A version being parsed off the queue gets its diagnostics when its tree lands (`parseInBackground`).
    if doc.parsePending && configuration.diagnosticsEnabled { return }
    guard configuration.diagnosticsEnabled, let tree = doc.tree else {
      notify(PublishDiagnosticsNotification.self, .init(uri: doc.uri, version: doc.version, diagnostics: []))
      return
    }
    let token = CancellationToken(budgetMs: configuration.diagnosticsBudgetMs)
    doc.analysis = token
    let run = DiagnosticsRun(
      uri: doc.uri, generation: doc.generation, tree: tree, configuration: configuration,
      names: providers.names, clones: providers.clones, rootPath: rootPath, token: token)
    let large = tree.bytes.count >= Self.largeDocumentBytes
    (large ? largeAnalysisQueue : analysisQueue).async { [weak self, weak doc] in
      guard !token.isCancelled else { return }
      run.compute()
      self?.queue.async { [weak self, weak doc] in
        guard let self, let doc, self.lifecycle == .running, self.documents[doc.uri] === doc,
          doc.generation == run.generation, !token.wasCancelled
        else { return }
        doc.analysis = nil
        if run.indexedClones { doc.clonesIndexedGeneration = run.generation }
        let ms = run.nanoseconds / 1_000_000
        Log.debug("diagnostics of \(doc.uri): \(run.checked) of \(run.unitCount) functions, \(ms) ms")
        if token.isExpired {
          self.logToEditor(
            "diagnostics of \(doc.uri) stopped after \(ms) ms (codeintel.diagnostics.budgetMs is "
              + "\(run.configuration.diagnosticsBudgetMs)): \(run.checked) of \(run.unitCount) functions checked", type: 2)
        }
        self.notify(
          PublishDiagnosticsNotification.self,
          .init(uri: doc.uri, version: doc.version, diagnostics: run.diagnostics))
      }
    }
  }

  /// Documents at least this large are analysed on a queue of their own, so that a huge file does not
  /// hold up the diagnostics of the others.
  static let largeDocumentBytes = 512 << 10
}

/// One diagnostics run over an immutable snapshot of a document version. `compute()` runs on an analysis
/// queue; the results are read on the server queue after it returns.
final class DiagnosticsRun: @unchecked Sendable {
  let uri: String
  let generation: Int
  /// The version analysed; let go when `compute()` returns, so a closed document's tree goes at once.
  private var tree: Tree?
  let configuration: ServerConfiguration
  let names: (any NameSuggester)?
  let clones: (any CloneLookup)?
  let rootPath: String?
  let token: CancellationToken
  private(set) var diagnostics: [Diagnostic] = []
  private(set) var unitCount = 0
  private(set) var checked = 0
  private(set) var indexedClones = false
  private(set) var nanoseconds: UInt64 = 0

  init(
    uri: String, generation: Int, tree: Tree, configuration: ServerConfiguration, names: (any NameSuggester)?,
    clones: (any CloneLookup)?, rootPath: String?, token: CancellationToken
  ) {
    self.uri = uri
    self.generation = generation
    self.tree = tree
    self.configuration = configuration
    self.names = names
    self.clones = clones
    self.rootPath = rootPath
    self.token = token
  }

  func compute() {
    let start = DispatchTime.now().uptimeNanoseconds
    defer {
      nanoseconds = DispatchTime.now().uptimeNanoseconds - start
      tree = nil
    }
    guard let tree else { return }
    let units = extractUnits(from: tree)
    unitCount = units.count
    guard !token.isCancelled else { return }
    let lines = LineIndex(tree.bytes)
    func range(_ r: Range<Int>) -> LSPRange {
      let a = lines.utf16Position(ofByte: r.lowerBound)
      let b = lines.utf16Position(ofByte: r.upperBound)
      return LSPRange(start: Position(line: a.line, character: a.character), end: Position(line: b.line, character: b.character))
    }
    let clones = configuration.cloneDiagnostics ? self.clones : nil
    if let clones {
      // The finder must see this version, or a function would match its own stale entry.
      do {
        try clones.update(uri: uri, tree: tree, cancellation: token)
        indexedClones = true
      } catch {
        return
      }
    }
    for unit in units {
      if token.isCancelled { return }
      guard let nameRange = unit.nameRange, let name = unit.name else {
        checked += 1
        continue
      }
      let r = range(nameRange)
      do {
        if let clones {
          let matches = try clones.clones(of: unit, uri: uri, tree: tree, cancellation: token)
            .filter { $0.shown(minSimilarity: configuration.minCloneSimilarity) }
          if let best = matches.first { diagnostics.append(cloneDiagnostic(name: name, range: r, best: best, all: matches)) }
        }
        if configuration.nameDiagnostics, let d = try nameDiagnostic(unit, name: name, range: r, in: tree) {
          diagnostics.append(d)
        }
      } catch {
        if token.isCancelled { return }
        Log.warning("diagnostics for \(name) in \(uri) failed: \(error)")
      }
      checked += 1
    }
  }

  /// The name-mismatch diagnostic of a function, if any: the verdict of `NameAnalysis` (the same as
  /// `codeintel suggest-names --only-mismatches`) from the name suggester, or from the body rules alone when
  /// no suggester is installed; a suggester without that analysis is trusted when its top suggestion is
  /// confident (`configuration.minNameConfidence(for:)`) and differs.
  private func nameDiagnostic(_ unit: FunctionUnit, name: String, range: LSPRange, in tree: Tree) throws
    -> Diagnostic?
  {
    let cancellation = token
    let report: NameReport?
    if let names {
      let path = LanguageServer.path(fromURI: uri)
      report = try names.report(
        for: unit, in: tree, path: path, rules: configuration.nameRules, cancellation: cancellation)
      if report == nil {
        guard let top = try names.suggestNames(for: unit, in: tree, path: path, cancellation: cancellation).first,
          top.confidence >= configuration.minNameConfidence(for: names), top.name != name
        else { return nil }
        return mismatchDiagnostic(name: name, range: range, reason: nil, suggestion: top.name)
      }
    } else {
      report = NameAnalysis.analyze(tree: tree, units: [unit], head: nil, rules: configuration.nameRules).first
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
      message: "functional clone of `\(other)` in `\(LanguageServer.displayPath(best.uri, root: rootPath)):\(best.range.start.line + 1)` "
        + "(\(best.strength))",
      relatedInformation: all.prefix(10).map {
        DiagnosticRelatedInformation(
          location: Location(uri: $0.uri, range: $0.range),
          message: "`\($0.name ?? "<anonymous>")` (\($0.strength))")
      })
  }
}
