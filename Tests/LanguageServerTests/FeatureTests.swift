import Foundation
import Heads
import Testing

@testable import LanguageServer

/// Inlay hints, hover, code actions, diagnostics and commands, written as editor scenarios.
struct FeatureTests {
  let uri = "file:///work/test.ts"
  var doc: JSONValue { ["uri": .string(uri)] }

  /// The code actions the server offers with the cursor at `at` (no diagnostics in the context).
  func codeActions(_ editor: MockEditor, at: JSONValue) throws -> [JSONValue] {
    try editor.result(
      "textDocument/codeAction",
      ["textDocument": doc, "range": MockEditor.range(at, at), "context": ["diagnostics": []]]
    ).items
  }

  /// The rename action a name suggester proposing `name` (at 0.9) offers at marker 1 of `source`, and the text
  /// its edits leave; nil when no action has that title.
  func renamed(_ source: String, to name: String) throws -> (action: JSONValue, text: String)? {
    let editor = try MockEditor(
      providers: AnalysisProviders(
        types: EvidenceTypeSuggester(), names: FixedNameSuggester(name: name, confidence: 0.9)))
    let m = editor.open(source)
    let title = "Rename function to `\(name)`"
    guard let rename = try codeActions(editor, at: m[1]!).first(where: { $0["title"] == .string(title) }) else {
      return nil
    }
    let edits = rename["edit"]?["changes"]?[uri]?.items ?? []
    return (rename, Self.apply(edits, to: MockEditor.extractMarkers(source).0))
  }

  /// Applies LSP text edits (as the editor would) to a text.
  static func apply(_ edits: [JSONValue], to text: String) -> String {
    let index = LineIndexShim(text)
    let sorted = edits.sorted {
      (index.offset($0["range"]!["start"]!), 0) > (index.offset($1["range"]!["start"]!), 0)
    }
    var bytes = Array(text.utf8)
    for e in sorted {
      let s = index.offset(e["range"]!["start"]!)
      let t = index.offset(e["range"]!["end"]!)
      bytes.replaceSubrange(s..<t, with: Array(e["newText"]!.stringValue!.utf8))
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  // MARK: - Inlay hints

  @Test func inlayHintsForUnannotatedBindings() throws {
    let editor = try MockEditor()
    let m = editor.open(
      """
      const n = 3
      const label: string = 'x'
      function area(w = 1, h) { return 4 }
      export function volume(d)1️⃣ { return 4 }
      """)
    let hints = try editor.result("textDocument/inlayHint", ["textDocument": doc, "range": MockEditor.everything]).items
    // Only the exported function's return is a hole; `n`, `w` and `area`'s return restate what TypeScript infers.
    #expect(hints.map { $0["label"] } == [": number"])
    #expect(hints.map { $0["position"] } == [m[1]])
    #expect(hints[0]["kind"] == 1)
    #expect(hints[0]["textEdits"]?[0]?["newText"] == ": number")
    #expect(hints[0]["textEdits"]?[0]?["range"] == MockEditor.range(m[1]!, m[1]!))
    #expect(hints[0]["tooltip"]?.stringValue?.contains("0.85") == true)
  }

  @Test func inlayHintsSkipTypesTheCompilerInfers() throws {
    let editor = try MockEditor()
    editor.open("const a = 1\nitems.forEach((x) => { use(x) })\nfunction f(n = 2) { return 'x' }\n")
    let hints = try editor.result("textDocument/inlayHint", ["textDocument": doc, "range": MockEditor.everything]).items
    #expect(hints.isEmpty)
  }

  @Test func inlayHintsHonourTheRangeAndTheConfidenceBar() throws {
    let editor = try MockEditor()
    editor.open("export const a = () => 1\nexport function b() { return 'two' }\nexport function f() { g() }\n")
    let second = try editor.result(
      "textDocument/inlayHint",
      ["textDocument": doc, "range": MockEditor.range(MockEditor.position(1, 0), MockEditor.position(1, 20))]
    ).items
    #expect(second.map { $0["label"] } == [": string"])
    // `void` for f is 0.8: a bar of 0.82 hides it, returns of literals (0.85) stay.
    editor.notify(
      "workspace/didChangeConfiguration", ["settings": ["codeintel": ["inlayHints": ["minConfidence": 0.82]]]])
    let strict = try editor.result("textDocument/inlayHint", ["textDocument": doc, "range": MockEditor.everything])
      .items
    #expect(strict.map { $0["label"] } == [": number", ": string"])
    editor.notify("workspace/didChangeConfiguration", ["settings": ["codeintel": ["inlayHints": ["enabled": false]]]])
    #expect(
      try editor.result("textDocument/inlayHint", ["textDocument": doc, "range": MockEditor.everything]).items.isEmpty)
  }

  @Test func javascriptGetsNoAnnotationHints() throws {
    let editor = try MockEditor()
    editor.open("const a = 1", uri: "file:///work/a.js")
    let hints = try editor.result(
      "textDocument/inlayHint", ["textDocument": ["uri": "file:///work/a.js"], "range": MockEditor.everything])
    #expect(hints.items.isEmpty)
  }

  @Test func acceptingAHintProducesValidTypeScript() throws {
    let editor = try MockEditor()
    let source = "const xs = [1, 2]\nexport async function load(retries = 3) { return 'ok' }\n"
    editor.open(source)
    let hints = try editor.result("textDocument/inlayHint", ["textDocument": doc, "range": MockEditor.everything]).items
    let edits = hints.flatMap { $0["textEdits"]!.items }
    #expect(
      Self.apply(edits, to: source)
        == "const xs = [1, 2]\nexport async function load(retries = 3): Promise<string> { return 'ok' }\n")
  }

