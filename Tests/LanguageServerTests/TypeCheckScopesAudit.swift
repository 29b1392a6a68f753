import CodeIntel
import Foundation
import Syntax
import Testing

@testable import Heads

/// Opt-in audit (`CODEINTEL_SCOPES_AUDIT=file1.ts:file2.ts swift test --filter TypeCheckScopesAudit`): on real
/// files, `string` then `number` planted at every unannotated site, the compiler's verdicts (kept candidate, and
/// the probe's unverifiable sites) are the same with `TypeCheckScopes` (scoped texts, attribution) as with plain
/// group testing on the whole file. Prints the compiler runs of each.
@Suite(.serialized) struct TypeCheckScopesAudit {
  static let files = (ProcessInfo.processInfo.environment["CODEINTEL_SCOPES_AUDIT"] ?? "").split(separator: ":")
    .map(String.init)

  @Test(.enabled(if: !files.isEmpty, "set CODEINTEL_SCOPES_AUDIT to a colon-separated list of .ts files"))
  func scopedVerdictsEqualWholeFileVerdicts() throws {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(TypeChecker.scriptPath).path
    let checker = try TypeChecker(script: script)
    var totals = (sites: 0, kept: 0, unverifiable: 0, plainRuns: 0, scopedRuns: 0, differing: 0)
    for path in Self.files {
      let source = try String(contentsOfFile: path, encoding: .utf8)
      let tree = try Parser(language: .typescript).parse(source)
      let planted = TypeSites.unannotated(in: tree).map {
        TypeEvidence.Suggestion(
          kind: $0.kind, name: $0.name, nameRange: $0.nameRange, anchor: $0.anchor,
          candidates: [
            .init(type: "string", confidence: 0.9, reason: "planted", source: "model"),
            .init(type: "number", confidence: 0.85, reason: "planted", source: "model"),
          ])
      }
      guard !planted.isEmpty else { continue }
      func summary(_ o: TypeChecker.Outcome) -> [String] {
        o.kept.map { "\($0.anchor) \($0.name): \($0.best.type)" }.sorted()
          + o.unverifiable.map { "\($0.anchor) \($0.name): unverifiable" }.sorted()
      }
      let r0 = checker.checksRun
      let plain = try checker.check(planted, path: path, bytes: tree.bytes, minConfidence: 0.5, probe: true)
      let r1 = checker.checksRun
      let scoped = try checker.check(
        planted, path: path, bytes: tree.bytes, minConfidence: 0.5, probe: true, scopes: TypeCheckScopes(tree: tree))
      let r2 = checker.checksRun
      let (a, b) = (summary(plain), summary(scoped))
      let differing = Set(a).symmetricDifference(Set(b))
      print(
        "audit \(path): \(planted.count) sites, \(plain.kept.count) kept, \(plain.unverifiable.count) unverifiable; "
          + "compiler runs \(r1 - r0) plain, \(r2 - r1) scoped; \(differing.count) differ \(differing.sorted().prefix(6))"
      )
      totals.sites += planted.count
      totals.kept += plain.kept.count
      totals.unverifiable += plain.unverifiable.count
      totals.plainRuns += r1 - r0
      totals.scopedRuns += r2 - r1
      totals.differing += differing.count
      #expect(a == b, "\(path)")
    }
    print("audit total: \(totals)")
  }
}
