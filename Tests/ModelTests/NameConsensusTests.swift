import Foundation
import Testing

@testable import Heads

/// The consensus choice among a function's beams (minimum Bayes risk for subtoken F1), on hand-computed examples.
@Suite struct NameConsensusTests {
  private func beam(_ words: [String], _ p: Double) -> NamePrediction {
    NamePrediction(subtokens: words, logProbability: log(p))
  }

  @Test func subtokenF1FollowsTheMetricsRule() {
    // predicted get,user against get,user,id: precision 1, recall 2/3, F1 0.8
    #expect(abs(NameHead.subtokenF1(["get", "user"], ["get", "user", "id"]) - 0.8) < 1e-12)
    #expect(NameHead.subtokenF1(["Fetch"], ["fetch"]) == 1)
    #expect(NameHead.subtokenF1(["fetch"], ["get"]) == 0)
  }

  @Test func aNameTheOtherBeamsShareGoesFirst() {
    // beams in search order: a lone name (P 0.4), then two that share two words (P 0.3 each).
    // Expected F1 with weights P/0.4 = 1, 0.75, 0.75:
    //   fetchData 1·1 = 1.0; getUser 0.75·1 + 0.75·0.8 = 1.35; getUserId 0.75·0.8 + 0.75·1 = 1.35
    // getUser and getUserId tie: the earlier beam wins; the rest keep their order.
    let beams = [beam(["fetch", "data"], 0.4), beam(["get", "user"], 0.3), beam(["get", "user", "id"], 0.3)]
    let chosen = NameHead.consensusOrder(beams, sharpness: 1)
    #expect(chosen.map(\.name) == ["getUser", "fetchData", "getUserId"])
  }

  @Test func aSharpWeightKeepsTheLikeliestName() {
    // sharpness 10: the others weigh 0.75^10 ≈ 0.056 each, so fetchData (1.0) beats getUser (≈ 0.10)
    let beams = [beam(["fetch", "data"], 0.4), beam(["get", "user"], 0.3), beam(["get", "user", "id"], 0.3)]
    #expect(NameHead.consensusOrder(beams, sharpness: 10) == beams)
    #expect(NameHead.consensusOrder([beams[1]], sharpness: 1) == [beams[1]])
    #expect(NameHead.consensusOrder([], sharpness: 1).isEmpty)
  }

  @Test func theChoiceIsStoredWithTheDecodingAndOldFoldersHaveNone() throws {
    let old = try JSONDecoder().decode(NameDecoding.self, from: Data(#"{"copyBias": 0}"#.utf8))
    #expect(old.consensus == nil)
    let new = NameDecoding(consensus: 1)
    let back = try JSONDecoder().decode(NameDecoding.self, from: JSONEncoder().encode(new))
    #expect(back.consensus == 1)
    #expect(new.summary == "no copy bias, consensus choice (sharpness 1)")
  }
}
