import Foundation
import Testing

@testable import CodeIntel
@testable import Heads

@Suite("Type ranker: features, fitting, the file, and the hand-set order without it")
struct TypeRankerTests {
  static func value(_ row: [Double], _ name: String) -> Double {
    row[TypeRanker.featureNames.firstIndex(of: name)!]
  }

  // MARK: - Features

  @Test("features of a hand-made site: each source's presence, confidence and rank, agreement, form, kind")
  func features() {
    let ev = [
      TypeEvidence.Suggestion.Candidate(
        type: "string", confidence: 0.95, reason: "a string literal", rule: "string-literal")
    ]
    let md: [(type: String, probability: Float)] = [("number", 0.5), ("string", 0.25), ("Promise<Foo>", 0.125)]
    let pr = [TypeNamePrior.Candidate(type: "string", confidence: 0.6, reason: "name prior")]
    let (candidates, rows) = TypeRanker.features(
      evidence: ev, model: md, prior: pr, kind: "variable", priorSites: 9)
    // The hand-set union, in its order: evidence first (0.95 ≥ 0.8), then head and prior by confidence.
    #expect(candidates.map(\.type) == ["string", "number", "Promise<Foo>"])
    #expect(rows.count == 3 && rows.allSatisfy { $0.count == TypeRanker.featureNames.count })
    let s = rows[0]
    #expect(Self.value(s, "evidence.present") == 1 && Self.value(s, "evidence.conf") == 0.95)
    #expect(Self.value(s, "evidence.first") == 1 && Self.value(s, "evidence.literal") == 1)
    #expect(Self.value(s, "evidence.constructor") == 0)
    #expect(Self.value(s, "head.present") == 1 && Self.value(s, "head.p") == 0.25 && Self.value(s, "head.rrank") == 0.5)
    #expect(Self.value(s, "head.first") == 0)
    #expect(abs(Self.value(s, "head.logp") - log(0.25 / 1e-4)) < 1e-9)
    #expect(Self.value(s, "prior.present") == 1 && Self.value(s, "prior.conf") == 0.6)
    #expect(abs(Self.value(s, "prior.logsites") - log(10)) < 1e-12)
    #expect(Self.value(s, "sources.two") == 1 && Self.value(s, "sources.three") == 1)
    #expect(Self.value(s, "legacy.first") == 1 && Self.value(s, "legacy.rrank") == 1)
    #expect(Self.value(s, "form.primitive") == 1 && Self.value(s, "form.structured") == 0)
    #expect(Self.value(s, "kind.variable.evidence") == 1 && Self.value(s, "kind.return.evidence") == 0)
    let n = rows[1]
    #expect(Self.value(n, "head.first") == 1 && Self.value(n, "evidence.present") == 0)
    #expect(Self.value(n, "prior.present") == 0 && Self.value(n, "prior.logsites") == 0)
    #expect(Self.value(n, "sources.two") == 0 && Self.value(n, "legacy.rrank") == 0.5)
    let g = rows[2]
    #expect(Self.value(g, "form.application") == 1 && Self.value(g, "form.structured") == 1)
    #expect(Self.value(g, "head.rrank") == 1.0 / 3.0)
    // Site features are the same on every row.
    for r in rows {
      #expect(Self.value(r, "site.headtop") == 0.5 && Self.value(r, "site.headmargin") == 0.25)
      #expect(abs(Self.value(r, "site.logcandidates") - log(3)) < 1e-12 && Self.value(r, "site.evidence") == 1)
    }
  }

  @Test("forms and rule families")
  func formsAndFamilies() {
    #expect(TypeRanker.form("string[]") == "form.array")
    #expect(TypeRanker.form("string | null") == "form.union")
    #expect(TypeRanker.form("(a: string) => void") == "form.function")
    #expect(TypeRanker.form("Map<string, number>") == "form.application")
    #expect(TypeRanker.form("'a'") == "form.literal")
    #expect(TypeRanker.form("{ a: string }") == "form.object")
    #expect(TypeRanker.form("Foo") == nil)
    #expect(TypeRanker.family("returns boolean-literal async") == "evidence.returns")
    #expect(TypeRanker.family("tuple-rows") == "evidence.array")
    #expect(TypeRanker.family("something-new") == "evidence.other")
  }

  // MARK: - Fitting