  // MARK: - Hover

  @Test func hoverOnABindingShowsThePredictedType() throws {
    let editor = try MockEditor()
    let m = editor.open("const wh1️⃣en = new Date()\nlet 2️⃣plain\n")
    let hover = try editor.result("textDocument/hover", ["textDocument": doc, "position": m[1]!])
    let text = hover["contents"]?["value"]?.stringValue ?? ""
    #expect(text.contains("`Date`"))
    #expect(text.contains("0.90"))
    #expect(hover["contents"]?["kind"] == "markdown")
    #expect(hover["range"] == MockEditor.range(MockEditor.position(0, 6), MockEditor.position(0, 10)))
    #expect(try editor.result("textDocument/hover", ["textDocument": doc, "position": m[2]!]) == .null)
  }

  @Test func hoverOnAFunctionShowsReturnTypeNamesAndClones() throws {
    let editor = try MockEditor(
      providers: AnalysisProviders(
        types: EvidenceTypeSuggester(), names: FixedNameSuggester(name: "sumPositive", confidence: 0.8),
        clones: CanonicalCloneFinder()))
    let m = editor.open(
      """
      function to1️⃣tal(xs) { let s = 0; for (const x of xs) { if (x > 0) { s += x } } return s }
      function addUp(values) { let acc = 0; for (const v of values) { if (v > 0) { acc += v } } return acc }
      """)
    _ = try editor.diagnostics(for: uri)  // the clone finder has seen the file
    let hover = try editor.result("textDocument/hover", ["textDocument": doc, "position": m[1]!])
    let text = hover["contents"]?["value"]?.stringValue ?? ""
    #expect(text.contains("function `total`"))
    #expect(text.contains("`sumPositive` (0.80)"))
    #expect(text.contains("`addUp` in `/work/test.ts:2` (similarity 1.00)"))
  }

  // MARK: - Code actions

  @Test func addTypeAnnotationQuickFix() throws {
    let editor = try MockEditor()
    let source = "let 1️⃣count = 02️⃣\nconst other = 'x'\n"
    let m = editor.open(source)
    let actions = try codeActions(editor, at: m[1]!)
    #expect(actions.count == 1)
    let action = try #require(actions.first)
    #expect(action["title"] == "Add type annotation `: number` to `count`")
    #expect(action["kind"] == "quickfix")
    let edits = action["edit"]?["changes"]?[uri]?.items ?? []
    #expect(Self.apply(edits, to: MockEditor.extractMarkers(source).0) == "let count: number = 0\nconst other = 'x'\n")
    let onlyRefactors = try editor.result(
      "textDocument/codeAction",
      [
        "textDocument": doc, "range": MockEditor.range(m[1]!, m[2]!),
        "context": ["diagnostics": [], "only": ["refactor"]],
      ])
    #expect(onlyRefactors.items.isEmpty)
  }

