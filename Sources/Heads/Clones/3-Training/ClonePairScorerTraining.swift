import Augment
import CloneIndex
import Foundation
import Syntax
import Tensor

/// Trains the learned pair scorer (`ClonePairScorer`): features of natural clone pairs plus hard negatives
/// (`NaturalClonePairs`), a logistic regression and small tanh networks fitted on the train split, the one
/// with the best github-valid AUROC kept, and its threshold and candidate floor chosen on github-valid.
public enum ClonePairScorerTraining {
  public struct Options: Sendable {
    /// Hidden sizes tried (0 = logistic regression).
    public var hiddenSizes: [Int] = [0]
    /// Hard negatives per text (`NaturalClonePairs.addHardNegatives`), and the weights of a hard negative's
    /// log-loss tried (against 1 for the file's pairs): all weight on them teaches "alike means different",
    /// which is wrong for the random pairs; none leaves same-shape pairs of different problems unseen.
    public var hardPerText = 2
    public var hardWeights: [Double] = [0.1, 0.3, 1]
    /// The common tokens left out of the rare views.
    public var commonTokens = 64
    /// The precision the decision threshold must reach on the valid candidates.
    public var targetPrecision = 0.9
    /// The hashed-cosine floor of the candidates the scorer judges: the clone index's cosine threshold, so the
    /// scorer only removes edges the cosine rule would make (a lower floor found more same-problem pairs on
    /// LeetCode but added groups that were noise on library code; docs/CLONES.md).
    public var candidateCosine = Double(CloneOptions.defaultThreshold)
    /// Whether the threshold is chosen on every valid pair (`true`: positives, random and hard negatives) or
    /// only on those at or above the candidate floor. Session 5 used the floor: 16 github-valid pairs, 3
    /// negatives, too few to calibrate a precision on; all 334 pairs are the default now.
    public var thresholdOnAllPairs = true
    public var seed: UInt64 = 1
    public var threads = 2
    public init() {}
  }

  /// A set's pairs as feature rows.
  public struct Features: Sendable {
    public var rows: [[Double]]
    public var labels: [Bool]
    public var hard: [Bool]
  }

  /// Tokens and hashed vectors of texts, on `threads` workers.
  public static func tokens(_ texts: [(String, Language)], threads: Int) -> [UnitTokens] {
    var out = [UnitTokens](repeating: UnitTokens(), count: texts.count)
    out.withUnsafeMutableBufferPointer { buffer in
      Parallel.forEachWorker(threads) { w in
        for i in stride(from: w, to: texts.count, by: threads) {
          buffer[i] = HashedFeatureEmbedder.tokens(ofText: texts[i].0, language: texts[i].1)
        }
      }
    }
    return out
  }

  /// The `k` tokens found in the most texts, as `TokenHash` values (ties by hash), raw and blind.
  public static func commonTokens(_ tokens: [UnitTokens], k: Int) -> (raw: [UInt32], blind: [UInt32]) {
    func top(_ streams: [[String]]) -> [UInt32] {
      var df: [UInt32: Int] = [:]
      for s in streams { for h in Set(TokenHash.hashes(s)) { df[h, default: 0] += 1 } }
      return df.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(k).map(\.key).sorted()
    }
    return (top(tokens.map(\.exact)), top(tokens.map(\.features)))
  }

  /// Sides of a pair set, its hard negatives added, and the feature rows (all of `PairFeatures.names`; the
  /// encoder's two cosines are 0 without `encoder`: its views of every text, `EncoderViews.embed`).
  public static func features(
    _ set: inout NaturalClonePairs, tokens: [UnitTokens], common: (raw: [UInt32], blind: [UInt32]), hardPerText: Int,
    encoder: [(asWritten: [Float], blind: [Float])]? = nil
  ) -> Features {
    let embedder = HashedFeatureEmbedder()
    let vectors = tokens.map { embedder.vector(for: $0) }
    if hardPerText > 0 {
      set.addHardNegatives(vectors: vectors.flatMap { $0 }, dimension: embedder.dimension, perText: hardPerText)
    }
    let raw = Set(common.raw)
    let blind = Set(common.blind)
    var sides = tokens.indices.map {
      PairSide(tokens: tokens[$0], vector: vectors[$0], commonRaw: raw, commonBlind: blind)
    }
    if let encoder {
      precondition(encoder.count == sides.count, "one encoder view pair per text")
      for i in sides.indices {
        sides[i].encoder = encoder[i].asWritten
        sides[i].encoderBlind = encoder[i].blind
      }
    }
    PairSide.assignIDF(&sides)
    return Features(
      rows: set.pairs.map { PairFeatures.compute(sides[$0.a], sides[$0.b]) }, labels: set.pairs.map(\.positive),
      hard: set.pairs.map(\.hard))
  }

  // MARK: - Fitting

  /// Column means and standard deviations (a constant column gets scale 1).
  public static func standardisation(_ rows: [[Double]]) -> (mean: [Double], scale: [Double]) {
    let d = rows.first?.count ?? 0
    var mean = [Double](repeating: 0, count: d)
    var sq = [Double](repeating: 0, count: d)
    for r in rows { for i in 0..<d { mean[i] += r[i] } }
    for i in 0..<d { mean[i] /= Double(max(rows.count, 1)) }
    for r in rows { for i in 0..<d { sq[i] += (r[i] - mean[i]) * (r[i] - mean[i]) } }
    let scale = sq.map { s -> Double in
      let v = (s / Double(max(rows.count, 1))).squareRoot()
      return v > 1e-9 ? v : 1
    }
    return (mean, scale)
  }

