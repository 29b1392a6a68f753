import CodeIntel
@testable import Heads
import Foundation
import Syntax
import Testing

@testable import LanguageServer

@Suite(.serialized) struct TypeCheckHintTests {
  let doc: JSONValue = ["uri": "file:///work/checked.ts"]

  @Test(
    .enabled(
      if: typeCompilerInstalled,
      "node-typescript is not installed: apt-get install -y node-typescript (scripts/setup.sh --tests does it)"))
  func hintsThatBreakTheFileAreReplacedByTheNextCandidate() throws {
    let editor = try MockEditor(
      providers: AnalysisProviders(
        types: PlantedTypes(), typeCheck: TypeCheckFilter(start: { try TypeChecker(script: typeCheckScript) })))
    editor.open("export function twice(x) { return x * 2 }\n", uri: "file:///work/checked.ts")
    let hints = try editor.result("textDocument/inlayHint", ["textDocument": doc, "range": MockEditor.everything]).items
    #expect(hints.map { $0["label"] } == [": number"])
    // The setting turns the compiler off: the planted best comes back.
    editor.notify("workspace/didChangeConfiguration", ["settings": ["codeintel": ["typeCheck": ["enabled": false]]]])
    let unchecked = try editor.result("textDocument/inlayHint", ["textDocument": doc, "range": MockEditor.everything])
      .items
    #expect(unchecked.map { $0["label"] } == [": string"])
  }

  @Test(
    .enabled(
      if: typeCompilerInstalled,
      "node-typescript is not installed: apt-get install -y node-typescript (scripts/setup.sh --tests does it)"))
  func aPropertySetOutsideTheConstructorIsHintedDefinite() throws {
    // Under `strict`, `root: string` adds TS2564 (set in `load`, not in the constructor): the hint and its edit
    // write `root!: string`; `size` is set to a number, so `string` fails and `number` is hinted, also with `!`.
    let editor = try MockEditor(
      providers: AnalysisProviders(
        types: PlantedTypes(properties: true),
        typeCheck: TypeCheckFilter(start: { try TypeChecker(script: typeCheckScript) })))
    editor.open(
      "export class Config {\n  root\n  size\n  load(r: string) { this.root = r; this.size = r.length; }\n}\n",
      uri: "file:///work/checked.ts")
    let hints = try editor.result("textDocument/inlayHint", ["textDocument": doc, "range": MockEditor.everything]).items
    #expect(hints.map { $0["label"] } == ["!: string", "!: number"])
    #expect(hints.map { $0["textEdits"]?[0]?["newText"] } == ["!: string", "!: number"])
    // Asked again (the verdicts come from the cache): the same.
    let again = try editor.result("textDocument/inlayHint", ["textDocument": doc, "range": MockEditor.everything]).items
    #expect(again.map { $0["label"] } == ["!: string", "!: number"])
  }

  @Test func aCheckerThatDiesLeavesTheHintsUnchecked() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-lsp-deadnode-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let fake = dir.appendingPathComponent("node").path
    try "#!/bin/sh\necho '{\"ready\":true,\"typescript\":\"0\"}'\n".write(
      toFile: fake, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake)
    let editor = try MockEditor(
      providers: AnalysisProviders(
        types: PlantedTypes(), typeCheck: TypeCheckFilter(start: { try TypeChecker(node: fake, script: typeCheckScript) })))
    editor.open("export function twice(x) { return x * 2 }\n", uri: "file:///work/checked.ts")
    let hints = try editor.result("textDocument/inlayHint", ["textDocument": doc, "range": MockEditor.everything]).items
    #expect(hints.map { $0["label"] } == [": string"])
    _ = try editor.wait("the stopped notice") {
      $0["method"] == "window/logMessage"
        && $0["params"]?["message"]?.stringValue?.contains("the type checker stopped") == true
    }
  }

  @Test func withoutTheCompilerHintsStayAndTheLogSaysWhy() throws {
    let editor = try MockEditor(
      providers: AnalysisProviders(
        types: PlantedTypes(),
        typeCheck: TypeCheckFilter(start: { try TypeChecker(node: "/nonexistent/node", script: typeCheckScript) })))
    editor.open("export function twice(x) { return x * 2 }\n", uri: "file:///work/checked.ts")
    let hints = try editor.result("textDocument/inlayHint", ["textDocument": doc, "range": MockEditor.everything]).items
    #expect(hints.map { $0["label"] } == [": string"])
    let log = try editor.wait("the unchecked notice") {
      $0["method"] == "window/logMessage"
        && $0["params"]?["message"]?.stringValue?.contains("type hints are unchecked") == true
    }
    #expect(log["params"]?["message"]?.stringValue?.contains("/nonexistent/node") == true)
    // Once: a second request does not repeat it.
    _ = try editor.result("textDocument/inlayHint", ["textDocument": doc, "range": MockEditor.everything])
    let notices = editor.messages.filter {
      $0["params"]?["message"]?.stringValue?.contains("type hints are unchecked") == true
    }
    #expect(notices.count == 1)
  }
}
