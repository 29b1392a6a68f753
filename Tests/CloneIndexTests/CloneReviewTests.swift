import Foundation
import Testing

@testable import CloneIndex

/// What a reviewer asked of `codeintel clones` in issue 18: near-miss copies, complete linkage, test
/// code left out, path globs, per-repository settings, ranking by removable code.
@Suite struct CloneReviewTests {
  private func names(_ g: CloneGroup) -> [String] { g.members.map { "\($0.path):\($0.name ?? "-")" } }

  static let original = """
    export function summarize(orders) {
      const totals = {};
      let count = 0;
      for (const order of orders) {
        if (order.status !== "paid") continue;
        const key = order.customer.id;
        totals[key] = (totals[key] || 0) + order.amount * (1 - order.discount);
        count += 1;
      }
      const customers = Object.keys(totals).sort();
      return { totals, customers, count };
    }

    """
  /// The same with edits: another literal, a renamed counter, one more guard.
  static let edited = """
    export function summarizeSettled(orders) {
      const totals = {};
      let n = 0;
      for (const order of orders) {
        if (order.status !== "settled") continue;
        if (!order.customer) continue;
        const key = order.customer.id;
        totals[key] = (totals[key] || 0) + order.amount * (1 - order.discount);
        n += 1;
      }
      const customers = Object.keys(totals).sort();
      return { totals, customers, count: n };
    }

    """
  /// A different function of the same shape.
  static let sameShape = """
    export function inventory(items) {
      const stock = {};
      let missing = 0;
      for (const item of items) {
        if (item.state !== "active") continue;
        const sku = item.product.code;
        stock[sku] = (stock[sku] || 0) + item.quantity * (1 + item.reserve);
        missing += 1;
      }
      const products = Object.keys(stock).sort();
      return { stock, products, missing };
    }

    """

  /// The groups `codeintel clones` reports for a fresh repository holding `files` (path → text).
  private func groups(_ files: KeyValuePairs<String, String>, options: CloneOptions = CloneOptions()) throws
    -> [CloneGroup]
  {
    let repo = try TemporaryRepository()
    for (path, text) in files { try repo.write(path, text) }
    return try CloneFinder(options: options).report(root: repo.root).groups
  }

  @Test func nearMissFindsAnEditedCopyButNotAFunctionOfTheSameShape() throws {
    let groups = try groups(
      ["src/a.js": Self.original, "src/b.js": Self.edited, "src/c.js": Self.sameShape],
      options: CloneOptions(functional: false))
    let near = groups.filter { $0.kind == .nearMiss }
    #expect(near.map(names) == [["src/a.js:summarize", "src/b.js:summarizeSettled"]])
    #expect(groups.count == 1, "no exact or renamed group: the copy has edits")
  }

  @Test func functionalGroupsDoNotRepeatANearMissGroup() throws {
    let groups = try groups(["src/a.js": Self.original, "src/b.js": Self.edited, "src/c.js": Self.sameShape])
    #expect(groups.filter { $0.kind == .nearMiss }.map(names) == [["src/a.js:summarize", "src/b.js:summarizeSettled"]])
    // The functional group used to be a, b and c: the near-miss pair again plus c. Now it shows what it
    // adds: c, linked to the near-miss pair through one of its members.
    let functional = groups.filter { $0.kind == .functional }
    #expect(functional.map(names) == [["src/a.js:summarize", "src/c.js:inventory"]])
    // Without the third function the functional group adds nothing: it is not reported at all.
    #expect(try self.groups(["src/a.js": Self.original, "src/b.js": Self.edited]).map(\.kind) == [.nearMiss])
  }

  @Test func functionalGroupsDoNotRepeatAnExactGroup() throws {
    // Two verbatim copies of `summarize` (an exact group) and a function of the same shape: the functional group
    // used to hold both copies and the third function, the exact group again; it shows one copy, linked to `c`.
    let groups = try groups(["src/a.js": Self.original, "src/d.js": Self.original, "src/c.js": Self.sameShape])
    #expect(groups.filter { $0.kind == .exact }.map(names) == [["src/a.js:summarize", "src/d.js:summarize"]])
    #expect(groups.filter { $0.kind == .functional }.map(names) == [["src/a.js:summarize", "src/c.js:inventory"]])
    // The two copies alone: exact only, no functional group.
    #expect(try self.groups(["src/a.js": Self.original, "src/d.js": Self.original]).map(\.kind) == [.exact])
  }

