import Foundation
import Model

/// The display threshold of the type suggestions, fitted on the valid splits: the lowest confidence at which
/// the shown suggestions (each site's best candidate of the combined system, `TypeSystem`) are right at least
/// `targetPrecision` of the time. Stored as `type-calibration.json` in the head folder; `suggest-types` and
/// the LSP's hints use `threshold` as their default bar (`codeintel finetune type-threshold` writes it).
public struct TypeCalibration: Codable, Sendable, Equatable {
  public static let formatName = "codeintel-type-calibration"
  public static let formatVersion = 1
  /// The file name inside a type-head folder.
  public static let fileName = "type-calibration.json"

  /// What one split gave at the chosen threshold.
  public struct SplitResult: Codable, Sendable, Equatable {
    public var split: String
    /// Scored sites (`any` excluded), those with a best candidate at or above the threshold, and the right ones.
    public var sites: Int
    public var shown: Int
    public var correct: Int

    public init(split: String, sites: Int, shown: Int, correct: Int) {
      self.split = split
      self.sites = sites
      self.shown = shown
      self.correct = correct
    }

    public var precision: Double? { shown == 0 ? nil : Double(correct) / Double(shown) }
    public var coverage: Double? { sites == 0 ? nil : Double(shown) / Double(sites) }
  }

  public var format: String = formatName
  public var version: Int = formatVersion
  public var targetPrecision: Double
  /// The rule that chose the threshold (`stable` with its minimum count, or `lowest`); nil in files written
  /// before the stable rule (they used `lowest`).
  public var rule: String?
  /// Show a suggestion when its best confidence is at least this.
  public var threshold: Double
  /// The splits it was fitted on (pooled), each with its own numbers at `threshold`.
  public var splits: [SplitResult]
  /// Reliability of the best candidate on the pooled splits: per confidence bin [i/10, (i+1)/10), [sites, right].
  public var bins: [[Int]]

  public init(targetPrecision: Double, threshold: Double, splits: [SplitResult], bins: [[Int]]) {
    self.targetPrecision = targetPrecision
    self.threshold = threshold
    self.splits = splits
    self.bins = bins
  }

  /// The lowest threshold `t` among the points' confidences such that the points with confidence ≥ `t` are
  /// right at least `precision` of the time (the threshold that shows the most while meeting the bar); nil
  /// when no threshold meets it. Points are each site's best candidate: (confidence, right or not).
  public static func threshold(points: [(confidence: Double, correct: Bool)], precision: Double) -> Double? {
    cumulative(points).last { Double($0.correct) >= precision * Double($0.shown) }?.confidence
  }

  /// Walking down from the most confident point, each distinct confidence with the points at or above it: how
  /// many are shown and how many of those are right. All points of one confidence go in together: a threshold
  /// cannot split them.
  static func cumulative(_ points: [(confidence: Double, correct: Bool)]) -> [(
    confidence: Double, shown: Int, correct: Int
  )] {
    let sorted = points.sorted { $0.confidence > $1.confidence }
    var out: [(confidence: Double, shown: Int, correct: Int)] = []
    var shown = 0
    var correct = 0
    var i = 0
    while i < sorted.count {
      let c = sorted[i].confidence
      while i < sorted.count, sorted[i].confidence == c {
        shown += 1
        if sorted[i].correct { correct += 1 }
        i += 1
      }
      out.append((c, shown, correct))
    }
    return out
  }

  /// The stable rule (the default of `finetune type-threshold`): walking down from the most confident point,
  /// the lowest threshold `t` such that at every threshold `t' ≥ t` that shows at least `minimumShown` points,
  /// the points shown are right at least `precision` of the time. Thresholds that show fewer points are not
  /// judged (a handful of points says little), and the walk stops at the first judged threshold that misses, so
  /// a lucky dip lower down cannot pull the bar below a stretch that misses the precision (as `threshold` can on
  /// a jagged curve). nil when the first judged threshold misses or no threshold shows `minimumShown` points.
  /// With `z` > 0 a threshold is judged by the lower end of the Wilson interval of its precision (`z` 1.645: a
  /// one-sided 95 % bound) instead of the measured share, so a bar that valid only just reaches is not taken.
  public static func stableThreshold(
    points: [(confidence: Double, correct: Bool)], precision: Double, minimumShown: Int, z: Double = 0
  ) -> Double? {
    var best: Double?
    for step in cumulative(points) where step.shown >= minimumShown {
      if wilsonLower(correct: step.correct, shown: step.shown, z: z) < precision { break }
      best = step.confidence
    }
    return best
  }

  /// The lower end of the Wilson score interval of `correct` of `shown` (the share itself when `z` is 0).
  public static func wilsonLower(correct: Int, shown: Int, z: Double) -> Double {
    guard shown > 0 else { return 0 }
    let n = Double(shown)
    let p = Double(correct) / n
    guard z > 0 else { return p }
    let z2 = z * z
    return (p + z2 / (2 * n) - z * ((p * (1 - p) + z2 / (4 * n)) / n).squareRoot()) / (1 + z2 / n)
  }

  /// The stable rule on several splits at once: the highest of the pooled points' stable threshold and each
  /// split's own, so that every split (not only their pool) is right at least `precision` of the time at every
  /// judged threshold at or above the bar. A split with no threshold showing `minimumShown` points is not
  /// judged on its own; nil when the pool or a judged split misses at its first judged threshold.
  public static func stableThreshold(
    splits: [[(confidence: Double, correct: Bool)]], precision: Double, minimumShown: Int, z: Double = 0
  ) -> Double? {
    guard
      var bar = stableThreshold(points: splits.flatMap { $0 }, precision: precision, minimumShown: minimumShown, z: z)
    else { return nil }
    for points in splits where cumulative(points).contains(where: { $0.shown >= minimumShown }) {
      guard let own = stableThreshold(points: points, precision: precision, minimumShown: minimumShown, z: z) else {
        return nil
      }
      bar = max(bar, own)
    }
    return bar
  }

  /// Ten reliability bins of (confidence, right) points.
  public static func bins(_ points: [(confidence: Double, correct: Bool)]) -> [[Int]] {
    var bins = [[Int]](repeating: [0, 0], count: 10)
    for p in points {
      let b = min(9, max(0, Int(p.confidence * 10)))
      bins[b][0] += 1
      if p.correct { bins[b][1] += 1 }
    }
    return bins
  }

  /// Reads `type-calibration.json` from a head folder; nil when the folder has none.
  public static func load(directory: URL) throws -> TypeCalibration? {
    let folder = ModelFolder(url: directory, kind: "type head")
    guard folder.has(fileName) else { return nil }
    let c = try folder.json(TypeCalibration.self, file: fileName)
    guard c.format == formatName, c.version == formatVersion else {
      throw folder.unusable("\(fileName) is format \(c.format) v\(c.version), expected \(formatName) v\(formatVersion)")
    }
    return c
  }

  public func write(to directory: URL) throws {
    try ModelFolder(url: directory, kind: "type head").writeJSON(self, to: Self.fileName)
  }
}
