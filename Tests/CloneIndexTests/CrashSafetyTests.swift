import Foundation
import Testing

@testable import CloneIndex

/// Kills a child indexer process with SIGKILL in the middle of its work, several times, and checks
/// that the index is consistent after each kill and complete after a final run.
@Suite struct CrashSafetyTests {
  /// The helper executable built beside the test bundle (`swift build` builds it with the tests).
  static func childPath() -> String? {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var dir = exe.deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = dir.appendingPathComponent("clone-index-child").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      dir = dir.deletingLastPathComponent()
    }
    return nil
  }

  private func makeRepository(files: Int) throws -> TemporaryRepository {
    let repo = try TemporaryRepository()
    for f in 0..<files {
      var text = ""
      for u in 0..<6 {
        text += """
          export function f\(f)_\(u)(values: number[]): number {
            let total = \(u);
            for (const v of values) total += v * \(f + 1);
            return total;
          }

          """
      }
      try repo.write(String(format: "src/m%03d.ts", f), text)
    }
    return repo
  }

  /// Checks the invariants an interrupted run must keep.
  private func checkConsistent(_ path: String) throws {
    let db = try SQLiteDatabase(path: path)
    let check = try db.prepare("PRAGMA integrity_check")
    #expect(try check.step() && check.string(0) == "ok")
    let mismatched = try db.scalarInt(
      "SELECT count(*) FROM files f WHERE f.unit_count != (SELECT count(*) FROM units u WHERE u.file_id = f.id)")
    #expect(mismatched == 0, "every stored file has exactly its units")
    #expect(try db.scalarInt("SELECT count(*) FROM units WHERE file_id NOT IN (SELECT id FROM files)") == 0)
    #expect(try db.scalarInt("SELECT count(*) FROM (SELECT path FROM files GROUP BY path HAVING count(*) > 1)") == 0)
  }

  @Test func killingTheIndexerMidRunLeavesAConsistentIndex() throws {
    guard let child = Self.childPath() else {
      Issue.record("clone-index-child is not built; run `swift build --build-tests` (it builds with the package)")
      return
    }
    let fileCount = 40
    let repo = try makeRepository(files: fileCount)
    let index = RepositoryIndexer.indexPath(for: repo.root)
    var killedMidRun = 0
    for target in [3, 8, 10] {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: child)
      // 20 ms inside every file's transaction: most kills land inside one.
      process.arguments = ["index", repo.root, "20000"]
      let pipe = Pipe()
      process.standardOutput = pipe
      try process.run()
      var seen = 0
      var buffer = ""
      while seen < target {
        let data = pipe.fileHandleForReading.availableData
        if data.isEmpty { break }  // the child finished
        buffer += String(decoding: data, as: UTF8.self)
        seen = buffer.components(separatedBy: "\n").filter { $0.hasPrefix("indexed ") }.count
      }
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      if process.terminationReason == .uncaughtSignal { killedMidRun += 1 }
      try checkConsistent(index)
    }
    #expect(killedMidRun == 3, "each child was killed before it finished")
    let partial = try SQLiteDatabase(path: index).scalarInt("SELECT count(*) FROM files") ?? 0
    #expect(partial < fileCount)

    // A normal run completes the index, with nothing lost or duplicated.
    let s = try RepositoryIndexer(root: repo.root).update()
    #expect(s.totalFiles == fileCount && s.totalUnits == fileCount * 6)
    try checkConsistent(index)
    let fresh = try makeRepository(files: fileCount)
    _ = try RepositoryIndexer(root: fresh.root).update()
    let a = try IndexStore(path: index).snapshot().units.map { "\($0.path) \($0.ordinal) \($0.canonicalHash)" }
    let b = try IndexStore(path: RepositoryIndexer.indexPath(for: fresh.root)).snapshot().units.map {
      "\($0.path) \($0.ordinal) \($0.canonicalHash)"
    }
    #expect(a == b)
  }
}