  @Test func cachedNearMissPairsFollowTheSettings() throws {
    let repo = try TemporaryRepository()
    try repo.write("src/a.js", Self.original)
    try repo.write("src/b.js", Self.edited)
    let first = try CloneFinder(options: CloneOptions(functional: false)).report(root: repo.root)
    let again = try CloneFinder(options: CloneOptions(functional: false)).report(root: repo.root)
    #expect(first == again && first.count(.nearMiss) == 1)
    var strict = CloneOptions(functional: false)
    strict.nearMissRawOverlap = 0.99
    #expect(try CloneFinder(options: strict).report(root: repo.root).count(.nearMiss) == 0)
    // Excluding a file changes the representatives: the cache must not answer for them.
    #expect(
      try CloneFinder(options: CloneOptions(functional: false, exclude: ["b.js"])).report(root: repo.root)
        .groups.isEmpty)
    #expect(try CloneFinder(options: CloneOptions(functional: false)).report(root: repo.root) == first)
  }

  @Test func nearMissPairsMatchBruteForce() {
    // Random bags over a small vocabulary: the prefix index must find exactly the pairs a full scan finds.
    var state: UInt64 = 7
    func next(_ n: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(n))
    }
    let base = (0..<12).map { _ in (0..<(20 + next(30))).map { _ in UInt32(next(40)) } }
    var raw: [[UInt32]] = []
    for b in base {
      raw.append(b)
      for _ in 0..<3 {
        var copy = b
        for _ in 0..<next(8) { copy[next(copy.count)] = UInt32(next(60)) }
        if next(2) == 0 { copy.append(UInt32(next(60))) }
        raw.append(copy)
      }
    }
    let index = NearMissIndex(raw: raw, blind: raw, rawOverlap: 0.8, blindOverlap: 0.8)
    var expected: [SimilarPair] = []
    for a in 0..<raw.count {
      for b in (a + 1)..<raw.count {
        let s = NearMissIndex.similarity(raw[a], raw[b])
        let needed =
          Float(NearMissIndex.needed(0.8, max(raw[a].count, raw[b].count))) / Float(max(raw[a].count, raw[b].count))
        if s >= needed { expected.append(SimilarPair(a: a, b: b, score: s)) }
      }
    }
    #expect(expected.count > 12, "the test data has near-miss pairs")
    #expect(index.pairs() == expected)
  }

  @Test func completeLinkageNeverChainsFarApartMembers() {
    // A–B and B–C are close, A–C is not an edge (far apart): A and C never share a group.
    let edges = [SimilarPair(a: 0, b: 1, score: 0.9), SimilarPair(a: 1, b: 2, score: 0.95)]
    let groups = CompleteLinkage.groups(count: 3, edges: edges, maxSize: 10)
    #expect(groups.map(\.members) == [[1, 2]])
    // With the A–C edge the three form one group, whose lowest score is reported.
    let all = CompleteLinkage.groups(count: 3, edges: edges + [SimilarPair(a: 0, b: 2, score: 0.7)], maxSize: 10)
    #expect(all.map(\.members) == [[0, 1, 2]] && all[0].minScore == Double(Float(0.7)))
  }

  @Test func testPathsAreRecognised() {
    for p in [
      "test/util.js", "src/__tests__/a.ts", "src/a.test.ts", "lib/b.spec.js", "pkg/tests/x.js", "a/e2e/run.ts",
      "src/parser_test.js", "src/parser-spec.ts", "src/__mocks__/fs.js",
      // Storybook stories and jscodeshift's codemod fixtures (session 7).
      "apps/storybook/stories/dropdown-menu.stories.tsx", "src/Button.story.jsx", "src/Button.Stories.TSX",
      "transforms/createSliceBuilder/__testfixtures__/basic.output.js",
      // tsd type tests (knex's `test-tsd/*.test-d.ts`; session 9).
      "test-tsd/tables.test-d.ts", "types/index.test-d.ts", "src/test-d/a.ts",
    ] {
      #expect(TestCode.isTestPath(p), "\(p)")
    }
    for p in [
      "src/testing.js", "src/contest.ts", "src/latest.js", "src/spectrum.ts", "src/attest/a.js", "src/user-story.ts",
      "src/stories.ts", "src/history.js", "src/story_points.js", "stories/index.js", "src/test-d.ts",
      "src/latest-d.ts",
    ] {
      #expect(!TestCode.isTestPath(p), "\(p)")
    }
  }

  /// Test runners' configuration files are test code (session 10: firebase-js-sdk's many `karma.conf.js`); other
  /// `*.conf.js` / `*.config.js` files are not.
  @Test func testRunnerConfigurationsAreTestCode() {
    for p in [
      "karma.conf.js", "packages/auth/karma.conf.js", "jest.config.ts", "packages/x/jest.config.base.js",
      "vitest.config.mts", "playwright.config.ts", "cypress.config.js", "wdio.conf.js", "protractor.conf.js",
      "Karma.Conf.CI.js",
    ] {
      #expect(TestCode.isTestPath(p), "\(p)")
    }
    for p in [
      "webpack.config.js", "rollup.config.mjs", "babel.config.js", "src/karma.ts", "src/jest.js", "karma.js",
      "config/karma.base.js", "src/jestConfig.js", "my-karma.conf.js", "src/conf.js", "jest.setup.ts",
      "karma.conf", "vite.config.ts",
    ] {
      #expect(!TestCode.isTestPath(p), "\(p)")
    }
  }

  @Test func testCodeIsLeftOutUnlessAsked() throws {
    let repo = try TemporaryRepository()
    try repo.write("src/a.js", Self.original)
    try repo.write("src/b.js", Self.original.replacingOccurrences(of: "summarize", with: "summarizeAgain"))
    // The same function in test files, and as `it` callbacks in a source path.
    try repo.write("test/a.test.js", Self.original)
    try repo.write("src/__tests__/b.js", Self.original)
    let body = Self.original.split(separator: "\n").dropFirst().dropLast().joined(separator: "\n")
    try repo.write(
      "src/spec-helpers.js",
      """
      it.each([1, 2])("sums", (orders) => {
      \(body)
      });
      test.skip("sums again", (orders) => {
      \(body)
      });

      """)
    let report = try CloneFinder(options: CloneOptions(functional: false, nearMiss: false)).report(root: repo.root)
    #expect(report.groups.map(names) == [["src/a.js:summarize", "src/b.js:summarizeAgain"]])
    let all = try CloneFinder(options: CloneOptions(functional: false, nearMiss: false, includeTests: true))
      .report(root: repo.root)
    let members = Set(all.groups.flatMap { $0.members.map(\.path) })
    #expect(members.isSuperset(of: ["test/a.test.js", "src/__tests__/b.js", "src/spec-helpers.js"]))
  }

  @Test func includeAndExcludeGlobsChooseThePaths() throws {
    let repo = try TemporaryRepository()
    for p in ["src/a.js", "src/legacy/b.js", "lib/c.js", "src/d.generated.js"] { try repo.write(p, Self.original) }
    func paths(_ o: CloneOptions) throws -> Set<String> {
      Set(try CloneFinder(options: o).report(root: repo.root).groups.flatMap { $0.members.map(\.path) })
    }
    #expect(try paths(CloneOptions()) == ["src/a.js", "src/legacy/b.js", "lib/c.js", "src/d.generated.js"])
    #expect(try paths(CloneOptions(exclude: ["src/legacy/", "*.generated.js"])) == ["src/a.js", "lib/c.js"])
    #expect(try paths(CloneOptions(include: ["src/**"], exclude: ["legacy"])) == ["src/a.js", "src/d.generated.js"])
  }

  @Test func repositorySettingsAreReadAndCheckedStrictly() throws {
    let s = try RepositorySettings.parse(
      Data(#"{"clones": {"minLines": 8, "exclude": ["gen/"], "includeTests": true, "threshold": 0.7}}"#.utf8),
      path: ".codeintel.json")
    let o = s.applied(to: CloneOptions())
    #expect(o.minLines == 8 && o.exclude == ["gen/"] && o.includeTests && o.threshold == 0.7 && o.minTokens == 30)
    #expect(
      throws: CloneIndexError.io(
        ".codeintel.json: unknown key \"clones.minLine\" (known: allGroups, exclude, functional, include, includeBenchmarks, includeBuild, includeExamples, includeTests, inputRule, maxGroup, minLines, minTokens, model, nearMiss, outputRule, templateMinFunctions, templateMinRemainder, templateRule, threshold)"
      )
    ) {
      try RepositorySettings.parse(Data(#"{"clones": {"minLine": 8}}"#.utf8), path: ".codeintel.json")
    }
    #expect(throws: CloneIndexError.io(".codeintel.json: \"clones.includeTests\" must be true or false")) {
      try RepositorySettings.parse(Data(#"{"clones": {"includeTests": "yes"}}"#.utf8), path: ".codeintel.json")
    }
    let repo = try TemporaryRepository()
    #expect(try RepositorySettings.load(root: repo.root) == nil)
  }

  @Test func groupsAreRankedByTheCodeARefactorWouldRemove() throws {
    let repo = try TemporaryRepository()
    // Two copies of a 16-line function (32 lines, 16 removable) and five of a 6-line one (30, 24).
    let long = (0..<12).map { "  total += values[\($0)] * \($0 + 3);" }.joined(separator: "\n")
    let big = "export function weighted(values) {\n  let total = 0;\n\(long)\n  return total;\n}\n"
    let small =
      "export function clamp(x, lo, hi) {\n  if (x < lo) return lo;\n  if (x > hi) return hi;\n  const y = x * 2 - lo;\n  return y / 2;\n}\n"
    for i in 0..<2 { try repo.write("big\(i).js", big) }
    for i in 0..<5 { try repo.write("small\(i).js", small) }
    let report = try CloneFinder(options: CloneOptions(minTokens: 10)).report(root: repo.root)
    #expect(report.groups.map(\.removableLines) == [24, 16])
    #expect(report.groups.map(\.lines) == [30, 32])
  }
}
