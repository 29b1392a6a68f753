import Foundation
import Testing

@testable import CloneIndex

@Suite struct UnitRecordsTests {
  private func export(_ root: String, name: String) throws -> (units: [UnitRecord], pairs: [UnitPairRecord], done: RepositoryRecord) {
    var units: [UnitRecord] = []
    var pairs: [UnitPairRecord] = []
    let done = try UnitRecordExporter().export(
      repository: name, root: root, unit: { units.append($0) }, pair: { pairs.append($0) })
    return (units, pairs, done)
  }

  private func component(_ units: [UnitRecord], pairs: [[Int]], id: Int64 = 1, bags: Bool = true) -> UnitComponent {
    UnitComponent(
      component: id,
      units: units.enumerated().map { i, u in
        ComponentUnit(
          id: Int64(i), repository: u.repository, path: u.path, ordinal: u.ordinal, parentOrdinal: u.parentOrdinal,
          name: u.name, kind: u.kind, startLine: u.startLine, endLine: u.endLine, startByte: u.startByte,
          endByte: u.endByte, tokens: u.tokens, exactHash: u.exactHash, canonicalHash: u.canonicalHash, vector: u.vector,
          testCallback: u.testCallback, rawTokens: bags ? u.rawTokens : nil, blindTokens: bags ? u.blindTokens : nil)
      }, pairs: pairs)
  }

  /// A function and its near-miss copy (one statement added, one operator changed).
  private static let query = """
      function parseQuery(query) {
        const result = {};
        const parts = query.replace(/^\\?/, "").split("&");
        for (const part of parts) {
          if (!part) continue;
          const [key, value] = part.split("=");
          result[decodeURIComponent(key)] = decodeURIComponent(value || "");
        }
        return result;
      }
      """
  private static let edited = query.replacingOccurrences(of: "value || \"\"", with: "value ?? \"\"")
      .replacingOccurrences(
        of: "const [key, value] = part.split(\"=\");",
        with: "const [key, value] = part.split(\"=\");\n    if (key in result) continue;")

  /// A repository with the near-miss copies, a test file that copies one of them (test code is not
  /// reported) and an unrelated function.
  private func nearMissRepository() throws -> TemporaryRepository {
    let query = Self.query
    let edited = Self.edited
    let repo = try TemporaryRepository()
    try repo.write("src/query.js", query + "\n")
    try repo.write("lib/params.js", edited + "\n")
    try repo.write("test/query.test.js", query.replacingOccurrences(of: "parseQuery", with: "parseQueryCopy") + "\n")
    try repo.write(
      "src/escape.js",
      """
      export function escapeHtml(text) {
        let out = "";
        for (const ch of text) {
          if (ch === "<") out += "&lt;";
          else if (ch === ">") out += "&gt;";
          else out += ch;
        }
        return out;
      }
      """ + "\n")
    return repo
  }

  @Test func recordsHoldWhatTheIndexHolds() throws {
    let repo = try TemporaryRepository.demo()
    let (units, _, done) = try export(repo.root, name: "demo")
    let indexer = try RepositoryIndexer(root: repo.root)
    try indexer.update()
    let snapshot = try indexer.store.snapshot()
    #expect(done.record == "done" && done.units == units.count && done.files == snapshot.fileCount)
    #expect(units.count == snapshot.units.count)
    for (i, (r, s)) in zip(units, snapshot.units).enumerated() {
      #expect(r.unit == i)
      #expect((r.path, r.ordinal, r.startByte, r.endByte) == (s.path, s.ordinal, s.startByte, s.endByte))
      #expect((r.exactHash, r.canonicalHash, r.tokens) == (s.exactHash, s.canonicalHash, s.tokenCount))
      #expect(r.vector == Array(snapshot.vector(i)))
      #expect(r.rawTokens == snapshot.rawTokens[i].sorted() && r.blindTokens == snapshot.blindTokens[i].sorted())
      #expect(r.testCallback == s.testCallback)
      #expect(r.parent.map { units[$0].ordinal } == s.parentOrdinal)
      #expect(r.shingles == r.shingles.sorted() && Set(r.shingles).count == r.shingles.count)
      #expect(r.shingles.allSatisfy { (0..<UnitRecordExporter.shingleSpace).contains($0) })
    }
  }

