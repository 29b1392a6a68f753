import Foundation
import Testing

@testable import Heads

@Suite("Name display calibration")
struct NameDisplayCalibrationTests {
  typealias P = NameDisplayCalibration.Point

  @Test("the lowest probability whose shown set meets both goals, computed by hand")
  func handComputed() {
    // Sorted by probability: 0.9 (any, exact), 0.8 (any), 0.7 (none), 0.6 (any, exact), 0.5 (none), 0.4 (none)
    let points = [
      P(probability: 0.5, anyRight: false, exact: false), P(probability: 0.9, anyRight: true, exact: true),
      P(probability: 0.7, anyRight: false, exact: false), P(probability: 0.8, anyRight: true, exact: false),
      P(probability: 0.4, anyRight: false, exact: false), P(probability: 0.6, anyRight: true, exact: true),
    ]
    // Shown sets: >=0.9: 1/1 any, 1/1 exact; >=0.8: 2/2, 1/2; >=0.7: 2/3, 1/3; >=0.6: 3/4, 2/4; >=0.5: 3/5, 2/5;
    // >=0.4: 3/6, 2/6. With goals 0.6 / 0.3 and support 2: 0.5 is the lowest that qualifies (0.6, 0.4).
    let fit = NameDisplayCalibration.fit(points, minAnyRight: 0.6, minExact: 0.3, minSupport: 2, source: "t")
    #expect(fit.minProbability == 0.5 && fit.shown == 5)
    #expect(abs(fit.anyRightShare - 0.6) < 1e-12 && abs(fit.exactShare - 0.4) < 1e-12)
    #expect(fit.shows(0.5) && !fit.shows(0.49))
    // Support 6 leaves only the whole set, which fails the any-subtoken goal (0.5): nothing is shown.
    let strict = NameDisplayCalibration.fit(points, minAnyRight: 0.6, minExact: 0.3, minSupport: 6, source: "t")
    #expect(strict.minProbability == nil && strict.shown == 0 && !strict.shows(1))
    // A higher exact goal moves the threshold up: >=0.6 gives 2/4 = 0.5 exact.
    let exact = NameDisplayCalibration.fit(points, minAnyRight: 0.6, minExact: 0.5, minSupport: 2, source: "t")
    #expect(exact.minProbability == 0.6)
  }

