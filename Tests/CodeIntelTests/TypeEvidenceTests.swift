import Syntax
import Testing

@testable import CodeIntel
@testable import Heads

/// Input → expected suggestion pairs for the deterministic type evidence.
struct TypeEvidenceTests {
  /// "kind name: type" for each suggestion, in source order.
  private func summary(_ source: String, _ language: Language = .typescript) throws -> [String] {
    let tree = try Parser(language: language).parse(source)
    return TypeEvidence.suggestions(in: tree).map { "\($0.kind.rawValue) \($0.name): \($0.best.type)" }
  }

  @Test func literalInitialisers() throws {
    let source = """
      const n = 3
      let s = 'a', t = `x${n}`
      var b = true, neg = -1.5, no = !b
      const r = /ab+/g
      const z = null
      """
    #expect(
      try summary(source) == [
        "variable n: number", "variable s: string", "variable t: string", "variable b: boolean",
        "variable neg: number", "variable no: boolean", "variable r: RegExp",
      ])
  }

  @Test func annotatedBindingsAreLeftAlone() throws {
    #expect(try summary("const n: number = 3\nfunction f(x: number = 1): void {}") == [])
  }

  @Test func constructorsArraysAndAssertions() throws {
    let source = """
      class Box<T> {}
      const d = new Date()
      const m = new Map<string, number>()
      const bare = new Map()
      const box = new Box()
      const xs = [1, 2, 3]
      const mixed = [1, 'a']
      const ds = [new Date(), new Date()]
      const o = { a: 1 }
      const e = []
      const v = input as HTMLElement
      const pairs = [['a', 1], ['c', 2]]
      """
    #expect(
      try summary(source) == [
        "variable d: Date", "variable m: Map<string, number>", "variable xs: number[]", "variable ds: Date[]",
        "variable v: HTMLElement", "variable pairs: [string, number][]",
      ])
  }

  @Test func rowsOfOneShapeAreAListOfTuplesAndNothingElseIs() throws {
    let source = """
      const cases = [['', ''], ['test', 'Test'], ['a b', 'aB']]
      const grid = [[1, true, 'x'], [2, false, 'y']]
      const ragged = [['a', 'b'], ['c', 'd', { transform }]]
      const mixed = [['a', 1], [2, 'b']]
      const one = [['a', 'b']]
      const singles = [['a'], ['b']]
      const unknown = [[a, b], [c, d]]
      const nested = [[[1, 2]], [[3, 4]]]
      """
    #expect(
      try summary(source) == ["variable cases: [string, string][]", "variable grid: [number, boolean, string][]"])
  }

  @Test func defaultParameters() throws {
    let source = "function f(a, b = 0, c = 'x', d?: number) { return }\nconst g = (flag = false) => { g2() }"
    let tree = try Parser(language: .typescript).parse(source)
    let s = TypeEvidence.suggestions(in: tree)
    let params = s.filter { $0.kind == .parameter }
    #expect(params.map { "\($0.name): \($0.best.type)" } == ["b: number", "c: string", "flag: boolean"])
    // The anchor sits right after the parameter's name.
    let b = try #require(params.first)
    #expect(Array(source.utf8)[b.anchor - 1] == UInt8(ascii: "b"))
    #expect(s.filter { $0.kind == .returnType }.map { "\($0.name): \($0.best.type)" } == ["f: void", "g: void"])
  }

  @Test func returnTypes() throws {
    let source = """
      function one() { if (x) { return 1 } return 2 }
      function mixed() { if (x) return 1; return 'a' }
      function maybe() { if (x) return 'a'; return null }
      function call() { return compute() }
      function nested() { const h = () => 'inner'; return 4 }
      async function later() { return true }
      async function nothing() { await tick() }
      const arrow = () => 'text'
      const viaCall = () => make()
      function positive(x) { return x > 0 }
      const sum = (a, b) => a + b
      class C { constructor() {} get size() { return 0 } set size(v) {} m() { return [1] } }
      """
    #expect(
      try summary(source).filter { $0.hasPrefix("returnType") } == [
        "returnType one: number", "returnType maybe: string | null", "returnType nested: number",
        "returnType h: string", "returnType later: Promise<boolean>", "returnType nothing: Promise<void>",
        "returnType arrow: string", "returnType positive: boolean", "returnType size: number", "returnType m: number[]",
      ])
  }

  @Test func returnAnchorIsAfterTheParameterList() throws {
    let source = "function f(a = 1) { return 'x' }"
    let tree = try Parser(language: .typescript).parse(source)
    let r = try #require(TypeEvidence.suggestions(in: tree).first { $0.kind == .returnType })
    var bytes = Array(source.utf8)
    bytes.insert(contentsOf: Array(r.annotation.utf8), at: r.anchor)
    #expect(String(decoding: bytes, as: UTF8.self) == "function f(a = 1): string { return 'x' }")
    let annotated = try Parser(language: .typescript).parse(bytes: bytes)
    #expect(!annotated.hasError)
  }

  @Test func aByteRangeLimitsTheWork() throws {
    let source = "const a = 1\nconst b = 'x'\nfunction f(c = true) { return 2 }\nconst d = [1]\n"
    let tree = try Parser(language: .typescript).parse(source)
    let all = TypeEvidence.suggestions(in: tree)
    let line3 = source.utf8.count - 8  // on `d`
    #expect(TypeEvidence.suggestions(in: tree, bytes: line3...line3).map(\.name) == ["d"])
    let secondLine = 12...24
    #expect(TypeEvidence.suggestions(in: tree, bytes: secondLine).map(\.name) == ["b"])
    // Every suggestion whose anchor is in a range is found with that range.
    for s in all { #expect(TypeEvidence.suggestions(in: tree, bytes: s.anchor...s.anchor).contains(s)) }
  }

  @Test func javascriptGetsSuggestionsToo() throws {
    #expect(
      try summary("function f(x = 1) { return 'a' }", .javascript) == ["parameter x: number", "returnType f: string"])
  }

  @Test func brokenSourceDoesNotCrash() throws {
    let source = "function ( { const = = 3; return ) } class { x = [1,"
    _ = try summary(source)
    _ = try summary(String(repeating: "(((", count: 2000))
  }

  @Test func sameInputSameOutput() throws {
    let source = "const a = 1\nfunction f(b = 'x') { return [true] }"
    #expect(try summary(source) == summary(source))
  }
}
