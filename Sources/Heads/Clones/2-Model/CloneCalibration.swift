import CodeIntel
import Foundation

// MARK: - Logistic regression

/// A logistic model p = σ(w·x + b), fitted by Newton's method (iteratively reweighted least squares) with a
/// small L2 penalty on the weights (not the bias), so nearly separable calibration data still gives finite
/// weights.
public struct LogisticModel: Codable, Sendable, Equatable {
  public var weights: [Double]
  public var bias: Double

  public init(weights: [Double], bias: Double) {
    self.weights = weights
    self.bias = bias
  }

  public func logit(_ x: [Double]) -> Double { zip(weights, x).reduce(bias) { $0 + $1.0 * $1.1 } }

  public func probability(_ x: [Double]) -> Double { 1 / (1 + exp(-logit(x))) }

  /// Fits the model to `features` (one row per example) and `labels`.
  /// `weights` (one per row, default 1) scale each row's share of the log-loss.
  public static func fit(
    features: [[Double]], labels: [Bool], weights: [Double]? = nil, l2: Double = 1e-2, iterations: Int = 50
  ) -> LogisticModel {
    precondition(features.count == labels.count && !features.isEmpty, "one label per row")
    let d = features[0].count
    var theta = [Double](repeating: 0, count: d + 1)  // weights, then bias
    for _ in 0..<iterations {
      var gradient = [Double](repeating: 0, count: d + 1)
      var hessian = [[Double]](repeating: [Double](repeating: 0, count: d + 1), count: d + 1)
      for (k, (x, y)) in zip(features, labels).enumerated() {
        let row = x + [1]
        let z = zip(theta, row).reduce(0) { $0 + $1.0 * $1.1 }
        let p = 1 / (1 + exp(-z))
        let c = weights?[k] ?? 1
        let r = c * (p - (y ? 1 : 0))
        let w = c * max(p * (1 - p), 1e-12)
        for i in 0...d {
          gradient[i] += r * row[i]
          for j in 0...d { hessian[i][j] += w * row[i] * row[j] }
        }
      }
      for i in 0..<d {
        gradient[i] += l2 * theta[i]
        hessian[i][i] += l2
      }
      guard let step = solve(hessian, gradient) else { break }
      var largest = 0.0
      for i in 0...d {
        theta[i] -= step[i]
        largest = max(largest, abs(step[i]))
      }
      if largest < 1e-9 { break }
    }
    return LogisticModel(weights: Array(theta[0..<d]), bias: theta[d])
  }

  /// Solves A x = b by Gaussian elimination with partial pivoting; nil when singular.
  static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
    let n = b.count
    var m = a
    var v = b
    for c in 0..<n {
      guard let p = (c..<n).max(by: { abs(m[$0][c]) < abs(m[$1][c]) }), abs(m[p][c]) > 1e-15 else { return nil }
      m.swapAt(c, p)
      v.swapAt(c, p)
      for r in (c + 1)..<n where m[r][c] != 0 {
        let f = m[r][c] / m[c][c]
        for k in c..<n { m[r][k] -= f * m[c][k] }
        v[r] -= f * v[c]
      }
    }
    var x = [Double](repeating: 0, count: n)
    for r in stride(from: n - 1, through: 0, by: -1) {
      var s = v[r]
      for k in (r + 1)..<n { s -= m[r][k] * x[k] }
      x[r] = s / m[r][r]
    }
    return x
  }
}

// MARK: - Decision thresholds

/// A decision threshold on a score and how it does on the data it was chosen on.
public struct DecisionThreshold: Codable, Sendable, Equatable {
  public var threshold: Double
  public var precision: Double
  public var recall: Double
  public var f1: Double

  /// Precision, recall and F1 of "score ≥ threshold means clone".
  public static func evaluate(_ threshold: Double, scores: [Double], labels: [Bool]) -> DecisionThreshold {
    var tp = 0
    var fp = 0
    var fn = 0
    for (s, y) in zip(scores, labels) {
      if s >= threshold {
        if y { tp += 1 } else { fp += 1 }
      } else if y {
        fn += 1
      }
    }
    let precision = tp + fp == 0 ? 1 : Double(tp) / Double(tp + fp)
    let recall = tp + fn == 0 ? 0 : Double(tp) / Double(tp + fn)
    let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
    return DecisionThreshold(threshold: threshold, precision: precision, recall: recall, f1: f1)
  }

