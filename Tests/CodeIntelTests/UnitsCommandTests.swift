import Foundation
import Testing

/// `codeintel units`: the records the Spark job reads, and a bad repository among good ones.
@Suite(.serialized) struct UnitsCommandTests {
  private func records(_ stdout: String) throws -> [[String: Any]] {
    try stdout.split(separator: "\n").map {
      try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
  }

  @Test func aBadRepositoryIsOneRecordAndOneLineAndTheRestContinue() throws {
    let r = try CLI.run(["units", "/no/such/repository", "Examples/clones-demo"])
    #expect(r.status == 1)
    #expect(r.stderr == "codeintel: error: /no/such/repository: not a directory (give the root folder of a repository)\n")
    let all = try records(r.stdout)
    #expect(all.first?["record"] as? String == "error")
    #expect(all.first?["repository"] as? String == "/no/such/repository")
    let units = all.filter { $0["record"] as? String == "unit" }
    #expect(units.count == 23)
    #expect(units.allSatisfy { ($0["vector"] as? [Double])?.count == 256 && $0["repository"] as? String == "Examples/clones-demo" })
    #expect(units.map { $0["unit"] as? Int } == Array(0..<23))
    let done = try #require(all.last)
    #expect(done["record"] as? String == "done" && done["units"] as? Int == 23 && done["files"] as? Int == 8)
    #expect(all.filter { $0["record"] as? String == "pair" }.count == done["pairs"] as? Int)
  }

  @Test func describePrintsTheSettingsOfClones() throws {
    let r = try CLI.run(["units", "--describe", "--threshold", "0.8"])
    #expect(r.status == 0 && r.stderr.isEmpty)
    let settings = try #require(try records(r.stdout).first)
    #expect(abs((settings["threshold"] as? Double ?? 0) - 0.8) < 1e-6)
    #expect(settings["minLines"] as? Int == 5 && settings["minTokens"] as? Int == 30)
    #expect(settings["model"] as? String == "hashed-features-v1-256")
  }
}
