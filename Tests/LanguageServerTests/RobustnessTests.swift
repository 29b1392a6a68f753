import Foundation
import Testing

@testable import LanguageServer

/// Inputs that must not break the server: huge, binary and broken files.
struct RobustnessTests {
  private func everyFeature(_ editor: MockEditor, _ uri: String) throws {
    let doc: JSONValue = ["uri": .string(uri)]
    for line in [0, 1, 5, 1000] {
      for character in [0, 3, 50] {
        let p = MockEditor.position(line, character)
        #expect(try editor.request("textDocument/hover", ["textDocument": doc, "position": p])["error"] == nil)
        #expect(
          try editor.request(
            "textDocument/codeAction",
            ["textDocument": doc, "range": MockEditor.range(p, p), "context": ["diagnostics": []]]
          )["error"] == nil)
      }
    }
    #expect(
      try editor.request("textDocument/inlayHint", ["textDocument": doc, "range": MockEditor.everything])["error"]
        == nil)
    #expect(
      try editor.request(
        "workspace/executeCommand", ["command": "codeintel.findSimilar", "arguments": [.string(uri), 0, 0]])["error"]
        == nil)
  }

  @Test func fileFullOfSyntaxErrors() throws {
    let editor = try MockEditor()
    let uri = "file:///work/broken.ts"
    let broken = """
      function ( { const = = 3; return ) } class { x = [1,
      let 'a' = ;;; => => {{{ }}} </div> @@ #!
      export default async function* (a = 1, ...) : { [ }
      """
    editor.open(broken, uri: uri)
    try everyFeature(editor, uri)
    _ = try editor.diagnostics(for: uri)
    #expect(try editor.shutdown() == 0)
  }

  @Test func binaryFile() throws {
    let editor = try MockEditor()
    let uri = "file:///work/blob.js"
    var rng = SplitMix64(seed: 7)
    let scalars = (0..<20_000).map { _ in Character(Unicode.Scalar(UInt8(truncatingIfNeeded: rng.next()))) }
    editor.open(String(scalars), uri: uri)
    try everyFeature(editor, uri)
    #expect(try editor.shutdown() == 0)
  }

  @Test func hugeFileIsKeptButNotAnalysed() throws {
    let editor = try MockEditor(options: ["codeintel": ["maxFileBytes": 1_000_000, "diagnostics": ["debounceMs": 0]]])
    let uri = "file:///work/huge.ts"
    let line = "const value = 12345 // padding padding padding padding\n"
    let text = String(repeating: line, count: 2_000_000 / line.utf8.count)
    editor.open(text, uri: uri)
    let warning = try editor.wait("too-large warning") { $0["method"] == "window/logMessage" }
    #expect(warning["params"]?["message"]?.stringValue?.contains("maxFileBytes") == true)
    let hints = try editor.result(
      "textDocument/inlayHint", ["textDocument": ["uri": .string(uri)], "range": MockEditor.everything])
    #expect(hints == [])
    try everyFeature(editor, uri)
    // Edits still apply; shrinking the file below the limit brings analysis back.
    editor.notify(
      "textDocument/didChange",
      [
        "textDocument": ["uri": .string(uri), "version": 2],
        "contentChanges": [["text": "export const small = () => 1\n"]],
      ])
    let back = try editor.result(
      "textDocument/inlayHint", ["textDocument": ["uri": .string(uri)], "range": MockEditor.everything])
    #expect(back.items.map { $0["label"] } == [": number"])
    #expect(try editor.shutdown() == 0)
  }

  @Test func deeplyNestedSource() throws {
    let editor = try MockEditor()
    let uri = "file:///work/deep.ts"
    editor.open(String(repeating: "[(", count: 3000) + "1" + String(repeating: ")]", count: 3000), uri: uri)
    try everyFeature(editor, uri)
    #expect(try editor.shutdown() == 0)
  }

  @Test func garbageStreamNeverStopsTheServer() throws {
    let editor = try MockEditor()
    var rng = SplitMix64(seed: 42)
    for _ in 0..<200 {
      let n = Int(rng.next() % 64)
      editor.connection.deliver((0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
    }
    // Whatever the garbage did to the framing, a fresh header re-synchronises.
    editor.connection.deliver(Array("\r\n\r\n".utf8))
    #expect(try editor.result("shutdown", nil) == .null)
  }
}

/// SplitMix64: a small seeded generator so the garbage is the same on every run.
struct SplitMix64 {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