  @Test func renameToTheSuggestedName() throws {
    let source =
      "import { obj } from './obj'\nfunction 1️⃣isValid(d) { return d.toISOString() }\nconst s = isValid(new Date())\nobj.isValid = 1\n"
    let rename = try #require(try renamed(source, to: "formatDate"))
    #expect(rename.action["kind"] == "refactor.rewrite")
    #expect(
      rename.text
        == "import { obj } from './obj'\nfunction formatDate(d) { return d.toISOString() }\nconst s = formatDate(new Date())\nobj.isValid = 1\n"
    )
  }

  /// Issue 19: no rename action where a rename from this file would leave callers behind: a method (its calls are
  /// `x.name()` anywhere), an exported function, a script's global; the hover still shows the suggestion.
  @Test func noRenameThatLeavesCallersBehind() throws {
    func renames(_ source: String) throws -> [String] {
      let editor = try MockEditor(
        providers: AnalysisProviders(
          types: EvidenceTypeSuggester(), names: FixedNameSuggester(name: "formatDate", confidence: 0.9)))
      let m = editor.open(source)
      return try codeActions(editor, at: m[1]!).compactMap { $0["title"]?.stringValue }
        .filter { $0.hasPrefix("Rename") }
    }
    #expect(
      try renames(
        "import { x } from './x'\nclass A { 1️⃣isValid(d) { return d.toISOString() }\n"
          + " run() { return this.isValid(x) } }\n"
      ).isEmpty)
    #expect(try renames("export function 1️⃣isValid(d) { return d.toISOString() }\n").isEmpty)
    #expect(try renames("function 1️⃣isValid(d) { return d.toISOString() }\nisValid(new Date())\n").isEmpty)
    #expect(
      try renames("import { x } from './x'\nfunction 1️⃣isValid(d) { return d.toISOString() }\nisValid(x)\n")
        == ["Rename function to `formatDate`"])
  }

  /// A class's `#private` method is renamed throughout its class body (no code outside the class can call it).
  @Test func renameAPrivateMethodInItsClass() throws {
    let source = "class A {\n  1️⃣#check(d) { return !!d }\n  run(x) { return this.#check(x) }\n}\n"
    let rename = try #require(try renamed(source, to: "#isValid"))
    #expect(
      rename.text
        == "class A {\n  #isValid(d) { return !!d }\n  run(x) { return this.#isValid(x) }\n}\n")
  }

  /// Issue 19: the rename action, the name diagnostic, the hover and `codeintel suggest-names` show names from one
  /// level, the head's calibrated `display.json`; the server's own bar applies to uncalibrated suggesters, or
  /// when `diagnostics.minNameConfidence` is set.
  @Test func renameUsesTheCalibratedLevelOfTheNameHead() throws {
    func renames(_ names: FixedNameSuggester, options: JSONValue = ["codeintel": ["diagnostics": ["debounceMs": 0]]])
      throws -> (actions: [String], diagnostics: Int)
    {
      let editor = try MockEditor(
        providers: AnalysisProviders(types: EvidenceTypeSuggester(), names: names), options: options)
      let m = editor.open("import { log } from './log'\nfunction 1️⃣first(a, b) { const r = a + b; return r }\n")
      let actions = try codeActions(editor, at: m[1]!).compactMap { $0["title"]?.stringValue }
        .filter { $0.hasPrefix("Rename") }
      let diagnostics = try editor.diagnostics(for: uri).filter { $0["code"] == "name-mismatch" }.count
      return (actions, diagnostics)
    }
    // a calibrated suggester already held back what it should not show: its 0.4 name is offered
    let calibrated = try renames(FixedNameSuggester(name: "sumPair", confidence: 0.4, isCalibrated: true))
    #expect(calibrated.actions == ["Rename function to `sumPair`"] && calibrated.diagnostics == 1)
    // an uncalibrated one needs the default bar (0.6)
    let plain = try renames(FixedNameSuggester(name: "sumPair", confidence: 0.4))
    #expect(plain.actions.isEmpty && plain.diagnostics == 0)
    // a bar the user sets applies on top of either
    let set = try renames(
      FixedNameSuggester(name: "sumPair", confidence: 0.4, isCalibrated: true),
      options: ["codeintel": ["diagnostics": ["debounceMs": 0, "minNameConfidence": 0.5]]])
    #expect(set.actions.isEmpty && set.diagnostics == 0)
  }

  @Test func renameFollowsScopesNotSpelling() throws {
    // The inner `isValid` is a different binding (a parameter that shadows the function); the
    // shorthand export keeps its key.
    let source =
      "function 1️⃣isValid(d) { return d.toISOString() }\nfunction check(isValid) { return isValid }\nexport default { isValid }\n"
    let rename = try #require(try renamed(source, to: "formatDate"))
    #expect(
      rename.text
        == "function formatDate(d) { return d.toISOString() }\nfunction check(isValid) { return isValid }\nexport default { isValid: formatDate }\n"
    )
  }

  @Test func showClonesAction() throws {
    let editor = try MockEditor()
    let m = editor.open(
      """
      function 1️⃣first(a, b) { const r = []; for (let i = 0; i < a; i++) { r.push(b * i) } return r }
      function second(n, k) { const out = []; for (let j = 0; j < n; j++) { out.push(k * j) } return out }
      """)
    _ = try editor.diagnostics(for: uri)
    let actions = try codeActions(editor, at: m[1]!)
    let show = try #require(actions.first { $0["title"]?.stringValue?.hasPrefix("Show functional clones") == true })
    #expect(show["command"]?["command"] == "codeintel.showClones")
    let args = show["command"]?["arguments"]?.items ?? []
    let result = try editor.result(
      "workspace/executeCommand", ["command": "codeintel.showClones", "arguments": .array(args)])
    #expect(result.items.map { $0["name"] } == ["second"])
    #expect(result.items.first?["range"]?["start"]?["line"] == 1)
    // After an edit moves both functions, neither matches its own stale entry.
    editor.notify(
      "textDocument/didChange",
      [
        "textDocument": ["uri": .string(uri), "version": 2],
        "contentChanges": [
          ["range": MockEditor.range(MockEditor.position(0, 0), MockEditor.position(0, 0)), "text": "// moved\n"]
        ],
      ])
    let moved = try editor.result(
      "workspace/executeCommand", ["command": "codeintel.findSimilar", "arguments": [.string(uri), 1, 10]])
    #expect(moved.items.map { $0["name"] } == ["second"])
    #expect(moved.items.first?["range"]?["start"]?["line"] == 2)
  }

  // MARK: - Diagnostics

  @Test func cloneAndNameDiagnostics() throws {
    let editor = try MockEditor(
      providers: AnalysisProviders(
        types: EvidenceTypeSuggester(), names: FixedNameSuggester(name: "scaleAll", confidence: 0.9),
        clones: CanonicalCloneFinder()))
    editor.open(
      """
      function first(a, b) { const r = []; for (let i = 0; i < a; i++) { r.push(b * i) } return r }
      function scaleAll(n, k) { const out = []; for (let j = 0; j < n; j++) { out.push(k * j) } return out }
      """)
    let diagnostics = try editor.diagnostics(for: uri)
    let clone = try #require(diagnostics.first { $0["code"] == "functional-clone" })
    #expect(clone["message"] == "functional clone of `scaleAll` in `/work/test.ts:2` (similarity 1.00)")
    #expect(clone["severity"] == 3)
    #expect(clone["relatedInformation"]?[0]?["location"]?["range"]?["start"]?["line"] == 1)
    let names = diagnostics.filter { $0["code"] == "name-mismatch" }
    #expect(names.count == 1)
    #expect(names.first?["message"] == "name `first` does not match what the body does (suggested: `scaleAll`)")
    #expect(names.first?["severity"] == 4)
  }

  @Test func diagnosticsOfAManyFunctionFileAreAllPublishedOnce() throws {
    let editor = try MockEditor(
      providers: AnalysisProviders(
        types: EvidenceTypeSuggester(), names: FixedNameSuggester(name: "scaleAll", confidence: 0.9),
        clones: nil))
    let count = 53
    editor.open((0..<count).map { "function f\($0)(a) { return a + \($0) }" }.joined(separator: "\n"))
    let diagnostics = try editor.diagnostics(for: uri)
    #expect(diagnostics.count == count)
    let last = "name `f\(count - 1)` does not match what the body does (suggested: `scaleAll`)"
    #expect(diagnostics.last?["message"]?.stringValue == last)
  }

  @Test func withoutANameModelTheBodyRulesStillFlagNames() throws {
    let source = """
      function isReady(state) { if (state.done) { return "yes" } return "no" }
      function isEmpty(list) { const n = list.length; return n === 0 }
      """
    // no rule is on by default (docs/NAMES.md): no name diagnostic
    let quiet = try MockEditor(providers: AnalysisProviders(types: EvidenceTypeSuggester(), names: nil, clones: nil))
    quiet.open(source)
    #expect(try quiet.diagnostics(for: uri).filter { $0["code"] == "name-mismatch" }.isEmpty)
    // `diagnostics.nameRules` turns rules on, as `suggest-names --rules` does
    let editor = try MockEditor(
      providers: AnalysisProviders(types: EvidenceTypeSuggester(), names: nil, clones: nil),
      options: ["codeintel": ["diagnostics": ["debounceMs": 0, "nameRules": ["predicate"]]]])
    editor.open(source)
    let names = try editor.diagnostics(for: uri).filter { $0["code"] == "name-mismatch" }
    #expect(names.count == 1)
    let message = names.first?["message"]?.stringValue ?? ""
    #expect(message.hasPrefix("name `isReady` does not match what the body does: named like a predicate"))
    #expect(!message.contains("suggested"))
    #expect(names.first?["data"] == nil)
  }

  @Test func nameRulesSetting() {
    var c = ServerConfiguration()
    #expect(c.nameRules == NameAnalysis.defaultRules && c.minNameConfidence == nil)
    #expect(c.apply(["codeintel": ["diagnostics": ["nameRules": "all"]]]).isEmpty)
    #expect(c.nameRules == Set(MismatchRule.allCases))
    #expect(c.apply(["diagnostics": ["nameRules": ["get", "set"]]]).isEmpty && c.nameRules == [.get, .set])
    #expect(c.apply(["diagnostics": ["nameRules": []]]).isEmpty && c.nameRules.isEmpty)
    // an unknown rule or a value of the wrong type is ignored with a warning, the rules stay as they were
    #expect(c.apply(["diagnostics": ["nameRules": "getters"]]) == ["diagnostics.nameRules"] && c.nameRules.isEmpty)
    #expect(c.apply(["diagnostics": ["nameRules": 3]]) == ["diagnostics.nameRules"])
  }

  @Test func diagnosticsAreDebouncedAndConfigurable() throws {
    let editor = try MockEditor(options: ["codeintel": ["diagnostics": ["debounceMs": 500]]])
    editor.open("function a(x, y) { let t = 0; for (let i = 0; i < x; i++) { t += y } return t }\n")
    for v in 2...6 {
      editor.notify(
        "textDocument/didChange",
        [
          "textDocument": ["uri": .string(uri), "version": .int(v)],
          "contentChanges": [
            ["range": MockEditor.range(MockEditor.position(1, 0), MockEditor.position(1, 0)), "text": "\n"]
          ],
        ])
    }
    let first = try editor.wait("diagnostics") { $0["method"] == "textDocument/publishDiagnostics" }
    // Only the state after the last of the quick edits is published.
    #expect(first["params"]?["version"] == 6)
    editor.notify(
      "workspace/didChangeConfiguration",
      ["settings": ["codeintel": ["diagnostics": ["enabled": false, "debounceMs": 0]]]])
    let from = editor.messages.count
    editor.notify("textDocument/didSave", ["textDocument": ["uri": .string(uri)]])
    #expect(try editor.diagnostics(for: uri, from: from).isEmpty)
  }

  // MARK: - Commands

  @Test func executeCommandErrors() throws {
    let editor = try MockEditor()
    let unknown = try editor.request("workspace/executeCommand", ["command": "codeintel.nope", "arguments": []])
    #expect(unknown["error"]?["code"] == -32602)
    let badArgs = try editor.request(
      "workspace/executeCommand", ["command": "codeintel.findSimilar", "arguments": [1]])
    #expect(badArgs["error"]?["code"] == -32602)
    editor.open("function 1️⃣f() { return 1 }")
    let none = try editor.result(
      "workspace/executeCommand",
      ["command": "codeintel.findSimilar", "arguments": [.string(uri), ["line": 0, "character": 10]]])
    #expect(none == [])
  }
}

/// Byte offsets of LSP positions in a test text.
struct LineIndexShim {
  let text: String
  init(_ text: String) { self.text = text }
  func offset(_ p: JSONValue) -> Int {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let line = p["line"]!.intValue!
    let ch = p["character"]!.intValue!
    var offset = lines.prefix(line).reduce(0) { $0 + $1.utf8.count + 1 }
    var units = 0
    for c in lines[line] {
      if units >= ch { break }
      units += c.utf16.count
      offset += c.utf8.count
    }
    return offset
  }
}

/// The name suggester's per-function memory.
struct NameCacheTests {
  @Test func remembersAndEmptiesWhenFull() {
    let cache = NameCache(capacity: 2)
    cache.set("a", .init(report: nil))
    cache.set("b", .init(report: nil))
    #expect(cache.get("a") != nil && cache.get("a")?.report == nil)
    #expect(cache.get("c") == nil)
    cache.set("c", .init(report: nil))  // full: starts again
    #expect(cache.get("a") == nil && cache.get("b") == nil)
    #expect(cache.get("c") != nil)
  }
}
