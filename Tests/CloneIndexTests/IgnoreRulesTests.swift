import Foundation
import Testing

@testable import CloneIndex

@Suite struct IgnoreRulesTests {
  private func rules(_ text: String, base: String = "") -> IgnoreRules {
    IgnoreRules(files: [IgnoreFile(base: base, text: text)])
  }

  @Test func aGitignoreWithWindowsLineEndingsHasOnePatternPerLine() {
    let r = rules("*.gen.js\r\n/build\r\nout/\r\n")
    #expect(r.files[0].patterns.count == 3)
    #expect(r.isIgnored("src/a.gen.js", isDirectory: false))
    #expect(r.isIgnored("build", isDirectory: true))
    #expect(r.isIgnored("src/out", isDirectory: true))
    #expect(!r.isIgnored("src/a.js", isDirectory: false))
  }

  @Test func globsMatchNamesAtAnyDepthUnlessAnchored() {
    let r = rules("*.gen.js\n/build\nout/\n# comment\n\n")
    #expect(r.isIgnored("a.gen.js", isDirectory: false))
    #expect(r.isIgnored("src/deep/a.gen.js", isDirectory: false))
    #expect(!r.isIgnored("src/a.js", isDirectory: false))
    #expect(r.isIgnored("build", isDirectory: true))
    #expect(!r.isIgnored("src/build", isDirectory: true), "a leading slash anchors to the .gitignore's folder")
    #expect(r.isIgnored("src/out", isDirectory: true))
    #expect(!r.isIgnored("src/out", isDirectory: false), "a trailing slash matches folders only")
  }

  @Test func negationTheLastMatchWins() {
    let r = rules("*.js\n!keep.js\n")
    #expect(r.isIgnored("a.js", isDirectory: false))
    #expect(!r.isIgnored("lib/keep.js", isDirectory: false))
    let reversed = rules("!keep.js\n*.js\n")
    #expect(reversed.isIgnored("keep.js", isDirectory: false))
  }

  @Test func doubleStarSegments() {
    let r = rules("**/fixtures/**\na/**/b.js\ndocs/*.js\n")
    #expect(r.isIgnored("x/fixtures/y/z.js", isDirectory: false))
    #expect(r.isIgnored("fixtures/z.js", isDirectory: false))
    #expect(!r.isIgnored("fixtures", isDirectory: true), "x/** matches inside x, not x itself")
    #expect(r.isIgnored("a/b.js", isDirectory: false))
    #expect(r.isIgnored("a/p/q/b.js", isDirectory: false))
    #expect(r.isIgnored("docs/x.js", isDirectory: false))
    #expect(!r.isIgnored("docs/sub/x.js", isDirectory: false), "a single * does not cross folders")
  }

  @Test func classesEscapesAndTrailingSpaces() {
    let r = rules("[abc].js\nv[!0-9].ts\n\\#odd.js\nspace.js   \n")
    #expect(r.isIgnored("b.js", isDirectory: false))
    #expect(!r.isIgnored("d.js", isDirectory: false))
    #expect(r.isIgnored("vx.ts", isDirectory: false))
    #expect(!r.isIgnored("v1.ts", isDirectory: false))
    #expect(r.isIgnored("#odd.js", isDirectory: false))
    #expect(r.isIgnored("space.js", isDirectory: false))
  }

  @Test func nestedGitignoreAppliesBelowItsFolder() {
    let r = IgnoreRules(files: [
      IgnoreFile(base: "", text: "*.tmp.js\n"), IgnoreFile(base: "pkg", text: "/gen\n!x.tmp.js\n"),
    ])
    #expect(r.isIgnored("pkg/gen", isDirectory: true))
    #expect(!r.isIgnored("gen", isDirectory: true))
    #expect(!r.isIgnored("pkg/x.tmp.js", isDirectory: false), "the deeper file overrides")
    #expect(r.isIgnored("x.tmp.js", isDirectory: false))
  }

  @Test func walkerSkipsWithReasons() throws {
    let repo = try TemporaryRepository()
    try repo.write(".gitignore", "dist/\n*.log.js\n")
    try repo.write("src/a.ts", "export function a() { return 1 }\n")
    try repo.write("src/b.js", "function b() {}\n")
    try repo.write("src/types.d.ts", "declare const x: number;\n")
    try repo.write("src/lib.min.js", "function m(){}\n")
    try repo.write("src/trace.log.js", "function t() {}\n")
    try repo.write("dist/out.js", "function o() {}\n")
    try repo.write("node_modules/dep/index.js", "function d() {}\n")
    try repo.write("src/big.js", String(repeating: "// padding\n", count: 200))
    try repo.write("README.md", "not code\n")
    try repo.write("sub/.gitignore", "local.js\n")
    try repo.write("sub/local.js", "function l() {}\n")
    try repo.write("sub/kept.js", "function k() {}\n")
    try FileManager.default.createSymbolicLink(atPath: repo.root + "/src/loop", withDestinationPath: repo.root)
    let result = try RepositoryWalker(maxFileBytes: 1000).walk(repo.root)
    #expect(result.files.map(\.path) == ["src/a.ts", "src/b.js", "sub/kept.js"])
    var reasons: [String: SkipReason] = [:]
    for s in result.skipped { reasons[s.path] = s.reason }
    #expect(reasons["dist"] == .ignored(pattern: "dist/", file: ".gitignore"))
    #expect(reasons["src/trace.log.js"] == .ignored(pattern: "*.log.js", file: ".gitignore"))
    #expect(reasons["sub/local.js"] == .ignored(pattern: "local.js", file: "sub/.gitignore"))
    #expect(reasons["node_modules"] == .vendored("node_modules"))
    #expect(reasons["src/types.d.ts"] == .declarationFile)
    #expect(reasons["src/lib.min.js"] == .minified("file name"))
    #expect(reasons["src/big.js"] == .tooLarge(bytes: 2200, limit: 1000))
    #expect(reasons["src/loop"] == .symlinkLoop(target: "."))
  }

  @Test func contentFilters() {
    #expect(SourceFilter.skipReason(for: Array("function f() { return 1 }\n".utf8)) == nil)
    #expect(SourceFilter.skipReason(for: [0x66, 0x00, 0x01]) == .binary)
    #expect(SourceFilter.skipReason(for: [0x66, 0xFF, 0xFE, 0x41]) == .binary)
    // Generated files are indexed (and left out of reports as build output, `GeneratedCode`), not skipped.
    let generated = "// Code generated by protoc. DO NOT EDIT.\nfunction f() {}\n"
    #expect(SourceFilter.skipReason(for: Array(generated.utf8)) == nil)
    let minified = String(repeating: "var a=function(b){return b+1};", count: 200)
    #expect(SourceFilter.skipReason(for: Array(minified.utf8)) == .minified("average line 6000 bytes"))
  }
}