  @Test func aWholeRepositoryGroupsLikeCodeintelClones() throws {
    let repo = try TemporaryRepository.demo()
    let (units, pairs, _) = try export(repo.root, name: "demo")
    let expected = try CloneFinder().report(root: repo.root).groups
    let groups = try cloneGroups(in: component(units, pairs: pairs.map { [$0.a, $0.b] }))
    #expect(expected.count >= 4)
    #expect(groups.map(\.kind) == expected.map(\.kind))
    // Same similarities up to float rounding: the index scores with BLAS, the component path with a plain loop.
    #expect(groups.count == expected.count)
    for (g, e) in zip(groups, expected) { #expect(abs(g.similarity - e.similarity) <= 1e-5) }
    for (g, e) in zip(groups, expected) {
      #expect(g.members.map { units[Int($0)].path } == e.members.map(\.path))
      #expect(g.members.map { units[Int($0)].startLine } == e.members.map(\.startLine))
    }
    // Without the candidate pairs only the hash groups remain: candidates are what grouping joins.
    let hashOnly = try cloneGroups(in: component(units, pairs: []))
    let hashKinds: [String] = hashOnly.map(\.kind.rawValue).sorted()
    let expectedHashKinds: [String] = expected.filter { $0.kind == .exact || $0.kind == .renamed }.map(\.kind.rawValue)
      .sorted()
    #expect(hashKinds == expectedHashKinds)
  }

  @Test func nearMissGroupsOfARepositoryAreThoseOfCodeintelClones() throws {
    let repo = try nearMissRepository()
    let (units, pairs, _) = try export(repo.root, name: "demo")
    let expected = try CloneFinder().report(root: repo.root).groups
    #expect(expected.contains { $0.kind == .nearMiss })
    // The near-miss pairs come with the records, each unit carries its bags, test code is not eligible.
    #expect(pairs.contains { $0.kind == CloneKind.nearMiss.rawValue })
    #expect(units.allSatisfy { $0.rawTokens == $0.rawTokens.sorted() && $0.rawTokens.count == $0.tokens })
    #expect(units.filter { $0.path.hasPrefix("test/") }.allSatisfy { !$0.eligible })
    let groups = try cloneGroups(in: component(units, pairs: pairs.map { [$0.a, $0.b] }))
    func shape(_ kind: CloneKind, _ paths: [String], _ lines: [Int]) -> String { "\(kind) \(paths) \(lines)" }
    #expect(
      groups.map { g in shape(g.kind, g.members.map { units[Int($0)].path }, g.members.map { units[Int($0)].startLine }) }
        == expected.map { e in shape(e.kind, e.members.map(\.path), e.members.map(\.startLine)) })
    for (g, e) in zip(groups, expected) { #expect(abs(g.similarity - e.similarity) <= 1e-5) }
    // Without the bags (components written before they existed) there is no near-miss group.
    let withoutBags = try cloneGroups(in: component(units, pairs: pairs.map { [$0.a, $0.b] }, bags: false))
    #expect(!withoutBags.contains { $0.kind == .nearMiss })
  }

  @Test func aRepositoryNamedUnderATestsFolderIsNotTestCode() throws {
    // The repository name used to be the first folders of the path `CloneDetector` judged, so a
    // repository kept under `/srv/tests/` had every unit taken for test code and no group.
    let repo = try nearMissRepository()
    let (units, pairs, _) = try export(repo.root, name: "/srv/tests/app")
    let groups = try cloneGroups(in: component(units, pairs: pairs.map { [$0.a, $0.b] }))
    let expected = try CloneFinder().report(root: repo.root).groups
    #expect(!expected.isEmpty)
    #expect(groups.map(\.kind) == expected.map(\.kind))
  }

  @Test func nearMissCopiesAcrossRepositoriesGroupFromACandidatePair() throws {
    let a = try TemporaryRepository()
    let b = try TemporaryRepository()
    try a.write("src/query.js", Self.query + "\n")
    try b.write("lib/params.js", Self.edited + "\n")
    let (ua, _, _) = try export(a.root, name: "a")
    let (ub, _, _) = try export(b.root, name: "b")
    let query = try #require(ua.firstIndex { $0.name == "parseQuery" })
    let params = try #require(ub.firstIndex { $0.name == "parseQuery" })
    // Only the candidate between the repositories' parseQuery and the other's edited copy.
    let groups = try cloneGroups(in: component(ua + ub, pairs: [[query, ua.count + params]]))
    let near = groups.filter { $0.kind == .nearMiss }
    #expect(near.map(\.members) == [[Int64(query), Int64(ua.count + params)]])
    #expect(near.first.map { $0.similarity > 0.8 && $0.similarity < 1 } == true)
  }

  @Test func candidatesBelowTheThresholdAreNotJoined() throws {
    let repo = try TemporaryRepository.demo()
    let (units, _, _) = try export(repo.root, name: "demo")
    let eligible = units.indices.filter { units[$0].eligible }
    var all: [[Int]] = []
    for a in eligible { for b in eligible where a < b { all.append([a, b]) } }
    // Every pair as a candidate gives the same groups as the exact pairs: candidates are re-scored.
    let everything = try cloneGroups(in: component(units, pairs: all))
    let expected = try CloneFinder().report(root: repo.root).groups
    #expect(everything.map(\.kind) == expected.map(\.kind))
    #expect(everything.map(\.members.count) == expected.map(\.members.count))
    // With a threshold above every score, no functional group.
    let strict = try cloneGroups(in: component(units, pairs: all), options: CloneOptions(threshold: 0.999))
    #expect(!strict.contains { $0.kind == .functional })
  }

  @Test func copiesAcrossRepositoriesGroupWithTheirRepositories() throws {
    let a = try TemporaryRepository()
    let b = try TemporaryRepository()
    let body = """
      function total(items) {
        let sum = 0;
        for (const item of items) {
          sum += item.price * item.quantity;
        }
        return sum;
      }
      """
    try a.write("src/cart.js", body + "\n")
    try b.write("lib/order.js", body.replacingOccurrences(of: "sum", with: "acc") + "\n")
    let ua = try export(a.root, name: "a").units
    let ub = try export(b.root, name: "b").units
    let groups = try cloneGroups(in: component(ua + ub, pairs: [[0, ua.count]], id: 9))
    #expect(groups.count == 1)
    #expect(groups.first?.kind == .renamed)
    #expect(groups.first?.component == 9)
    #expect(groups.first?.members == [0, Int64(ua.count)])
  }

  @Test func aMissingRepositoryThrows() throws {
    #expect(throws: CloneIndexError.self) {
      _ = try UnitRecordExporter().export(repository: "x", root: "/no/such/repository", unit: { _ in }, pair: { _ in })
    }
  }

