import Foundation
import Syntax
import Testing

@testable import Augment

private func canon(_ source: String, _ language: Language = .javascript) throws -> String {
  canonicalForm(of: try Parser(language: language).parse(source))
}

private func hash(_ source: String, _ language: Language = .javascript) throws -> UInt64 {
  canonicalHash(of: try Parser(language: language).parse(source))
}

@Suite struct CanonicalizeTests {
  @Test func exactForm() throws {
    #expect(
      try canon("function add(a, b) { // sum\n  return a + b\n}") == "function @0 ( @1 , @2 ) { return @1 + @2 ; }")
    #expect(try canon("let o = {x, y: 'q'}; o.x;") == #"let @0 = { x : x , y : "q" } ; @0 . x ;"#)
  }

  @Test func renamingReformattingAndCommentsKeepTheHash() throws {
    let base = try hash("function f(a, b) { const s = a + b; return {s, t: \"x\"}; }")
    #expect(try hash("function g(x,y){const q=x+y\nreturn {s: q, t: 'x'}}") == base)
    #expect(
      try hash("/* c */ function f(a, b) {\n  // note\n  const s = a + b;\n  return { s, t: \"\\x78\" };\n}") == base)
    // The renaming transforms themselves.
    let src = "function f(a, b) { const s = a + b; let {k = 1} = s; return [s, k]; }"
    let renamed = try RenamingHarness.apply(RenameLocals(), to: src, seed: 3)
    let mangled = try RenamingHarness.apply(Mangle(), to: src)
    #expect(try hash(renamed) == hash(src))
    #expect(try hash(mangled) == hash(src))
  }

  @Test func behaviourChangesChangeTheHash() throws {
    let base = "function f(a, b) { return g(a.p + b, 1, 'x'); }"
    let variants = [
      "function f(a, b) { return g(a.p - b, 1, 'x'); }",  // operator
      "function f(a, b) { return g(a.p + b, 2, 'x'); }",  // literal
      "function f(a, b) { return g(a.q + b, 1, 'x'); }",  // property
      "function f(a, b) { return h(a.p + b, 1, 'x'); }",  // free callee
      "function f(a, b) { return g(a.p + b, 1, 'y'); }",  // string
      "function f(a, b) { return g(b.p + a, 1, 'x'); }",  // swapped parameters
    ]
    let h0 = try hash(base)
    var seen: Set<UInt64> = [h0]
    for v in variants { seen.insert(try hash(v)) }
    #expect(seen.count == variants.count + 1)
  }

  @Test func boundNamesNeverMeetFreeNames() throws {
    #expect(try hash("function f(a) { return v0; }") != hash("function f(a) { return a; }"))
    #expect(try hash("function f(a) { return @0; }", .javascript) != 0)  // parses with errors, still hashes
  }

  @Test func importsAndExportsKeepTheirNames() throws {
    #expect(try hash("import {a} from 'm'; a();") != hash("import {b} from 'm'; b();"))
    #expect(try hash("export function f() {}") != hash("export function g() {}"))
  }

  @Test func stringValues() {
    #expect(canonicalString(ArraySlice(Array(#"'a"b'"#.utf8))) == Array(#""a\u0022b""#.utf8))
    #expect(canonicalString(ArraySlice(Array(#""a\"b""#.utf8))) == Array(#""a\u0022b""#.utf8))
    #expect(canonicalString(ArraySlice(Array(#""\u{1F600}\n""#.utf8))) == Array(#""\ud83d\ude00\u000a""#.utf8))
    #expect(canonicalString(ArraySlice(Array(#""\101""#.utf8))) == Array(#""\101""#.utf8))
  }

  @Test func hashesAreStableAcrossRuns() throws {
    // FNV-1a 64 of known inputs (fixed constants, independent of the process).
    #expect(Canonicalizer.fnv1a64([UInt8]()) == 0xcbf2_9ce4_8422_2325)
    #expect(exactHash(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
    #expect(Canonicalizer.hex(0xab) == "00000000000000ab")
    #expect(try hash("function f(a) { return a; }") == hash("function f(a) { return a; }"))
  }

  @Test func functionUnitsWithinAFile() throws {
    let src =
      "const limit = 3; function a(x) { return x + limit; } function b(y) { return y + limit; } function c(z) { return z + other; }"
    let tree = try Parser(language: .javascript).parse(src)
    let analysis = ScopeAnalysis(tree: tree)
    let functions = tree.root.namedChildren.filter { $0.type == "function_declaration" }
    let hashes = functions.map { canonicalHash(of: $0, in: analysis) }
    #expect(hashes.count == 3)
    #expect(hashes[0] == hashes[1])  // same body up to local names; `limit` is outside and kept
    #expect(hashes[0] != hashes[2])
    #expect(Canonicalizer.form(of: functions[0], in: analysis) == "function @0 ( @1 ) { return @1 + limit ; }")
  }

  @Test func typeScriptAndTSX() throws {
    #expect(
      try hash("function f(a: number): number { return a; }", .typescript)
        == hash("function g(b: number): number { return b; }", .typescript))
    #expect(
      try hash("function f(a: number) { return a; }", .typescript)
        != hash("function f(a: string) { return a; }", .typescript))
    #expect(
      try hash("const C = () => <div id='x' />; <C/>", .tsx) == hash("const D = () => <div id='x' />; <D/>", .tsx))
  }
}
