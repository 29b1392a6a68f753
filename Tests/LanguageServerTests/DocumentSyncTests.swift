import Foundation
import Syntax
import Testing

@testable import LanguageServer

/// didOpen / didChange (incremental, UTF-16) / didSave / didClose.
struct DocumentSyncTests {
  private func text(_ editor: MockEditor, _ uri: String) -> String? {
    editor.server.queue.sync { editor.server.documents[uri].map { String(decoding: $0.bytes, as: UTF8.self) } }
  }

  private func treeMatchesFreshParse(_ editor: MockEditor, _ uri: String) throws -> Bool {
    try editor.server.queue.sync {
      guard let doc = editor.server.documents[uri], let tree = doc.tree else { return false }
      let fresh = try Parser(language: doc.language).parse(bytes: doc.bytes)
      return fresh.root.sExpression == tree.root.sExpression
    }
  }

  private func change(_ editor: MockEditor, _ uri: String, version: Int, _ changes: [JSONValue]) {
    editor.notify(
      "textDocument/didChange",
      ["textDocument": ["uri": .string(uri), "version": .int(version)], "contentChanges": .array(changes)])
  }

  @Test func incrementalEditsCountUTF16() throws {
    let editor = try MockEditor()
    let uri = "file:///work/test.ts"
    let m = editor.open("const face = '😀'; const 1️⃣n = 2️⃣1\n")
    let start = try #require(m[1])
    let end = try #require(m[2])
    // Rename `n` to `count` and add a type: columns are after a surrogate pair.
    change(
      editor, uri, version: 2,
      [
        ["range": MockEditor.range(start, start), "text": "cou"],
        [
          "range": MockEditor.range(
            .object(["line": 0, "character": .int(start["character"]!.intValue! + 3)]),
            .object(["line": 0, "character": .int(start["character"]!.intValue! + 4)])), "text": "nt: number",
        ],
      ])
    _ = try editor.result("shutdown", nil)
    #expect(text(editor, uri) == "const face = '😀'; const count: number = 1\n")
    #expect(try treeMatchesFreshParse(editor, uri))
    _ = end
  }

  @Test func fullReplacementAndMixedChanges() throws {
    let editor = try MockEditor()
    let uri = "file:///work/test.ts"
    editor.open("let a = 1\n")
    change(
      editor, uri, version: 2,
      [
        ["text": "export function b() { return 'x' }\nexport function c() { return 2 }\n"],
        ["range": MockEditor.range(MockEditor.position(1, 16), MockEditor.position(1, 17)), "text": "dd"],
      ])
    let hints = try editor.result(
      "textDocument/inlayHint", ["textDocument": ["uri": .string(uri)], "range": MockEditor.everything])
    // Hints go where an annotation adds information: the exported functions' returns.
    #expect(text(editor, uri) == "export function b() { return 'x' }\nexport function dd() { return 2 }\n")
    #expect(hints.items.map { $0["label"] } == [": string", ": number"])
    #expect(try treeMatchesFreshParse(editor, uri))
  }

  @Test func manySmallEditsStayInStep() throws {
    let editor = try MockEditor()
    let uri = "file:///work/test.ts"
    editor.open("export function f() {\n}\n")
    // Type a body one character at a time, the way an editor sends keystrokes.
    let typed = "  const s = `v${1}é😀`\n  return 42\n"
    var line = 1
    var col = 0
    var version = 1
    for ch in typed {
      version += 1
      change(
        editor, uri, version: version,
        [
          [
            "range": MockEditor.range(MockEditor.position(line, col), MockEditor.position(line, col)),
            "text": .string(String(ch)),
          ]
        ])
      if ch == "\n" {
        line += 1
        col = 0
      } else {
        col += ch.utf16.count
      }
    }
    let hints = try editor.result(
      "textDocument/inlayHint", ["textDocument": ["uri": .string(uri)], "range": MockEditor.everything])
    #expect(text(editor, uri) == "export function f() {\n" + typed + "}\n")
    #expect(try treeMatchesFreshParse(editor, uri))
    // `const s = …` restates its initialiser (not a hint by default); the exported return is one.
    #expect(hints.items.map { $0["label"] } == [": number"])
  }

  @Test func editsPastTheEndClampAndUnknownDocumentsAreIgnored() throws {
    let editor = try MockEditor()
    let uri = "file:///work/test.ts"
    editor.open("let a = 1")
    change(
      editor, uri, version: 2,
      [["range": MockEditor.range(MockEditor.position(50, 0), MockEditor.position(60, 3)), "text": "\nlet z = true"]])
    change(editor, "file:///work/never-opened.ts", version: 2, [["text": "x"]])
    _ = try editor.result("shutdown", nil)
    #expect(text(editor, uri) == "let a = 1\nlet z = true")
  }

  @Test func saveAndClose() throws {
    let editor = try MockEditor()
    let uri = "file:///work/test.ts"
    editor.open("let a = 1")
    _ = try editor.diagnostics(for: uri)
    let before = editor.messages.count
    editor.notify("textDocument/didSave", ["textDocument": ["uri": .string(uri)]])
    _ = try editor.diagnostics(for: uri, from: before)
    editor.notify("textDocument/didClose", ["textDocument": ["uri": .string(uri)]])
    let r = try editor.request(
      "textDocument/hover", ["textDocument": ["uri": .string(uri)], "position": MockEditor.position(0, 4)])
    #expect(r["error"]?["code"] == -32602)
  }

  @Test func everyExtensionIsTracked() throws {
    let editor = try MockEditor()
    for ext in ["js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx"] {
      editor.open("let 1️⃣a = 1", uri: "file:///work/f.\(ext)")
    }
    editor.open("let a = 1", uri: "file:///work/notes.txt")
    _ = try editor.result("shutdown", nil)
    let tracked = editor.server.queue.sync { Set(editor.server.documents.keys) }
    #expect(tracked.count == 8)
    #expect(!tracked.contains("file:///work/notes.txt"))
  }
}
