import CodeIntel
import Foundation

/// `codeintel bench`: the benchmarks whose numbers go into docs/BENCHMARKS.md.
enum BenchCommand: CLICommand {
  static let name = "bench"
  static let summary = "Measure speed: parsing (more benchmarks are listed in docs/BENCHMARKS.md)."
  static let help = """
    USAGE: codeintel bench parse <file-or-dir>... [--repeats N] [--format text|json]

    parse    Reads the files first, then times parsing alone and parsing plus function-unit
             extraction on one thread (best of N runs, default 3). Reports MB/s, units found
             and the share of files whose tree has ERROR or MISSING nodes (listed with --format json).
    """

  static func run(_ args: [String]) throws -> Int32 {
    guard let which = args.first else { throw UsageError("say which benchmark: parse") }
    guard which == "parse" else { throw UsageError("unknown benchmark '\(which)'") }
    var paths: [String] = []
    var repeats = 3
    var json = false
    var i = 1
    while i < args.count {
      switch args[i] {
      case "--repeats":
        i += 1
        guard i < args.count, let n = Int(args[i]), n > 0 else { throw UsageError("--repeats needs a positive number") }
        repeats = n
      case "--format":
        i += 1
        guard i < args.count, ["text", "json"].contains(args[i]) else { throw UsageError("--format must be text or json") }
        json = args[i] == "json"
      default:
        if args[i].hasPrefix("-") { throw UsageError("unknown option '\(args[i])'") }
        paths.append(args[i])
      }
      i += 1
    }
    guard !paths.isEmpty else { throw UsageError("give at least one file or directory") }
    let r = try ParseBenchmark.run(paths: paths, repeats: repeats)
    if json {
      let doc: [String: Any] = [
        "files": r.files, "bytes": r.bytes, "units": r.units, "parseMBps": r.parseMBps,
        "parseAndUnitsMBps": r.parseAndUnitsMBps, "filesWithErrors": r.filesWithErrors, "errorShare": r.errorShare,
      ]
      let data = try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
    } else {
      print(
        String(
          format: "%d files, %.2f MB, %d units\nparse: %.3f s = %.2f MB/s (one thread, best of %d)\nparse + units: %.3f s = %.2f MB/s\nfiles with syntax errors: %d (%.2f%%)",
          r.files, Double(r.bytes) / 1_048_576, r.units, r.parseSeconds, r.parseMBps, repeats, r.parseAndUnitsSeconds,
          r.parseAndUnitsMBps, r.filesWithErrors.count, r.errorShare * 100))
      for path in r.filesWithErrors.prefix(20) { print("  \(path)") }
    }
    return 0
  }
}
