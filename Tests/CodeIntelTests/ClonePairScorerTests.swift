import CloneIndex
import Foundation
import Testing

@testable import CodeIntel
@testable import Heads

@Suite struct ClonePairScorerTests {
  // a: raw 10 20 30 30, blind 1 2 2 3; b: raw 20 30 40, blind 1 2 4. Common: raw 30, blind 1.
  static func sides() -> (PairSide, PairSide) {
    let a = PairSide(raw: [10, 30, 20, 30], blind: [1, 2, 2, 3], vector: [1, 0], commonRaw: [30], commonBlind: [1])
    let b = PairSide(raw: [20, 30, 40], blind: [1, 2, 4], vector: [0.6, 0.8], commonRaw: [30], commonBlind: [1])
    return (a, b)
  }

  @Test func featuresByHand() {
    let (a, b) = Self.sides()
    let f = PairFeatures.compute(a, b)
    let expected: [Double] = [
      0.6,  // cosine
      0.5, 0.5,  // sets {10,20,30}/{20,30,40}, {1,2,3}/{1,2,4}: 2 shared of 4
      0.5, 0.5,  // bags: 2 shared of the larger 4
      1.0 / 3, 1.0 / 3,  // rare sets {10,20}/{20,40}, {2,3}/{2,4}
      0.25,  // blind bigrams (1,2)(2,2)(2,3) / (1,2)(2,4): 1 shared of 4
      0.75,  // 3 / 4 tokens
      log(3.0) / log(10_000.0),
      0.5, 0.5,  // IDF weights all 1 until assigned: plain Jaccard
    ]
    #expect(f.count == PairFeatures.count)
    for (x, y) in zip(f, expected) { #expect(abs(x - y) < 1e-6) }
    #expect(PairFeatures.compute(b, a) == f)
  }

  @Test func idfWeighsDownWhatEveryFunctionHas() {
    let (a, b) = Self.sides()
    var sides = [a, b]
    PairSide.assignIDF(&sides)
    let f = PairFeatures.compute(sides[0], sides[1])
    // 20 and 30 are in both of the two functions: log(3/3) = 0; 10 and 40 weigh log(3/2). Shared weight 0.
    #expect(f[10] == 0)
    // Blind: 1 and 2 shared (weight 0), 3 and 4 not.
    #expect(f[11] == 0)
    // A third function that shares nothing makes 20 and 30 rarer than "everywhere": shared weight > 0.
    var three = [a, b, PairSide(raw: [99], blind: [98], vector: [0, 1], commonRaw: [], commonBlind: [])]
    PairSide.assignIDF(&three)
    let g = PairFeatures.compute(three[0], three[1])
    // idf(20) = idf(30) = log(4/3), idf(10) = idf(40) = log(4/2): 2·log(4/3) / (2·log(4/3) + 2·log 2).
    let w = log(4.0 / 3)
    #expect(abs(g[10] - 2 * w / (2 * w + 2 * log(2.0))) < 1e-5)
  }

  static func logistic(hidden: Int = 0) -> ClonePairScorer {
    let d = PairFeatures.count
    var mean = [Double](repeating: 0, count: d)
    var scale = [Double](repeating: 1, count: d)
    mean[0] = 0.1
    scale[0] = 0.5
    var w = [Double](repeating: 0, count: d)
    w[0] = 2
    w[8] = -4
    return ClonePairScorer(
      embedder: "hashed-features-v1-256", mean: mean, scale: scale, hidden: 0, hiddenWeights: [], hiddenBias: [],
      outputWeights: w, outputBias: 1, decisionThreshold: 0.5, candidateCosine: 0.5, commonRawTokens: [30],
      commonBlindTokens: [1])
  }

  @Test func logisticScoreByHand() {
    let (a, b) = Self.sides()
    // z0 = (0.6 − 0.1) / 0.5 = 1; logit = 2·1 − 4·0.75 + 1 = 0; p = 0.5.
    let s = Self.logistic()
    #expect(abs(s.logit(PairFeatures.compute(a, b))) < 1e-6)  // the cosine is a Float
    #expect(abs(s.probability(a, b) - 0.5) < 1e-6)
  }

  @Test func networkScoreByHand() {
    let (a, b) = Self.sides()
    var s = Self.logistic()
    let d = PairFeatures.count
    s.hidden = 1
    s.hiddenWeights = [Double](repeating: 0, count: d)
    s.hiddenWeights[0] = 1
    s.hiddenBias = [0.5]
    s.outputWeights = [2]
    s.outputBias = -1
    // h = tanh(1 + 0.5); p = σ(2h − 1).
    let expected = 1 / (1 + exp(-(2 * tanh(1.5) - 1)))
    #expect(abs(s.probability(a, b) - expected) < 1e-6)
  }

  @Test func savesLoadsAndRefusesABadFileWithASentence() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scorer-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(try ClonePairScorer.load(directory: dir) == nil)
    let s = Self.logistic()
    try s.save(directory: dir)
    let loaded = try #require(try ClonePairScorer.load(directory: dir))
    #expect(loaded == s)
    #expect(loaded.commonRaw == [30] && loaded.commonBlind == [1])
    let url = dir.appendingPathComponent(ClonePairScorer.fileName)
    func refusal(_ text: String) -> String {
      try? Data(text.utf8).write(to: url)
      do {
        _ = try ClonePairScorer.load(directory: dir)
        return ""
      } catch {
        return "\(error)"
      }
    }
    #expect(
      refusal("not json").contains("not a clone pair scorer (not JSON); re-create it with codeintel finetune clones"))
    var short = s
    short.outputWeights = [1, 2]
    try short.save(directory: dir)
    let message = refusal(String(decoding: try Data(contentsOf: url), as: UTF8.self))
    #expect(message.contains("a logistic scorer needs \(PairFeatures.count) output weights"))
    var other = s
    other.version = 2
    try other.save(directory: dir)
    #expect(refusal(String(decoding: try Data(contentsOf: url), as: UTF8.self)).contains("version 2"))
    #expect(!message.contains("\n"))
  }

  @Test func theShippedScorerLoads() throws {
    let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Models/contracode-moco-small")
    let s = try #require(try ClonePairScorer.load(directory: models))
    #expect(s.embedder == HashedFeatureEmbedder().modelID)
    #expect((0...1).contains(s.decisionThreshold))
  }
}
