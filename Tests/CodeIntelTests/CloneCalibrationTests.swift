import Augment
import CloneIndex
import Foundation
import Testing

@testable import CodeIntel
@testable import Heads

@Suite struct CloneCalibrationTests {
  @Test func logisticFitFindsTheInformativeFeature() {
    // Feature 0 separates the classes (with overlap), feature 1 is noise.
    var x: [[Double]] = []
    var y: [Bool] = []
    var rng = SeededRandom(seed: 5)
    for i in 0..<400 {
      let positive = i % 2 == 0
      x.append([(positive ? 0.7 : 0.3) + (rng.unit() - 0.5) * 0.6, rng.unit()])
      y.append(positive)
    }
    let m = LogisticModel.fit(features: x, labels: y)
    #expect(m.weights[0] > 5 && abs(m.weights[1]) < 1)
    // The decision boundary sits near 0.5 on feature 0.
    #expect(abs(-m.bias / m.weights[0] - 0.5) < 0.1 + abs(m.weights[1]) / m.weights[0])
    #expect(m.probability([0.9, 0.5]) > 0.9 && m.probability([0.1, 0.5]) < 0.1)
  }

  @Test func solveByHand() throws {
    // 2x + y = 5, x − y = 1 → x = 2, y = 1.
    let s = try #require(LogisticModel.solve([[2, 1], [1, -1]], [5, 1]))
    #expect(abs(s[0] - 2) < 1e-12 && abs(s[1] - 1) < 1e-12)
    #expect(LogisticModel.solve([[1, 2], [2, 4]], [1, 2]) == nil)
  }

  @Test func thresholdsByHand() throws {
    let scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    let labels = [true, true, false, true, false, false]
    // t = 0.6: tp 3, fp 1, fn 0 → P 0.75, R 1, F1 6/7; t = 0.8: P 1, R 2/3, F1 0.8.
    let best = DecisionThreshold.bestF1(scores: scores, labels: labels)
    #expect(best.threshold == 0.6 && abs(best.f1 - 6.0 / 7.0) < 1e-12)
    let strict = try #require(DecisionThreshold.forPrecision(1, scores: scores, labels: labels))
    #expect(strict.threshold == 0.8 && abs(strict.recall - 2.0 / 3.0) < 1e-12)
  }

  @Test func crossValidationNeverTrainsOnTheTestGroup() {
    // Twenty groups with the same relation (feature high = positive): every held-out fold is scored right.
    var pairs: [ClonePairSet.Pair] = []
    var values: [Double] = []
    for g in 0..<20 {
      for positive in [true, false] {
        pairs.append(ClonePairSet.Pair(a: 0, b: 0, positive: positive, groups: ["p\(g)"]))
        values.append(positive ? 0.8 : 0.2)
      }
    }
    let input = CloneScores(scorer: "x", tries: 1, values: [[values], [values]])
    let cv = CloneCalibration.crossValidated("cv", inputs: [input], pairs: pairs, folds: 5)
    for (i, p) in pairs.enumerated() {
      #expect(p.positive ? cv.values[0][0][i] > 0.5 : cv.values[0][0][i] < 0.5)
    }
  }

  @Test func aSingleGroupIsNeverFittedOnItsOwnLabels() {
    // One group, labels inverted (feature high = negative). Its fold has no training pairs, so it gets the
    // untrained fallback σ(x) — a leak would have learned the inversion instead.
    let pairs = (0..<10).map { ClonePairSet.Pair(a: 0, b: 0, positive: $0 % 2 == 1, groups: ["only"]) }
    let values = (0..<10).map { $0 % 2 == 1 ? 0.1 : 0.9 }
    let input = CloneScores(scorer: "x", tries: 1, values: [[values], [values]])
    let cv = CloneCalibration.crossValidated("cv", inputs: [input], pairs: pairs, folds: 5)
    for i in 0..<10 { #expect(abs(cv.values[0][0][i] - 1 / (1 + exp(-values[i]))) < 1e-12) }
  }

  @Test func calibrationFileRoundTripsAndRejectsOtherFormats() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calib-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(try CloneCalibration.load(directory: dir) == nil)
    let t = DecisionThreshold(threshold: 0.5, precision: 1, recall: 1, f1: 1)
    let c = CloneCalibration(
      model: "m (1 steps)", fittedOn: "test", command: "cmd", pairs: 2, positives: 1, criterion: "best F1",
      combination: LogisticModel(weights: [1, 2, 3], bias: -1), combinationThreshold: t, encoderThreshold: t,
      hashedThreshold: t)
    try c.save(directory: dir)
    #expect(try CloneCalibration.load(directory: dir) == c)
    try Data("{\"format\": \"other\"}".utf8).write(to: dir.appendingPathComponent(CloneCalibration.fileName))
    #expect(throws: CodeIntelError.self) { try CloneCalibration.load(directory: dir) }
  }

  @Test func theCloneIndexDefaultIsTheShippedCalibratedThreshold() throws {
    let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Models/contracode-hybrid-small")
    let calibration = try #require(try CloneCalibration.load(directory: models))
    #expect(calibration.hashedThreshold.precision >= CloneCalibration.targetPrecision)
    #expect(abs(Double(CloneOptions.calibratedThreshold) - calibration.hashedThreshold.threshold) < 0.01)
    // The clone index's default is stricter than the augmentation-pair calibration (issue 18; docs/CLONES.md).
    #expect(CloneOptions().threshold >= CloneOptions.calibratedThreshold)
  }
}
