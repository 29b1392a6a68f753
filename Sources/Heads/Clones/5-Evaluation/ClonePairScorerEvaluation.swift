import CloneIndex
import CodeIntel
import Foundation
import Model
import Syntax
import Tensor

/// The learned pair scorer on a labelled pair set: AUROC against token-set Jaccard and the hashed
/// features, on the texts as written and identifier-blind (`IdentifierBlind`), and every kind's decision
/// rule of `codeintel clones` at its defaults as precision and recall on the pairs.
///
/// IDF weights count over the set's own texts (the collection searched), per view. A text is judged as
/// `codeintel clones` would judge the function in it: its first function unit when that covers at least half
/// the text, else the whole text (`HashedFeatureEmbedder.tokens(ofText:)`).
public struct ClonePairScorerEvaluation: Sendable {
  public struct Scores: Sendable {
    public var learned: [Double]
    public var jaccard: [Double]
    public var hashed: [Double]
    /// The encoder's cosine (empty without an encoder).
    public var encoder: [Double] = []
    /// Every pair's full feature row (`PairFeatures.names`), for `eval clones --scorer --dump-features`.
    public var rows: [[Double]] = []
  }

  /// A decision rule's counts on the pairs (the same counts as group purity's per-kind decisions).
  public typealias Decision = CloneGroupPurity.Decision

  public var set: String
  public var pairs: Int
  public var positives: Int
  public var natural: Scores
  public var blind: Scores?
  public var decisions: [Decision]
  public var pairLabels: [Bool]

  struct Side {
    var side: PairSide
    var exactHash: String
    var canonicalHash: String?
    var leaves: [UInt64]
  }

  static func sides(
    _ texts: [String], _ languages: [Language], scorer: ClonePairScorer, model: PretrainedModel?, threads: Int
  ) throws -> [Side] {
    let embedder = HashedFeatureEmbedder()
    var out = [Side?](repeating: nil, count: texts.count)
    out.withUnsafeMutableBufferPointer { buffer in
      Parallel.forEachWorker(threads) { w in
        var parsers: [Language: Parser] = [:]
        let canonicalizer = UnitCanonicalizer()
        for i in stride(from: w, to: texts.count, by: threads) {
          let language = languages[i]
          let parser = parsers[language] ?? Parser(language: language)
          parsers[language] = parser
          var tokens = UnitTokens()
          var canonical: String?
          if let tree = try? parser.parse(texts[i]) {
            if let unit = extractUnits(from: tree).first, unit.byteRange.count * 2 >= tree.bytes.count {
              tokens = UnitTokens(unit: unit, in: tree)
              canonical = canonicalizer.canonicalHash(of: unit, in: tree)
            } else {
              tokens = UnitTokens(node: tree.root)
            }
          }
          buffer[i] = Side(
            side: PairSide(
              tokens: tokens, vector: embedder.vector(for: tokens), commonRaw: scorer.commonRaw,
              commonBlind: scorer.commonBlind),
            exactHash: tokens.exactHash, canonicalHash: canonical,
            leaves: CloneEvaluation.tokenHashes(texts[i], parser: parser))
        }
      }
    }
    var sides = out.map { $0! }
    if let model {
      let views = try EncoderViews.embed(model, texts: texts, languages: languages, threads: threads)
      for i in sides.indices {
        sides[i].side.encoder = views[i].asWritten
        sides[i].side.encoderBlind = views[i].blind
      }
    }
    var pairSides = sides.map(\.side)
    PairSide.assignIDF(&pairSides)
    for i in sides.indices { sides[i].side = pairSides[i] }
    return sides
  }

  static func scores(_ sides: [Side], _ pairs: [ClonePairSet.Pair], scorer: ClonePairScorer) -> Scores {
    var s = Scores(learned: [], jaccard: [], hashed: [])
    for p in pairs {
      let f = PairFeatures.compute(sides[p.a].side, sides[p.b].side)
      s.rows.append(f)
      s.learned.append(scorer.probability(f))
      s.hashed.append(f[0])
      if !sides[p.a].side.encoder.isEmpty { s.encoder.append(f[PairFeatures.names.firstIndex(of: "encoderCosine")!]) }
      s.jaccard.append(CloneEvaluation.jaccard(sides[p.a].leaves, sides[p.b].leaves))
    }
    return s
  }

