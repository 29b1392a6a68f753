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

  /// The lowest threshold that meets the goals. Candidate thresholds are the points' own probabilities; the
  /// suggestions at or above a candidate are the shown set.
  public static func fit(
    _ points: [Point], minAnyRight: Double = 0.6, minExact: Double = 0.3, minSupport: Int = 30, source: String
  ) -> NameDisplayCalibration {
    let sorted = points.sorted { $0.probability > $1.probability }
    var any = 0
    var exact = 0
    var best: (threshold: Double, shown: Int, any: Double, exact: Double)?
    var i = 0
    while i < sorted.count {
      // Take every point tied at this probability together: a threshold cannot split them.
      let p = sorted[i].probability
      while i < sorted.count, sorted[i].probability == p {
        if sorted[i].anyRight { any += 1 }
        if sorted[i].exact { exact += 1 }
        i += 1
      }
      let n = Double(i)
      let anyShare = Double(any) / n
      let exactShare = Double(exact) / n
      if i >= minSupport, anyShare >= minAnyRight, exactShare >= minExact {
        best = (p, i, anyShare, exactShare)  // lower thresholds come later: keep the last that qualifies
      }
    }
    return NameDisplayCalibration(
      minProbability: best?.threshold, minAnyRight: minAnyRight, minExact: minExact, minSupport: minSupport,
      suggestions: points.count, shown: best?.shown ?? 0, anyRightShare: best?.any ?? 0, exactShare: best?.exact ?? 0,
      source: source)
  }

  /// Whether a suggestion of this probability is shown.
  public func shows(_ probability: Double) -> Bool {
    guard let t = minProbability else { return false }
    return probability >= t
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

/// A broken `display.json`.
public struct NameDisplayError: Error, CustomStringConvertible, LocalizedError {
  public let description: String
  public init(_ description: String) { self.description = description }
  public var errorDescription: String? { description }
}
