// Tokenizer benchmark: trains on the files listed in one text file, encodes the files listed in another, and
// prints timings (CPU time of the thread, as the machine is shared; wall time for training too). Built straight from the Tokenizer sources (no package build needed), e.g.
//
//   swiftc -swift-version 6 -Ounchecked -wmo -parse-as-library -module-name TokenizerBench \
//     Sources/Tokenizer/*.swift scripts/bench-tokenizer.swift -o /tmp/bench-tokenizer
//   /tmp/bench-tokenizer --train train-files.txt --eval eval-files.txt --vocab 8000 --out /tmp/tokenizer.json
//
// Exploratory tooling only (see docs/TOKENIZER.md); the product never calls it.
import Foundation

@main
struct BenchTokenizer {
  static func main() throws {
    var args = Array(CommandLine.arguments.dropFirst())
    func option(_ name: String) -> String? {
      guard let k = args.firstIndex(of: name), k + 1 < args.count else { return nil }
      defer { args.removeSubrange(k...(k + 1)) }
      return args[k + 1]
    }
    let trainList = option("--train")
    let evalList = option("--eval")
    let load = option("--load")
    let vocab = Int(option("--vocab") ?? "8000") ?? 8000
    let seedSize = Int(option("--seed-size") ?? "200000") ?? 200_000
    let out = option("--out")
    let alpha = Double(option("--alpha") ?? "0.1") ?? 0.1

    func readList(_ path: String) throws -> [String] {
      let names = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
      return names.compactMap { name in
        guard let data = FileManager.default.contents(atPath: name) else { return nil }
        return String(decoding: data, as: UTF8.self)
      }
    }
    // CPU time of this thread: the machine is shared, so wall time overstates the cost (both are printed).
    func now() -> Double {
      var t = timespec()
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
      return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
    func wall() -> Double { Date().timeIntervalSince1970 }

    var tokenizer: Tokenizer
    if let load {
      tokenizer = try Tokenizer.load(from: URL(fileURLWithPath: load))
    } else {
      guard let trainList else {
        print("usage: bench-tokenizer (--train LIST | --load tokenizer.json) [--eval LIST] [--vocab N] [--out FILE]")
        return
      }
      let texts = try readList(trainList)
      let bytes = texts.reduce(0) { $0 + $1.utf8.count }
      print("train: \(texts.count) files, \(bytes) bytes")
      let t0 = now()
      let w0 = wall()
      tokenizer = try Tokenizer.train(
        texts: texts, configuration: .init(vocabSize: vocab, seedSize: seedSize))
      print(
        String(
          format: "train: %.1f s CPU (%.1f s wall), vocab %d, %d distinct pre-tokens, %d required characters",
          now() - t0, wall() - w0, tokenizer.vocabSize, tokenizer.trainingSummary.distinctPreTokens,
          tokenizer.trainingSummary.requiredCharacters))
    }
    if let out { try tokenizer.save(to: URL(fileURLWithPath: out)) }

    guard let evalList else { return }
    let texts = try readList(evalList)
    let bytes = texts.reduce(0) { $0 + $1.utf8.count }
    print("eval: \(texts.count) files, \(bytes) bytes")
    // Viterbi encode, best of 3.
    var best = Double.infinity
    var tokens = 0
    for _ in 0..<3 {
      let t0 = now()
      tokens = 0
      for text in texts { tokens += tokenizer.encode(text).count }
      best = min(best, now() - t0)
    }
    print(
      String(
        format: "encode (Viterbi, best of 3): %.2f MB/s, %d tokens, %.3f tokens/byte", Double(bytes) / best / 1e6,
        tokens, Double(tokens) / Double(bytes)))
    // Encode with offsets.
    do {
      let t0 = now()
      for text in texts { _ = tokenizer.encode(text, options: EncodeOptions()) }
      print(String(format: "encode with offsets, once: %.2f MB/s", Double(bytes) / (now() - t0) / 1e6))
    }
    // Sampling.
    var rng = SplitMix64(seed: 1)
    for a in [alpha, 0.2, 0.5, 1.0] {
      var sampled = 0
      let t1 = now()
      for text in texts { sampled += tokenizer.encode(text, sampling: a, using: &rng).count }
      print(
        String(
          format: "encode (sampling alpha %.2f): %.2f MB/s, %d tokens, %.3f tokens/byte", a,
          Double(bytes) / (now() - t1) / 1e6, sampled, Double(sampled) / Double(bytes)))
    }
    // Function-sized pieces (the training data path): 2 KB chunks cut at line ends, max 256 tokens.
    var chunks: [String] = []
    for text in texts {
      var current = ""
      for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        current += line + "\n"
        if current.utf8.count >= 2048 {
          chunks.append(current)
          current = ""
        }
      }
      if !current.isEmpty { chunks.append(current) }
    }
    let t2 = now()
    for chunk in chunks { _ = tokenizer.encode(chunk, sampling: alpha, using: &rng, options: .init(maxLength: 256)) }
    let dt = now() - t2
    print(
      String(
        format: "sampled encode of %d 2 KB chunks, max 256 tokens: %.0f chunks/s", chunks.count,
        Double(chunks.count) / dt))
    // Round trip.
    var failures = 0
    for text in texts where tokenizer.decode(tokenizer.encode(text)) != text { failures += 1 }
    print("round trip failures: \(failures) of \(texts.count)")
    // Byte fallback use.
    var fallbackTokens = 0
    for text in texts.prefix(200) {
      fallbackTokens +=
        tokenizer.encode(text).filter { $0 >= tokenizer.byteOffset && $0 < tokenizer.byteOffset + 256 }
        .count
    }
    print("byte-fallback tokens in the first 200 eval files: \(fallbackTokens)")
  }
}
