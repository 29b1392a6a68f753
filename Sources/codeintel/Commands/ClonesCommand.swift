import CloneIndex
import Foundation

/// `codeintel clones`: reports groups of duplicated and functionally similar functions.
enum ClonesCommand: CLICommand {
  static let name = "clones"
  static let summary = "Report exact, renamed and functionally similar function groups in a repository."
  static let help = """
    USAGE: codeintel clones <repo> [--min-lines N] [--min-tokens N] [--threshold S] [--max-group N]
                            [--no-functional] [--format text|json|sarif] [--output FILE]
                            [--fail-on-clones] [--quiet] [--verbose]

    Updates the repository's index (see `codeintel index`), then reports clone groups:
      exact       the same tokens, whitespace, comments and the function's own name aside (type 1)
      renamed     the same once locals are renamed and type annotations dropped (type 2)
      functional  embedding cosine similarity >= the threshold, grouped by average linkage with a
                  size cap (the default embedder is a hashed bag of syntax features, not a
                  learned model: it finds lightly edited copies, not arbitrary rewrites)
    Groups are sorted by total lines x similarity. A function nested in a reported function is
    not reported again.

    OPTIONS:
      --min-lines N      Ignore functions shorter than N lines (default: 5).
      --min-tokens N     Ignore functions with fewer than N tokens (default: 30).
      --threshold S      Functional similarity threshold in 0...1 (default: 0.66, calibrated; see
                         docs/CLONES.md).
      --max-group N      Largest functional group (default: 20).
      --no-functional    Only exact and renamed groups.
      --format F         text (default), json (schema in docs/CLONES.md) or sarif (SARIF 2.1.0,
                         for GitHub code scanning; paths are relative to the repository root).
      --output FILE      Write the report to FILE instead of stdout.
      --fail-on-clones   Exit with status 3 when any group is reported (for CI).
      --quiet            No progress or notices on stderr.
      --verbose          List skipped paths and indexed files on stderr.

    Exit status: 0 success, 1 error, 2 usage error, 3 clones found with --fail-on-clones.
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    var options = CloneOptions()
    options.minLines = try scanner.int("--min-lines", in: 1...100_000) ?? options.minLines
    options.minTokens = try scanner.int("--min-tokens", in: 0...1_000_000) ?? options.minTokens
    options.threshold = Float(try scanner.double("--threshold", in: 0...1) ?? Double(options.threshold))
    options.maxGroupSize = try scanner.int("--max-group", in: 2...100_000) ?? options.maxGroupSize
    options.functional = !scanner.flag("--no-functional")
    let format = CloneReportFormat(rawValue: try scanner.choice("--format", from: ["text", "json", "sarif"]) ?? "text")
    let output = try scanner.option("--output", "-o")
    let failOnClones = scanner.flag("--fail-on-clones")
    let quiet = scanner.flag("--quiet", "-q")
    let verbose = scanner.flag("--verbose", "-v")
    let positionals = try scanner.finish()
    guard positionals.count == 1 else { throw UsageError("give exactly one repository folder") }
    let root =
      positionals[0].count > 1 && positionals[0].hasSuffix("/") ? String(positionals[0].dropLast()) : positionals[0]

    let printer = ProgressPrinter(quiet: quiet, verbose: verbose)
    let report = try CloneFinder(options: options).report(root: root, log: printer.handle)
    printer.finish()
    let text = try CloneReportWriter().render(report, format: format ?? .text, root: root)
    if let output {
      try FileBytes.write(Array(text.utf8), to: output)
      if !quiet { printError("codeintel: wrote \(report.groups.count) clone groups to \(output)") }
    } else {
      FileHandle.standardOutput.write(Data(text.utf8))
    }
    return failOnClones && !report.groups.isEmpty ? 3 : 0
  }
}
