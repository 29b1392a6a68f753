import Foundation

/// When a predicted method name is good enough to show (issue 19): the lowest decoder probability at which,
/// on the valid split, the suggestions at or above it have at least one right subtoken at least `minAnyRight`
/// of the time AND are exactly right at least `minExact` of the time, with at least `minSupport` suggestions
/// behind both shares. Fitted by `codeintel finetune name-threshold` into the head folder's `display.json`;
/// `suggest-names`, the language server and its rename actions show only the suggestions at or above it, and
/// the model's mismatch evidence counts only from there. `minProbability == nil` means no level reached the
/// goals: the head shows no names (the body rules still speak).
public struct NameDisplayCalibration: Sendable, Codable, Equatable {
  public static let fileName = "display.json"
  public static let format = "codeintel-names-display"

  /// One suggestion scored against the truth.
  public struct Point: Sendable, Equatable {
    /// What the threshold applies to: the calibrated confidence when the calibration has a `confidence` model,
    /// else the decoder's probability.
    public var probability: Double
    /// At least one subtoken of the suggestion is in the true name (case-insensitive).
    public var anyRight: Bool
    /// The suggestion's subtokens equal the true name's.
    public var exact: Bool

    public init(probability: Double, anyRight: Bool, exact: Bool) {
      self.probability = probability
      self.anyRight = anyRight
      self.exact = exact
    }

    public init(probability: Double, predicted: [String], actual: [String]) {
      let p = predicted.map { $0.lowercased() }
      let a = actual.map { $0.lowercased() }
      self.init(probability: probability, anyRight: !Set(p).isDisjoint(with: a), exact: !p.isEmpty && p == a)
    }
  }

  public var format: String = Self.format
  /// The threshold (nil: nothing reached the goals).
  public var minProbability: Double?
  public var minAnyRight: Double
  public var minExact: Double
  public var minSupport: Int
  /// What the fit saw: suggestions scored, and at the chosen threshold, how many were shown and their shares.
  public var suggestions: Int
  public var shown: Int
  public var anyRightShare: Double
  public var exactShare: Double
  /// Where the points came from (e.g. "method-names/valid.jsonl, 876 functions, top 5").
  public var source: String
  /// The calibrated confidence the threshold applies to (a head with retrieval); nil: the decoder's probability.
  public var confidence: NameConfidence?
  /// How the level was chosen (`stableFit`: "stable on each split and pooled, …"; absent in folders written before
  /// session 9, whose level is the pooled `fit`).
  public var rule: String?
  /// The z of the Wilson lower bounds the rule judged the shares by (0: the measured shares; absent: before session 9).
  public var z: Double?
  /// Each valid split at the chosen level (absent before session 9).
  public var splits: [Split]?

  /// One split's suggestions at the chosen level.
  public struct Split: Sendable, Codable, Equatable {
    public var split: String
    public var suggestions: Int
    public var shown: Int
    public var anyRightShare: Double
    public var exactShare: Double
    /// The Wilson lower bounds (at the fit's `z`) of the two shares.
    public var anyRightLower: Double
    public var exactLower: Double
  }

  /// The lowest threshold that meets the goals. Candidate thresholds are the points' own probabilities; the
  /// suggestions at or above a candidate are the shown set.
  public static func fit(
    _ points: [Point], minAnyRight: Double = 0.6, minExact: Double = 0.3, minSupport: Int = 30, source: String
  ) -> NameDisplayCalibration {
    var best: (threshold: Double, shown: Int, any: Double, exact: Double)?
    for level in cumulative(points) {
      let n = Double(level.shown)
      let anyShare = Double(level.any) / n
      let exactShare = Double(level.exact) / n
      if level.shown >= minSupport, anyShare >= minAnyRight, exactShare >= minExact {
        best = (level.threshold, level.shown, anyShare, exactShare)  // lower thresholds come later: keep the last that qualifies
      }
    }
    return NameDisplayCalibration(
      minProbability: best?.threshold, minAnyRight: minAnyRight, minExact: minExact, minSupport: minSupport,
      suggestions: points.count, shown: best?.shown ?? 0, anyRightShare: best?.any ?? 0, exactShare: best?.exact ?? 0,
      source: source)
  }

  /// Walking down from the most probable point, each distinct probability with the points at or above it: how
  /// many are shown, how many share a subtoken with the real name, how many are exact. Tied points go in together.
  public static func cumulative(_ points: [Point]) -> [(threshold: Double, shown: Int, any: Int, exact: Int)] {
    let sorted = points.sorted { $0.probability > $1.probability }
    var out: [(threshold: Double, shown: Int, any: Int, exact: Int)] = []
    var any = 0
    var exact = 0
    var i = 0
    while i < sorted.count {
      let p = sorted[i].probability
      while i < sorted.count, sorted[i].probability == p {
        if sorted[i].anyRight { any += 1 }
        if sorted[i].exact { exact += 1 }
        i += 1
      }
      out.append((p, i, any, exact))
    }
    return out
  }

