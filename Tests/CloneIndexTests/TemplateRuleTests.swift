import Foundation
import Testing

@testable import CloneIndex

/// The functional kind's template rule (`RepositoryTemplates`, issue 18, session 13): code the repository repeats
/// in many functions does not make two of them functional clones; a shared core still does.
@Suite struct TemplateRuleTests {
  /// Six functions in one wrapper (read the lines, collect `out`, report an error, join), each with its own core,
  /// except `search` and `insertAt`, which hold one binary search written twice (other names, one more guard):
  /// `Tests/Fixtures/template-wrappers/`, shared with the editor's test.
  static let fixtures = packageRoot() + "/Tests/Fixtures/template-wrappers"

  static func repository() throws -> TemporaryRepository {
    let repo = try TemporaryRepository()
    for name in try FileManager.default.contentsOfDirectory(atPath: fixtures) where name.hasSuffix(".js") {
      try repo.write("src/" + name, try String(contentsOfFile: fixtures + "/" + name, encoding: .utf8))
    }
    return repo
  }

  /// Cosine at 0.5 without a scorer, so that the wrapper alone makes every pair a candidate; a run is template in
  /// three or more functions (the six share the wrapper).
  static func options(rule: Bool) -> CloneOptions {
    var o = CloneOptions(threshold: 0.5)
    o.templateRule = rule
    o.templateMinFunctions = 3
    return o
  }

  static func functionalNames(_ report: CloneReport) -> [[String]] {
    report.groups.filter { $0.kind == .functional }.map { $0.members.compactMap(\.name).sorted() }
  }

  @Test func aSharedWrapperAroundDifferentCoresIsNotAFunctionalClone() throws {
    let repo = try Self.repository()
    let off = Self.functionalNames(try CloneFinder(options: Self.options(rule: false)).report(root: repo.root))
    // Without the rule the wrapper groups functions whose cores differ (so the rule has something to undo).
    let different: Set<String> = ["evens", "unique", "running", "reversed"]
    #expect(off.contains { Set($0).intersection(different).count >= 2 }, "\(off)")
    let on = Self.functionalNames(try CloneFinder(options: Self.options(rule: true)).report(root: repo.root))
    for group in on { #expect(Set(group).intersection(different).count <= 1, "\(on)") }
  }

  @Test func twoFunctionsWithTheSameDistinctiveCoreStayGrouped() throws {
    let repo = try Self.repository()
    let on = Self.functionalNames(try CloneFinder(options: Self.options(rule: true)).report(root: repo.root))
    #expect(on == [["insertAt", "search"]])
  }

  @Test func exactRenamedAndNearMissGroupsAreUntouched() throws {
    let repo = try Self.repository()
    // An exact copy of `evens`, a renamed copy of `running` and an edited copy of `unique` (one more statement).
    let evens = try String(contentsOfFile: repo.root + "/src/evens.js", encoding: .utf8)
    try repo.write("copies/evens.js", evens)
    let running = try String(contentsOfFile: repo.root + "/src/running.js", encoding: .utf8)
    try repo.write("copies/running.js", running.replacingOccurrences(of: "total", with: "sum"))
    let unique = try String(contentsOfFile: repo.root + "/src/unique.js", encoding: .utf8)
    try repo.write(
      "copies/unique.js",
      unique.replacingOccurrences(of: "seen.add(line);", with: "seen.add(line);\n        if (seen.size > 99) return;"))
    func others(_ report: CloneReport) -> [String] {
      report.groups.filter { $0.kind != .functional }.map { g in
        g.kind.rawValue + ": " + g.members.map { "\($0.path):\($0.startLine)" }.joined(separator: ", ")
      }.sorted()
    }
    let on = try CloneFinder(options: Self.options(rule: true)).report(root: repo.root)
    let off = try CloneFinder(options: Self.options(rule: false)).report(root: repo.root)
    #expect(on.count(.exact) == 1 && on.count(.renamed) == 1 && on.count(.nearMiss) >= 1, "\(others(on))")
    #expect(others(on) == others(off))
  }

  @Test func templateRunsAreCountedOncePerFunction() {
    // Three streams: tokens 1...8 appear in all three (twice in the first), 20...27 in two.
    let shared: [UInt32] = Array(1...8)
    let pair: [UInt32] = Array(20...27)
    let streams: [[UInt32]] = [
      shared + [99] + shared + [98] + pair, shared + [97] + pair, shared + [96] + Array(40...47),
    ]
    let t = RepositoryTemplates(streams: streams, counted: [0, 1, 2], minFunctions: 3)
    let sharedRuns = Set(RepositoryTemplates.distinctRuns(shared))
    let pairRuns = Set(RepositoryTemplates.distinctRuns(pair))
    #expect(sharedRuns.isSubset(of: t.template) && pairRuns.isDisjoint(with: t.template))
    // The first stream's repeat does not make the pair's runs template at two functions either.
    #expect(RepositoryTemplates(streams: streams, counted: [0, 1], minFunctions: 3).template.isEmpty)
    // Counting only the runs asked about gives the same answer for them.
    let restricted = RepositoryTemplates(
      streams: streams, counted: [0, 1, 2], minFunctions: 3, restrictedTo: sharedRuns.union(pairRuns))
    #expect(restricted.template == sharedRuns)
    // What is left: the first two still share the pair's runs; the third shares nothing beyond the template.
    let r = streams.map { t.remainder($0) }
    #expect(RepositoryTemplates.similarity(r[0], r[1]) > 0 && RepositoryTemplates.similarity(r[1], r[2]) == 0)
    #expect(RepositoryTemplates.similarity([], []) == 0)
    #expect(t.keeps(streams[0], streams[1], minRemainder: 1e-9) && !t.keeps(streams[1], streams[2], minRemainder: 1e-9))
  }

  @Test func theRuleIsOnByDefaultAndTheSettingsFileCanTurnItOffOrTuneIt() throws {
    let o = CloneOptions()
    #expect(o.templateRule && o.templateMinFunctions == 5 && o.templateMinRemainder > 0)
    let s = try RepositorySettings.parse(
      Data(#"{"clones": {"templateRule": false, "templateMinFunctions": 8, "templateMinRemainder": 0.1}}"#.utf8),
      path: ".codeintel.json")
    let applied = s.applied(to: o)
    #expect(!applied.templateRule && applied.templateMinFunctions == 8 && applied.templateMinRemainder == 0.1)
    #expect(throws: CloneIndexError.io(".codeintel.json: \"clones.templateMinFunctions\" must be at least 2")) {
      try RepositorySettings.parse(Data(#"{"clones": {"templateMinFunctions": 1}}"#.utf8), path: ".codeintel.json")
    }
    #expect(throws: CloneIndexError.io(".codeintel.json: \"clones.templateMinRemainder\" must be in 0...1")) {
      try RepositorySettings.parse(Data(#"{"clones": {"templateMinRemainder": 2}}"#.utf8), path: ".codeintel.json")
    }
    #expect(throws: CloneIndexError.io(".codeintel.json: \"clones.templateRule\" must be true or false")) {
      try RepositorySettings.parse(Data(#"{"clones": {"templateRule": "off"}}"#.utf8), path: ".codeintel.json")
    }
  }
}
