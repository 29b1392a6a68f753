import CloneIndex
import Foundation

/// `codeintel embed`: writes one embedding per function (or per file) as JSON lines.
enum EmbedCommand: CLICommand {
  static let name = "embed"
  static let summary = "Write one embedding per function (or per file) as JSON lines."
  static let help = """
    USAGE: codeintel embed <file-or-dir>... [--per function|file] [--format jsonl] [--output FILE]

    Embeds every function unit of the given files (folders are walked like `codeintel index`
    does) and writes one JSON object per line:
      {"path": "...", "name": "...", "kind": "function", "startLine": 3, "endLine": 9,
       "startByte": 40, "endByte": 212, "model": "hashed-features-v1-256", "vector": [...]}
    With --per file, one line per file: the L2-normalised mean of its functions' vectors
    ("kind": "file"; a file without functions is embedded whole). No index is read or written.

    OPTIONS:
      --per P          function (default) or file.
      --format jsonl   The only format (one JSON object per line).
      --output FILE    Write to FILE instead of stdout.
      --quiet          Accepted as by every command (embed prints no progress or notices).

    Exit status: 0 success, 1 error, 2 usage error.
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    let per = try scanner.choice("--per", from: ["function", "file"]) ?? "function"
    _ = try scanner.choice("--format", from: ["jsonl"])
    let output = try scanner.option("--output", "-o")
    _ = scanner.flag("--quiet", "-q")  // accepted like everywhere: embed prints no progress or notices
    let paths = try scanner.finish()
    guard !paths.isEmpty else { throw UsageError("give at least one file or folder") }
    let exporter = EmbeddingExporter(granularity: per == "file" ? .file : .function)
    let files = try exporter.files(for: paths)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var buffer = Data()
    let handle: FileHandle
    if let output {
      try FileBytes.write([], to: output)
      guard let h = FileHandle(forWritingAtPath: output) else { throw CloneIndexError.io("cannot write \(output)") }
      handle = h
    } else {
      handle = FileHandle.standardOutput
    }
    try exporter.export(files) { e in
      buffer.append(try encoder.encode(e))
      buffer.append(0x0A)
      if buffer.count > 1 << 16 {
        handle.write(buffer)
        buffer.removeAll(keepingCapacity: true)
      }
    }
    handle.write(buffer)
    return 0
  }
}
