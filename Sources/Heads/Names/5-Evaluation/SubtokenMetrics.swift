// MARK: - Method-name metrics

/// Subtoken precision, recall and F1 as code2seq (Alon et al., ICLR 2019) and ContraCode report them, plus exact
/// match. Per example, case-insensitively: each PREDICTED subtoken occurrence is a true positive when the true
/// name contains that subtoken and a false positive otherwise; each TRUE subtoken occurrence that the prediction
/// does not contain is a false negative (code2seq's `update_per_subtoken_statistics`: lists with membership
/// tests, not multiset intersection). Counts are summed over the split (micro average) before dividing.
public struct SubtokenMetrics: Sendable, Equatable, Codable {
  public var truePositives = 0
  public var falsePositives = 0
  public var falseNegatives = 0
  public var exact = 0
  public var examples = 0

  public init() {}

  /// Adds one example.
  public mutating func add(predicted: [String], actual: [String]) {
    let p = predicted.map { $0.lowercased() }
    let a = actual.map { $0.lowercased() }
    let aSet = Set(a)
    let pSet = Set(p)
    for s in p { if aSet.contains(s) { truePositives += 1 } else { falsePositives += 1 } }
    for s in a where !pSet.contains(s) { falseNegatives += 1 }
    if p == a { exact += 1 }
    examples += 1
  }

  public mutating func add(_ other: SubtokenMetrics) {
    truePositives += other.truePositives
    falsePositives += other.falsePositives
    falseNegatives += other.falseNegatives
    exact += other.exact
    examples += other.examples
  }

  public var precision: Double {
    truePositives + falsePositives == 0 ? 0 : Double(truePositives) / Double(truePositives + falsePositives)
  }
  public var recall: Double {
    truePositives + falseNegatives == 0 ? 0 : Double(truePositives) / Double(truePositives + falseNegatives)
  }
  public var f1: Double {
    let (p, r) = (precision, recall)
    return p + r == 0 ? 0 : 2 * p * r / (p + r)
  }
  public var exactMatch: Double { examples == 0 ? 0 : Double(exact) / Double(examples) }
}
