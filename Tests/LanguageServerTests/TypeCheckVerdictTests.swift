import CodeIntel
import Foundation
import Syntax
import Testing

@testable import Heads
@testable import LanguageServer

private func offset(_ source: String, after marker: String) throws -> Int {
  let range = try #require(source.range(of: marker))
  return source.utf8.distance(from: source.startIndex, to: range.upperBound)
}

private func parse(_ source: String) throws -> Tree { try Parser(language: .typescript).parse(source) }

/// `TypeCheckScopes`: which parts of a file a verdict depends on (docs/LSP.md, "Verdicts across edits").
@Suite struct TypeCheckScopesTests {
  static let source = """
    import { z } from "./z";
    const limit = 3;
    export function twice(x) { return x * 2 }
    export function uses(y) { return twice(y) + limit }
    export function alone(s) { return s.length }
    class Box { size(n) { return n } }
    function open(b) { return b.size(1) }

    """

  private func parameter(_ source: String, _ marker: String) throws -> TypeEvidence.Suggestion {
    let anchor = try offset(source, after: marker)
    return TypeEvidence.Suggestion(
      kind: .parameter, name: "p", nameRange: anchor..<anchor, anchor: anchor,
      candidates: [.init(type: "number", confidence: 0.9, reason: "planted")])
  }

  @Test func namesLinkStatementsAndImportsAreTheEnvironment() throws {
    let s = Self.source
    let scopes = TypeCheckScopes(tree: try parse(s))
    func component(_ marker: String) throws -> Int? { scopes.component(at: try offset(s, after: marker)) }
    // The import is the environment; `limit`, `twice` and `uses` are linked by names; `alone` is alone; `Box`
    // and `open` share the member name `size`.
    #expect(try component("import {") == nil)
    #expect(try component("const lim") == component("function twi"))
    #expect(try component("function use") == component("function twi"))
    #expect(try component("function alo") != component("function twi"))
    #expect(try component("class Bo") == component("function ope"))
    #expect(try component("class Bo") != component("function alo"))
    #expect(scopes.componentCount == 3)
    // A candidate type that names a declared type reaches its declaration's component too.
    let site = try offset(s, after: "alone(s")
    let box = try component("class Bo")
    let own = try component("alone(s")
    #expect(scopes.reach(anchor: site, types: ["Box"]) == Set([box, own].compactMap { $0 }))
    #expect(box != nil && own != nil)
  }

  @Test func aKeyChangesOnlyWithWhatTheVerdictCanDependOn() throws {
    let s = Self.source
    let before = TypeCheckScopes(tree: try parse(s))
    func key(_ scopes: TypeCheckScopes, _ text: String, _ marker: String) throws -> TypeCheckScopes.Key {
      scopes.key(for: try parameter(text, marker), types: ["number"])
    }
    // An edit in `alone` moves `twice` by nothing and `open` by two bytes: their keys stay; `alone`'s changes.
    let edited = s.replacingOccurrences(of: "s.length", with: "s.length + 10")
    let after = TypeCheckScopes(tree: try parse(edited))
    #expect(try key(before, s, "twice(x") == key(after, edited, "twice(x"))
    #expect(try key(before, s, "open(b") == key(after, edited, "open(b"))
    #expect(try key(before, s, "alone(s") != key(after, edited, "alone(s"))
    // A change to a linked statement (`limit`) changes the keys of its whole component.
    let linked = s.replacingOccurrences(of: "const limit = 3", with: "const limit = \"3\"")
    let relinked = TypeCheckScopes(tree: try parse(linked))
    #expect(try key(before, s, "twice(x") != key(relinked, linked, "twice(x"))
    #expect(try key(before, s, "alone(s") == key(relinked, linked, "alone(s"))
    // A new call of `alone` elsewhere links to it and changes its key.
    let called = s + "export const r = alone(\"x\");\n"
    #expect(try key(before, s, "alone(s") != key(TypeCheckScopes(tree: try parse(called)), called, "alone(s"))
    // The environment: an import changed changes every key.
    let imported = s.replacingOccurrences(of: "\"./z\"", with: "\"./y\"")
    let reimported = TypeCheckScopes(tree: try parse(imported))
    #expect(before.environment != reimported.environment)
    #expect(try key(before, s, "alone(s") != key(reimported, imported, "alone(s"))
    // A file that does not parse keeps nothing across edits.
    let broken = s + "function ( {\n"
    let b1 = TypeCheckScopes(tree: try parse(broken))
    let b2 = TypeCheckScopes(tree: try parse(broken + " "))
    #expect(try key(b1, broken, "alone(s") != key(b2, broken + " ", "alone(s"))
  }

