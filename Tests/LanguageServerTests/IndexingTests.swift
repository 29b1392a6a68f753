import CloneIndex
import Foundation
import Testing

@testable import LanguageServer

/// Background workspace indexing with work-done progress.
struct IndexingTests {
  private func workspace() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-lsp-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("src"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
      at: dir.appendingPathComponent("node_modules/x"), withIntermediateDirectories: true)
    let helper = "export function scale(xs, k) { const out = []; for (const x of xs) { out.push(x * k) } return out }\n"
    try ("// helpers\n\n" + helper).write(
      to: dir.appendingPathComponent("src/util.ts"), atomically: true, encoding: .utf8)
    try helper.write(to: dir.appendingPathComponent("node_modules/x/index.js"), atomically: true, encoding: .utf8)
    try "not code".write(to: dir.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
    return dir
  }

  @Test func indexingReportsProgressAndFindsClonesAcrossFiles() throws {
    let dir = try workspace()
    defer { try? FileManager.default.removeItem(at: dir) }
    let editor = try MockEditor(
      rootUri: LanguageServer.uri(fromPath: dir.path), capabilities: ["window": ["workDoneProgress": true]])
    let create = try editor.wait("progress token") { $0["method"] == "window/workDoneProgress/create" }
    let token = create["params"]?["token"]
    let begin = try editor.wait("begin") { $0["method"] == "$/progress" && $0["params"]?["value"]?["kind"] == "begin" }
    #expect(begin["params"]?["token"] == token)
    let end = try editor.wait("end") { $0["method"] == "$/progress" && $0["params"]?["value"]?["kind"] == "end" }
    #expect(end["params"]?["value"]?["message"]?.stringValue?.hasPrefix("indexed 1 files") == true)

    let uri = LanguageServer.uri(fromPath: dir.appendingPathComponent("src/main.ts").path)
    editor.open(
      "function mul(vals, f) { const res = []; for (const v of vals) { res.push(v * f) } return res }\n", uri: uri)
    let diagnostics = try editor.diagnostics(for: uri)
    #expect(diagnostics.map { $0["message"] } == ["functional clone of `scale` in `src/util.ts:3` (similarity 1.00)"])
    #expect(try editor.shutdown() == 0)
  }

  @Test func withoutProgressSupportIndexingIsSilent() throws {
    let dir = try workspace()
    defer { try? FileManager.default.removeItem(at: dir) }
    let editor = try MockEditor(rootUri: LanguageServer.uri(fromPath: dir.path))
    let uri = LanguageServer.uri(fromPath: dir.appendingPathComponent("src/util.ts").path)
    _ = try editor.result("workspace/executeCommand", ["command": "codeintel.reindex", "arguments": []])
    #expect(try editor.shutdown() == 0)
    #expect(
      !editor.messages.contains { $0["method"] == "$/progress" || $0["method"] == "window/workDoneProgress/create" })
    _ = uri
  }

  @Test func fileListSkipsVendoredAndDeclarationFiles() throws {
    let dir = try workspace()
    defer { try? FileManager.default.removeItem(at: dir) }
    try "x".write(to: dir.appendingPathComponent("src/types.d.ts"), atomically: true, encoding: .utf8)
    try "x".write(to: dir.appendingPathComponent("src/lib.min.js"), atomically: true, encoding: .utf8)
    let files = WorkspaceIndexer(maxFileBytes: 1 << 20).files(under: dir.path)
    #expect(files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["util.ts"])
  }
}

/// The command line's clone index as the source of functional clones.
struct WorkspaceCloneIndexTests {
  @Test func clonesComeFromTheCommandLineIndex() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-lsp-idx-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = """
      export function mean(values) {
        let total = 0;
        for (const v of values) { total += v; }
        return values.length === 0 ? 0 : total / values.length;
      }
      """
    let b = """
      export function average(xs) {
        let sum = 0;
        for (let i = 0; i < xs.length; i++) { sum += xs[i]; }
        if (xs.length === 0) { return 0; }
        return sum / xs.length;
      }
      """
    try a.write(to: dir.appendingPathComponent("a.js"), atomically: true, encoding: .utf8)
    try b.write(to: dir.appendingPathComponent("b.js"), atomically: true, encoding: .utf8)
    // Every match (`allGroups`): the index as the source is the subject; `CloneWorth` judges this pair small.
    try #"{"clones": {"allGroups": true}}"#.write(
      to: dir.appendingPathComponent(".codeintel.json"), atomically: true, encoding: .utf8)
    try RepositoryIndexer(root: dir.path).update()

    let editor = try MockEditor(
      rootUri: LanguageServer.uri(fromPath: dir.path), options: ["codeintel": ["diagnostics": ["minSimilarity": 0.3]]])
    let uri = LanguageServer.uri(fromPath: dir.appendingPathComponent("a.js").path)
    editor.open(a, uri: uri)
    let found = try editor.result(
      "workspace/executeCommand", ["command": "codeintel.findSimilar", "arguments": [.string(uri), 0, 20]])
    let first = try #require(found.items.first)
    #expect(first["name"] == "average")
    #expect(first["uri"]?.stringValue?.hasSuffix("/b.js") == true)
    let similarity = try #require(first["similarity"]?.doubleValue)
    #expect(similarity > 0.3 && similarity < 1)
    #expect(!found.items.contains { $0["uri"] == .string(uri) })
    #expect(try editor.shutdown() == 0)
  }

  @Test func noIndexMeansTheCanonicalFinderAlone() throws {
    let editor = try MockEditor(rootUri: "file:///nonexistent-codeintel-root")
    let kind = editor.server.queue.sync { editor.server.providers.clones is CanonicalCloneFinder }
    #expect(kind)
    #expect(try editor.shutdown() == 0)
  }
}
