import Foundation
import Syntax
import Testing

@testable import Augment

@Suite struct MangleTests {
  @Test func shortNamesInOrder() {
    #expect((0..<3).map { Mangle.shortName($0) } == ["a", "b", "c"])
    #expect(Mangle.shortName(25) == "z")
    #expect(Mangle.shortName(26) == "aa")
    #expect(Mangle.shortName(27) == "ab")
    #expect(Mangle.shortName(26 * 27) == "aaa")
    #expect(Mangle.shortName(1, capital: true) == "B")
  }

  @Test func manglesParametersAndLocals() throws {
    let src = "function area(width, height) { const product = width * height; return product; }"
    #expect(try RenamingHarness.apply(Mangle(), to: src) == "function area(a, b) { const c = a * b; return c; }")
  }

  @Test func reusesNamesAcrossSeparateScopesAndAvoidsCapture() throws {
    let src = "function f(x) { return a + x; } function g(y) { return y; }"
    // `x` cannot become `a`: the free `a` is read inside its scope.
    #expect(
      try RenamingHarness.apply(Mangle(), to: src) == "function f(b) { return a + b; } function g(a) { return a; }")
    let nested = "function f(first) { return function (second) { return first + second; }; }"
    #expect(
      try RenamingHarness.apply(Mangle(), to: nested) == "function f(a) { return function (b) { return a + b; }; }")
  }

  @Test func bodyNamesNeverMergeWithParametersOrCatchParameters() throws {
    // `var b` in the body would be the (unused) parameter `b`; `let a` in a catch body would be an error.
    let body = "function f(first, unused) { var node = this; return node; }"
    #expect(try RenamingHarness.apply(Mangle(), to: body) == "function f(a, b) { var c = this; return c; }")
    let catchBody = "function f() { try {} catch (err) { let x = 1; return x; } }"
    #expect(
      try RenamingHarness.apply(Mangle(), to: catchBody) == "function f() { try {} catch (a) { let b = 1; return b; } }"
    )
  }

  @Test func skipsReservedWords() throws {
    // 26 * 4 + 14 = "do" would come up for the 119th name; check the generator never yields a reserved word
    // through the planner by mangling many locals.
    let names = (0..<140).map { "v\($0)" }
    let src =
      "function f() { let " + names.map { "\($0) = 0" }.joined(separator: ", ") + "; return "
      + names.joined(separator: " + ") + "; }"
    let out = try RenamingHarness.apply(Mangle(), to: src)
    let tree = try Parser(language: .javascript).parse(out)
    let a = ScopeAnalysis(tree: tree)
    let declared = a.bindings.filter { $0.kind == .let }.map(\.name)
    #expect(declared.count == 140)
    #expect(declared.allSatisfy { !IdentifierWords.reserved.contains($0) })
    #expect(!declared.contains("do") && !declared.contains("if") && !declared.contains("in"))
    #expect(Set(declared).count == declared.count)
  }

  @Test func shorthandExpandedAndTopLevelKept() throws {
    let src = "const top = 1; function f({key, other = 2}) { return {key, top}; }"
    #expect(
      try RenamingHarness.apply(Mangle(), to: src)
        == "const top = 1; function f({key: a, other: b = 2}) { return {key: a, top}; }")
  }

  @Test func harnessDetectsAChangedTranscript() throws {
    guard RenamingHarness.nodeAvailable else {
      print("skipped: node is not installed at \(RenamingHarness.nodePath)")
      return
    }
    let out = try RenamingHarness.runAll(["console.log(1)", "console.log(2)", "undefinedName()"])
    #expect(out == ["1", "2", "uncaught ReferenceError"])
  }

  @Test func executionTranscriptsAreUnchanged() throws {
    guard RenamingHarness.nodeAvailable else {
      print("skipped: node is not installed at \(RenamingHarness.nodePath); the execution check needs it")
      return
    }
    try RenamingHarness.checkTranscripts(seeds: [1]) { source, seed in
      try RenamingHarness.apply(Mangle(), to: source, seed: seed)
    }
    try RenamingHarness.checkTranscripts(seeds: [1, 2]) { source, seed in
      try RenamingHarness.apply(Mangle(probability: 0.5), to: source, seed: seed)
    }
  }
}