  /// A scorer fitted on `train` with `hidden` hidden units (0: logistic regression by Newton's method;
  /// otherwise full-batch Adam on the mean log-loss with a small L2 penalty, seeded initialisation).
  /// Threshold and candidate floor are placeholders until `choose` sets them.
  /// `train` holds full rows (`PairFeatures.names`); the scorer reads `features` of them.
  public static func fit(
    _ train: Features, hidden: Int, hardWeight: Double = 1, common: (raw: [UInt32], blind: [UInt32]), seed: UInt64,
    features: [String] = PairFeatures.legacyNames
  ) -> ClonePairScorer {
    let rowWeight = train.hard.map { $0 ? hardWeight : 1 }
    let totalWeight = rowWeight.reduce(0, +)
    let columns = ClonePairScorer.columns(features)
    let rows = train.rows.map { r in columns.map { r[$0] } }
    let (mean, scale) = standardisation(rows)
    let z = rows.map { r in r.indices.map { (r[$0] - mean[$0]) / scale[$0] } }
    let d = mean.count
    var scorer = ClonePairScorer(
      embedder: HashedFeatureEmbedder().modelID, mean: mean, scale: scale, hidden: 0, hiddenWeights: [],
      hiddenBias: [], outputWeights: [Double](repeating: 0, count: d), outputBias: 0, decisionThreshold: 0.5,
      candidateCosine: 0.5, commonRawTokens: common.raw, commonBlindTokens: common.blind, features: features)
    if hidden == 0 {
      let m = LogisticModel.fit(features: z, labels: train.labels, weights: rowWeight, l2: 1e-2, iterations: 100)
      scorer.outputWeights = m.weights
      scorer.outputBias = m.bias
      return scorer
    }
    var rng = SeededRandom(seed: seed)
    func normal() -> Double {
      let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-12)
      let u2 = Double(rng.next() >> 11) / Double(1 << 53)
      return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    // Parameters: W1 (hidden × d), b1, w2, b2 in one buffer.
    let n1 = hidden * d
    var theta = [Double](repeating: 0, count: n1 + hidden + hidden + 1)
    for i in 0..<n1 { theta[i] = normal() / Double(d).squareRoot() }
    for h in 0..<hidden { theta[n1 + hidden + h] = normal() / Double(hidden).squareRoot() }
    var m1 = [Double](repeating: 0, count: theta.count)
    var m2 = [Double](repeating: 0, count: theta.count)
    let lr = 0.03
    let l2 = 1e-4
    var act = [Double](repeating: 0, count: hidden)
    for step in 1...800 {
      var g = [Double](repeating: 0, count: theta.count)
      for (k, (x, y)) in zip(z, train.labels).enumerated() {
        var out = theta[theta.count - 1]
        for h in 0..<hidden {
          var s = theta[n1 + h]
          for i in 0..<d { s += theta[h * d + i] * x[i] }
          act[h] = tanh(s)
          out += theta[n1 + hidden + h] * act[h]
        }
        let r = rowWeight[k] * (1 / (1 + exp(-out)) - (y ? 1 : 0)) / totalWeight
        g[theta.count - 1] += r
        for h in 0..<hidden {
          g[n1 + hidden + h] += r * act[h]
          let back = r * theta[n1 + hidden + h] * (1 - act[h] * act[h])
          g[n1 + h] += back
          for i in 0..<d { g[h * d + i] += back * x[i] }
        }
      }
      for i in 0..<(n1 + hidden) where i < n1 { g[i] += l2 * theta[i] }
      let t = Double(step)
      for i in theta.indices {
        m1[i] = 0.9 * m1[i] + 0.1 * g[i]
        m2[i] = 0.999 * m2[i] + 0.001 * g[i] * g[i]
        let mh = m1[i] / (1 - pow(0.9, t))
        let vh = m2[i] / (1 - pow(0.999, t))
        theta[i] -= lr * mh / (vh.squareRoot() + 1e-8)
      }
    }
    scorer.hidden = hidden
    scorer.hiddenWeights = Array(theta[0..<n1])
    scorer.hiddenBias = Array(theta[n1..<(n1 + hidden)])
    scorer.outputWeights = Array(theta[(n1 + hidden)..<(n1 + 2 * hidden)])
    scorer.outputBias = theta[theta.count - 1]
    return scorer
  }

  /// The candidate cosine floor (`options.candidateCosine`) and the decision threshold: the lowest
  /// probability whose precision on the valid pairs (all, or those above the floor:
  /// `options.thresholdOnAllPairs`) is at least `targetPrecision`.
  public static func choose(_ scorer: inout ClonePairScorer, valid: Features, options: Options) -> DecisionThreshold {
    scorer.candidateCosine = options.candidateCosine
    let kept = valid.rows.indices.filter {
      options.thresholdOnAllPairs || valid.rows[$0][0] >= scorer.candidateCosine
    }
    let scores = kept.map { scorer.probability(valid.rows[$0]) }
    let labels = kept.map { valid.labels[$0] }
    let chosen =
      DecisionThreshold.forPrecision(options.targetPrecision, scores: scores, labels: labels)
      ?? DecisionThreshold.bestF1(scores: scores, labels: labels)
    scorer.decisionThreshold = chosen.threshold
    return chosen
  }
}