  /// The lower end of the Wilson score interval of `k` of `n` (the share itself when `z` is 0): the same bound the
  /// type bar uses (`TypeCalibration.wilsonLower`).
  public static func wilsonLower(_ k: Int, of n: Int, z: Double) -> Double {
    TypeCalibration.wilsonLower(correct: k, shown: n, z: z)
  }

  /// The stable level of one set of points: walking down from the most probable, the lowest probability `t` such
  /// that every level `t' ≥ t` showing at least `minSupport` suggestions meets both goals by the Wilson lower
  /// bounds at `z` of its two shares. Levels showing fewer are not judged (a handful says little); the walk stops
  /// at the first judged level that misses, so a lucky stretch lower down cannot pull the level below one that
  /// misses. nil when the first judged level misses or none shows `minSupport`.
  public static func stableLevel(
    _ points: [Point], minAnyRight: Double, minExact: Double, minSupport: Int, z: Double
  ) -> Double? {
    var best: Double?
    for step in cumulative(points) where step.shown >= minSupport {
      guard
        meets(
          any: step.any, exact: step.exact, shown: step.shown, minAnyRight: minAnyRight, minExact: minExact, z: z)
      else { break }
      best = step.threshold
    }
    return best
  }

  /// Whether `shown` suggestions of which `any` share a subtoken and `exact` are exact meet both goals by the
  /// Wilson lower bounds at `z`: the test `stableLevel` walks with.
  public static func meets(any: Int, exact: Int, shown: Int, minAnyRight: Double, minExact: Double, z: Double) -> Bool {
    wilsonLower(any, of: shown, z: z) >= minAnyRight && wilsonLower(exact, of: shown, z: z) >= minExact
  }

  /// The per-split rule (session 9, the default of `finetune name-threshold`): the highest of the pooled points'
  /// stable level and each split's own, so that on EVERY split (not only on their pool) each judged level at or
  /// above it shows suggestions whose Wilson lower bounds meet both goals. Every split must be judged: a split
  /// with fewer than `minSupport` suggestions in all, or whose first judged level misses, leaves no level (the head
  /// shows no names). A level that passes on the pool but fails on one split therefore never qualifies.
  public static func stableFit(
    splits: [(name: String, points: [Point])], minAnyRight: Double = 0.6, minExact: Double = 0.3,
    minSupport: Int = 30, z: Double = 1.645, source: String
  ) -> NameDisplayCalibration {
    let pooled = splits.flatMap(\.points)
    func level(_ points: [Point]) -> Double? {
      stableLevel(points, minAnyRight: minAnyRight, minExact: minExact, minSupport: minSupport, z: z)
    }
    var bar = splits.isEmpty ? nil : level(pooled)
    for s in splits where bar != nil {
      guard let own = level(s.points) else {
        bar = nil
        break
      }
      bar = max(bar!, own)
    }
    func share(_ xs: [Point], _ right: (Point) -> Bool) -> (share: Double, lower: Double, k: Int) {
      let k = xs.filter(right).count
      return (xs.isEmpty ? 0 : Double(k) / Double(xs.count), wilsonLower(k, of: xs.count, z: z), k)
    }
    let shownPooled = bar.map { t in pooled.filter { $0.probability >= t } } ?? []
    var fit = NameDisplayCalibration(
      minProbability: bar, minAnyRight: minAnyRight, minExact: minExact, minSupport: minSupport,
      suggestions: pooled.count, shown: shownPooled.count, anyRightShare: share(shownPooled, \.anyRight).share,
      exactShare: share(shownPooled, \.exact).share, source: source)
    fit.rule = "stable on each split and pooled, at least \(minSupport) shown, judged by the Wilson lower bound"
    fit.z = z
    fit.splits = splits.map { s in
      let shown = bar.map { t in s.points.filter { $0.probability >= t } } ?? []
      let a = share(shown, \.anyRight)
      let e = share(shown, \.exact)
      return Split(
        split: s.name, suggestions: s.points.count, shown: shown.count, anyRightShare: a.share,
        exactShare: e.share, anyRightLower: a.lower, exactLower: e.lower)
    }
    return fit
  }

  /// Whether a suggestion of this probability is shown.
  public func shows(_ probability: Double) -> Bool {
    guard let t = minProbability else { return false }
    return probability >= t
  }

  /// What the threshold reads of the suggestion at `position` (0 = first) of a function's list: its calibrated
  /// confidence, or without a confidence model its decoder probability.
  public func value(of prediction: NamePrediction, position: Int) -> Double {
    confidence?.probability(of: prediction, position: position) ?? prediction.probability
  }

  /// Whether the suggestion at `position` of a function's list is shown.
  public func shows(_ prediction: NamePrediction, position: Int) -> Bool {
    shows(value(of: prediction, position: position))
  }

