import CloneIndex
import CodeIntel
import Heads
import Foundation

/// `codeintel embed`: writes one embedding per function (or per file) as JSON lines.
enum EmbedCommand: CLICommand {
  static let name = "embed"
  static let summary = "Write one embedding per function (or per file) as JSON lines."
  static let help = """
    USAGE: codeintel embed <file-or-dir>... [--per function|file] [--model hashed|encoder|DIR]
                           [--max-file-size BYTES] [--format jsonl] [--output FILE]

    Embeds every function unit of the given files (folders are walked like `codeintel index`
    does) and writes one JSON object per line:
      {"path": "...", "name": "...", "kind": "function", "startLine": 3, "endLine": 9,
       "startByte": 40, "endByte": 212, "model": "hashed-features-v1-256", "vector": [...]}
    With --per file, one line per file: the L2-normalised mean of its functions' vectors
    ("kind": "file"; a file without functions is embedded whole). No index is read or written.
    An input that cannot be embedded (missing, unreadable, too large, not JS/TS) gets one line on
    stderr and the others still go out; the exit status is then 1. Under --per function a file
    without functions gets a warning line (it has nothing to embed).

    OPTIONS:
      --per P          function (default) or file.
      --model M        hashed (default: hashed syntax features), encoder (the shipped ContraCode
                       model) or a model folder.
      --max-file-size BYTES  Refuse larger files (default: 4194304, as `codeintel index`).
      --format jsonl   The only format (one JSON object per line).
      --output FILE    Write to FILE instead of stdout.
      --quiet          Accepted as by every command (embed prints no progress or notices).

    Exit status: 0 success, 1 an input could not be embedded (or another error), 2 usage error.
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    let per = try scanner.choice("--per", from: ["function", "file"]) ?? "function"
    _ = try scanner.choice("--format", from: ["jsonl"])
    let output = try scanner.option("--output", "-o")
    let model = try scanner.option("--model")
    let maxSize = try scanner.int("--max-file-size", in: 1...Int(Int32.max)) ?? (4 << 20)
    let quiet = scanner.flag("--quiet", "-q")  // no warnings (errors still print: they set the exit status)
    let paths = try scanner.finish()
    guard !paths.isEmpty else { throw UsageError("give at least one file or folder") }
    let exporter = EmbeddingExporter(
      embedder: try CloneModelChoice.resolve(model).embedder, granularity: per == "file" ? .file : .function,
      maxFileBytes: maxSize)
    var failed = 0
    let problem = { (p: ExportProblem) in
      if p.severity == .error { failed += 1 } else if quiet { return }
      printError("codeintel: \(p.severity == .warning ? "warning: " : "")\(p)")
    }
    let files = exporter.files(for: paths, problem: problem)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var buffer = Data()
    let handle = try outputHandle(output)
    try exporter.export(files, problem: problem) { e in
      buffer.append(try encoder.encode(e))
      buffer.append(0x0A)
      if buffer.count > 1 << 16 {
        handle.write(buffer)
        buffer.removeAll(keepingCapacity: true)
      }
    }
    handle.write(buffer)
    if failed > 0 {
      printError("codeintel: \(failed) input\(failed == 1 ? "" : "s") could not be embedded")
      return 1
    }
    return 0
  }
}
