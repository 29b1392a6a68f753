import CodeIntel
import Foundation
import Syntax

/// `codeintel parse`: lists the function units (and optionally the scopes) of files.
enum ParseCommand: CLICommand {
  static let name = "parse"
  static let summary = "List the function units of JS/TS files (and their bindings with --scopes)."
  static let help = """
    USAGE: codeintel parse <file-or-dir>... [--format text|json] [--scopes] [--threads N] [--quiet]

    Parses each file (directories are searched recursively for .js .mjs .cjs .jsx .ts .mts .cts .tsx,
    skipping node_modules, hidden folders and .d.ts files) and lists every function unit: its lines,
    kind, name (declared or inferred), parameters and annotations.

    OPTIONS:
      --format text|json   Output format (default: text). JSON: {"files": [...], "summary": {...}}.
      --scopes             Also list each binding and the lines/columns of its references.
      --threads N          Parse on N threads (default: 2).
      --quiet              Accepted as by every command (parse prints no progress or notices).

    A file that cannot be read (missing, unreadable, binary, not UTF-8, over 8 MiB) is reported on
    stderr in one line and the others are still parsed; the exit status is then 1. Syntax errors in a
    file are not failures: the count of ERROR nodes is reported with the file.
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    let format = try scanner.choice("--format", from: ["text", "json"]) ?? "text"
    let scopes = scanner.flag("--scopes")
    let threads = try scanner.int("--threads", in: 1...256) ?? 2
    _ = scanner.flag("--quiet", "-q")  // accepted like everywhere: parse prints no progress or notices
    let paths = try scanner.finish()
    guard !paths.isEmpty else { throw UsageError("give at least one file or directory") }
    let files = SourceFile.collect(paths)
    let report = ParseReport.make(paths: files, threads: threads, scopes: scopes)
    for failure in report.failures { printError("codeintel: \(failure.failure ?? "unreadable")") }
    if format == "json" {
      print(try jsonString(report))
    } else {
      printText(report)
    }
    return report.failures.isEmpty ? 0 : 1
  }

  // MARK: - Text

  static func printText(_ report: ParseReport) {
    var out = ""
    for file in report.files where file.failure == nil {
      let lang = file.language?.rawValue ?? "?"
      let errors = file.errorCount == 0 ? "" : ", \(file.errorCount) syntax errors"
      out += "\(file.path) (\(lang), \(file.units.count) units\(errors))\n"
      for unit in file.units {
        var depth = 0
        var p = unit.parent
        while let q = p {
          depth += 1
          p = file.units[q].parent
        }
        let lines = "\(unit.startLine)-\(unit.endLine)".padding(toLength: 10, withPad: " ", startingAt: 0)
        out += "  \(lines)\(String(repeating: "  ", count: depth))\(signature(unit))\n"
      }
      if let bindings = file.bindings {
        out += "  bindings:\n"
        for b in bindings {
          let refs = b.references.map { "\($0[0]):\($0[1])" }.joined(separator: " ")
          let declared = b.kind == "global" ? "" : " declared \(b.line):\(b.column);"
          out += "    \(b.name) (\(b.kind))\(declared) references \(refs.isEmpty ? "none" : refs)\n"
        }
      }
    }
    let s = report
    out += "\(s.files.count - s.failures.count) files, \(s.totalUnits) units, \(s.filesWithErrors) with syntax errors"
    out += s.failures.isEmpty ? "" : ", \(s.failures.count) unreadable"
    print(out)
  }

  static func signature(_ unit: FunctionUnit) -> String {
    var s = unit.kind.rawValue + " "
    if unit.isStatic { s += "static " }
    if unit.isAsync { s += "async " }
    if unit.isGenerator { s += "* " }
    if let c = unit.enclosingClass { s += c + "." }
    s += unit.name ?? "<anonymous>"
    s += "(" + unit.parameters.map { p in
      var t = p.names.count == 1 && p.shape == .identifier ? p.names[0] : p.shape.rawValue + "{" + p.names.joined(separator: ",") + "}"
      if p.shape == .rest { t = "..." + p.names.joined(separator: ",") }
      if p.isOptional { t += "?" }
      if let a = p.annotation { t += ": " + a }
      if p.defaultValue != nil { t += " = …" }
      return t
    }.joined(separator: ", ") + ")"
    if let r = unit.returnAnnotation { s += ": " + r }
    return s
  }

  // MARK: - JSON

  struct JSONFile: Encodable {
    let path: String
    let language: String?
    let bytes: Int
    let syntaxErrors: Int
    let units: [FunctionUnit]
    let bindings: [ParseReport.BindingSummary]?
  }

  struct JSONSummary: Encodable {
    let files: Int
    let units: Int
    let filesWithSyntaxErrors: Int
    let unreadable: [String: String]
  }

  struct JSONReport: Encodable {
    let files: [JSONFile]
    let summary: JSONSummary
  }

  static func jsonString(_ report: ParseReport) throws -> String {
    let ok = report.files.filter { $0.failure == nil }
    let doc = JSONReport(
      files: ok.map {
        JSONFile(
          path: $0.path, language: $0.language?.rawValue, bytes: $0.bytes, syntaxErrors: $0.errorCount, units: $0.units,
          bindings: $0.bindings)
      },
      summary: JSONSummary(
        files: ok.count, units: report.totalUnits, filesWithSyntaxErrors: report.filesWithErrors,
        unreadable: Dictionary(report.failures.map { ($0.path, $0.failure ?? "") }, uniquingKeysWith: { a, _ in a })))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(doc), as: UTF8.self)
  }
}