  @Test func aScopedTextKeepsOffsetsAndStaysAModule() throws {
    let s = Self.source
    let scopes = TypeCheckScopes(tree: try parse(s))
    let alone = try #require(scopes.component(at: try offset(s, after: "alone(s")))
    let text = String(decoding: scopes.scopedText(keeping: [alone]), as: UTF8.self)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines[0] == "import { z } from \"./z\";")
    #expect(lines[1].allSatisfy { $0 == " " } && lines[2].allSatisfy { $0 == " " })
    #expect(lines[4] == "export function alone(s) { return s.length }")
    #expect(Array(text.utf8).prefix(s.utf8.count).count == s.utf8.count)
    // Every component kept: the text as it is.
    #expect(scopes.scopedText(keeping: Set(0..<scopes.componentCount)) == Array(s.utf8))
    // A module whose kept statements neither import nor export stays a module.
    let m = "export function a(x) { return x }\nfunction b(y) { return y }\n"
    let ms = TypeCheckScopes(tree: try parse(m))
    let b = try #require(ms.component(at: try offset(m, after: "b(y")))
    #expect(String(decoding: ms.scopedText(keeping: [b]), as: UTF8.self).hasSuffix("export {};\n"))
  }
}

@Suite(.serialized) struct TypeCheckVerdictTests {
  static let uri = "file:///work/verdicts.ts"
  let doc: JSONValue = ["uri": .string(Self.uri)]

  private func editor(_ filter: TypeCheckFilter) throws -> MockEditor {
    try MockEditor(providers: AnalysisProviders(types: PlantedTypes(honorsRange: true), typeCheck: filter))
  }

  private func replace(_ editor: MockEditor, version: Int, with text: String) {
    editor.notify(
      "textDocument/didChange",
      [
        "textDocument": ["uri": .string(Self.uri), "version": .int(version)],
        "contentChanges": [["text": .string(text)]],
      ])
  }

  private func hints(_ editor: MockEditor, _ range: JSONValue = MockEditor.everything) throws -> [String] {
    try editor.result("textDocument/inlayHint", ["textDocument": doc, "range": range]).items.compactMap {
      guard let label = $0["label"]?.stringValue, let line = $0["position"]?["line"]?.intValue else { return nil }
      return "\(line):\(label)"
    }
  }

  static let twoFunctions = """
    export function twice(x) { return x * 2 }
    export function half(y) { return y / 2 }

    """

  /// A server with the compiler check whose editor has opened `twoFunctions`, both of whose hints pass.
  private func openedTwoFunctions() throws -> (filter: TypeCheckFilter, editor: MockEditor) {
    let filter = TypeCheckFilter(start: { try TypeChecker(script: typeCheckScript) })
    let editor = try editor(filter)
    editor.open(Self.twoFunctions, uri: Self.uri)
    #expect(try hints(editor) == ["0:: number", "1:: number"])
    return (filter, editor)
  }

  @Test(.enabled(if: typeCompilerInstalled, "node-typescript is not installed: apt-get install -y node-typescript"))
  func verdictsAreKeptAcrossAnEditInAnotherFunction() throws {
    let filter = TypeCheckFilter(start: { try TypeChecker(script: typeCheckScript) })
    let editor = try editor(filter)
    let text = Self.twoFunctions
    editor.open(text, uri: Self.uri)
    #expect(try hints(editor) == ["0:: number", "1:: number"])
    #expect(filter.lastChecked.count == 2)
    // `half`'s body changes: only its parameter is checked again.
    let edited = text.replacingOccurrences(of: "y / 2", with: "y / 3 - 1")
    replace(editor, version: 2, with: edited)
    #expect(try hints(editor) == ["0:: number", "1:: number"])
    #expect(filter.lastChecked == [try offset(edited, after: "half(y")])
    // Lines added above both: offsets move, the statements do not change, nothing is checked.
    replace(editor, version: 3, with: "\n\n" + edited)
    #expect(try hints(editor) == ["2:: number", "3:: number"])
    #expect(filter.lastChecked.isEmpty)
  }