  /// Build output and example apps are left out of `units` as `codeintel clones` leaves them out (`ReviewScope`):
  /// copies of the demo's files in `dist/` and in an example app are not eligible and in no pair, and the groups
  /// of the eligible units are the command line's.
  @Test func buildOutputAndExampleAppsAreNotEligibleLikeInCodeintelClones() throws {
    let repo = try TemporaryRepository.demo()
    let source = try String(contentsOfFile: repo.root + "/src/util/money.js", encoding: .utf8)
    try repo.write("dist/money.js", source)
    try repo.write("examples/shop/money.js", source)
    // A generated copy (session 10) and one in an example folder with a prefix.
    try repo.write("src/gen/money.js", "// This file is auto generated by scripts/money.js. Do not edit.\n" + source)
    try repo.write("dev-examples/shop/money.js", source)
    let (units, pairs, _) = try export(repo.root, name: "demo")
    let leftOut = ["dist/", "examples/", "src/gen/", "dev-examples/"]
    let copies = units.filter { u in leftOut.contains { u.path.hasPrefix($0) } }
    #expect(Set(copies.map(\.path)).count == 4)
    #expect(copies.allSatisfy { !$0.eligible })
    #expect(Set(units.filter { $0.generatedFile == true }.map(\.path)) == ["src/gen/money.js"])
    #expect(units.contains { $0.path == "src/util/money.js" && $0.eligible })
    let left = Set(copies.map(\.unit))
    #expect(pairs.allSatisfy { !left.contains($0.a) && !left.contains($0.b) })
    // The same rule as the command line: its groups are those of the eligible units.
    let kept = units.filter(\.eligible)
    let index = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1.unit, $0) })
    let groups = try cloneGroups(
      in: component(kept, pairs: pairs.compactMap { p in index[p.a].flatMap { a in index[p.b].map { [a, $0] } } }))
    let expected = try CloneFinder().report(root: repo.root).groups
    #expect(groups.map(\.kind) == expected.map(\.kind))
    for (g, e) in zip(groups, expected) { #expect(g.members.map { kept[Int($0)].path } == e.members.map(\.path)) }
    // Before this rule the copies were eligible, and an exact group joined them to the source.
    #expect(!expected.contains { g in g.members.contains { m in leftOut.contains { m.path.hasPrefix($0) } } })
  }
}
