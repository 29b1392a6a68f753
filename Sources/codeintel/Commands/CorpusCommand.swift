import Corpus
import Foundation

/// `codeintel corpus`: fetches the Debian source packages of the manifest and builds the datasets.
enum CorpusCommand: CLICommand {
  static let name = "corpus"
  static let summary = "Fetch the Debian source corpus and build the training/evaluation datasets."
  static let help = """
    USAGE: codeintel corpus fetch [--manifest FILE] [--cache DIR]
           codeintel corpus build [--manifest FILE] [--cache DIR] [--output DIR] [--no-fetch]

    fetch   Adds a deb-src apt source if none exists (needs root), downloads the orig tarballs of every
            package in the manifest with `apt-get source --download-only`, checks each against the
            SHA-256 in the manifest and extracts it. Packages that cannot be downloaded are listed and
            the exit status is 1; the others are still fetched.
    build   Fetches (unless --no-fetch), then rebuilds every dataset from scratch: pretrain, method-names,
            types, clone-pairs, stats.json and SHA256SUMS. The last line printed is the build's hash:
            the same manifest gives the same hash. See docs/DATASETS.md for the schemas.

    OPTIONS:
      --manifest FILE   The corpus manifest (default: Models/corpus-manifest.json).
      --cache DIR       Downloads and extracted trees (default: ~/.cache/codeintel/corpus).
      --output DIR      Where the datasets go (default: ~/.cache/codeintel/datasets).
      --no-fetch        build: use the cache as it is.
      --stats-markdown FILE   build: also write the statistics tables (Markdown) to FILE.
    """

  static func run(_ args: [String]) throws -> Int32 {
    guard let action = args.first, ["fetch", "build"].contains(action) else {
      throw UsageError("say `fetch` or `build`")
    }
    var manifestPath = "Models/corpus-manifest.json"
    var cache = CorpusFetcher.defaultCache
    var output = DatasetBuilder.defaultOutput
    var fetch = true
    var markdownPath: String?
    var i = 1
    func value(_ flag: String) throws -> String {
      i += 1
      guard i < args.count else { throw UsageError("\(flag) needs a value") }
      return args[i]
    }
    while i < args.count {
      let arg = args[i]
      switch arg {
      case "--manifest": manifestPath = try value(arg)
      case "--cache": cache = URL(fileURLWithPath: try value(arg))
      case "--output": output = URL(fileURLWithPath: try value(arg))
      case "--no-fetch": fetch = false
      case "--stats-markdown": markdownPath = try value(arg)
      default: throw UsageError("unknown option '\(arg)'")
      }
      i += 1
    }
    let manifest = try CorpusManifest.load(path: manifestPath)
    let fetcher = CorpusFetcher(cache: cache)
    let log: (String) -> Void = { line in
      FileHandle.standardError.write(Data((line + "\n").utf8))
    }
    if action == "fetch" || fetch {
      let report = try fetcher.fetch(manifest: manifest, progress: log)
      log("fetch: \(report.ready.count) of \(manifest.packages.count) packages ready in \(fetcher.sources.path)")
      if !report.missing.isEmpty {
        for m in report.missing { log("  missing \(m.package): \(m.files.joined(separator: ", "))") }
        if action == "fetch" { return 1 }
      }
      if action == "fetch" { return 0 }
    }
    let builder = DatasetBuilder(manifest: manifest, fetcher: fetcher, output: output)
    let result = try builder.build(progress: log)
    if let markdownPath {
      _ = FileManager.default.createFile(atPath: markdownPath, contents: Data(result.statistics.markdown.utf8))
    }
    for file in result.files { print("\(file.sha256)  \(file.path)") }
    print("datasets written to \(output.path)")
    print("dataset hash (sha256 of SHA256SUMS): \(result.hash)")
    return 0
  }
}
