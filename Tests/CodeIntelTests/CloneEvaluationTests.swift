import Augment
import Foundation
import Syntax
import Testing

@testable import CodeIntel
@testable import Heads

@Suite struct CloneEvaluationTests {
  // MARK: - Adversarial scoring by hand

  @Test func positivesTakeTheMinimumAndNegativesTheMaximumOverTries() throws {
    // Two pairs, three tries each: pair 0 positive, pair 1 negative.
    let scores = CloneScores(
      scorer: "hand", tries: 3,
      values: [
        [[0.9, 0.2], [0.8, 0.3, 0.7, 0.1, 0.6, 0.4]],
        [[0.9, 0.2], [0.8, 0.3, 0.7, 0.1, 0.6, 0.4]],
      ])
    let labels = [true, false]
    #expect(scores.pairScores(view: .natural, column: 0, labels: labels) == [0.9, 0.2])
    // Positive: min(0.8, 0.3, 0.7) = 0.3; negative: max(0.1, 0.6, 0.4) = 0.6.
    #expect(scores.pairScores(view: .natural, column: 1, labels: labels) == [0.3, 0.6])
    #expect(AdversarialEdits.adversarialScore([0.5, 0.25, 0.75], positive: true) == 0.25)
    #expect(AdversarialEdits.adversarialScore([0.5, 0.25, 0.75], positive: false) == 0.75)
  }

  /// A scorer whose similarity is known: 1 − |len(a) − len(b)| / 1000 (as a 2-d unit vector it would not be
  /// a cosine, so the test goes through `CloneScores` directly from the evaluation's texts).
  @Test func adversarialColumnsUseTheVariantsOfTheBSide() throws {
    let f = "function add(a, b) {\n  // sum\n  const s = a + b;\n  return s;\n}\n"
    let g = "function mul(x, y) {\n  let p = x * y;\n  if (p > 10) { return p; }\n  return 0;\n}\n"
    let set = ClonePairSet(
      name: "tiny",
      textPairs: [
        (a: f, b: f, language: (.javascript, .javascript), positive: true, groups: ["add"]),
        (a: f, b: g, language: (.javascript, .javascript), positive: false, groups: ["add", "mul"]),
      ])
    let adversarial = AdversarialEdits(edits: [1, 2], tries: 3, seed: 7)
    let evaluation = CloneEvaluation(set: set, adversarial: adversarial, threads: 2)
    let scores = try evaluation.scores(.tokenJaccard)
    // Natural: the positive pair is identical (Jaccard 1).
    #expect(scores.values[0][0][0] == 1)
    // By hand: the chains of each b side, scored against a with the same Jaccard.
    let workspace = AdversarialEdits.Workspace()
    for (p, pair) in set.pairs.enumerated() {
      let chains = adversarial.chains(of: set.texts[pair.b], language: .javascript, workspace: workspace)
      #expect(chains.count == 3)
      for c in 0..<2 {
        let perTry = chains.map { CloneEvaluation.tokenSetJaccard(set.texts[pair.a], $0.texts[c]) }
        let expected = pair.positive ? perTry.min()! : perTry.max()!
        let got = scores.pairScores(view: .natural, column: c + 1, labels: set.pairs.map(\.positive))[p]
        #expect(abs(got - expected) < 1e-12)
      }
    }
    let row = evaluation.row(scores)
    #expect(row.metrics.count == 2 && row.metrics[0].count == 3)
    #expect(evaluation.columns == [0, 1, 2])
  }

  @Test func chainsAreSeededParseAndGrowByOneEditAtATime() throws {
    let source =
      "function total(items) {\n  let sum = 0;\n  for (const item of items) { sum += item.price * 2; }\n"
      + "  // done\n  return sum;\n}\n"
    let adversarial = AdversarialEdits(edits: [1, 2, 4], tries: 4, seed: 3)
    let a = adversarial.chains(of: source, language: .javascript, workspace: AdversarialEdits.Workspace())
    let b = adversarial.chains(of: source, language: .javascript, workspace: AdversarialEdits.Workspace())
    #expect(a == b)
    let other = AdversarialEdits(edits: [1, 2, 4], tries: 4, seed: 4)
      .chains(of: source, language: .javascript, workspace: AdversarialEdits.Workspace())
    #expect(a != other)
    let parser = Parser(language: .javascript)
    for chain in a {
      #expect(chain.texts.count == 3)
      #expect(chain.applied == chain.applied.sorted())
      #expect(chain.applied[0] == 1 && chain.texts[0] != source)
      for text in chain.texts { #expect(try !parser.parse(text).hasError) }
    }
  }

  // MARK: - Text helpers

  @Test func tokenSetJaccardByHand() {
    // {a, +, b} vs {a, +, c}: 2 shared of 4.
    #expect(CloneEvaluation.tokenSetJaccard("a + b", "a + c") == 0.5)
    #expect(CloneEvaluation.jaccard([1, 2, 3], [2, 3, 4, 5]) == 2.0 / 5.0)
    #expect(CloneEvaluation.jaccard([], []) == 0)
  }

  @Test func identifierBlindRenamesDeclaredNamesAndKeepsGlobalsAndProperties() {
    let parser = Parser(language: .javascript)
    #expect(
      IdentifierBlind.text("function f(a, b) { return Math.max(a, b.length); }", parser: parser)
        == "function v0(v1, v2) { return Math.max(v1, v2.length); }")
    // A method unit is wrapped to parse, renamed inside, and unwrapped.
    #expect(IdentifierBlind.text("area(r) { return r * r; }", parser: parser) == "area(v0) { return v0 * v0; }")
  }

  @Test func limitedKeepsHalfPositivesAndRemapsTexts() {
    let set = ClonePairSet(
      name: "s",
      textPairs: (0..<6).map { i in
        (a: "x\(i)", b: "y\(i)", language: (.javascript, .javascript), positive: i % 2 == 0, groups: ["g\(i)"])
      })
    let small = set.limited(to: 2)
    #expect(small.pairs.count == 2 && small.positives == 1)
    #expect(small.texts == ["x0", "y0", "x1", "y1"])
  }
}