  /// Scores `set` (and its identifier-blind texts when `blind`) and applies the kinds' rules at `options`.
  /// `model` computes the encoder features (required when the scorer reads them; with a legacy scorer it adds
  /// the encoder cosine's AUROC for comparison).
  public static func run(
    set: ClonePairSet, scorer: ClonePairScorer, model: PretrainedModel? = nil, blind: Bool,
    options: CloneOptions = CloneOptions(), threads: Int = 2
  ) throws -> ClonePairScorerEvaluation {
    if scorer.needsEncoder && model == nil {
      throw CodeIntelError("the clone pair scorer reads encoder features: give its model")
    }
    let sides = try Self.sides(set.texts, set.languages, scorer: scorer, model: model, threads: threads)
    let natural = scores(sides, set.pairs, scorer: scorer)
    var blindScores: Scores?
    if blind {
      let texts = ParsedTexts.identifierBlind(set.texts, set.languages, threads: threads)
      blindScores = scores(
        try Self.sides(texts, set.languages, scorer: scorer, model: model, threads: threads), set.pairs,
        scorer: scorer)
    }
    func needed(_ t: Float, _ n: Int) -> Int { max(1, Int((t * Float(n)).rounded(.up))) }
    let exact: (Side, Side) -> Bool = { $0.exactHash == $1.exactHash }
    let renamed: (Side, Side) -> Bool = { a, b in
      a.exactHash != b.exactHash && a.canonicalHash != nil && a.canonicalHash == b.canonicalHash
    }
    let nearMiss: (Side, Side) -> Bool = { a, b in
      let x = a.side
      let y = b.side
      return NearMissIndex.overlap(x.rawBag, y.rawBag)
        >= needed(options.nearMissRawOverlap, max(x.rawBag.count, y.rawBag.count))
        && NearMissIndex.overlap(x.blindBag, y.blindBag)
          >= needed(options.nearMissBlindOverlap, max(x.blindBag.count, y.blindBag.count))
    }
    let learned: (Side, Side) -> Bool = { a, b in
      let f = PairFeatures.compute(a.side, b.side)
      return f[0] >= scorer.candidateCosine && scorer.probability(f) >= scorer.decisionThreshold
    }
    let cosine: (Side, Side) -> Bool = { a, b in PairFeatures.compute(a.side, b.side)[0] >= Double(options.threshold) }
    let rules: [(String, (Side, Side) -> Bool)] = [
      ("exact", exact),
      ("renamed", renamed),
      (
        "near-miss (raw ≥ \(options.nearMissRawOverlap), blind ≥ \(options.nearMissBlindOverlap))",
        { !exact($0, $1) && !renamed($0, $1) && nearMiss($0, $1) }
      ),
      (
        String(
          format: "functional, learned scorer (p ≥ %.3f on cosine ≥ %.2f)", scorer.decisionThreshold,
          scorer.candidateCosine), learned
      ),
      (String(format: "functional, hashed cosine ≥ %.2f alone (before)", options.threshold), cosine),
      ("any kind (what `clones` reports, with the scorer)", { exact($0, $1) || nearMiss($0, $1) || learned($0, $1) }),
    ]
    let positives = set.pairs.filter(\.positive).count
    let decisions = rules.map { name, rule -> Decision in
      var tp = 0
      var fp = 0
      for p in set.pairs where rule(sides[p.a], sides[p.b]) {
        if p.positive { tp += 1 } else { fp += 1 }
      }
      return Decision(
        name: name, truePositives: tp, falsePositives: fp, positives: positives,
        negatives: set.pairs.count - positives)
    }
    return ClonePairScorerEvaluation(
      set: set.name, pairs: set.pairs.count, positives: positives, natural: natural, blind: blindScores,
      decisions: decisions, pairLabels: set.pairs.map(\.positive))
  }

  /// AUROC per scorer and view.
  public func aurocs() -> [(String, Double, Double?)] {
    let labels = pairLabels
    func a(_ s: [Double]) -> Double { RankingMetrics.auroc(scores: s, labels: labels) ?? .nan }
    var rows = [
      ("learned pair scorer (clone-scorer.json)", a(natural.learned), blind.map { a($0.learned) }),
      ("token-set Jaccard (baseline)", a(natural.jaccard), blind.map { a($0.jaccard) }),
      ("hashed syntax features (cosine)", a(natural.hashed), blind.map { a($0.hashed) }),
    ]
    if !natural.encoder.isEmpty {
      rows.append(("encoder cosine", a(natural.encoder), blind.flatMap { $0.encoder.isEmpty ? nil : a($0.encoder) }))
    }
    return rows
  }
}

extension ClonePairSet {
  /// A natural pair file (`NaturalClonePairs`) as a pair set; groups are the two problems.
  public init(natural: NaturalClonePairs) {
    self.init(
      name: natural.name, texts: natural.texts.map(\.text), languages: natural.texts.map(\.language),
      pairs: natural.pairs.map { p in
        ClonePairSet.Pair(
          a: p.a, b: p.b, positive: p.positive,
          groups: Array(Set([natural.texts[p.a].problem, natural.texts[p.b].problem])).sorted())
      })
  }
}
