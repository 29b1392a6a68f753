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
