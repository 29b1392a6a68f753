import Augment
import CloneIndex
import Foundation
import Model
import Syntax
import Tensor

// MARK: - Texts through a parser, side by side

/// A per-text computation that needs a parser, run on `threads` workers, each with one parser per language.
enum ParsedTexts {
  /// `transform(texts[i], parser)` for every i, in order (`empty` fills the array before the workers write it).
  static func map<T>(
    _ texts: [String], _ languages: [Language], threads: Int, empty: T, _ transform: (String, Parser) -> T
  ) -> [T] {
    var out = [T](repeating: empty, count: texts.count)
    let workers = max(1, min(threads, texts.count))
    out.withUnsafeMutableBufferPointer { buffer in
      Parallel.forEachWorker(workers) { w in
        var parsers: [Language: Parser] = [:]
        for i in stride(from: w, to: texts.count, by: workers) {
          let parser = parsers[languages[i]] ?? Parser(language: languages[i])
          parsers[languages[i]] = parser
          buffer[i] = transform(texts[i], parser)
        }
      }
    }
    return out
  }

  /// Every text's identifier-blind rendering (`IdentifierBlind`).
  static func identifierBlind(_ texts: [String], _ languages: [Language], threads: Int) -> [String] {
    map(texts, languages, threads: threads, empty: "") { IdentifierBlind.text($0, parser: $1) }
  }
}

// MARK: - Scorers, scores, rows

/// One way to score a pair of texts.
public struct CloneScorer {
  public enum Method {
    /// Token-set Jaccard over leaf tokens.
    case tokenSetJaccard
    /// Cosine of unit-length embeddings (`embed` gets every distinct text once).
    case embedding((_ texts: [String], _ languages: [Language], _ threads: Int) throws -> [Float], dimension: Int)
  }

  public let name: String
  public let method: Method

  public init(name: String, method: Method) {
    self.name = name
    self.method = method
  }

  /// The token-set Jaccard baseline.
  public static var tokenJaccard: CloneScorer {
    CloneScorer(name: "token-set Jaccard (baseline)", method: .tokenSetJaccard)
  }

  /// The clone index's default embedder.
  public static func hashedFeatures(_ embedder: HashedFeatureEmbedder = HashedFeatureEmbedder()) -> CloneScorer {
    CloneScorer(
      name: "hashed syntax features (clone index default)",
      method: .embedding(
        { texts, languages, threads in
          var out = [Float](repeating: 0, count: texts.count * embedder.dimension)
          let d = embedder.dimension
          out.withUnsafeMutableBufferPointer { buffer in
            Parallel.forEachWorker(threads) { w in
              for i in stride(from: w, to: texts.count, by: threads) {
                let v = (try? embedder.embed([UnitText(text: texts[i], language: languages[i])]))?.first ?? []
                for j in 0..<min(d, v.count) { buffer[i * d + j] = v[j] }
              }
            }
          }
          return out
        }, dimension: embedder.dimension))
  }

  /// A pretrained (or randomly initialised) encoder: texts tokenised and encoded on `threads` workers, each
  /// with its own copy of the encoder and single-threaded BLAS (on a shared, loaded machine this beats one
  /// encoder with multi-threaded BLAS, whose threads wait on each other); pooled embeddings L2-normalised.
  public static func encoder(_ model: PretrainedModel, name: String, encoder: (any SequenceEncoder)? = nil)
    -> CloneScorer
  {
    let net = encoder ?? model.encoder
    let d = net.dim
    return CloneScorer(
      name: name,
      method: .embedding(
        { texts, _, threads in
          let workers = max(1, min(threads, texts.count))
          let nets = [net] + (1..<max(workers, 1)).map { _ in EncoderFactory.clone(net) }
          for n in nets { (n as? TransformerEncoder)?.threads = 1 }
          defer { (net as? TransformerEncoder)?.threads = 2 }
          BLAS.setThreads(1)
          var out = [Float](repeating: 0, count: texts.count * d)
          out.withUnsafeMutableBufferPointer { buffer in
            Parallel.forEachWorker(workers) { w in
              let mine = Array(stride(from: w, to: texts.count, by: workers))
              let flat = Inference.embed(encoder: nets[w], sequences: mine.map { model.tokens(of: texts[$0]) })
              for (r, i) in mine.enumerated() {
                for j in 0..<d { buffer[i * d + j] = flat[r * d + j] }
              }
            }
          }
          return out
        }, dimension: d))
  }

  /// The pair similarity by table ids.
  func similarity(texts: [String], languages: [Language], threads: Int) throws -> (Int, Int) -> Double {
    switch method {
    case .tokenSetJaccard:
      let sets = ParsedTexts.map(texts, languages, threads: threads, empty: [UInt64]()) {
        CloneEvaluation.tokenHashes($0, parser: $1)
      }
      return { CloneEvaluation.jaccard(sets[$0], sets[$1]) }
    case .embedding(let embed, let d):
      let vectors = try embed(texts, languages, threads)
      precondition(vectors.count == texts.count * d, "one vector per text")
      return { a, b in
        var s: Float = 0
        for j in 0..<d { s += vectors[a * d + j] * vectors[b * d + j] }
        return Double(s)
      }
    }
  }
}

/// One scorer's scores on a pair set: `values[view][column]`; column 0 (natural) holds one score per pair,
/// adversarial columns `tries` per pair, pair-major.
public struct CloneScores: Sendable {
  public let scorer: String
  public let tries: Int
  public var values: [[[Double]]]

  public init(scorer: String, tries: Int, values: [[[Double]]]) {
    self.scorer = scorer
    self.tries = tries
    self.values = values
  }

  /// One score per pair: as is for the natural column; the min (positives) or max (negatives) over tries
  /// for an adversarial column.
  public func pairScores(view: CloneEvaluation.View, column: Int, labels: [Bool]) -> [Double] {
    let v = values[view.rawValue][column]
    if column == 0 { return v }
    return labels.indices.map { p in
      AdversarialEdits.adversarialScore(v[(p * tries)..<((p + 1) * tries)], positive: labels[p])
    }
  }

  /// Elementwise combination of several scorers' scores (same set, same shape).
  public static func combine(_ name: String, _ inputs: [CloneScores], _ f: ([Double]) -> Double) -> CloneScores {
    precondition(!inputs.isEmpty, "at least one input")
    var out = inputs[0].values
    for v in out.indices {
      for c in out[v].indices {
        for i in out[v][c].indices { out[v][c][i] = f(inputs.map { $0.values[v][c][i] }) }
      }
    }
    return CloneScores(scorer: name, tries: inputs[0].tries, values: out)
  }
}

/// One row of the clone table: per view, per column, AUROC and AP.
public struct CloneRow: Sendable {
  public struct Metric: Sendable, Equatable {
    public let auroc: Double
    public let ap: Double
  }

  public let scorer: String
  public let metrics: [[Metric]]
}
