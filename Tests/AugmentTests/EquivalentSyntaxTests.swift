import Augment
import Syntax
import Testing

@Suite struct EquivalentSyntaxTests {
  private func rewrite(_ s: String, _ language: Language = .javascript) throws -> String {
    try applying(EquivalentSyntax(rate: 1), to: s, language: language)
  }

  @Test(arguments: [
    ("x = true;", "x = !0;"),
    ("x = false;", "x = !1;"),
    ("x = !0;", "x = true;"),
    ("x = true ** 2;", "x = (!0) ** 2;"),
    ("x = undefined;", "x = void 0;"),
    ("x = void 0;", "x = undefined;"),
    ("function f(undefined) { return undefined; }", "function f(undefined) { return undefined; }"),
    ("x = a.b;", "x = a[\"b\"];"),
    ("x = a[\"b\"];", "x = a.b;"),
    ("x = a['not valid'];", "x = a['not valid'];"),
    ("x = a?.b;", "x = a?.[\"b\"];"),
    // A comment between object and property may hold a `.` or `[` of its own (found in jQuery, source-map).
    ("x = a\n  // see x.y\n  .b;", "x = a\n  // see x.y\n  [\"b\"];"),
    ("x = a /* y?.z */ .b;", "x = a /* y?.z */ [\"b\"];"),
    ("x = a\n  // [z]\n  [\"b\"];", "x = a\n  // [z]\n  .b;"),
    ("x = a.#p;", "x = a.#p;"),
    ("if (c) s();", "c && s();"),
    ("if (a || b) s();", "(a || b) && s();"),
    ("c && s();", "if (c) s();"),
    ("c || s();", "if (!c) s();"),
    ("function f(c) { if (c) return 1; else return 2; }", "function f(c) { return c ? 1 : 2; }"),
    ("function f(c) { if (c) { return 1; } return 2; }", "function f(c) { return c ? 1 : 2; }"),
    ("function f(c) { return c ? 1 : 2; }", "function f(c) { if (c) return 1; else return 2; }"),
    ("function f(x) { x = x + 1; }", "function f(x) { x += 1; }"),
    ("function f(x) { x += a + b; }", "function f(x) { x = x + (a + b); }"),
    ("x = x + 1;", "x = x + 1;"),
    ("function f() { const c = 1; c = c + 1; }", "function f() { const c = 1; c = c + 1; }"),
    ("function f(x) { with (o) { x = x + 1; } }", "function f(x) { with (o) { x = x + 1; } }"),
  ])
  func rewrites(input: String, expected: String) throws {
    #expect(try rewrite(input) == expected)
  }

  @Test func keepsHazardousStatementStarts() throws {
    // `(a, b) && s()` after an ASI-terminated line would call the line before.
    #expect(try rewrite("x = y\nif ((a, b)) s()") == "x = y\nif ((a, b)) s()")
  }

  @Test func typeAnnotationsSurvive() throws {
    #expect(try rewrite("let a: true = true;", .typescript) == "let a: true = !0;")
  }
}
