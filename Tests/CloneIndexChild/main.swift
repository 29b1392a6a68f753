// A helper executable for the CloneIndex tests and benchmarks (not installed, not user-facing):
//
//   clone-index-child index REPO [DELAY_US]   index REPO, printing each indexed file; DELAY_US
//                                             sleeps inside every file's transaction (kill tests)
//   clone-index-child clones REPO [FORMAT] [THRESHOLD]
//                                             the `codeintel clones` library call, for environments
//                                             where the full CLI is not built
//   clone-index-child vectors N D SEED FILE   write N random unit vectors (float32, row-major)
//   clone-index-child vector-bench FILE D K QUERIES THRESHOLD
//                                             time exact top-k and all-pairs over FILE's vectors
import CloneIndex
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

func fail(_ message: String) -> Never {
  var text = "clone-index-child: \(message)\n"
  text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
  exit(1)
}

func now() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

let args = Array(CommandLine.arguments.dropFirst())
guard let mode = args.first else { fail("usage: clone-index-child index|clones|vectors|vector-bench ...") }
/// Writes unbuffered to stdout (the kill test reads progress while the process runs).
func say(_ line: String, terminator: String = "\n") {
  var text = line + terminator
  text.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
}

do {
  switch mode {
  case "index":
    guard args.count >= 2 else { fail("usage: index REPO [DELAY_US]") }
    let delay = args.count > 2 ? UInt32(args[2]) ?? 0 : 0
    let indexer = try RepositoryIndexer(
      root: args[1], options: IndexOptions(transactionDelayMicroseconds: delay)
    ) { event in
      if case .indexed(let path, let units) = event { say("indexed \(path) \(units)") }
      if case .notice(let text) = event { say("notice \(text)") }
    }
    let s = try indexer.update()
    say("done \(s.totalFiles) \(s.totalUnits)")
  case "clones":
    guard args.count >= 2 else { fail("usage: clones REPO [FORMAT] [THRESHOLD]") }
    let format = CloneReportFormat(rawValue: args.count > 2 ? args[2] : "text") ?? .text
    var options = CloneOptions()
    if args.count > 3, let t = Float(args[3]) { options.threshold = t }
    let start = now()
    let report = try CloneFinder(options: options).report(root: args[1])
    let elapsed = now() - start
    say(try CloneReportWriter().render(report, format: format, root: args[1]), terminator: "")
    var text = "clones: \(report.groups.count) groups in \(String(format: "%.2f", elapsed)) s\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
  case "vectors":
    guard args.count == 5, let n = Int(args[1]), let d = Int(args[2]), let seed = UInt64(args[3]) else {
      fail("usage: vectors N D SEED FILE")
    }
    var rng = SplitMix(seed: seed)
    var v = [Float](repeating: 0, count: n * d)
    for r in 0..<n {
      var norm: Float = 0
      for c in 0..<d {
        // Box-Muller normal samples.
        let u1 = max(rng.unit(), 1e-12)
        let u2 = rng.unit()
        let x = Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
        v[r * d + c] = x
        norm += x * x
      }
      let s = 1 / norm.squareRoot()
      for c in 0..<d { v[r * d + c] *= s }
    }
    try FileBytes.write(v.withUnsafeBytes { Array($0) }, to: args[4])
  case "vector-bench":
    guard args.count == 6, let d = Int(args[2]), let k = Int(args[3]), let q = Int(args[4]),
      let threshold = Float(args[5])
    else { fail("usage: vector-bench FILE D K QUERIES THRESHOLD") }
    let bytes = try FileBytes.read(args[1])
    let vectors = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    let index = FlatVectorIndex(vectors: vectors, dimension: d)
    let queries = Array(vectors[0..<(q * d)])
    var t = now()
    let hits = index.search(queries, queryCount: q, k: k)
    let topk = now() - t
    // Single-query latency: 100 queries one at a time.
    t = now()
    var one: [[Neighbor]] = []
    for i in 0..<100 { one = index.search(Array(vectors[(i * d)..<((i + 1) * d)]), queryCount: 1, k: k) }
    let single = (now() - t) / 100
    one = index.search(Array(vectors[0..<d]), queryCount: 1, k: k)
    t = now()
    let pairs = index.pairs(atLeast: threshold)
    let allPairs = now() - t
    var checksum = 0
    for h in hits { for n in h { checksum = checksum &* 31 &+ n.id } }
    say(
      "{\"n\": \(index.count), \"d\": \(d), \"k\": \(k), \"queries\": \(q), \"topk_batch_s\": \(topk), "
        + "\"topk_single_query_s\": \(single), \"allpairs_s\": \(allPairs), \"pairs\": \(pairs.count), "
        + "\"first_query_top\": \(one[0].map { $0.id }), \"topk_checksum\": \(checksum)}")
  default:
    fail("unknown mode \(mode)")
  }
} catch {
  fail("\(error)")
}

/// SplitMix64, for reproducible benchmark vectors.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
