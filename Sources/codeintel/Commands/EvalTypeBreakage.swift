import CodeIntel
import Foundation
import Heads
import Syntax

/// `codeintel eval types --breakage PATH...`: the share of shown type suggestions that add a compiler
/// diagnostic when written alone (`TypeBreakage`), as a markdown table for docs/EVALUATION.md.
enum EvalTypeBreakage {
  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    _ = scanner.flag("--breakage")
    let explicitMinConfidence = try scanner.double("--min-confidence", in: 0...1)
    let typesModel = try scanner.option("--types-model")
    let noModel = scanner.flag("--no-model")
    let limit = try scanner.int("--limit", in: 1...Int.max)
    let useProject = !scanner.flag("--no-project")
    let paths = try scanner.finish()
    guard !paths.isEmpty else { throw UsageError("--breakage needs the files or folders of real TypeScript code") }
    let model = noModel ? nil : try TypeHeadModel.loadDefault(explicit: typesModel)
    // The same default bar as suggest-types: the head's calibrated threshold, else 0.8.
    let minConfidence = explicitMinConfidence ?? model?.displayThreshold(fallback: 0.8) ?? 0.8
    let checker: TypeChecker
    do {
      checker = try TypeChecker()
    } catch {
      throw CodeIntelError("--breakage needs the TypeScript compiler: \(error)")
    }
    var files = SourceFile.collect(paths).filter { Language(path: $0)?.isTypeScript == true }
    if let limit { files = Array(files.prefix(limit)) }
    let progress = SuggestTypesProgress(files: files.count)
    let report = try TypeBreakage.measure(
      files: files, model: model, minConfidence: minConfidence, checker: checker, project: useProject
    ) { done, _ in progress.update(done: done) }
    progress.clear()
    let source = model.map { "type head `\($0.info.label)`" } ?? "evidence only"
    var out = """
      Each suggestion shown at confidence ≥ \(minConfidence) written alone into its file and checked with \
      TypeScript \(checker.typescriptVersion) (`scripts/typecheck/ts-check.js`): the share that adds a compiler \
      diagnostic. \(report.files) files with suggestions; \(source).

      | rule | shown | add a diagnostic | share |
      |---|---:|---:|---:|

      """
    for row in report.rows {
      out += "| \(row.label) | \(row.shown) | \(row.breaking) | \(String(format: "%.1f", row.share * 100)) % |\n"
    }
    let uncheckedShown = report.rows.count > 2 ? report.rows[2].shown : 0
    out += "\nThe compiler check keeps \(report.keptAfterCheck) of the \(uncheckedShown) unchecked hole suggestions"
    out += report.unverifiable.isEmpty ? ".\n" : """
      , after leaving out \(report.unverifiable.count) that passed but that it cannot judge (a type no value has \
      passes there too): \(report.unverifiable.map { "`\($0.path)` \($0.suggestion.name): \($0.suggestion.best.type)" }
      .joined(separator: "; ")).

      """
    if !report.topDiagnostics.isEmpty {
      out += "Most frequent diagnostics of the holes' breaking suggestions (unchecked; `checked:` after the check): "
      out += report.topDiagnostics.map { "\($0.0)… (\($0.1))" }.joined(separator: "; ") + ".\n"
    }
    if !report.failedFiles.isEmpty {
      out += "The checker failed on \(report.failedFiles.count) files (left out).\n"
    }
    print(out, terminator: "")
    return 0
  }
}
