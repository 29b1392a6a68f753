import CloneIndex
import Foundation

/// `codeintel units`: every function unit of whole repositories as JSON lines, for distributed jobs.
enum UnitsCommand: CLICommand {
  static let name = "units"
  static let summary = "Write every function unit of repositories as JSON lines (hashes, shingles, vector)."
  static let help = """
    USAGE: codeintel units <repo>... [--stdin] [--min-lines N] [--min-tokens N] [--threshold S]
                           [--no-functional] [--no-near-miss] [--output FILE]
           codeintel units --describe [--min-lines N] [--min-tokens N] [--threshold S] [--max-group N]

    For each repository folder (walked like `codeintel index`, no index read or written), one
    JSON object per line, in this order:
      {"record":"unit", "repository", "unit" (position in the repository), "path", "ordinal",
       "parentOrdinal", "parent" (the enclosing unit), "name", "kind", "startLine", "endLine",
       "startByte", "endByte", "lines", "tokens", "eligible" (within --min-lines/--min-tokens and
       not test code, as `clones` reports), "testCallback", "exactHash", "canonicalHash" (renamed
       kind), "shingles" (hashed token 4-grams), "vector" (the embedding `codeintel clones` uses),
       "rawTokens", "blindTokens" (sorted token hashes as written and identifier-blind: the bags
       the near-miss kind compares)}
      {"record":"pair", "repository", "a", "b", "score", "kind"}   one representative per canonical
         class; every within-repository pair >= --threshold ("functional") and every near-miss
         pair ("near-miss")
      {"record":"done", "repository", "files", "skipped", "units", "pairs"}
    A repository that cannot be read gives {"record":"error", "repository", "error"} and one line
    on stderr; the others continue, and the exit status is 1.

    --describe prints the shared settings as one JSON object (model, dimension, threshold,
    minLines, minTokens, maxGroupSize, shingleSize, shingleSpace, nearMissJaccard, nearMiss,
    nearMissRawOverlap, nearMissBlindOverlap), so a job
    uses the same values as `codeintel clones` and `codeintel group-units`.

    OPTIONS:
      --stdin            Also read repositories from stdin, one a line: PATH, or NAME<TAB>PATH
                         (NAME is what the records call it; default: PATH as given).
      --min-lines N      (default: 5), --min-tokens N (default: 30), --threshold S (default: 0.66),
      --max-group N      (default: 20): as for `codeintel clones`.
      --no-functional    No functional pairs.
      --no-near-miss     No near-miss pairs (and no near-miss groups in `group-units`).
      --output FILE      Write to FILE instead of stdout.

    Exit status: 0 success, 1 a repository failed (the rest were written), 2 usage error.
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    let options = try cloneOptions(&scanner)
    let describe = scanner.flag("--describe")
    let readStdin = scanner.flag("--stdin")
    let output = try scanner.option("--output", "-o")
    let positionals = try scanner.finish()
    let exporter = UnitRecordExporter(options: options)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    if describe {
      guard positionals.isEmpty, !readStdin else { throw UsageError("--describe takes no repositories") }
      print(String(decoding: try encoder.encode(exporter.settings), as: UTF8.self))
      return 0
    }
    guard !positionals.isEmpty || readStdin else { throw UsageError("give at least one repository folder, or --stdin") }
    let handle = try outputHandle(output)
    var buffer = Data()
    func emit<T: Encodable>(_ value: T) throws {
      buffer.append(try encoder.encode(value))
      buffer.append(0x0A)
      if buffer.count > 1 << 16 {
        handle.write(buffer)
        buffer.removeAll(keepingCapacity: true)
      }
    }
    var failed = 0
    func repository(name: String, root: String) throws {
      let root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
      do {
        let done = try exporter.export(repository: name, root: root, unit: { try emit($0) }, pair: { try emit($0) })
        try emit(done)
      } catch {
        failed += 1
        let message = "\(error)"
        printError("codeintel: error: " + (message.hasPrefix(root) ? message : "\(name): \(message)"))
        try emit(RepositoryRecord(record: "error", repository: name, error: "\(error)"))
      }
      // Each repository's records reach the reader as soon as they are complete.
      handle.write(buffer)
      buffer.removeAll(keepingCapacity: true)
    }
    for p in positionals { try repository(name: p, root: p) }
    if readStdin {
      while let line = readLine() {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
        let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        try repository(name: parts[0], root: parts.count == 2 ? parts[1] : parts[0])
      }
    }
    handle.write(buffer)
    return failed > 0 ? 1 : 0
  }

  /// The clone options shared by `units` and `group-units` (the same flags and defaults as `clones`).
  static func cloneOptions(_ scanner: inout ArgumentScanner) throws -> CloneOptions {
    var options = CloneOptions()
    options.minLines = try scanner.int("--min-lines", in: 1...100_000) ?? options.minLines
    options.minTokens = try scanner.int("--min-tokens", in: 0...1_000_000) ?? options.minTokens
    options.threshold = Float(try scanner.double("--threshold", in: 0...1) ?? Double(options.threshold))
    options.maxGroupSize = try scanner.int("--max-group", in: 2...100_000) ?? options.maxGroupSize
    options.functional = !scanner.flag("--no-functional")
    options.nearMiss = !scanner.flag("--no-near-miss")
    return options
  }
}
