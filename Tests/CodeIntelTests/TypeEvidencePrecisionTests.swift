import Foundation
import Syntax
import Testing

@testable import Heads

@Suite("Each evidence rule's confidence is its measured precision")
struct TypeEvidencePrecisionTests {
  typealias File = TypeEvaluation.File
  typealias Site = TypeEvaluation.Site

  @Test("counts per kind and rule, smoothed share where a rule has enough sites, fixed value elsewhere")
  func handComputed() throws {
    // Twelve variables initialised with a string literal: 3 annotated `string`, 9 with a literal union.
    var text = ""
    var sites: [Site] = []
    for i in 0..<12 {
      let line = "let v\(i) = 'a';\n"
      sites.append(
        Site(
          kind: "variable", name: "v\(i)", offset: text.utf8.count + 4 + "\(i)".count + 1,
          label: i < 3 ? "string" : "'a' | 'b'"))
      text += line
    }
    // One number-literal variable (right), and a site labelled `any` that is never counted.
    sites.append(Site(kind: "variable", name: "n", offset: text.utf8.count + 5, label: "number"))
    text += "let n = 1;\n"
    sites.append(Site(kind: "variable", name: "m", offset: text.utf8.count + 5, label: "any"))
    text += "let m = 2;\n"
    let file = File(package: "p", path: "a.ts", text: text, sites: sites)
    let evidence = try TypeEvaluation.evidenceCandidates(file)
    #expect(evidence.prefix(13).allSatisfy { !$0.isEmpty })
    let table = TypeEvidencePrecision.measure(files: [file], evidence: [evidence], splits: ["valid"], minimumSites: 10)
    #expect(table.rules["variable string-literal"] == .init(sites: 12, right: 3))
    #expect(table.rules["variable number-literal"] == .init(sites: 1, right: 1))
    // (3 + 1) / (12 + 2)
    #expect(abs((table.confidence(kind: "variable", rule: "string-literal") ?? 0) - 4.0 / 14.0) < 1e-12)
    // One site is too few: the fixed confidence stays.
    #expect(table.confidence(kind: "variable", rule: "number-literal") == nil)
    let calibrated = table.calibrated(evidence[0], kind: "variable")
    #expect(abs(calibrated[0].confidence - 4.0 / 14.0) < 1e-12)
    #expect(table.calibrated(evidence[12], kind: "variable")[0].confidence == TypeEvidence.Confidence.literal)
    // Written and read back.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("evidence-precision-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try table.write(to: dir)
    #expect(try TypeEvidencePrecision.load(directory: dir) == table)
  }

  @Test("shown confidences are measured, the ranking stays the fixed confidences'")
  func displayed() {
    let table = TypeEvidencePrecision(
      splits: ["valid"], minimumSites: 10, rules: ["variable string-literal": .init(sites: 12, right: 3)])
    let evidence = [
      TypeEvidence.Suggestion.Candidate(
        type: "string", confidence: 0.95, reason: "a string literal", rule: "string-literal")
    ]
    let ranked: [TypeCombination.Candidate] = [
      .init(type: "string", confidence: 0.95, source: .evidence, reason: "initialised with a string literal"),
      .init(type: "Mode", confidence: 0.5, source: .model, reason: "type head"),
    ]
    let shown = table.displayed(ranked, evidence: evidence, kind: "variable", model: [("Mode", 0.5)], prior: [])
    // Order kept: the evidence stays first, now at its measured 4/14.
    #expect(shown.map(\.type) == ["string", "Mode"])
    #expect(abs(shown[0].confidence - 4.0 / 14.0) < 1e-12)
    #expect(shown[1].confidence == 0.5)
    // Where the head agrees (`combined`), the higher of the measured evidence and the head's probability.
    var agreed = ranked
    agreed[0].source = .combined
    let both = table.displayed(agreed, evidence: evidence, kind: "variable", model: [("string", 0.6)], prior: [])
    #expect(abs(both[0].confidence - 0.6) < 1e-6)
  }

  @Test("rules name what the evidence read: literals, constructors, returns, async")
  func rules() throws {
    let source = """
      const a = 'x'
      const d = new Date()
      function f() { return 1 }
      async function g() { return true }
      function h(x) { if (x) return null; return 'y' }

      """
    let tree = try Parser(language: .typescript).parse(source)
    let rules = TypeEvidence.suggestions(in: tree).map { "\($0.name) \($0.best.rule)" }
    #expect(
      rules == [
        "a string-literal", "d constructor", "f returns number-literal", "g returns boolean-literal async",
        "h returns string-literal or null",
      ])
  }
}
