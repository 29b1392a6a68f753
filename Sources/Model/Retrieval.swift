import Augment
import Foundation
import Tensor
import Tokenizer

// MARK: - Held-out retrieval

/// The held-out retrieval metric: for each of N held-out functions, one augmented variant is the query and
/// the N original functions are the candidates; a query scores top-k when its own function is among the k
/// candidates with the highest cosine similarity of pooled embeddings (ties counted against it).
///
/// The variants and token ids are fixed when the benchmark is built (seeded, deterministic tokenisation), so
/// every evaluation of a run — and of a random-init baseline — ranks the same queries.
public final class RetrievalBenchmark: @unchecked Sendable {
  /// Candidate (original) token ids, one per function.
  public let candidates: [[Int32]]
  /// Query (variant) token ids, one per function.
  public let queries: [[Int32]]
  /// How many queries came out textually identical to their function (no transform changed them).
  public let unchangedQueries: Int

  /// What one evaluation measured.
  public struct Result: Sendable, Codable, Equatable {
    public var top1: Double
    public var top5: Double
    public var candidates: Int
    /// Functions embedded per second (queries and candidates together).
    public var functionsPerSecond: Double
  }

  /// Builds the queries and candidates from `units` (at most `count`, chosen by `seed`).
  public init(
    units: [FunctionUnit], count: Int, tokenizer: Tokenizer, maxLength: Int, seed: UInt64,
    augment: AugmentConfig = .contraCode
  ) {
    let chosen = FunctionUnit.sample(units, count: count, seed: mixSeed(seed, 7))
    let augmenter = Augmenter(config: augment)
    let options = EncodeOptions(maxLength: maxLength)
    var c: [[Int32]] = []
    var q: [[Int32]] = []
    var unchanged = 0
    for (i, unit) in chosen.enumerated() {
      var rng = SeededRandom(seed: mixSeed(seed, 8, UInt64(i)))
      let variant = augmenter.variant(of: unit.text, language: unit.language, rng: &rng)
      if variant.text == unit.text { unchanged += 1 }
      c.append(tokenizer.encode(unit.text, options: options).ids)
      q.append(tokenizer.encode(variant.text, options: options).ids)
    }
    candidates = c
    queries = q
    unchangedQueries = unchanged
  }

  /// Ranks with `encoder`'s pooled embeddings (no dropout).
  public func evaluate(encoder: any SequenceEncoder, batchSize: Int = 64) -> Result {
    let t0 = DispatchTime.now().uptimeNanoseconds
    let cand = Inference.embed(encoder: encoder, sequences: candidates, batchSize: batchSize)
    let query = Inference.embed(encoder: encoder, sequences: queries, batchSize: batchSize)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    let (top1, top5) = Self.rank(queries: query, candidates: cand, n: candidates.count, dim: encoder.dim)
    return Result(
      top1: top1, top5: top5, candidates: candidates.count,
      functionsPerSecond: Double(2 * candidates.count) / max(seconds, 1e-9))
  }

  /// Top-1 and top-5 accuracy of row i of `queries` finding row i of `candidates` (unit rows, (n, dim)).
  public static func rank(queries: [Float], candidates: [Float], n: Int, dim: Int) -> (Double, Double) {
    guard n > 0 else { return (0, 0) }
    var sim = [Float](repeating: 0, count: n * n)
    queries.withUnsafeBufferPointer { q in
      candidates.withUnsafeBufferPointer { c in
        sim.withUnsafeMutableBufferPointer { s in
          BLAS.gemm(
            transA: false, transB: true, m: n, n: n, k: dim, a: q.baseAddress!, lda: dim,
            b: c.baseAddress!, ldb: dim, c: s.baseAddress!, ldc: n)
        }
      }
    }
    var hit1 = 0
    var hit5 = 0
    for i in 0..<n {
      let target = sim[i * n + i]
      var better = 0
      for j in 0..<n where j != i && sim[i * n + j] >= target { better += 1 }
      if better == 0 { hit1 += 1 }
      if better < 5 { hit5 += 1 }
    }
    return (Double(hit1) / Double(n), Double(hit5) / Double(n))
  }
}