  @Test(.enabled(if: typeCompilerInstalled, "node-typescript is not installed: apt-get install -y node-typescript"))
  func verdictsAreDroppedWhenTheEnvironmentChanges() throws {
    let (filter, editor) = try openedTwoFunctions()
    replace(editor, version: 2, with: "import { missing } from \"./nowhere\";\n" + Self.twoFunctions)
    #expect(try hints(editor) == ["1:: number", "2:: number"])
    #expect(filter.lastChecked.count == 2)
  }

  /// A file that does not parse keeps no verdict across its versions (its text is its environment), but the verdicts
  /// of before come back when the error is fixed.
  @Test(.enabled(if: typeCompilerInstalled, "node-typescript is not installed: apt-get install -y node-typescript"))
  func verdictsComeBackWhenASyntaxErrorIsFixed() throws {
    let (filter, editor) = try openedTwoFunctions()
    replace(editor, version: 2, with: Self.twoFunctions + "function (\n")
    #expect(try hints(editor) == ["0:: number", "1:: number"])
    #expect(filter.lastChecked.count == 2)
    replace(editor, version: 3, with: Self.twoFunctions)
    #expect(try hints(editor) == ["0:: number", "1:: number"])
    #expect(filter.lastChecked.isEmpty)
  }

  /// An edit elsewhere that changes a kept verdict: a new call with a string makes `twice`'s `x: number` break the
  /// file, so no candidate passes any more and the hint goes.
  @Test(.enabled(if: typeCompilerInstalled, "node-typescript is not installed: apt-get install -y node-typescript"))
  func aCallAddedElsewhereRechecksTheCalleeAndItsBadHintIsNotShown() throws {
    let (filter, editor) = try openedTwoFunctions()
    let called = Self.twoFunctions + "\n\n\nexport function use() { return twice(\"a\") }\n"
    replace(editor, version: 2, with: called)
    #expect(try hints(editor) == ["1:: number"])
    #expect(filter.lastChecked == [try offset(called, after: "twice(x")])
  }

  @Test(.enabled(if: typeCompilerInstalled, "node-typescript is not installed: apt-get install -y node-typescript"))
  func aViewportRequestChecksOnlyItsRange() throws {
    let filter = TypeCheckFilter(start: { try TypeChecker(script: typeCheckScript) })
    let editor = try editor(filter)
    let text = Self.twoFunctions + "export function third(z) { return z - 1 }\n"
    editor.open(text, uri: Self.uri)
    let firstLine = MockEditor.range(MockEditor.position(0, 0), MockEditor.position(1, 0))
    #expect(try hints(editor, firstLine) == ["0:: number"])
    #expect(filter.lastChecked == [try offset(text, after: "twice(x")])
    // The whole file: the first line's verdict comes from memory, the other two are checked.
    #expect(try hints(editor) == ["0:: number", "1:: number", "2:: number"])
    #expect(filter.lastChecked == [try offset(text, after: "half(y"), try offset(text, after: "third(z")])
  }
}

/// Putting a group's new diagnostics down to the sites that can cause them gives each site the verdict it gets when
/// checked alone, including a diagnostic that lands in another statement than its cause.
@Suite(.serialized) struct TypeCheckAttributionTests {
  private func suggestion(_ name: String, at anchor: Int, _ types: [String]) -> TypeEvidence.Suggestion {
    TypeEvidence.Suggestion(
      kind: .parameter, name: name, nameRange: anchor..<anchor, anchor: anchor,
      candidates: types.enumerated().map {
        .init(type: $0.element, confidence: 0.9 - 0.01 * Double($0.offset), reason: "planted", source: "model")
      })
  }

