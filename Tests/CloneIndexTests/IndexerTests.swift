import Foundation
import Testing

@testable import CloneIndex

@Suite struct IndexerTests {
  private func source(_ name: String, _ body: String = "return a + b;") -> String {
    """
    export function \(name)(a: number, b: number): number {
      \(body)
    }

    export const \(name)Twice = (x: number) => {
      const y = x * 2;
      return y;
    };
    """
  }

  private func unitRows(_ store: IndexStore) throws -> [String] {
    try store.snapshot().units.map { "\($0.path):\($0.ordinal):\($0.name ?? "-"):\($0.exactHash)" }
  }

  @Test func reindexingTouchesOnlyChangedFiles() throws {
    let repo = try TemporaryRepository()
    try repo.write("a.ts", source("alpha"))
    try repo.write("b.ts", source("beta"))
    try repo.write("c.js", "function gamma(x) { return x; }\n")
    let indexer = try RepositoryIndexer(root: repo.root)
    let first = try indexer.update()
    #expect(first.filesIndexed == 3 && first.totalUnits == 5)

    let second = try indexer.update()
    #expect(second.filesIndexed == 0 && second.filesUnchanged == 3 && second.totalUnits == 5)
    let generation = try indexer.store.generation()

    try repo.write("b.ts", source("beta", "return a - b;"))
    let before = try unitRows(indexer.store)
    let third = try indexer.update()
    #expect(third.filesIndexed == 1 && third.filesUnchanged == 2 && third.unitsWritten == 2)
    let after = try unitRows(indexer.store)
    #expect(before.filter { $0.hasPrefix("a.ts") } == after.filter { $0.hasPrefix("a.ts") })
    #expect(before.filter { $0.hasPrefix("b.ts:0") } != after.filter { $0.hasPrefix("b.ts:0") })
    #expect(try indexer.store.generation() > generation)

    // Same content, new modification time: re-read and hashed but not re-parsed.
    try repo.write("c.js", "function gamma(x) { return x; }\n")
    let fourth = try indexer.update()
    #expect(fourth.filesIndexed == 0 && fourth.totalUnits == 5)
  }

  @Test func deletedAndNewlyIgnoredFilesDisappear() throws {
    let repo = try TemporaryRepository()
    try repo.write("a.ts", source("alpha"))
    try repo.write("b.ts", source("beta"))
    try repo.write("gen/c.ts", source("gamma"))
    let indexer = try RepositoryIndexer(root: repo.root)
    #expect(try indexer.update().totalFiles == 3)
    try repo.remove("b.ts")
    try repo.write(".gitignore", "gen/\n")
    let s = try indexer.update()
    #expect(s.filesRemoved == 2 && s.totalFiles == 1 && s.totalUnits == 2)
    #expect(try Set(indexer.store.snapshot().units.map(\.path)) == ["a.ts"])
  }

  @Test func aModelChangeReembedsEverything() throws {
    let repo = try TemporaryRepository()
    try repo.write("a.ts", source("alpha"))
    _ = try RepositoryIndexer(root: repo.root).update()
    var notices: [String] = []
    let other = try RepositoryIndexer(root: repo.root, embedder: RenamedEmbedder()) { e in
      if case .notice(let text) = e { notices.append(text) }
    }
    let s = try other.update()
    #expect(s.reembedded && s.filesIndexed == 1)
    #expect(try other.store.meta("embedder") == "test-model-b")
    #expect(notices.contains { $0.contains("re-embedding") })
    #expect(try other.update().filesIndexed == 0)
  }

