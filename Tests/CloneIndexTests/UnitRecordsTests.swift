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

  private func component(_ units: [UnitRecord], pairs: [[Int]], id: Int64 = 1) -> UnitComponent {
    UnitComponent(
      component: id,
      units: units.enumerated().map { i, u in
        ComponentUnit(
          id: Int64(i), repository: u.repository, path: u.path, ordinal: u.ordinal, parentOrdinal: u.parentOrdinal,
          name: u.name, kind: u.kind, startLine: u.startLine, endLine: u.endLine, startByte: u.startByte,
          endByte: u.endByte, tokens: u.tokens, exactHash: u.exactHash, canonicalHash: u.canonicalHash, vector: u.vector)
      }, pairs: pairs)
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
    let expectedHashKinds: [String] = expected.filter { $0.kind != .functional }.map(\.kind.rawValue).sorted()
    #expect(hashKinds == expectedHashKinds)
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
}