  /// The calibration in `directory`, nil when the folder has none (older folders: every suggestion shown, as
  /// before); a file that exists but does not read is an error naming it.
  public static func load(from directory: URL) throws -> NameDisplayCalibration? {
    let url = directory.appendingPathComponent(fileName)
    guard FileManager.default.fileExists(atPath: url.path) else { return nil }
    do {
      let c = try JSONDecoder().decode(NameDisplayCalibration.self, from: Data(contentsOf: url))
      guard c.format == format else { throw CocoaError(.fileReadCorruptFile) }
      return c
    } catch {
      throw NameDisplayError(
        "\(url.path) is not a usable name-display calibration; refit it with `codeintel finetune name-threshold`")
    }
  }

  public func write(to directory: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try (encoder.encode(self) + Data("\n".utf8)).write(to: directory.appendingPathComponent(Self.fileName))
  }
}

// MARK: - Calibrated confidence

/// The probability that a suggested name is exactly right, from what the decoder and retrieval say about it: a
/// logistic regression fitted on the valid splits by `codeintel finetune name-threshold` (issue 19: "a stated
/// probability that means something"). Features of a suggestion (`features(of:position:)`): its retrieval vote,
/// its best neighbour's cosine similarity, the decoder's length-normalised log-probability (÷ 10, floored at
/// −1), whether it is the decoder's own first beam, that times its vote (the decoder and the neighbours agree),
/// and whether it heads the ranked list.
public struct NameConfidence: Sendable, Codable, Equatable {
  public static let featureNames = [
    "vote", "similarity", "decoderScore/10", "decoderFirst", "decoderFirst*vote", "listFirst",
  ]
  public var features: [String] = Self.featureNames
  public var weights: [Double]
  public var bias: Double
  /// What it predicts ("exact": the suggestion equals the real name).
  public var target: String = "exact"

  public init(weights: [Double], bias: Double) {
    self.weights = weights
    self.bias = bias
  }

  /// The features of the suggestion at `position` of a function's ranked list.
  public static func features(of p: NamePrediction, position: Int) -> [Double] {
    let first = p.beamRank == 0 ? 1.0 : 0
    return [p.vote, p.similarity, max(p.score / 10, -1), first, first * p.vote, position == 0 ? 1 : 0]
  }

  public func probability(of p: NamePrediction, position: Int) -> Double {
    probability(Self.features(of: p, position: position))
  }

  func probability(_ x: [Double]) -> Double {
    var z = bias
    for (w, v) in zip(weights, x) { z += w * v }
    return 1 / (1 + exp(-z))
  }

  /// Maximum-likelihood logistic regression of `labels` on `rows` (Newton's method, a small ridge `l2` on the
  /// weights so separable data still converge), deterministic.
  public static func fit(rows: [[Double]], labels: [Bool], l2: Double = 1e-3, iterations: Int = 50) -> NameConfidence {
    let m = featureNames.count
    var beta = [Double](repeating: 0, count: m + 1)  // bias last
    let n = Double(max(rows.count, 1))
    for _ in 0..<iterations {
      var g = [Double](repeating: 0, count: m + 1)
      var h = [[Double]](repeating: [Double](repeating: 0, count: m + 1), count: m + 1)
      for (x0, y) in zip(rows, labels) {
        let x = x0 + [1]
        var z = 0.0
        for j in 0...m { z += beta[j] * x[j] }
        let p = 1 / (1 + exp(-z))
        let w = max(p * (1 - p), 1e-9)
        for j in 0...m {
          g[j] += (p - (y ? 1 : 0)) * x[j] / n
          for k in 0...m { h[j][k] += w * x[j] * x[k] / n }
        }
      }
      for j in 0..<m {
        g[j] += l2 * beta[j]
        h[j][j] += l2
      }
      h[m][m] += 1e-9
      guard let step = solve(h, g) else { break }
      var size = 0.0
      for j in 0...m {
        beta[j] -= step[j]
        size = max(size, abs(step[j]))
      }
      if size < 1e-9 { break }
    }
    return NameConfidence(weights: Array(beta[0..<m]), bias: beta[m])
  }

  /// Solves `a · x = b` by Gaussian elimination with partial pivoting (nil when singular).
  static func solve(_ a0: [[Double]], _ b0: [Double]) -> [Double]? {
    var a = a0
    var b = b0
    let n = b.count
    for c in 0..<n {
      guard let p = (c..<n).max(by: { abs(a[$0][c]) < abs(a[$1][c]) }), abs(a[p][c]) > 1e-12 else { return nil }
      a.swapAt(c, p)
      b.swapAt(c, p)
      for r in (c + 1)..<n {
        let f = a[r][c] / a[c][c]
        if f == 0 { continue }
        for k in c..<n { a[r][k] -= f * a[c][k] }
        b[r] -= f * b[c]
      }
    }
    var x = [Double](repeating: 0, count: n)
    for r in stride(from: n - 1, through: 0, by: -1) {
      var s = b[r]
      for k in (r + 1)..<n { s -= a[r][k] * x[k] }
      x[r] = s / a[r][r]
    }
    return x
  }
}

/// A broken `display.json`.
public struct NameDisplayError: Error, CustomStringConvertible, LocalizedError {
  public let description: String
  public init(_ description: String) { self.description = description }
  public var errorDescription: String? { description }
}
