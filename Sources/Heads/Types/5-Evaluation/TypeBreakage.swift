import CodeIntel
import Foundation
import Syntax

/// How often a suggestion a developer accepts blindly breaks the build: every suggestion shown at a
/// confidence bar is written alone into its file and checked with the TypeScript compiler (`TypeChecker`);
/// the share that adds a compiler diagnostic is the number issue 17 bounds (≤ 2 % at the default bar).
///
/// Measured on real TypeScript files (not a dataset: the sites are the file's own unannotated ones), for
/// four rules over the same suggestions: every site without the type-in-scope check (what `suggest-types`
/// showed before), every site with it (`--all --no-check`), the holes with types in scope unchecked
/// (`--no-check`, the default before session 8), and the default (the same after the compiler check's
/// search, without the suggestions the check cannot judge: `TypeChecker.probeType`). The checked suggestions are measured like the others, each written alone with one compiler run,
/// not taken as passing because the search kept them (the search checks groups; see `TypeChecker`).
public enum TypeBreakage {
  /// One rule's counts.
  public struct Row: Sendable, Equatable {
    public var label: String
    /// Suggestions shown at the bar.
    public var shown: Int
    /// Those whose best candidate, written alone, adds a compiler diagnostic.
    public var breaking: Int

    public var share: Double { shown == 0 ? 0 : Double(breaking) / Double(shown) }
  }

  /// The rows, and the number of files that had at least one suggestion and were checked.
  public struct Report: Sendable {
    public var files: Int
    public var rows: [Row]
    /// Suggestions the default rule keeps after the check (each with the first candidate that passed).
    public var keptAfterCheck: Int { rows.last?.shown ?? 0 }
    /// Files the checker failed on (left out).
    public var failedFiles: [String]
    /// The most frequent diagnostics of the default rule's breaking suggestions, with counts.
    public var topDiagnostics: [(String, Int)]
    /// Hole suggestions that passed the check but that the default leaves out because the compiler cannot judge
    /// them (`TypeChecker.probeType` passes there too), each with its file.
    public var unverifiable: [(path: String, suggestion: TypeEvidence.Suggestion)] = []
  }

  /// Measures `files` (TypeScript only; others are skipped). `progress` hears (done, total) files. With `project`
  /// (the default, as `suggest-types`), each file's project annotations are read as `suggest-types` reads them.
  public static func measure(
    files: [String], model: TypeHeadModel?, minConfidence: Double, checker: TypeChecker, project: Bool = true,
    progress: ((Int, Int) -> Void)? = nil
  ) throws -> Report {
    var projects = TypeProjectAnnotations.Projects()
    let labels = [
      "every site, no type-in-scope check (before)", "every site, types in scope (`--all --no-check`)",
      "holes, types in scope, unchecked (`--no-check`)", "**default: holes, types in scope, checked**",
    ]
    var rows = labels.map { Row(label: $0, shown: 0, breaking: 0) }
    var report = Report(files: 0, rows: [], failedFiles: [], topDiagnostics: [])
    var diagnostics: [String: Int] = [:]
    for (done, path) in files.enumerated() {
      defer { progress?(done + 1, files.count) }
      guard let file = try? SourceFile.load(path), file.language.isTypeScript else { continue }
      let tree = try ParsedFile(file).tree
      let table = project && model != nil ? projects.table(forFile: path) : nil
      let raw =
        model != nil
        ? TypeSuggestions.suggestions(
          in: tree, tsx: file.language == .tsx, model: model, project: table,
          path: URL(fileURLWithPath: path).standardizedFileURL.path)
        : TypeHoles.evidence(in: tree)
      let sets = [
        raw, TypeHoles.gate(raw, in: tree, all: true, path: path),
        TypeHoles.gate(raw, in: tree, all: false, path: path),
      ]
      .map { $0.filter { $0.best.confidence >= minConfidence } }
      guard sets.contains(where: { !$0.isEmpty }) else { continue }
      // Every distinct (site, best type) once, alone on the file.
      var unique: [String: TypeEvidence.Suggestion] = [:]
      func key(_ s: TypeEvidence.Suggestion) -> String { "\(s.anchor):\(s.kind.rawValue):\(s.best.type)" }
      for s in sets.joined() {
        var only = s
        only.candidates = [s.best]
        unique[key(s)] = only
      }
      let verdicts: [String: String?]
      var kept: [TypeEvidence.Suggestion] = []
      var keptBreaking = 0
      do {
        let ordered = unique.values.sorted { ($0.anchor, $0.kind.rawValue) < ($1.anchor, $1.kind.rawValue) }
        // Compared by whole message chains, as the kept suggestions below: a measurement, stricter than the search.
        let outcome = try checker.check(
          ordered, path: path, bytes: file.bytes, minConfidence: minConfidence, wholeMessages: true)
        var v: [String: String?] = [:]
        for s in outcome.kept { v[key(s)] = .some(nil) }
        for d in outcome.dropped { v[key(d.suggestion)] = .some(d.diagnostic) }
        verdicts = v
        let checked = try checker.check(sets[2], path: path, bytes: file.bytes, minConfidence: minConfidence, probe: true)
        kept = checked.kept
        report.unverifiable += checked.unverifiable.map { (path, $0) }
        // Each kept suggestion written alone, as a developer accepting it would: one compiler run each.
        if !kept.isEmpty {
          defer { try? checker.close(path: path) }
          try checker.baseline(path: path, text: file.bytes)
          for s in kept {
            let edit = ByteEdit(start: s.anchor, deletedLength: 0, inserted: s.annotation)
            if let added = try checker.addedDiagnostics(
              path: path, text: try [edit].apply(to: file.bytes), wholeMessages: true
            ).first {
              keptBreaking += 1
              diagnostics["checked: " + String(added.prefix(60)), default: 0] += 1
            }
          }
        }
      } catch {
        report.failedFiles.append(path)
        continue
      }
      report.files += 1
      rows[3].shown += kept.count
      rows[3].breaking += keptBreaking
      for (i, set) in sets.enumerated() {  // rows 0–2; row 3 (checked) is counted above
        rows[i].shown += set.count
        for s in set {
          guard case .some(.some(let diagnostic)) = verdicts[key(s)] else { continue }
          rows[i].breaking += 1
          if i == 2 {
            // "TS2322 Type 'boolean' is not assignable …" → its code and first words.
            diagnostics[String(diagnostic.prefix(60)), default: 0] += 1
          }
        }
      }
    }
    report.rows = rows
    report.topDiagnostics = diagnostics.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
      .prefix(5).map { ($0.key, $0.value) }
    return report
  }
}