  @Test("per-split rule: a level that passes on the pool but fails on one split does not qualify (hand-computed)")
  func perSplit() throws {
    // Split A: 0.9 (any, exact), 0.8 (any, exact), 0.6 (any), 0.4 (none).
    //   Judged levels (support 2): >=0.8 2/2 any, 2/2 exact; >=0.6 3/3, 2/3; >=0.4 3/4, 2/4: all pass, A's level 0.4.
    // Split B: 0.85 (any, exact), 0.7 (any), 0.5 (none), 0.45 (none).
    //   >=0.7 2/2, 1/2; >=0.5 2/3, 1/3 pass; >=0.45 2/4 = 0.5 any: misses, the walk stops. B's level 0.5.
    // Pooled: >=0.4 shows all 8: 5/8 = 0.625 any, 3/8 = 0.375 exact, and every level above passes too: 0.4.
    let a = [
      P(probability: 0.9, anyRight: true, exact: true), P(probability: 0.8, anyRight: true, exact: true),
      P(probability: 0.6, anyRight: true, exact: false), P(probability: 0.4, anyRight: false, exact: false),
    ]
    let b = [
      P(probability: 0.85, anyRight: true, exact: true), P(probability: 0.7, anyRight: true, exact: false),
      P(probability: 0.5, anyRight: false, exact: false), P(probability: 0.45, anyRight: false, exact: false),
    ]
    // The pooled rule (sessions 5-8) takes 0.4, where split B's shown names are 2 of 4 any-right.
    let pooled = NameDisplayCalibration.fit(a + b, minAnyRight: 0.6, minExact: 0.3, minSupport: 2, source: "t")
    #expect(pooled.minProbability == 0.4 && pooled.shown == 8)
    let fit = NameDisplayCalibration.stableFit(
      splits: [("A", a), ("B", b)], minAnyRight: 0.6, minExact: 0.3, minSupport: 2, z: 0, source: "t")
    #expect(fit.minProbability == 0.5)
    #expect(!fit.shows(0.45) && !fit.shows(0.4) && fit.shows(0.5))
    // At 0.5: A shows 3 (3 any, 2 exact), B shows 3 (2 any, 1 exact); the pool 6 (5, 3).
    #expect(fit.shown == 6 && abs(fit.anyRightShare - 5.0 / 6) < 1e-12 && abs(fit.exactShare - 0.5) < 1e-12)
    let splits = try #require(fit.splits)
    #expect(
      splits.map(\.split) == ["A", "B"] && splits.map(\.shown) == [3, 3] && splits.map(\.suggestions) == [4, 4])
    #expect(abs(splits[1].anyRightShare - 2.0 / 3) < 1e-12 && abs(splits[1].exactShare - 1.0 / 3) < 1e-12)
    #expect(fit.z == 0 && fit.rule != nil)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("display-split-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try fit.write(to: dir)
    #expect(try NameDisplayCalibration.load(from: dir) == fit)
    // A split whose first judged level misses leaves no level at all, however well the other split and the pool do.
    let bad = [P(probability: 0.95, anyRight: false, exact: false), P(probability: 0.3, anyRight: false, exact: false)]
    let none = NameDisplayCalibration.stableFit(
      splits: [("A", a), ("bad", bad)], minAnyRight: 0.6, minExact: 0.3, minSupport: 2, z: 0, source: "t")
    #expect(none.minProbability == nil && none.shown == 0 && !none.shows(1))
    #expect(none.splits?.map(\.shown) == [0, 0])
    // …and so does a split too small to be judged (fewer suggestions than the support).
    let tiny = NameDisplayCalibration.stableFit(
      splits: [("A", a), ("tiny", [P(probability: 0.9, anyRight: true, exact: true)])], minAnyRight: 0.6,
      minExact: 0.3, minSupport: 2, z: 0, source: "t")
    #expect(tiny.minProbability == nil)
  }

  @Test("the Wilson bound: 10 exact of 30 meets 30 % as measured but not by its lower bound at z 1.645")
  func wilson() {
    // (p + z²/2n − z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n), p = 1/3, n = 30, z = 1.645: 0.2108.
    #expect(abs(NameDisplayCalibration.wilsonLower(10, of: 30, z: 1.645) - 0.2108) < 1e-4)
    #expect(NameDisplayCalibration.wilsonLower(10, of: 30, z: 0) == 1.0 / 3)
    #expect(NameDisplayCalibration.wilsonLower(0, of: 0, z: 1.645) == 0)
    // 30 suggestions at one level, 24 share a subtoken (lower bound 0.657) and `exact` are exact.
    func split(exact: Int) -> [P] {
      (0..<30).map { P(probability: 0.5, anyRight: $0 < 24, exact: $0 < exact) }
    }
    // 10 exact: passes as measured (0.333), fails by the bound (0.211): no level.
    #expect(
      NameDisplayCalibration.stableFit(splits: [("s", split(exact: 10))], minSupport: 30, z: 0, source: "t")
        .minProbability == 0.5)
    #expect(
      NameDisplayCalibration.stableFit(splits: [("s", split(exact: 10))], minSupport: 30, z: 1.645, source: "t")
        .minProbability == nil)
    // 14 exact: lower bound 0.326 ≥ 0.3: the level qualifies at z 1.645 too.
    #expect(
      NameDisplayCalibration.stableFit(splits: [("s", split(exact: 14))], minSupport: 30, z: 1.645, source: "t")
        .minProbability == 0.5)
  }

  @Test("a display.json written before session 9 (no rule, z or splits) still loads")
  func olderFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("display-old-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let json = """
      {"anyRightShare": 0.6, "exactShare": 0.33, "format": "codeintel-names-display", "minAnyRight": 0.6,
       "minExact": 0.3, "minProbability": 0.1881, "minSupport": 30, "shown": 333, "source": "s", "suggestions": 8720}
      """
    try Data(json.utf8).write(to: dir.appendingPathComponent(NameDisplayCalibration.fileName))
    let c = try #require(try NameDisplayCalibration.load(from: dir))
    #expect(c.minProbability == 0.1881 && c.splits == nil && c.rule == nil && c.shows(0.19) && !c.shows(0.18))
  }

  @Test("ties at one probability are shown or hidden together")
  func ties() {
    let points = [
      P(probability: 0.9, anyRight: true, exact: true), P(probability: 0.5, anyRight: false, exact: false),
      P(probability: 0.5, anyRight: true, exact: true),
    ]
    let fit = NameDisplayCalibration.fit(points, minAnyRight: 0.6, minExact: 0.3, minSupport: 2, source: "t")
    #expect(fit.minProbability == 0.5 && fit.shown == 3)
  }

  @Test("points score subtokens case-insensitively; round trip through the folder; a broken file is an error")
  func pointsAndFiles() throws {
    let p = P(probability: 0.3, predicted: ["get", "User"], actual: ["get", "user"])
    #expect(p.anyRight && p.exact)
    let q = P(probability: 0.3, predicted: ["set", "name"], actual: ["get", "user", "name"])
    #expect(q.anyRight && !q.exact)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("display-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(try NameDisplayCalibration.load(from: dir) == nil)
    let fit = NameDisplayCalibration.fit([p, q], minAnyRight: 0.5, minExact: 0.5, minSupport: 1, source: "t")
    try fit.write(to: dir)
    #expect(try NameDisplayCalibration.load(from: dir) == fit)
    try Data("{".utf8).write(to: dir.appendingPathComponent(NameDisplayCalibration.fileName))
    #expect(throws: NameDisplayError.self) { try NameDisplayCalibration.load(from: dir) }
  }

  @Test("calibrated confidence: the logistic fit recovers a known rule and its probabilities match the data")
  func confidenceFit() {
    // Exactly right 80 % of the time when the decoder and the neighbours agree (first beam, vote 1), 10 % when a
    // name only retrieval proposed has vote 0.2: the fitted probabilities must reproduce those rates.
    var rows: [[Double]] = []
    var labels: [Bool] = []
    func prediction(agree: Bool) -> NamePrediction {
      var p = NamePrediction(subtokens: ["get", "user"], logProbability: agree ? -1.5 : -9)
      p.beamRank = agree ? 0 : nil
      p.vote = agree ? 1 : 0.2
      p.similarity = agree ? 0.95 : 0.7
      return p
    }
    for i in 0..<100 {
      rows.append(NameConfidence.features(of: prediction(agree: true), position: 0))
      labels.append(i < 80)
      rows.append(NameConfidence.features(of: prediction(agree: false), position: 1))
      labels.append(i < 10)
    }
    let c = NameConfidence.fit(rows: rows, labels: labels, l2: 1e-6)
    #expect(abs(c.probability(of: prediction(agree: true), position: 0) - 0.8) < 0.01)
    #expect(abs(c.probability(of: prediction(agree: false), position: 1) - 0.1) < 0.01)
    // the features as documented: vote, similarity, score / 10, decoder first, agreement, list first
    let f = NameConfidence.features(of: prediction(agree: true), position: 0)
    #expect(f == [1, 0.95, -0.05, 1, 1, 1])
    #expect(NameConfidence.features(of: prediction(agree: false), position: 3) == [0.2, 0.7, -0.3, 0, 0, 0])
    // a calibration with a confidence model gates on it, not on the decoder's probability
    var display = NameDisplayCalibration.fit(
      [P(probability: 0.5, anyRight: true, exact: true)], minAnyRight: 0.5, minExact: 0.5, minSupport: 1, source: "t")
    display.confidence = c
    #expect(
      display.shows(prediction(agree: true), position: 0) && !display.shows(prediction(agree: false), position: 1))
    display.confidence = nil
    #expect(!display.shows(prediction(agree: true), position: 0))  // decoder probability e^-1.5 < 0.5
  }

  @Test("a display.json with a confidence model round-trips; one without it (older heads) still loads")
  func confidenceFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("display-c-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var fit = NameDisplayCalibration.fit(
      [P(probability: 0.7, anyRight: true, exact: true)], minAnyRight: 0.5, minExact: 0.5, minSupport: 1, source: "t")
    fit.confidence = NameConfidence(weights: [1, 2, 3, 4, 5, 6], bias: -7)
    try fit.write(to: dir)
    #expect(try NameDisplayCalibration.load(from: dir) == fit)
    let old = """
      {"anyRightShare": 0, "exactShare": 0, "format": "codeintel-names-display", "minAnyRight": 0.6, "minExact": 0.3,
       "minSupport": 30, "shown": 0, "source": "v", "suggestions": 4347}
      """
    try Data(old.utf8).write(to: dir.appendingPathComponent(NameDisplayCalibration.fileName))
    let loaded = try #require(try NameDisplayCalibration.load(from: dir))
    #expect(loaded.confidence == nil && loaded.minProbability == nil)
  }
}
