import Corpus
import Foundation

/// `codeintel corpus`: fetches the Debian source packages of the manifest and builds the datasets.
enum CorpusCommand: CLICommand {
  static let name = "corpus"
  static let summary = "Fetch the Debian and GitHub source corpus and build the training/evaluation datasets."
  static let help = """
    USAGE: codeintel corpus fetch [--manifest FILE] [--cache DIR] [--archives DIR]
           codeintel corpus build [--manifest FILE] [--cache DIR] [--archives DIR] [--output DIR] [--no-fetch]
           codeintel corpus import-github DIR [--held-out-problems DIR] [--manifest FILE] [--seed N]

    fetch   Debian: adds a deb-src apt source if none exists (needs root), downloads the orig tarballs of
            every package with `apt-get source --download-only`, checks each against the SHA-256 in the
            manifest and extracts it. Packages that cannot be downloaded are listed and the exit status
            is 1; the others are still fetched.
            GitHub: gets every pinned repository with `git` at its commit (git's url.<base>.insteadOf
            can point it at a mirror), or with --archives from a folder laid out like
            ../shared/data/github-corpus (repos/OWNER+NAME.tar.xz). Every file is checked against the git
            blob id in the manifest; a corrupt or missing file stops the fetch with its name. Resumable:
            verified repositories are skipped.
    build   Fetches (unless --no-fetch), then builds every dataset, one file per split
            (train, valid, test, github-valid, github-test): pretrain, method-names, types, clone-pairs
            (augmentation and natural), stats.json and SHA256SUMS. Progress goes to stderr. The last line
            printed is the build's hash: the same manifest gives the same hash. See docs/DATASETS.md.
            Resumable: a build stopped (Ctrl-C, kill) and run again with the same manifest and --output
            continues after the last checkpointed package/repository (a checkpoint is taken at most
            once a minute, in OUTPUT/.build-checkpoint) and ends with the same bytes and hash.
    import-github
            Writes the repositories of a corpus folder (sources.tsv, repos/*.files.tsv) into the manifest
            with a seeded split draw; --held-out-problems names an evaluation set (manifest.tsv with
            LeetCode problem numbers) whose problems are kept out of training.

    OPTIONS:
      --manifest FILE   The corpus manifest (default: Models/corpus-manifest.json).
      --cache DIR       Downloads, extracted and verified trees (default: ~/.cache/codeintel/corpus).
      --archives DIR    Fetch the GitHub repositories from this folder of archives instead of with git.
      --output DIR      Where the datasets go (default: ~/.cache/codeintel/datasets-v2).
      --no-fetch        build: use the cache as it is.
      --stats-markdown FILE   build: also write the statistics tables (Markdown) to FILE.
      --seed N          import-github: seed of the split draw (default: the manifest's seed).
    """

  static func run(_ args: [String]) throws -> Int32 {
    guard let action = args.first, ["fetch", "build", "import-github"].contains(action) else {
      throw UsageError("say `fetch`, `build` or `import-github`")
    }
    var manifestPath = "Models/corpus-manifest.json"
    var cache = CorpusFetcher.defaultCache
    var output = DatasetBuilder.defaultOutput
    var fetch = true
    var markdownPath: String?
    var archives: URL?
    var heldOutProblems: URL?
    var seed: UInt64?
    var positional: [String] = []
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
      case "--archives": archives = URL(fileURLWithPath: try value(arg))
      case "--held-out-problems": heldOutProblems = URL(fileURLWithPath: try value(arg))
      case "--seed":
        let text = try value(arg)
        guard let n = UInt64(text) else { throw UsageError("--seed needs a non-negative integer, not '\(text)'") }
        seed = n
      default:
        guard action == "import-github", !arg.hasPrefix("-") else { throw UsageError("unknown option '\(arg)'") }
        positional.append(arg)
      }
      i += 1
    }
    let manifest = try CorpusManifest.load(path: manifestPath)
    if action == "import-github" {
      guard positional.count == 1 else { throw UsageError("import-github needs one corpus folder") }
      let heldOut = try heldOutProblems.map { try GitHubImport.readHeldOutProblems($0) } ?? []
      let updated = try GitHubImport.apply(
        to: manifest, corpus: URL(fileURLWithPath: positional[0]), heldOut: heldOut,
        heldOutSource: heldOutProblems.map { "LeetCode problems of \($0.lastPathComponent)" } ?? "none",
        seed: seed ?? manifest.seed)
      guard FileManager.default.createFile(atPath: manifestPath, contents: try updated.encoded()) else {
        throw UsageError("cannot write \(manifestPath)")
      }
      let repositories = updated.orderedRepositories
      for split in [CorpusSplit.train, .githubValid, .githubTest] {
        let r = repositories.filter { $0.split == split }
        print(
          "\(split.rawValue): \(r.count) repositories (\(r.filter { $0.language == "typescript" }.count) TypeScript)")
      }
      print("solution collections (split by problem): \(repositories.filter(\.isSolutions).count)")
      print("held-out problems: \(heldOut.count); manifest written to \(manifestPath)")
      return 0
    }
    let fetcher = CorpusFetcher(cache: cache)
    let repositories = RepositoryFetcher(cache: cache, archives: archives)
    let log: (String) -> Void = { line in
      FileHandle.standardError.write(Data((line + "\n").utf8))
    }
    if action == "fetch" || fetch {
      let report = try fetcher.fetch(manifest: manifest, progress: log)
      log("fetch: \(report.ready.count) of \(manifest.packages.count) packages ready in \(fetcher.sources.path)")
      try repositories.fetch(manifest: manifest, progress: log)
      log("fetch: \(manifest.repositories?.count ?? 0) repositories verified in \(repositories.github.path)")
      if !report.missing.isEmpty {
        for m in report.missing { log("  missing \(m.package): \(m.files.joined(separator: ", "))") }
        if action == "fetch" { return 1 }
      }
      if action == "fetch" { return 0 }
    }
    let builder = DatasetBuilder(manifest: manifest, fetcher: fetcher, output: output, repositories: repositories)
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
