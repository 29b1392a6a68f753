import CloneIndex
import CodeIntel
import Heads
import Foundation
import Syntax

/// `codeintel search`: the functions of a repository most similar to a query.
enum SearchCommand: CLICommand {
  static let name = "search"
  static let summary = "Find the functions most similar to FILE:LINE, FILE:FUNCTION or a snippet on stdin."
  static let help = """
    USAGE: codeintel search <query> --repo <repo> [-k N] [--language js|ts|tsx] [--format text|json]
                            [--model hashed|encoder|DIR] [--quiet]

    QUERY is FILE:LINE (the innermost function containing that 1-based line), FILE:FUNCTION (a
    function by name), or - to read a snippet of code from stdin. FILE is relative to the
    repository root (or starts with it). The repository's index is updated first (see
    `codeintel index`); results are ranked by the cosine similarity of their embeddings (exact
    search), best first, the query function itself left out.

    OPTIONS:
      --repo DIR         The repository (default: the current folder).
      -k N               Number of results (default: 10).
      --language L       Language of a stdin snippet: js, ts or tsx (default: ts).
      --format F         text (default) or json.
      --model M          The embedder: hashed (default: hashed syntax features), encoder (the
                         shipped ContraCode model) or a model folder; changing it re-embeds the
                         index.
      --quiet            No progress or notices on stderr.

    Exit status: 0 success, 1 error (for example no function at that line), 2 usage error.
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    let repo = try scanner.option("--repo") ?? "."
    let k = try scanner.int("-k", "--top", in: 1...10_000) ?? 10
    let lang = try scanner.choice("--language", from: ["js", "ts", "tsx"]) ?? "ts"
    let format = try scanner.choice("--format", from: ["text", "json"]) ?? "text"
    let quiet = scanner.flag("--quiet", "-q")
    let model = try scanner.option("--model")
    let positionals = try scanner.finish()
    guard positionals.count == 1 else { throw UsageError("give one query: FILE:LINE, FILE:FUNCTION or -") }
    let query: SearchQuery
    if positionals[0] == "-" {
      let data = FileHandle.standardInput.readDataToEndOfFile()
      let language: Language = lang == "js" ? .javascript : lang == "tsx" ? .tsx : .typescript
      query = .snippet(String(decoding: data, as: UTF8.self), language)
    } else {
      query = try SearchQuery.parse(positionals[0])
    }
    let printer = ProgressPrinter(quiet: quiet, verbose: false)
    let embedder = try CloneModelChoice.resolve(model).embedder
    let result = try SimilaritySearch(embedder: embedder).search(query, root: repo, k: k, log: printer.handle)
    printer.finish()
    if format == "json" {
      struct Output: Encodable {
        var query: CloneLocation?
        var results: [SearchHit]
      }
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      print(String(decoding: try encoder.encode(Output(query: result.query, results: result.hits)), as: UTF8.self))
      return 0
    }
    if let q = result.query { print("query: \(q.label)  \(q.name ?? "(anonymous \(q.kind))")") }
    for hit in result.hits {
      let l = hit.location
      print(
        String(format: "%3d  %.3f  ", hit.rank, hit.similarity) + "\(l.label)  \(l.name ?? "(anonymous \(l.kind))")")
    }
    return 0
  }
}