  /// Synthetic sites of four candidates with two informative features and one noise feature: the label is the
  /// candidate with the highest `2·a − b` (plus noise), and one site in five has no right candidate.
  static func planted(sites: Int, seed: UInt64) -> [TypeRanker.Example] {
    var state = seed
    func uniform() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) / Double(1 << 53)
    }
    return (0..<sites).map { i in
      let rows = (0..<4).map { _ in [uniform(), uniform(), uniform()] }
      let utility = rows.map { 2 * $0[0] - $0[1] + 0.2 * uniform() }
      let best = utility.indices.max { utility[$0] < utility[$1] }!
      return TypeRanker.Example(rows: rows, label: i % 5 == 0 ? nil : best)
    }
  }

  @Test("the fitted model recovers a planted rule: the right signs and ratio, the label ranked first")
  func recoversPlantedRule() {
    let train = Self.planted(sites: 2_000, seed: 1)
    let fitted = TypeRanker.fit(train, columns: [0, 1, 2], lambda: 1e-4)
    #expect(fitted.weights[0] > 0 && fitted.weights[1] < 0)
    #expect(abs(fitted.weights[2]) < 0.2 * abs(fitted.weights[0]))
    let ratio = fitted.weights[0] / -fitted.weights[1]
    #expect(ratio > 1.5 && ratio < 2.7)
    // On fresh sites the top score is the label nearly always (the noise makes a few ties flip).
    let test = Self.planted(sites: 500, seed: 2).filter { $0.label != nil }
    var right = 0
    for e in test {
      let s = TypeRankerFitting.scores(e.rows, columns: [0, 1, 2], bias: fitted.bias, weights: fitted.weights)
      if s.indices.max(by: { s[$0] < s[$1] }) == e.label { right += 1 }
    }
    #expect(Double(right) / Double(test.count) > 0.85)
    // Without the informative columns it cannot rank: about chance.
    let blind = TypeRanker.fit(train, columns: [2], lambda: 1e-4)
    var lucky = 0
    for e in test {
      let s = TypeRankerFitting.scores(e.rows, columns: [2], bias: blind.bias, weights: blind.weights)
      if s.indices.max(by: { s[$0] < s[$1] }) == e.label { lucky += 1 }
    }
    #expect(Double(lucky) / Double(test.count) < 0.4)
  }

  @Test("the temperature fitted on scores twice too sharp is about 2")
  func temperature() {
    var state: UInt64 = 7
    func uniform() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) / Double(1 << 53)
    }
    var sites: [TypeRankerFitting.Site] = []
    var scores: [[Double]] = []
    for _ in 0..<4_000 {
      let u = (0..<3).map { _ in 4 * uniform() - 2 }
      // Draw the label from the true probabilities (the outside option scores 0).
      let p = TypeRanker.probabilities(scores: u)
      var r = uniform()
      var label: Int? = nil
      for (i, pi) in p.enumerated() {
        if r < pi {
          label = i
          break
        }
        r -= pi
      }
      sites.append(
        TypeRankerFitting.Site(
          split: "valid", group: "p", types: ["A", "B", "C"], rows: [], label: label, allowed: [true, true, true],
          containsAny: [false, false, false]))
      scores.append(u.map { 2 * $0 })
    }
    let t = TypeRankerFitting.temperature(sites, scores: scores)
    #expect(t > 1.7 && t < 2.3)
  }

  @Test("a site of weight 2 counts as the site twice; balanced weights make every split weigh the same")
  func weights() {
    let base = Self.planted(sites: 300, seed: 5)
    let doubled = base + base.prefix(100)
    let weighted = base.enumerated().map {
      TypeRanker.Example(rows: $0.element.rows, label: $0.element.label, weight: $0.offset < 100 ? 2 : 1)
    }
    let a = TypeRanker.fit(doubled, columns: [0, 1, 2], lambda: 0.01)
    let b = TypeRanker.fit(weighted, columns: [0, 1, 2], lambda: 0.01)
    let plain = TypeRanker.fit(base, columns: [0, 1, 2], lambda: 0.01)
    for j in 0..<3 { #expect(abs(a.weights[j] - b.weights[j]) < 1e-6) }
    #expect(abs(a.weights[0] - plain.weights[0]) > 1e-4)
    func site(_ split: String) -> TypeRankerFitting.Site {
      TypeRankerFitting.Site(
        split: split, group: "p", types: [], rows: [], label: nil, allowed: [], containsAny: [])
    }
    let sites = [site("valid"), site("github-valid"), site("github-valid"), site("github-valid")]
    #expect(TypeRankerFitting.weights(sites, balanced: false) == [1, 1, 1, 1])
    let w = TypeRankerFitting.weights(sites, balanced: true)
    #expect(w[0] == 2 && abs(w[1] - 2.0 / 3.0) < 1e-12 && abs(w.reduce(0, +) - 4) < 1e-12)
  }

  @Test("a strong penalty shrinks the weights")
  func penaltyShrinks() {
    let train = Self.planted(sites: 500, seed: 3)
    let weak = TypeRanker.fit(train, columns: [0, 1, 2], lambda: 1e-4)
    let strong = TypeRanker.fit(train, columns: [0, 1, 2], lambda: 10)
    #expect(abs(strong.weights[0]) < 0.2 * abs(weak.weights[0]))
  }

  @Test("folds keep every group whole, and are the same on every run")
  func groupedFolds() {
    let groups = (0..<30).map { "pkg\($0)" }
    let a = TypeRankerFitting.folds(groups: groups + groups, count: 5)
    let b = TypeRankerFitting.folds(groups: groups.reversed(), count: 5)
    #expect(a == b && a.count == 30)
    #expect(Set(a.values) == [0, 1, 2, 3, 4])
  }

  @Test("the system's five: types not in scope dropped, `any` capped, re-sorted by confidence")
  func systemList() {
    let site = TypeRankerFitting.Site(
      split: "valid", group: "p", types: ["A", "B", "any[]", "C"], rows: [[], [], [], []], label: 3,
      allowed: [true, false, true, true], containsAny: [false, false, true, false])
    let out = TypeRankerFitting.system(site, scores: [3, 2, 2.5, 1])
    #expect(out.map(\.index) == [0, 2, 3])  // B is not in scope; any[]'s probability is under the cap anyway
    let capped = TypeRankerFitting.system(site, scores: [1, 0, 6, 0.5])
    #expect(capped.map(\.index) == [2, 0, 3])
    #expect(capped.first { $0.index == 2 }!.confidence == TypeNames.anyCap)
  }

  // MARK: - The file and the default

  static func folder() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ranker-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
  }

  @Test("the file's round trip, and a folder without it has none")
  func roundTrip() throws {
    let dir = try Self.folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(try TypeRanker.load(directory: dir) == nil)
    var r = TypeRanker(features: ["head.p", "prior.conf"], weights: [3, 1.5], bias: -1)
    r.lambda = 0.01
    r.variant = "sources"
    r.temperature = 0.5
    try r.write(to: dir)
    #expect(try TypeRanker.load(directory: dir) == r)
    #expect(r.fullWeights[TypeRanker.featureNames.firstIndex(of: "prior.conf")!] == 1.5)
    #expect(r.fullWeights.filter { $0 != 0 }.count == 2)
  }

  @Test("a broken file is refused with a one-line reason")
  func brokenFile() throws {
    let dir = try Self.folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent(TypeRanker.fileName)
    func refusal(_ text: String) -> String? {
      try? text.write(to: file, atomically: true, encoding: .utf8)
      do {
        _ = try TypeRanker.load(directory: dir)
        return nil
      } catch { return "\(error)" }
    }
    let base =
      #""format":"codeintel-type-ranker","version":1,"splits":[],"sites":0,"lambda":0,"temperature":1,"variant":"""#
    let unknown = refusal("{\(base),\"features\":[\"head.q\"],\"weights\":[1],\"bias\":0}")
    #expect(unknown?.contains("unknown feature `head.q`") == true)
    let counts = refusal("{\(base),\"features\":[\"head.p\"],\"weights\":[1,2],\"bias\":0}")
    #expect(counts?.contains("1 features but 2 weights") == true)
    let version = refusal(
      #"{"format":"codeintel-type-ranker","version":9,"splits":[],"sites":0,"lambda":0,"temperature":1,"variant":"","features":[],"weights":[],"bias":0}"#
    )
    #expect(version?.contains("v9") == true)
    let garbage = refusal("not json")
    #expect(garbage != nil)
    let cold = refusal(
      #"{"format":"codeintel-type-ranker","version":1,"splits":[],"sites":0,"lambda":0,"temperature":0,"variant":"","features":[],"weights":[],"bias":0}"#
    )
    #expect(cold?.contains("temperature 0") == true)
    for message in [unknown, counts, version, garbage, cold] { #expect(message?.contains("\n") == false) }
  }

  @Test("without a ranker the order is the hand-set rule's; with one it follows the learned scores")
  func defaultIsHandSet() {
    let ev = [TypeEvidence.Suggestion.Candidate(type: "null", confidence: 0.7, reason: "`null`", rule: "null")]
    let md: [(type: String, probability: Float)] = [("boolean", 0.3), ("string", 0.2), ("Node", 0.1)]
    let pr = [TypeNamePrior.Candidate(type: "number", confidence: 0.71, reason: "name prior")]
    let handSet = TypeCombination.combine(evidence: ev, model: md, prior: pr)
    let none = TypeRanker.ranked(nil, evidence: ev, model: md, prior: pr, kind: "parameter", priorSites: 6)
    #expect(none == handSet)
    #expect(none.map(\.type) == ["number", "boolean", "string", "Node", "null"])
    // A ranker that only trusts the head's probability puts the head's best first; confidences are probabilities.
    let ranker = TypeRanker(features: ["head.p"], weights: [20], bias: -4)
    let ranked = TypeRanker.ranked(ranker, evidence: ev, model: md, prior: pr, kind: "parameter", priorSites: 6)
    #expect(ranked.map(\.type) == ["boolean", "string", "Node", "number", "null"])
    #expect(ranked.map(\.source) == [.model, .model, .model, .namePrior, .evidence])
    let total = ranked.map(\.confidence).reduce(0, +)
    #expect(total < 1 && ranked[0].confidence > ranked[1].confidence)
    #expect(abs(ranked[0].confidence - exp(2) / (1 + exp(2) + exp(0) + exp(-2) + 2 * exp(-4))) < 1e-6)
  }
}
