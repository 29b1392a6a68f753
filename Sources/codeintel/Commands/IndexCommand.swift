import CloneIndex
import CodeIntel
import Heads

/// `codeintel index`: builds or updates a repository's clone index.
enum IndexCommand: CLICommand {
  static let name = "index"
  static let summary = "Build or update the clone index of a repository (REPO/.codeintel/index.sqlite)."
  static let help = """
    USAGE: codeintel index <repo> [--model hashed|encoder|DIR] [--verbose] [--quiet]
                           [--max-file-size BYTES]

    Walks the repository for .js .mjs .cjs .jsx .ts .mts .cts .tsx files, honouring .gitignore
    files (globs, **, negation, directory-only and anchored patterns) and always skipping
    node_modules, .git, .d.ts files, symbolic-link loops, binary, minified, generated and huge files.
    Every function unit is stored with an exact hash, a canonical hash (locals renamed, comments,
    whitespace and type annotations ignored) and an embedding, in REPO/.codeintel/index.sqlite
    (SQLite, WAL mode). Re-indexing only reads files whose size or modification time changed and
    only re-parses those whose content changed; deleted files disappear; a different embedder
    re-embeds everything. Each file is written in one transaction, so an interrupted run (even
    SIGKILL) leaves a consistent index that the next run completes. A corrupt or foreign index file
    is moved to index.sqlite.bad and rebuilt, with a message. Two runs on one repository take turns
    (the second says that it waits).

    OPTIONS:
      --model M              The embedder: hashed (default), encoder (the shipped ContraCode model)
                             or a model folder, as in `codeintel clones`.
      --verbose              List every skipped path with its reason, and every (re)indexed file.
      --quiet                No progress and no notices (errors are still printed).
      --max-file-size BYTES  Skip larger files (default: 4194304).

    Prints one summary line on stdout. Exit status: 0 success, 1 error, 2 usage error.
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    let verbose = scanner.flag("--verbose", "-v")
    let quiet = scanner.flag("--quiet", "-q")
    let maxSize = try scanner.int("--max-file-size", in: 1...Int(Int32.max)) ?? (4 << 20)
    let model = try scanner.option("--model")
    let positionals = try scanner.finish()
    guard positionals.count == 1 else { throw UsageError("give exactly one repository folder") }
    let printer = ProgressPrinter(quiet: quiet, verbose: verbose)
    let indexer = try RepositoryIndexer(
      root: positionals[0], embedder: try CloneModelChoice.resolve(model).embedder,
      options: IndexOptions(maxFileBytes: maxSize), log: printer.handle)
    let s = try indexer.update()
    printer.finish()
    if !quiet {
      print(
        "indexed \(s.filesIndexed) files (\(s.unitsWritten) functions), \(s.filesUnchanged) unchanged, "
          + "\(s.filesRemoved) removed, \(s.filesSkipped) skipped; the index holds \(s.totalFiles) files and "
          + "\(s.totalUnits) functions")
    }
    return 0
  }
}
