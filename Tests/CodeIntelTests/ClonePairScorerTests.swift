import Augment
import CloneIndex
import Foundation
import Model
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
      0, 0,  // no encoder vectors: the encoder cosines are 0
    ]
    #expect(f.count == PairFeatures.count)
    for (x, y) in zip(f, expected) { #expect(abs(x - y) < 1e-6) }
    #expect(PairFeatures.compute(b, a) == f)
  }

  @Test func encoderCosinesComeFromTheSidesEncoderVectors() {
    var (a, b) = Self.sides()
    a.encoder = [1, 0, 0]
    b.encoder = [0.8, 0.6, 0]
    a.encoderBlind = [0, 1]
    b.encoderBlind = [0, 1]
    let f = PairFeatures.compute(a, b)
    let i = PairFeatures.names.firstIndex(of: "encoderCosine")!
    let j = PairFeatures.names.firstIndex(of: "encoderBlindCosine")!
    #expect(abs(f[i] - 0.8) < 1e-6 && abs(f[j] - 1) < 1e-6)
    // The first 12 do not move.
    #expect(Array(f.prefix(12)) == Array(PairFeatures.compute(Self.sides().0, Self.sides().1).prefix(12)))
    // One side without vectors (or of another size): 0, never a crash.
    b.encoder = [1, 0]
    #expect(PairFeatures.compute(a, b)[i] == 0)
  }

  @Test func aLegacyTwelveFeatureScorerLoadsAndScoresAsBefore() throws {
    // A session-5 file: 12 features, 12 weights. It reads the first 12 columns of a full row, so the encoder
    // columns cannot change its score.
    var w = [Double](repeating: 0, count: 12)
    w[0] = 2
    w[8] = -4
    let old = ClonePairScorer(
      embedder: "hashed-features-v1-256", mean: [0.1] + [Double](repeating: 0, count: 11),
      scale: [0.5] + [Double](repeating: 1, count: 11), hidden: 0, hiddenWeights: [], hiddenBias: [],
      outputWeights: w, outputBias: 1, decisionThreshold: 0.5, candidateCosine: 0.5, commonRawTokens: [30],
      commonBlindTokens: [1], features: PairFeatures.legacyNames)
    #expect(old.problem() == nil && !old.needsEncoder)
    var (a, b) = Self.sides()
    #expect(abs(old.probability(a, b) - 0.5) < 1e-6)
    a.encoder = [1, 0]
    b.encoder = [0, 1]
    #expect(abs(old.probability(a, b) - 0.5) < 1e-6)
    // Through the file, without an encoderModel key (as session 5 wrote it).
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scorer-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try old.save(directory: dir)
    let text = String(
      decoding: try Data(contentsOf: dir.appendingPathComponent(ClonePairScorer.fileName)), as: UTF8.self)
    #expect(!text.contains("encoderModel"))
    let loaded = try #require(try ClonePairScorer.load(directory: dir))
    #expect(loaded == old && loaded.columns == Array(0..<12))
    // An unknown feature name is refused with a sentence.
    var unknown = old
    unknown.features[3] = "telepathy"
    try unknown.save(directory: dir)
    #expect(throws: CodeIntelError.self) { try ClonePairScorer.load(directory: dir) }
    do { _ = try ClonePairScorer.load(directory: dir) } catch { #expect("\(error)".contains("telepathy")) }
  }

  @Test func aScorerThatReadsTheEncoderNeedsItsModel() throws {
    var s = Self.logistic()
    #expect(s.needsEncoder)
    #expect(throws: CodeIntelError.self) { try s.encode([UnitText(text: "x", language: .javascript)]) }
    #expect(throws: CodeIntelError.self) { try LearnedPairGate(scorer: s, model: nil) }
    let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Models/contracode-hybrid-small")
    let model = try PretrainedModel.load(directory: models.path)
    s.encoderModel = "encoder:another-model"
    #expect(throws: CodeIntelError.self) { try LearnedPairGate(scorer: s, model: model) }
    s.encoderModel = EncoderEmbedder(model: model).modelID
    let gate = try LearnedPairGate(scorer: s, model: model, threads: 1)
    #expect(gate.usesEncoder)
    // Its views: unit vectors, and a renamed copy has the same identifier-blind vector.
    let v = try gate.encode([
      UnitText(text: "function f(a, b) { const s = a + b; return s * 2 }", language: .javascript),
      UnitText(text: "function f(x, y) { const t = x + y; return t * 2 }", language: .javascript),
    ])
    #expect(v.count == 2)
    for (w, bl) in v { #expect(abs(w.reduce(0) { $0 + $1 * $1 } - 1) < 1e-3 && bl.count == w.count) }
    #expect(zip(v[0].blind, v[1].blind).allSatisfy { abs($0 - $1) < 1e-5 })
    #expect(!zip(v[0].asWritten, v[1].asWritten).allSatisfy { abs($0 - $1) < 1e-5 })
  }

  @Test func anEncoderFloorMakesTheEncoderAgree() throws {
    var s = Self.logistic()
    s.features = PairFeatures.legacyNames
    s.mean = Array(s.mean.prefix(12))
    s.scale = Array(s.scale.prefix(12))
    s.outputWeights = Array(s.outputWeights.prefix(12))
    #expect(!s.needsEncoder)
    var (a, b) = Self.sides()
    #expect(s.agrees(a, b), "no floor: always")
    s.minEncoderCosine = 0.9
    #expect(s.needsEncoder && s.problem() == nil)
    a.encoder = [1, 0]
    b.encoder = [0.8, 0.6]
    #expect(!s.agrees(a, b))
    b.encoder = [0.96, 0.28]
    #expect(s.agrees(a, b))
    // The floor travels in the file; a file without one has none.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scorer-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try s.save(directory: dir)
    #expect(try ClonePairScorer.load(directory: dir)?.minEncoderCosine == 0.9)
    s.minEncoderCosine = 1.5
    #expect(s.problem()?.contains("minEncoderCosine") == true)
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
    #expect(message.contains("a logistic scorer needs \(s.features.count) output weights"))
    var other = s
    other.version = 2
    try other.save(directory: dir)
    #expect(refusal(String(decoding: try Data(contentsOf: url), as: UTF8.self)).contains("version 2"))
    #expect(!message.contains("\n"))
  }

  @Test func theShippedScorerLoads() throws {
    let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Models/contracode-hybrid-small")
    let s = try #require(try ClonePairScorer.load(directory: models))
    #expect(s.embedder == HashedFeatureEmbedder().modelID)
    #expect((0...1).contains(s.decisionThreshold))
  }
}

@Suite struct ClonePairScorerTrainingTests {
  static func write(_ lines: [String]) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("natural-\(UUID().uuidString).jsonl").path
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  static func pair(_ label: Int, _ p: String, _ pkg: String, _ a: String, _ q: String, _ qpkg: String, _ b: String)
    -> String
  {
    let o: [String: Any] = [
      "label": label, "problem": p, "package": pkg, "path": "a.js", "language": "javascript", "a": a, "b_problem": q,
      "b_package": qpkg, "b_path": "b.ts", "b_language": "typescript", "b": b,
    ]
    return String(decoding: try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]), as: UTF8.self)
  }

  @Test func naturalPairsLoadTextsOnceAndRefuseABadLine() throws {
    let path = try Self.write([
      Self.pair(1, "p1", "x", "function f(a) { return a + 1 }", "p1", "y", "const g = (b) => b + 1"),
      Self.pair(0, "p1", "x", "function f(a) { return a + 1 }", "p2", "y", "function h(s) { return s.trim() }"),
    ])
    defer { try? FileManager.default.removeItem(atPath: path) }
    let set = try NaturalClonePairs.load(path: path)
    #expect(set.texts.count == 3 && set.pairs.count == 2 && set.positives == 1)
    #expect(set.texts[1].language == .typescript && set.texts[1].problem == "p1" && set.texts[2].problem == "p2")
    let bad = try Self.write([Self.pair(1, "p1", "x", "a", "p1", "y", "b"), "{\"label\": 1}"])
    defer { try? FileManager.default.removeItem(atPath: bad) }
    #expect(throws: CodeIntelError.self) { try NaturalClonePairs.load(path: bad) }
    do {
      _ = try NaturalClonePairs.load(path: bad)
    } catch {
      #expect("\(error)".contains(":2: expected"))
    }
  }

  @Test func hardNegativesAreTheMostAlikeTextsOfOtherProblems() {
    // Texts 0 and 1 solve p1, 2 and 3 solve p2; 4 solves p3 in text 0's repository. Vectors in 2-D.
    let texts = [("p1", "r1"), ("p1", "r2"), ("p2", "r3"), ("p2", "r4"), ("p3", "r1")].map {
      NaturalClonePairs.Text(text: "", language: .javascript, problem: $0.0, package: $0.1)
    }
    let v: [[Float]] = [[1, 0], [0.6, 0.8], [0.99, 0.141], [0, 1], [0.8, 0.6]]
    var set = NaturalClonePairs(
      name: "t", texts: texts, pairs: [.init(a: 0, b: 1, positive: true, hard: false)])
    set.addHardNegatives(vectors: v.flatMap { $0 }, dimension: 2, perText: 1)
    let hard = set.pairs.filter(\.hard)
    #expect(hard.allSatisfy { !$0.positive && texts[$0.a].problem != texts[$0.b].problem })
    let keys = Set(hard.map { [min($0.a, $0.b), max($0.a, $0.b)] })
    // Text 0's nearest of another problem is 2 (0.99); its nearest in its own repository is 4.
    #expect(keys.contains([0, 2]) && keys.contains([0, 4]))
    // Never the same unordered pair twice, never a pair of one problem.
    #expect(keys.count == hard.count && !keys.contains([0, 1]) && !keys.contains([2, 3]))
  }

  @Test func theThresholdIsTheLowestWithTheAskedPrecisionAboveTheFloor() {
    var scorer = ClonePairScorerTests.logistic()
    // Feature 0 is the cosine; with weights 2 on z0 and −4 on feature 8 (0 here), p rises with the cosine.
    func row(_ cosine: Double) -> [Double] {
      var r = [Double](repeating: 0, count: PairFeatures.count)
      r[0] = cosine
      return r
    }
    let valid = ClonePairScorerTraining.Features(
      rows: [row(0.95), row(0.9), row(0.85), row(0.8), row(0.6)], labels: [true, true, false, true, false],
      hard: [false, false, true, false, true])
    var options = ClonePairScorerTraining.Options()
    options.candidateCosine = 0.75
    options.targetPrecision = 0.75
    options.thresholdOnAllPairs = false
    let chosen = ClonePairScorerTraining.choose(&scorer, valid: valid, options: options)
    // Above the floor: 0.95 +, 0.9 +, 0.85 −, 0.8 +. At the 0.8 row: 3 of 4 = 0.75 ≥ 0.75, recall 1.
    #expect(scorer.candidateCosine == 0.75)
    #expect(abs(chosen.threshold - scorer.probability(row(0.8))) < 1e-12)
    #expect(chosen.precision == 0.75 && chosen.recall == 1)
    #expect(scorer.decisionThreshold == chosen.threshold)
    // On all pairs, a negative below the floor that the scorer rates above the 0.8 row (feature 8 pulls its
    // logit to 3.88, between the 0.85 row's 4.0 and the 0.8 row's 3.8) counts too: at the 0.8 row 3 of 5
    // (0.6), at the 0.85 row 2 of 3; the threshold rises to the 0.9 row (2 of 2).
    var below = row(0.6)
    below[8] = -0.22
    let all = ClonePairScorerTraining.Features(
      rows: valid.rows + [below], labels: valid.labels + [false], hard: valid.hard + [true])
    options.thresholdOnAllPairs = true
    let strict = ClonePairScorerTraining.choose(&scorer, valid: all, options: options)
    #expect(scorer.probability(below) > scorer.probability(row(0.8)))
    #expect(abs(strict.threshold - scorer.probability(row(0.9))) < 1e-12)
  }

  @Test func fittingFindsTheFeatureThatSeparates() {
    // Feature 10 (rawIDFJaccard) separates the classes; the rest is noise.
    var rng = SeededRandom(seed: 3)
    var rows: [[Double]] = []
    var labels: [Bool] = []
    for i in 0..<300 {
      let positive = i % 2 == 0
      var r = (0..<PairFeatures.count).map { _ in rng.unit() }
      r[10] = (positive ? 0.6 : 0.2) + (rng.unit() - 0.5) * 0.3
      rows.append(r)
      labels.append(positive)
    }
    let train = ClonePairScorerTraining.Features(rows: rows, labels: labels, hard: labels.map { _ in false })
    let s = ClonePairScorerTraining.fit(train, hidden: 0, common: ([], []), seed: 1)
    let biggest = s.outputWeights.indices.max { abs(s.outputWeights[$0]) < abs(s.outputWeights[$1]) }
    #expect(biggest == 10 && s.outputWeights[10] > 0)
    #expect(s.problem() == nil)
  }
}
