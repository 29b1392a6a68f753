import Foundation
import Testing

@testable import CloneIndex

/// A gate that accepts a pair when its blind-bigram Jaccard (feature 7) reaches a cut, and records what it saw.
private final class RecordingGate: FunctionalPairGate, @unchecked Sendable {
  let cut: Double
  let candidateThreshold: Float
  var seen: [Double] = []
  init(cut: Double, candidateThreshold: Float) {
    self.cut = cut
    self.candidateThreshold = candidateThreshold
  }
  var embedderID: String { HashedFeatureEmbedder().modelID }
  var threshold: Double { 0.5 }
  var commonRaw: Set<UInt32> { [] }
  var commonBlind: Set<UInt32> { [] }
  func probability(_ a: PairSide, _ b: PairSide) -> Double {
    let f = PairFeatures.compute(a, b)
    seen.append(f[0])
    return f[7] >= cut ? 0.9 : 0.1
  }
}

@Suite struct FunctionalGateTests {
  @Test func theGateDecidesWhichFunctionalCandidatesBecomeEdges() throws {
    let repo = try TemporaryRepository.demo()
    // Accepting everything at a low candidate floor finds at least the cosine groups of the demo.
    let open = RecordingGate(cut: 0, candidateThreshold: 0.3)
    let all = try CloneFinder(gate: open).report(root: repo.root)
    #expect(all.count(.functional) >= 2)
    #expect(!open.seen.isEmpty && open.seen.allSatisfy { $0 >= 0.3 }, "only candidates at the floor are asked")
    #expect(all.functionalScorer?.contains("probability >= 0.500 on candidates with cosine >= 0.30") == true)
    // Rejecting everything leaves no functional group, whatever the cosine; the other kinds stay.
    let closed = try CloneFinder(gate: RecordingGate(cut: 2, candidateThreshold: 0.3)).report(root: repo.root)
    #expect(closed.count(.functional) == 0)
    #expect(closed.count(.exact) == all.count(.exact) && closed.count(.renamed) == all.count(.renamed))
    // Edge scores are the gate's probabilities.
    for g in all.groups where g.kind == .functional { #expect(abs(g.similarity - 0.9) < 1e-6) }
  }

  @Test func aGateForAnotherEmbedderIsNotApplied() throws {
    struct Other: FunctionalPairGate {
      var embedderID: String { "encoder:something" }
      var candidateThreshold: Float { 0 }
      var threshold: Double { 1 }
      var commonRaw: Set<UInt32> { [] }
      var commonBlind: Set<UInt32> { [] }
      func probability(_ a: PairSide, _ b: PairSide) -> Double { 0 }
    }
    let repo = try TemporaryRepository.demo()
    let report = try CloneFinder(gate: Other()).report(root: repo.root)
    #expect(report.count(.functional) == 2 && report.functionalScorer == nil)
  }

  @Test func aGateThatReadsTheEncoderGetsTheTextsOfCandidateUnitsOnly() throws {
    /// Encodes a unit as [1, 0] when its text mentions `keyword`, else [0, 1]; accepts a pair at encoder
    /// cosine ≥ 0.5 (feature 12), and records the texts it was asked to encode.
    final class EncoderGate: FunctionalPairGate, @unchecked Sendable {
      let marked: String
      var asked: [String] = []
      init(marked: String) { self.marked = marked }
      var embedderID: String { HashedFeatureEmbedder().modelID }
      var candidateThreshold: Float { 0.3 }
      var threshold: Double { 0.5 }
      var commonRaw: Set<UInt32> { [] }
      var commonBlind: Set<UInt32> { [] }
      var usesEncoder: Bool { true }
      func encode(_ units: [UnitText]) throws -> [(asWritten: [Float], blind: [Float])] {
        asked += units.map(\.text)
        return units.map { $0.text == marked ? ([1, 0], [1, 0]) : ([0, 1], [0, 1]) }
      }
      func probability(_ a: PairSide, _ b: PairSide) -> Double {
        PairFeatures.compute(a, b)[PairFeatures.names.firstIndex(of: "encoderCosine")!] >= 0.5 ? 0.9 : 0.1
      }
    }
    let repo = try TemporaryRepository.demo()
    let open = RecordingGate(cut: 0, candidateThreshold: 0.3)
    let all = try CloneFinder(gate: open).report(root: repo.root)
    let functional = all.groups.filter { $0.kind == .functional }
    #expect(functional.count >= 2)
    // Mark one functional group's first member by its text (its name followed by `(` is not enough: a generic
    // `splitIntoPages<T>(…)` has `<` there); the encoder then calls every pair with it different, every other alike.
    let member = functional[0].members[0]
    let text = try String(contentsOfFile: repo.root + "/" + member.path, encoding: .utf8)
    let unitText = String(decoding: Array(text.utf8)[member.startByte..<member.endByte], as: UTF8.self)
    let gate = EncoderGate(marked: unitText)
    let report = try CloneFinder(gate: gate).report(root: repo.root)
    // It was given unit texts read from the files (the marked one among them), each unit at most once.
    #expect(gate.asked.contains(unitText))
    #expect(Set(gate.asked).count == gate.asked.count)
    // No functional group holds the marked member with another member (its encoder cosine is 0 with all).
    for g in report.groups where g.kind == .functional {
      #expect(!g.members.contains { $0.path == member.path && $0.startByte == member.startByte })
    }
    #expect(report.count(.functional) >= 1)
  }

  @Test func gatedGroupsAreCompleteAtTheGatesDecisionNotChained() throws {
    // Three functions of one shape (all candidates at a floor of 0), told apart only by the encoder vectors
    // the gate gives them: A–B and B–C are edges (cosine 0.71), A–C is not (0). Complete linkage must not put
    // all three in one group, whatever the order it meets the edges in.
    final class ChainGate: FunctionalPairGate, @unchecked Sendable {
      var embedderID: String { HashedFeatureEmbedder().modelID }
      var candidateThreshold: Float { 0 }
      var threshold: Double { 0.5 }
      var commonRaw: Set<UInt32> { [] }
      var commonBlind: Set<UInt32> { [] }
      var usesEncoder: Bool { true }
      func encode(_ units: [UnitText]) throws -> [(asWritten: [Float], blind: [Float])] {
        units.map { u in
          let v: [Float] =
            u.text.contains("alpha") ? [1, 0] : u.text.contains("beta") ? [0.7071, 0.7071] : [0, 1]
          return (v, v)
        }
      }
      func probability(_ a: PairSide, _ b: PairSide) -> Double {
        PairFeatures.compute(a, b)[PairFeatures.names.firstIndex(of: "encoderCosine")!]
      }
    }
    let repo = try TemporaryRepository()
    // Different constants, so that they are three canonical classes (the function's own name does not count).
    for (file, word, k) in [("a.js", "alpha", 2), ("b.js", "beta", 3), ("c.js", "gamma", 5)] {
      try repo.write(
        file,
        """
        function \(word)(items, limit) {
          const out = [];
          for (let i = 0; i < items.length; i++) {
            if (items[i] > limit) out.push(items[i] * \(k));
          }
          return out.length ? out : null;
        }

        """)
    }
    let report = try CloneFinder(options: CloneOptions(minLines: 3, minTokens: 10, nearMiss: false), gate: ChainGate())
      .report(root: repo.root)
    let functional = report.groups.filter { $0.kind == .functional }
    #expect(!functional.isEmpty, "A–B or B–C is reported")
    for g in functional {
      let names = Set(g.members.compactMap(\.name))
      #expect(!(names.contains("alpha") && names.contains("gamma")), "\(names)")
      #expect(g.minSimilarity >= 0.5)
    }
  }

  @Test func encoderVectorsAreKeptInTheIndexSoAWarmRunEmbedsNothing() throws {
    final class CountingGate: FunctionalPairGate, @unchecked Sendable {
      var encoded: [String] = []
      var embedderID: String { HashedFeatureEmbedder().modelID }
      var candidateThreshold: Float { 0.3 }
      var threshold: Double { 0.5 }
      var commonRaw: Set<UInt32> { [] }
      var commonBlind: Set<UInt32> { [] }
      var usesEncoder: Bool { true }
      var encoderID: String { "test-encoder" }
      func encode(_ units: [UnitText]) throws -> [(asWritten: [Float], blind: [Float])] {
        encoded += units.map(\.text)
        return units.map { _ in ([1, 0], [0, 1]) }
      }
      func probability(_ a: PairSide, _ b: PairSide) -> Double {
        PairFeatures.compute(a, b)[PairFeatures.names.firstIndex(of: "encoderCosine")!]
      }
    }
    let repo = try TemporaryRepository.demo()
    let gate = CountingGate()
    let cold = try CloneFinder(gate: gate).report(root: repo.root)
    let first = gate.encoded.count
    #expect(first > 0 && cold.count(.functional) >= 1)
    // Nothing changed: the same groups, nothing embedded.
    let warm = try CloneFinder(gate: gate).report(root: repo.root)
    #expect(gate.encoded.count == first)
    #expect(warm.groups == cold.groups)
    // One candidate's text changes (a comment inside it): only that one is embedded again.
    let member = try #require(cold.groups.first { $0.kind == .functional }?.members.first)
    var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: repo.root + "/" + member.path)))
    let comment = Array(" /* edited */".utf8)
    let brace = try #require(bytes[member.startByte..<member.endByte].firstIndex(of: UInt8(ascii: "{")))
    bytes.insert(contentsOf: comment, at: brace + 1)
    try repo.writeBytes(member.path, bytes)
    _ = try CloneFinder(gate: gate).report(root: repo.root)
    let again = gate.encoded[first...]
    #expect(again.count == 1 && again.first?.contains("/* edited */") == true, "\(again.count)")
  }
}