  @Test(.enabled(if: typeCompilerInstalled, "node-typescript is not installed: apt-get install -y node-typescript"))
  func attributionGivesTheVerdictsOfCheckingAlone() throws {
    var source = ""
    for k in 0..<12 { source += "export function f\(k)(a\(k)) { return a\(k) * \(k + 1) }\n" }
    source += "export function far(p) { return p }\n"
    for k in 0..<6 { source += "export function g\(k)(b\(k)) { return b\(k).length }\n" }
    source += "export function caller(q) { return far(1) + q }\n"
    var planted: [TypeEvidence.Suggestion] = []
    for k in 0..<12 {
      // One planted breaking best among passing ones: `f5(a5: string)` breaks `a5 * 6`.
      planted.append(
        suggestion("a\(k)", at: try offset(source, after: "f\(k)(a\(k)"), k == 5 ? ["string", "number"] : ["number"]))
    }
    // `far(p: string)` adds its diagnostic in `caller`, away from `far`: `number` is what passes.
    planted.append(suggestion("p", at: try offset(source, after: "far(p"), ["string", "number"]))
    for k in 0..<6 { planted.append(suggestion("b\(k)", at: try offset(source, after: "g\(k)(b\(k)"), ["string"])) }
    planted.append(suggestion("q", at: try offset(source, after: "caller(q"), ["number"]))
    let checker = try TypeChecker(script: typeCheckScript)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-attribution/a.ts").path
    let bytes = Array(source.utf8)
    func verdicts(_ outcome: TypeChecker.Outcome) -> [String] {
      outcome.kept.map { "\($0.name): \($0.best.type)" }.sorted()
        + outcome.dropped.map { "\($0.suggestion.name): -" }.sorted()
    }
    var alone: [String] = []
    var keptAlone: [String] = []
    for s in planted {
      let o = try checker.check([s], path: path, bytes: bytes, minConfidence: 0.5)
      keptAlone += o.kept.map { "\($0.name): \($0.best.type)" }
      alone += o.dropped.map { "\($0.suggestion.name): -" }
    }
    let expected = keptAlone.sorted() + alone.sorted()
    #expect(keptAlone.contains("a5: number") && keptAlone.contains("p: number") && keptAlone.contains("q: number"))
    let runs0 = checker.checksRun
    let halving = try checker.check(planted, path: path, bytes: bytes, minConfidence: 0.5)
    let runs1 = checker.checksRun
    let scoped = try checker.check(
      planted, path: path, bytes: bytes, minConfidence: 0.5, scopes: TypeCheckScopes(tree: try parse(source)))
    let runs2 = checker.checksRun
    #expect(verdicts(halving) == expected)
    #expect(verdicts(scoped) == expected)
    // Fewer compiler runs than halving blindly.
    #expect(runs2 - runs1 < runs1 - runs0)
  }

  /// The probe (which sites the compiler can judge) gives the same partition with scopes as without.
  @Test(.enabled(if: typeCompilerInstalled, "node-typescript is not installed: apt-get install -y node-typescript"))
  func probesWithScopesJudgeTheSameSites() throws {
    var source = ""
    for k in 0..<8 { source += "export function f\(k)(a\(k)) { return a\(k) * \(k + 1) }\n" }
    for k in 0..<4 { source += "export function free\(k)(c\(k)) { return c\(k) }\n" }
    source += "export function arith(m) { return 2 - m }\n"
    var planted: [TypeEvidence.Suggestion] = []
    for k in 0..<8 { planted.append(suggestion("a\(k)", at: try offset(source, after: "f\(k)(a\(k)"), ["number"])) }
    for k in 0..<4 { planted.append(suggestion("c\(k)", at: try offset(source, after: "free\(k)(c\(k)"), ["number"])) }
    planted.append(suggestion("m", at: try offset(source, after: "arith(m"), ["number"]))
    let checker = try TypeChecker(script: typeCheckScript)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-attribution/b.ts").path
    let bytes = Array(source.utf8)
    let plain = try checker.check(planted, path: path, bytes: bytes, minConfidence: 0.5, probe: true)
    let scoped = try checker.check(
      planted, path: path, bytes: bytes, minConfidence: 0.5, probe: true,
      scopes: TypeCheckScopes(tree: try parse(source)))
    #expect(plain.unverifiable.map(\.name).sorted() == ["c0", "c1", "c2", "c3"])
    #expect(scoped.unverifiable.map(\.name) == plain.unverifiable.map(\.name))
    #expect(scoped.kept.map(\.name) == plain.kept.map(\.name))
  }
}
