import CodeIntel
import Foundation
import Model

/// `codeintel bench`: the benchmarks whose numbers go into docs/BENCHMARKS.md.
enum BenchCommand: CLICommand {
  static let name = "bench"
  static let summary = "Measure speed: parsing, the encoder (see docs/BENCHMARKS.md for all benchmarks)."
  static let help = """
    USAGE: codeintel bench parse <file-or-dir>... [--repeats N] [--format text|json]
           codeintel bench tensor [--small] [--moco] [--hybrid] [--queue N] [--data-parallel N] [--interleave]
                                  [--threads N] [--row-threads N] [--iterations N] [--layers N] [--dim N] [--heads N] [--ffn N] [--batch N] [--length N]

    parse    Reads the files first, then times parsing alone and parsing plus function-unit
             extraction on one thread (best of N runs, default 3), in CPU time of that thread
             (so other load on the machine matters little) and in wall time. Reports MB/s, units found
             and the share of files whose tree has ERROR or MISSING nodes (listed with --format json).
    tensor   Times the Transformer encoder on random tokens: inference and a training step (forward,
             backward, AdamW) in functions/s, and the sgemm peak, beside the CPU model, the OpenBLAS
             build and the kernels it runs (see `codeintel --version --verbose`). Defaults: 4 layers,
             d=256, 4 heads, FFN 1024, vocab 8192, batch 32x128, 2 threads. --small: the shipped
             model's shape (2 layers, d=128, FFN 512, vocab 8000). --moco: also one MoCo pretraining
             step (pairs/s; queue 4096 unless --queue). --hybrid: also one hybrid step as
             Models/configs/hybrid-small.json trains (MLM on its own pass + MoCo). --data-parallel N:
             slices of those steps' batch, one thread each (default 2; 1 = the step before issue 16's
             split: whole batch, multi-threaded BLAS). --interleave: also time those steps unsplit and
             split alternately, step by step (A B, B A, ...), and print the median speed-up: the
             before/after comparison least disturbed by other load. --row-threads 1 keeps layer norm, dropout,
             bias/residual adds and AdamW on one thread (the engine before issue 16 split them).
             scripts/bench/tensor/run.sh runs PyTorch beside it.
    """

  static func run(_ args: [String]) throws -> Int32 {
    guard let which = args.first else { throw UsageError("say which benchmark: parse or tensor") }
    if which == "tensor" { return try tensor(Array(args.dropFirst())) }
    guard which == "parse" else { throw UsageError("unknown benchmark '\(which)'; choose parse or tensor") }
    var scanner = ArgumentScanner(Array(args.dropFirst()))
    let repeats = try scanner.int("--repeats", in: 1...1000) ?? 3
    let json = try scanner.choice("--format", from: ["text", "json"]) == "json"
    let paths = try scanner.finish()
    guard !paths.isEmpty else { throw UsageError("give at least one file or directory") }
    let r = try ParseBenchmark.run(paths: paths, repeats: repeats)
    if json {
      let doc: [String: Any] = [
        "files": r.files, "bytes": r.bytes, "units": r.units, "parseMBps": r.parseMBps,
        "parseAndUnitsMBps": r.parseAndUnitsMBps, "parseWallSeconds": r.parseWallSeconds,
        "parseAndUnitsWallSeconds": r.parseAndUnitsWallSeconds, "parseCPUSeconds": r.parseSeconds, "filesWithErrors": r.filesWithErrors, "errorShare": r.errorShare,
      ]
      let data = try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
    } else {
      print(
        String(
          format: "%d files, %.2f MB, %d units\nparse: %.3f CPU-s = %.2f MB/s on one core (wall %.3f s; best of %d)\nparse + units: %.3f CPU-s = %.2f MB/s (wall %.3f s)\nfiles with syntax errors: %d (%.2f%%)",
          r.files, Double(r.bytes) / 1_048_576, r.units, r.parseSeconds, r.parseMBps, r.parseWallSeconds, repeats,
          r.parseAndUnitsSeconds, r.parseAndUnitsMBps, r.parseAndUnitsWallSeconds, r.filesWithErrors.count,
          r.errorShare * 100))
      for path in r.filesWithErrors.prefix(20) { print("  \(path)") }
    }
    return 0
  }

  static func tensor(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    var config = scanner.flag("--small") ? EncoderBenchmark.Config.small : EncoderBenchmark.Config()
    config.moco = scanner.flag("--moco")
    config.hybrid = scanner.flag("--hybrid")
    config.dataParallel = try scanner.int("--data-parallel", in: 1...64)
    config.interleave = scanner.flag("--interleave")
    config.queue = try scanner.int("--queue", in: 0...1_000_000) ?? config.queue
    config.threads = try scanner.int("--threads", in: 1...64) ?? config.threads
    config.rowThreads = try scanner.int("--row-threads", in: 1...64)
    config.iterations = try scanner.int("--iterations", in: 1...10_000) ?? config.iterations
    config.layers = try scanner.int("--layers", in: 1...64) ?? config.layers
    config.dim = try scanner.int("--dim", in: 8...4096) ?? config.dim
    config.heads = try scanner.int("--heads", in: 1...64) ?? config.heads
    config.ffn = try scanner.int("--ffn", in: 8...16384) ?? config.ffn
    config.batch = try scanner.int("--batch", in: 1...4096) ?? config.batch
    config.length = try scanner.int("--length", in: 1...8192) ?? config.length
    guard try scanner.finish().isEmpty else { throw UsageError("bench tensor takes no positional arguments") }
    guard config.dim % config.heads == 0 else { throw UsageError("--dim must be a multiple of --heads") }
    print(EncoderBenchmark.run(config))
    return 0
  }
}
