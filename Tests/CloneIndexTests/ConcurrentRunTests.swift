import Foundation
import Testing

@testable import CloneIndex

/// Issue 18: two `codeintel clones` runs on one repository at once must not fail.
@Suite struct ConcurrentRunTests {
  final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int: Result<CloneReport, any Error>] = [:]
    private var notices: [String] = []
    func set(_ i: Int, _ r: Result<CloneReport, any Error>) { lock.withLock { values[i] = r } }
    func notice(_ s: String) { lock.withLock { notices.append(s) } }
    var all: [Int: Result<CloneReport, any Error>] { lock.withLock { values } }
    var allNotices: [String] { lock.withLock { notices } }
  }

  @Test func twoRunsOnOneRepositoryTakeTurns() throws {
    let repo = try TemporaryRepository()
    for i in 0..<24 {
      try repo.write(
        "src/f\(i).js",
        """
        export function f\(i)(values) {
          let total = 0;
          for (const v of values) total += v.weight * \(i % 3 + 2);
          return total;
        }

        """)
    }
    let root = repo.root
    // A pause inside each file's transaction keeps the first run busy while the second starts.
    let results = Results()
    DispatchQueue.concurrentPerform(iterations: 2) { i in
      let finder = CloneFinder(
        options: CloneOptions(minLines: 3, minTokens: 10),
        indexOptions: IndexOptions(transactionDelayMicroseconds: 4000))
      results.set(
        i,
        Result {
          try finder.report(root: root) { event in
            if case .notice(let s) = event { results.notice(s) }
          }
        })
    }
    let reports = try (0..<2).map { try #require(results.all[$0]).get() }
    #expect(reports[0].units == 24 && reports[1].units == 24)
    #expect(reports[0].groups == reports[1].groups)
    for n in results.allNotices { #expect(n.contains("waiting"), "\(n)") }
  }
}