  @Test(arguments: ["garbage", "foreign"])
  func aCorruptOrForeignIndexIsRebuiltWithAMessage(_ kind: String) throws {
    let repo = try TemporaryRepository()
    try repo.write("a.ts", source("alpha"))
    let path = RepositoryIndexer.indexPath(for: repo.root)
    if kind == "garbage" {
      try repo.write(".codeintel/index.sqlite", String(repeating: "not a database ", count: 400))
    } else {
      try FileManager.default.createDirectory(atPath: repo.root + "/.codeintel", withIntermediateDirectories: true)
      let db = try SQLiteDatabase(path: path)
      try db.execute("CREATE TABLE other(x); INSERT INTO other VALUES(1); PRAGMA application_id = 7;")
    }
    var notices: [String] = []
    let indexer = try RepositoryIndexer(root: repo.root) { e in
      if case .notice(let text) = e { notices.append(text) }
    }
    let s = try indexer.update()
    #expect(s.totalUnits == 2)
    #expect(notices.count == 1 && notices[0].contains("rebuilding"))
    #expect(FileManager.default.fileExists(atPath: path + ".bad"))
    #expect(try indexer.store.db.scalarInt("PRAGMA application_id") == IndexStore.applicationID)
  }

  @Test func aDatabaseFromANewerFormatIsRebuilt() throws {
    let repo = try TemporaryRepository()
    try repo.write("a.ts", source("alpha"))
    _ = try RepositoryIndexer(root: repo.root).update()
    let db = try SQLiteDatabase(path: RepositoryIndexer.indexPath(for: repo.root))
    try db.execute("PRAGMA user_version = 99")
    #expect(IndexStore.problem(with: RepositoryIndexer.indexPath(for: repo.root))?.contains("format 99") == true)
  }

  @Test func binaryFilesAreSkippedWithAReasonAndGeneratedFilesAreFlagged() throws {
    let repo = try TemporaryRepository()
    try repo.write("a.ts", source("alpha"))
    try repo.writeBytes("blob.js", [0x7F, 0x45, 0x4C, 0x46, 0, 0, 1])
    try repo.write("gen.js", "// @generated by a tool\nfunction g() {}\n")
    var skipped: [String: SkipReason] = [:]
    let indexer = try RepositoryIndexer(root: repo.root) { e in
      if case .skipped(let s) = e { skipped[s.path] = s.reason }
    }
    let s = try indexer.update()
    #expect(s.totalFiles == 2)
    #expect(skipped == ["blob.js": .binary])
    let units = try indexer.store.snapshot().units
    #expect(units.filter(\.generatedFile).map(\.path) == ["gen.js"])
    #expect(units.filter { !$0.generatedFile }.allSatisfy { $0.path == "a.ts" })
  }

  /// An index written before files carried the generated flag (no `files.generated` column, the older hashing) is
  /// rebuilt with a notice, so its generated files are flagged; it is never read with every flag false.
  @Test func anIndexWithoutGeneratedFlagsIsRebuilt() throws {
    let repo = try TemporaryRepository()
    try repo.write("a.ts", source("alpha"))
    try repo.write(
      "gen.ts", "// This file is auto generated by scripts/gen.ts\n// Do not edit manually\n" + source("gamma"))
    let path = RepositoryIndexer.indexPath(for: repo.root)
    _ = try RepositoryIndexer(root: repo.root).update()
    // What the previous release wrote: no column, every file unflagged, the older hashing.
    let db = try SQLiteDatabase(path: path)
    try db.execute("ALTER TABLE files DROP COLUMN generated")
    try db.execute(
      "UPDATE meta SET value = 'tokens-v1+\(UnitCanonicalizer.version)+streams-v1' WHERE key = 'hashing'")
    var notices: [String] = []
    let indexer = try RepositoryIndexer(root: repo.root) { e in if case .notice(let n) = e { notices.append(n) } }
    let s = try indexer.update()
    #expect(s.reembedded && s.filesIndexed == 2)
    #expect(notices.contains { $0.contains("re-embedding every unit") })
    let units = try indexer.store.snapshot().units
    #expect(Set(units.filter(\.generatedFile).map(\.path)) == ["gen.ts"])
    #expect(ReviewScope(units: units).leftOut(path: "gen.ts", options: CloneOptions()) == .build)
    #expect(ReviewScope(units: units).leftOut(path: "a.ts", options: CloneOptions()) == nil)
  }
}