  /// The threshold with the highest F1 among the distinct scores (ties: the higher threshold). A threshold
  /// halfway between two neighbouring scores would generalise a little better; the scores themselves
  /// keep the choice easy to check by hand.
  public static func bestF1(scores: [Double], labels: [Bool]) -> DecisionThreshold {
    var best = evaluate(.infinity, scores: scores, labels: labels)
    for t in Set(scores).sorted(by: >) {
      let e = evaluate(t, scores: scores, labels: labels)
      if e.f1 > best.f1 { best = e }
    }
    return best
  }

  /// The lowest threshold (most recall) whose precision is at least `precision`; nil when none reaches it.
  public static func forPrecision(_ precision: Double, scores: [Double], labels: [Bool]) -> DecisionThreshold? {
    var best: DecisionThreshold?
    for t in Set(scores).sorted(by: >) {
      let e = evaluate(t, scores: scores, labels: labels)
      if e.precision >= precision { best = e }
    }
    return best
  }
}

// MARK: - The stored calibration

/// What `clone-calibration.json` in a model folder holds: a logistic combination of the encoder's cosine,
/// the hashed-feature cosine and token-set Jaccard (in that order), its decision threshold, and the
/// decision thresholds for each cosine alone, all fitted on pairs that are not the reported test data.
public struct CloneCalibration: Codable, Sendable, Equatable {
  public static let fileName = "clone-calibration.json"
  public static let formatName = "codeintel-clone-calibration"
  public static let featureNames = ["encoderCosine", "hashedCosine", "tokenJaccard"]

  public var format = formatName
  public var version = 1
  /// The model the encoder feature came from (name and steps).
  public var model: String
  /// Where the calibration pairs came from, and the command.
  public var fittedOn: String
  public var command: String
  public var pairs: Int
  public var positives: Int
  /// How the thresholds were chosen.
  public var criterion: String
  public var features: [String] = featureNames
  public var combination: LogisticModel
  /// Threshold on the combination's probability.
  public var combinationThreshold: DecisionThreshold
  /// Threshold on the encoder's cosine alone.
  public var encoderThreshold: DecisionThreshold
  /// Threshold on the hashed-feature cosine alone (the clone index's default embedder).
  public var hashedThreshold: DecisionThreshold

  public init(
    model: String, fittedOn: String, command: String, pairs: Int, positives: Int, criterion: String,
    combination: LogisticModel, combinationThreshold: DecisionThreshold, encoderThreshold: DecisionThreshold,
    hashedThreshold: DecisionThreshold
  ) {
    self.model = model
    self.fittedOn = fittedOn
    self.command = command
    self.pairs = pairs
    self.positives = positives
    self.criterion = criterion
    self.combination = combination
    self.combinationThreshold = combinationThreshold
    self.encoderThreshold = encoderThreshold
    self.hashedThreshold = hashedThreshold
  }

  /// Reads `clone-calibration.json` from a model folder; nil when the folder has none.
  public static func load(directory: URL) throws -> CloneCalibration? {
    let url = directory.appendingPathComponent(fileName)
    guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
    do {
      let c = try JSONDecoder().decode(CloneCalibration.self, from: data)
      guard c.format == formatName, c.version == 1, c.combination.weights.count == featureNames.count else {
        throw CodeIntelError(
          "\(url.path): not a version-1 \(formatName) file; re-run codeintel eval clones --calibrate")
      }
      return c
    } catch let error as CodeIntelError {
      throw error
    } catch {
      throw CodeIntelError("\(url.path): does not decode (\(error)); re-run codeintel eval clones --calibrate")
    }
  }

  public func save(directory: URL) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    try e.encode(self).write(to: directory.appendingPathComponent(Self.fileName))
  }

  /// The combination's scores: σ(w·[encoder, hashed, jaccard] + b) elementwise.
  public func combined(encoder: CloneScores, hashed: CloneScores, jaccard: CloneScores, name: String) -> CloneScores {
    CloneScores.combine(name, [encoder, hashed, jaccard]) { combination.probability($0) }
  }
}
