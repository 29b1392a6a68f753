import Testing

@testable import CodeIntel
@testable import Heads

@Suite struct RankingMetricsTests {
  @Test func aurocByHand() throws {
    // Positives 0.9, 0.4; negatives 0.6, 0.1: pairs (0.9>0.6) (0.9>0.1) (0.4<0.6) (0.4>0.1) → 3/4.
    let auc = try #require(RankingMetrics.auroc(scores: [0.9, 0.6, 0.4, 0.1], labels: [true, false, true, false]))
    #expect(abs(auc - 0.75) < 1e-12)
    // A tie between a positive and a negative counts one half: (1 + 0.5) / 2.
    let tied = try #require(RankingMetrics.auroc(scores: [0.8, 0.5, 0.5], labels: [true, true, false]))
    #expect(abs(tied - 0.75) < 1e-12)
    #expect(RankingMetrics.auroc(scores: [1, 2], labels: [true, true]) == nil)
    #expect(RankingMetrics.auroc(scores: [3, 2, 1], labels: [true, true, false]) == 1)
    #expect(RankingMetrics.auroc(scores: [1, 2, 3], labels: [true, true, false]) == 0)
  }

  @Test func averagePrecisionByHand() throws {
    // Ranked: +(0.9) −(0.6) +(0.4) −(0.1): AP = ½·1 + ½·(2/3) = 5/6.
    let ap = try #require(RankingMetrics.averagePrecision(scores: [0.9, 0.6, 0.4, 0.1], labels: [true, false, true, false]))
    #expect(abs(ap - 5.0 / 6.0) < 1e-12)
    // All tied: one threshold with precision 2/4 and recall 1.
    let tied = try #require(RankingMetrics.averagePrecision(scores: [1, 1, 1, 1], labels: [true, false, true, false]))
    #expect(abs(tied - 0.5) < 1e-12)
    #expect(RankingMetrics.averagePrecision(scores: [1, 2], labels: [false, false]) == nil)
  }
}
