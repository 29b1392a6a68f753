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

/// `NameDecoding.noRepeat`: no subtoken twice in one name.
@Suite struct NameNoRepeatTests {
  static let vocab = SubtokenVocabulary(tokens: SubtokenVocabulary.specials + ["get", "user", "id"])

  /// A stub decoder that always prefers `user` (logit 3) over `<eos>` (2) and `get`/`id` (0), so an
  /// unconstrained search writes `user` again and again.
  static func logits(_ prefixes: [[Int32]]) -> [Float] {
    var out: [Float] = []
    for _ in prefixes {
      var row = [Float](repeating: -30, count: vocab.count)
      (row[3], row[4], row[5], row[6]) = (2, 0, 3, 0)
      out += row
    }
    return out
  }

  static func search(_ decoding: NameDecoding) -> [NamePrediction] {
    NameHead.beamSearch(
      vocabulary: vocab, width: 3, top: 10, maxSubtokens: 4, copy: CopyCandidates(decoding: decoding), logits: logits)
  }

  @Test func withoutTheRuleRepeatsAreProposed() {
    #expect(Self.search(.none).contains { $0.subtokens == ["user", "user"] })
  }

  @Test func withTheRuleNoNameRepeatsASubtoken() {
    let names = Self.search(NameDecoding(noRepeat: true))
    #expect(!names.isEmpty)
    #expect(names.allSatisfy { Set($0.subtokens).count == $0.subtokens.count })
    #expect(names.contains { $0.subtokens == ["user"] })
    let back = try? JSONDecoder().decode(NameDecoding.self, from: JSONEncoder().encode(NameDecoding(noRepeat: true)))
    #expect(back?.noRepeat == true)
    #expect(NameDecoding(noRepeat: true).summary == "no copy bias, no repeated subtoken")
  }

  @Test func theConsensusCountsAWordOnce() {
    // beams in search order: user (P 0.35), userUser (P 0.4), userId (P 0.25); weights P/0.4 = 0.875, 1, 0.625.
    // By distinct words user and userUser agree fully: both gain 0.875 + 1 + 0.625·(2/3) ≈ 2.29, and the tie keeps
    // the beam order (user first). Counting each occurrence, userUser would match userId better (F1 0.8 against
    // 2/3) and win with ≈ 2.38: the consensus would prefer the repeat.
    let beams = [
      NamePrediction(subtokens: ["user"], logProbability: log(0.35)),
      NamePrediction(subtokens: ["user", "user"], logProbability: log(0.4)),
      NamePrediction(subtokens: ["user", "id"], logProbability: log(0.25)),
    ]
    #expect(NameHead.consensusOrder(beams, sharpness: 1).map(\.name) == ["user", "userUser", "userId"])
    #expect(NameHead.distinct(["User", "user", "Id"]) == ["user", "id"])
  }
}

@Suite struct NameDecodingBeamTests {
  @Test func theBeamWidthIsStoredAndBounded() throws {
    let d = try JSONDecoder().decode(
      NameDecoding.self, from: Data(#"{"beam": 10, "consensus": 0.5, "noRepeat": true}"#.utf8))
    #expect(d.beam == 10 && d.consensus == 0.5 && d.noRepeat)
    #expect(d.summary == "no copy bias, beam 10, no repeated subtoken, consensus choice (sharpness 0.5)")
    let wide = try JSONDecoder().decode(NameDecoding.self, from: Data(#"{"beam": 1000}"#.utf8))
    #expect(wide.beam == 64)
    let old = try JSONDecoder().decode(NameDecoding.self, from: Data("{}".utf8))
    #expect(old.beam == nil && !old.noRepeat && old.consensus == nil)
  }
}
