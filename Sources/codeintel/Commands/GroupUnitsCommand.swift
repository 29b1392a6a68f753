import CloneIndex
import Foundation

/// `codeintel group-units`: the clone group rules of `codeintel clones`, applied to units gathered
/// from many repositories and the candidate pairs a join found.
enum GroupUnitsCommand: CLICommand {
  static let name = "group-units"
  static let summary = "Group units from many repositories by the rules of `clones` (JSON lines in and out)."
  static let help = """
    USAGE: codeintel group-units [--min-lines N] [--min-tokens N] [--threshold S] [--max-group N]
                                 [--no-functional] [--no-near-miss] < components.jsonl

    Reads one component a line:
      {"component": 7, "units": [{"id", "repository", "path", "ordinal", "parentOrdinal", "name",
        "kind", "startLine", "endLine", "startByte", "endByte", "tokens", "exactHash",
        "canonicalHash", "vector", "testCallback", "rawTokens", "blindTokens"}, ...],
       "pairs": [[0, 3], ...]}
    (unit fields as `codeintel units` writes them; pairs index into "units"), and writes one line
    per clone group:
      {"component": 7, "kind": "exact|renamed|near-miss|functional", "similarity", "minSimilarity", "lines",
       "score", "members": [ids in report order]}
    The rules are those of `codeintel clones` (size limits, test code, canonical classes, complete
    linkage with the size cap, nested functions), with the candidate pairs (re-scored exactly: cosine
    for functional, token-bag overlap for near-miss, when the units carry "rawTokens" and
    "blindTokens") in place of the all-pairs searches. A line that cannot be read is an error on stderr and exit status 1; the
    other lines are still grouped.

    Exit status: 0 success, 1 a line could not be read, 2 usage error.
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    let options = try UnitsCommand.cloneOptions(&scanner)
    guard try scanner.finish().isEmpty else { throw UsageError("group-units reads components from stdin only") }
    let decoder = JSONDecoder()
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var failed = 0
    var lineNumber = 0
    var buffer = Data()
    while let line = readLine() {
      lineNumber += 1
      guard !line.isEmpty else { continue }
      do {
        let component = try decoder.decode(UnitComponent.self, from: Data(line.utf8))
        for g in try cloneGroups(in: component, options: options) {
          buffer.append(try encoder.encode(g))
          buffer.append(0x0A)
        }
      } catch {
        failed += 1
        printError("codeintel: error: stdin line \(lineNumber): \(error)")
      }
      if buffer.count > 1 << 16 {
        FileHandle.standardOutput.write(buffer)
        buffer.removeAll(keepingCapacity: true)
      }
    }
    FileHandle.standardOutput.write(buffer)
    return failed > 0 ? 1 : 0
  }
}
