/// Ranking metrics for scored pairs (higher score = more likely positive).
public enum RankingMetrics {
  /// Area under the ROC curve: the probability that a random positive outscores a random negative,
  /// ties counting one half (the Mann–Whitney U statistic over n₊·n₋). Nil without both classes.
  public static func auroc(scores: [Double], labels: [Bool]) -> Double? {
    precondition(scores.count == labels.count, "one label per score")
    let positives = labels.filter { $0 }.count
    let negatives = labels.count - positives
    guard positives > 0, negatives > 0 else { return nil }
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    // Sum of the (1-based, tie-averaged) ranks of the positives.
    var rankSum = 0.0
    var i = 0
    while i < order.count {
      var j = i
      while j + 1 < order.count, scores[order[j + 1]] == scores[order[i]] { j += 1 }
      let averageRank = Double(i + j + 2) / 2
      for k in i...j where labels[order[k]] { rankSum += averageRank }
      i = j + 1
    }
    let u = rankSum - Double(positives) * Double(positives + 1) / 2
    return u / (Double(positives) * Double(negatives))
  }

  /// Average precision: Σ over distinct score thresholds (high to low) of (Rₙ − Rₙ₋₁)·Pₙ, with tied
  /// scores entering together (scikit-learn's definition). Nil without positives.
  public static func averagePrecision(scores: [Double], labels: [Bool]) -> Double? {
    precondition(scores.count == labels.count, "one label per score")
    let positives = labels.filter { $0 }.count
    guard positives > 0 else { return nil }
    let order = scores.indices.sorted { scores[$0] > scores[$1] }
    var ap = 0.0
    var truePositives = 0
    var seen = 0
    var previousRecall = 0.0
    var i = 0
    while i < order.count {
      var j = i
      while j + 1 < order.count, scores[order[j + 1]] == scores[order[i]] { j += 1 }
      for k in i...j where labels[order[k]] { truePositives += 1 }
      seen = j + 1
      let recall = Double(truePositives) / Double(positives)
      ap += (recall - previousRecall) * Double(truePositives) / Double(seen)
      previousRecall = recall
      i = j + 1
    }
    return ap
  }
}
