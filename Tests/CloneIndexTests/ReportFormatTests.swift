import Foundation
import Testing

@testable import CloneIndex

@Suite struct ReportFormatTests {
  private func demoReport() throws -> (CloneReport, TemporaryRepository) {
    let repo = try TemporaryRepository.demo()
    return (try CloneFinder().report(root: repo.root), repo)
  }

  private func object(_ text: String) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test func jsonFollowsTheDocumentedSchema() throws {
    let (report, repo) = try demoReport()
    let json = try object(try CloneReportWriter().render(report, format: .json, root: repo.root))
    #expect(
      Set(json.keys) == [
        "schemaVersion", "repository", "model", "threshold", "minLines", "minTokens", "files", "units", "groups",
        "leftOut", "templateRule", "inputRule", "outputRule",
      ])
    // How many functions the default rules left out (the demo has no tests, build output, examples or benchmarks).
    #expect(json["leftOut"] as? [String: Int] == ["tests": 0, "build": 0, "examples": 0, "benchmarks": 0])
    #expect(json["schemaVersion"] as? Int == 2)
    // The template rule functional pairs passed (absent with it off).
    #expect((json["templateRule"] as? String)?.contains("tokens in >= 5 of its outermost functions") == true)
    // The signature rules functional pairs passed (on by default since session 20; absent with them off).
    #expect((json["inputRule"] as? String)?.contains("common number of arguments") == true)
    #expect((json["outputRule"] as? String)?.contains("different kinds of value") == true)
    let groups = try #require(json["groups"] as? [[String: Any]])
    #expect(groups.count == report.groups.count)
    for g in groups {
      let base: Set<String> = [
        "id", "kind", "similarity", "minSimilarity", "lines", "removableLines", "score", "members",
      ]
      // Near-miss and functional groups also carry the worth verdict (`CloneWorth`) and the token overlap.
      let judged = g["kind"] as? String == "near-miss" || g["kind"] as? String == "functional"
      #expect(
        judged
          ? Set(g.keys).isSuperset(of: base.union(["worth", "tokenOverlap", "sharedRun", "blindSharedRun"]))
            && Set(g.keys).isSubset(
              of: base.union([
                "worth", "tokenOverlap", "notWorth", "runOverlap", "blindRunOverlap", "sharedRun", "blindSharedRun",
              ]))
          : Set(g.keys) == base)
      #expect(["exact", "renamed", "near-miss", "functional"].contains(g["kind"] as? String ?? ""))
      let members = try #require(g["members"] as? [[String: Any]])
      #expect(members.count >= 2)
      for m in members {
        #expect(Set(m.keys).isSuperset(of: ["path", "kind", "startLine", "endLine", "startByte", "endByte"]))
      }
    }
    // Round trip.
    let decoded = try JSONDecoder().decode(CloneReport.self, from: Data(try CloneReportWriter().json(report).utf8))
    #expect(decoded == report)
  }

  @Test func textListsGroupsWithExcerpts() throws {
    let (report, repo) = try demoReport()
    let text = CloneReportWriter().text(report, root: repo.root)
    // The demo's two planted rewrites are alike in role only or small (`CloneWorth`): counted, listed with --all.
    #expect(text.hasPrefix("3 clone groups (2 exact, 1 renamed, 0 near-miss, 0 functional) in 8 files"))
    #expect(
      text.contains(
        "\n  2 more groups are alike but small or parallel (small 1, alike in role only 1): --all shows them\n"))
    let all = CloneReportWriter(all: true).text(report, root: repo.root)
    #expect(all.hasPrefix("5 clone groups (2 exact, 1 renamed, 0 near-miss, 2 functional) in 8 files"))
    #expect(all.contains("[hidden by default: alike in role only]") && all.contains("[hidden by default: small]"))
    #expect(text.contains("#1 exact copies: 2 functions"))
    #expect(text.contains("  src/util/html.js:6-17     escapeHtml"))
    #expect(text.contains("    | function escapeHtml(text) {"))
    // Issue 20: the header explains the embedder and what "exact" ignores; the report ends with a next step.
    #expect(text.contains("\n  \(report.model): "))
    #expect(text.contains("exact copies: the same text apart from each function's own name"))
    #expect(text.hasSuffix("shows the same clones as diagnostics.\n"))
    #expect(text.contains("\nNext: `codeintel search FILE:LINE --repo "))
  }

  @Test func textShowsExcerptsOfFilesWithWindowsLineEndings() throws {
    let repo = try TemporaryRepository()
    let body = [
      "function totalPrice(items, taxRate) {", "  let total = 0;", "  for (const item of items) {",
      "    total += item.price * item.quantity;", "  }", "  const tax = total * taxRate;", "  return total + tax;", "}",
      "",
    ].joined(separator: "\r\n")
    try repo.write("src/a.js", body)
    try repo.write("src/b.js", "// copied\r\n" + body)
    let report = try CloneFinder().report(root: repo.root)
    let text = CloneReportWriter().text(report, root: repo.root)
    #expect(text.contains("#1 exact copies: 2 functions"), "\(text)")
    #expect(text.contains("    | function totalPrice(items, taxRate) {\n    |   let total = 0;\n"), "\(text)")
  }

  /// A near-miss group lists one member per exact class it joins (session 10: lexical's near-miss #62 repeated the
  /// exact pair #119), naming the exact group; its count and the JSON keep every member.
  @Test func aNearMissGroupListsOneMemberPerExactClass() throws {
    func loc(_ path: String, _ line: Int, _ name: String) -> CloneLocation {
      CloneLocation(
        path: path, name: name, kind: "function", startLine: line, endLine: line + 9, startByte: 0, endByte: 0)
    }
    let a = loc("src/a.ts", 1, "insertRule")
    let b = loc("src/b.ts", 5, "insertRuleCopy")
    let c = loc("src/c.ts", 9, "insertRuleEdited")
    let d = loc("src/d.ts", 1, "insertOther")
    func group(_ id: Int, _ kind: CloneKind, _ members: [CloneLocation]) -> CloneGroup {
      CloneGroup(
        id: id, kind: kind, similarity: 0.9, minSimilarity: 0.9, lines: 10 * members.count,
        removableLines: 10 * (members.count - 1), score: 1, members: members, worth: kind == .nearMiss ? true : nil)
    }
    let report = CloneReport(
      repository: "/nonexistent", model: "hashed-features-256", threshold: 0.75, minLines: 5, minTokens: 30, files: 4,
      units: 4, groups: [group(1, .nearMiss, [a, c, b, d]), group(2, .exact, [a, b])])
    let text = CloneReportWriter().text(report, root: "/nonexistent")
    #expect(text.contains("#1 copies with edits: 4 functions"))
    #expect(text.contains("\n  src/a.ts:1-10  insertRule  (+1 exact copy of it, #2)\n"))
    #expect(text.contains("\n  src/c.ts:9-18  insertRuleEdited\n  src/d.ts:1-10  insertOther\n"))
    // The copy is listed once, in its exact group, where both members are listed as before.
    #expect(text.components(separatedBy: "src/b.ts:5-14").count == 2)
    #expect(text.contains("#2 exact copies: 2 functions"))
    #expect(text.contains("\n  src/a.ts:1-10  insertRule\n  src/b.ts:5-14  insertRuleCopy\n"))
    // JSON keeps every member of both groups.
    #expect(try CloneReportWriter().json(report).components(separatedBy: "\"src/b.ts\"").count == 3)
  }

  /// Structural validation of what GitHub code scanning requires of SARIF 2.1.0 (and what the schema
  /// requires): version, runs[].tool.driver.name, results with ruleId/message.text/locations with a
  /// relative artifact URI and a 1-based region, rule ids that exist, related-location ids that the
  /// message links resolve to.
  @Test func sarifHasTheShapeCodeScanningAccepts() throws {
    let (report, repo) = try demoReport()
    let log = try object(try CloneReportWriter().render(report, format: .sarif, root: repo.root))
    #expect(log["version"] as? String == "2.1.0")
    #expect((log["$schema"] as? String)?.contains("sarif-2.1.0") == true)
    let runs = try #require(log["runs"] as? [[String: Any]])
    #expect(runs.count == 1)
    let driver = try #require((runs[0]["tool"] as? [String: Any])?["driver"] as? [String: Any])
    #expect(driver["name"] as? String == "codeintel")
    let rules = try #require(driver["rules"] as? [[String: Any]])
    let ruleIDs = rules.compactMap { $0["id"] as? String }
    #expect(ruleIDs == ["clone/exact", "clone/renamed", "clone/near-miss", "clone/functional"])
    for r in rules { #expect((r["shortDescription"] as? [String: Any])?["text"] is String) }
    let results = try #require(runs[0]["results"] as? [[String: Any]])
    // One result per member of each group the text report shows (`CloneWorth`; `--all` shows them all).
    #expect(results.count == CloneReportWriter().shown(report).reduce(0) { $0 + $1.members.count })
    for r in results {
      let ruleID = try #require(r["ruleId"] as? String)
      #expect(ruleIDs.contains(ruleID))
      #expect(ruleIDs[try #require(r["ruleIndex"] as? Int)] == ruleID)
      #expect(["none", "note", "warning", "error"].contains(r["level"] as? String ?? ""))
      let message = try #require((r["message"] as? [String: Any])?["text"] as? String)
      let locations = try #require(r["locations"] as? [[String: Any]])
      #expect(locations.count == 1)
      let related = try #require(r["relatedLocations"] as? [[String: Any]])
      for (i, loc) in (locations + related).enumerated() {
        let physical = try #require(loc["physicalLocation"] as? [String: Any])
        let artifact = try #require(physical["artifactLocation"] as? [String: Any])
        let uri = try #require(artifact["uri"] as? String)
        #expect(!uri.hasPrefix("/") && !uri.contains("://"), "repository-relative URI")
        #expect(FileManager.default.fileExists(atPath: repo.root + "/" + uri))
        let region = try #require(physical["region"] as? [String: Any])
        let start = try #require(region["startLine"] as? Int)
        #expect(start >= 1 && (region["endLine"] as? Int ?? 0) >= start)
        if i > 0 {
          let id = try #require(loc["id"] as? Int)
          #expect(message.contains("](\(id))"), "the message links every related location")
        }
      }
      #expect((r["partialFingerprints"] as? [String: String])?["cloneGroup/v1"]?.count == 16)
    }
  }

  /// Validates against the official SARIF 2.1.0 JSON schema with Python's `jsonschema`, when the
  /// schema and the package are available (see scripts/bench/clones/validate_sarif.py).
  @Test func sarifValidatesAgainstTheSchemaWhenAvailable() throws {
    let env = ProcessInfo.processInfo.environment
    guard let schema = env["CODEINTEL_SARIF_SCHEMA"], let python = env["CODEINTEL_PYTHON"] ?? Optional("python3") else {
      return  // documented: set CODEINTEL_SARIF_SCHEMA to run this check
    }
    let (report, repo) = try demoReport()
    let out = repo.root + "/report.sarif"
    try FileBytes.write(Array(try CloneReportWriter().render(report, format: .sarif, root: repo.root).utf8), to: out)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [python, packageRoot() + "/scripts/bench/clones/validate_sarif.py", schema, out]
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
  }
}
