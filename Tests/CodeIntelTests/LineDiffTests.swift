import Foundation
import Testing

@testable import CodeIntel
@testable import Heads

@Suite struct LineDiffTests {
  /// Length of the longest common subsequence, by the quadratic table (small inputs only).
  private func lcs(_ a: [String], _ b: [String]) -> Int {
    var t = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in stride(from: a.count - 1, through: 0, by: -1) {
      for j in stride(from: b.count - 1, through: 0, by: -1) {
        t[i][j] = a[i] == b[j] ? t[i + 1][j + 1] + 1 : max(t[i + 1][j], t[i][j + 1])
      }
    }
    return t[0][0]
  }

  @Test func theScriptTurnsOldIntoNewWithTheFewestChanges() throws {
    var state: UInt64 = 17
    func next(_ n: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(n))
    }
    for _ in 0..<200 {
      let a = (0..<next(12)).map { _ in ["x", "y", "z", "w"][next(4)] }
      let b = (0..<next(12)).map { _ in ["x", "y", "z", "w"][next(4)] }
      let ops = try #require(LineDiff.lines(a, b))
      #expect(ops.filter { $0.op != "+" }.map(\.text) == a)
      #expect(ops.filter { $0.op != "-" }.map(\.text) == b)
      #expect(ops.filter { $0.op == " " }.count == lcs(a, b), "\(a) → \(b)")
      for op in ops where op.op != "+" { #expect(a[op.old] == op.text) }
      for op in ops where op.op != "-" { #expect(b[op.new] == op.text) }
    }
  }

  @Test func smallFilesDiffAsBefore() throws {
    let old = Array("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n".utf8)
    let new = Array("a\nb: T\nc\nd\ne\nf\ng\nh\ni\nj\nk: U\nl\n".utf8)
    #expect(LineDiff.unified(path: "a.ts", old: old, new: new) == unifiedDiff(path: "a.ts", old: old, new: new))
  }

  @Test func crlfFilesDiffLineByLine() throws {
    // A file with Windows line endings (the TypeScript compiler's sources have them): one changed line is one hunk,
    // and its lines keep their `\r` so that the diff applies to the file.
    let old = Array("a\r\nb\r\nc\r\nd\r\ne\r\nf\r\ng\r\n".utf8)
    let new = Array("a\r\nb\r\nc\r\nd: T\r\ne\r\nf\r\ng\r\n".utf8)
    let expected = "--- a.ts\n+++ a.ts (annotated)\n@@ -2,5 +2,5 @@\n b\r\n c\r\n-d\r\n+d: T\r\n e\r\n f\r\n"
    #expect(LineDiff.unified(path: "a.ts", old: old, new: new) == expected)
    #expect(unifiedDiff(path: "a.ts", old: old, new: new) == expected)
  }

  @Test func largeFilesGetARealDiff() throws {
    // 6,000 lines: 36 M cells, past what the quadratic table of `unifiedDiff` would hold.
    var lines = (0..<6_000).map { "const v\($0) = \($0);" }
    let old = Array(lines.joined(separator: "\n").utf8)
    lines[4_321] = "const v4321: number = 4321;"
    let new = Array(lines.joined(separator: "\n").utf8)
    let diff = unifiedDiff(path: "big.ts", old: old, new: new)
    #expect(diff.contains("@@ -4320,5 +4320,5 @@"))
    #expect(diff.contains("-const v4321 = 4321;\n+const v4321: number = 4321;\n"))
    #expect(!diff.contains("too large"))
  }

  @Test func tooManyChangesAreRefused() {
    let a = (0..<50).map { "a\($0)" }
    let b = (0..<50).map { "b\($0)" }
    #expect(LineDiff.lines(a, b, maxEdits: 60) == nil)
    #expect(LineDiff.lines(a, b, maxEdits: 100)?.count == 100)
  }
}

extension CLITests {
  @Test func suggestTypesDiffOfALargeFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-bigdiff-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var lines = (0..<6_000).map { "const v\($0) = \($0);" }
    lines[100] = "export function f() { return 1 }"
    let big = dir.appendingPathComponent("big.ts")
    try lines.joined(separator: "\n").write(to: big, atomically: true, encoding: .utf8)
    let r = try CLI.run(["suggest-types", "--no-model", "--no-check", "--diff", big.path])
    #expect(r.status == 0)
    #expect(r.stdout.contains("+export function f(): number { return 1 }"))
    // Every line changed: more than the diff shows, an error with a sentence.
    let all = (0..<5_000).map { "export function f\($0)() { return \($0) }" }
    let many = dir.appendingPathComponent("many.ts")
    try all.joined(separator: "\n").write(to: many, atomically: true, encoding: .utf8)
    let refused = try CLI.run(["suggest-types", "--no-model", "--no-check", "--diff", many.path])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("too many to show as a diff"))
  }
}
