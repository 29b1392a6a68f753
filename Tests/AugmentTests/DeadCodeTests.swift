import Augment
import Syntax
import Testing

@Suite struct DeadCodeEliminationTests {
  @Test(arguments: [
    ("function f() { return 1; g(); h(); }", "function f() { return 1; }"),
    ("function f() { return g(); function g() { return 1; } var v = 2; }",
     "function f() { return g(); var v; function g() { return 1; } }"),
    ("function f() { return 1; let z = 2; }", "function f() { return 1;  }"),
    ("function f() { g = () => z; return 1; let z = 2; }", "function f() { g = () => z; return 1; let z = 2; }"),
    ("if (false) { a(); } else { b(); }", "{ b(); }"),
    ("if (0) a();\nc();", "\nc();"),
    ("if (true) a(); else b();", "a();"),
    ("if (false) { var v = 1; }", "if (false) { var v = 1; }"),
    ("function f() { let unused = [1, 'a']; const used = 2; return used; }",
     "function f() {  const used = 2; return used; }"),
    ("function f() { let sideEffect = g(); return 1; }", "function f() { let sideEffect = g(); return 1; }"),
    ("let top = 1;", "let top = 1;"),
    ("function f() { eval(''); let hidden = 1; }", "function f() { eval(''); let hidden = 1; }"),
    ("for (;;) { break; x(); }", "for (;;) { break; }"),
    // Unary minus converts an object with its valueOf/toString (issue 20): kept. `!` and `void` do not.
    ("function f() { const u = -{ valueOf() { hits++; return 1; } }; return 1; }",
     "function f() { const u = -{ valueOf() { hits++; return 1; } }; return 1; }"),
    ("function f() { const u = -{ valueOf: () => hits++ }; return 1; }",
     "function f() { const u = -{ valueOf: () => hits++ }; return 1; }"),
    ("function f() { const u = -[{ toString() { hits++; return '1'; } }]; return 1; }",
     "function f() { const u = -[{ toString() { hits++; return '1'; } }]; return 1; }"),
    ("function f() { const u = -(-{ valueOf() { hits++; return 1; } }); return 1; }",
     "function f() { const u = -(-{ valueOf() { hits++; return 1; } }); return 1; }"),
    ("function f() { const u = -'3'; return 1; }", "function f() {  return 1; }"),
    ("function f() { const u = !{ valueOf() { hits++; } }; return 1; }", "function f() {  return 1; }"),
  ])
  func eliminates(input: String, expected: String) throws {
    #expect(try applying(DeadCodeElimination(), to: input) == expected)
  }

  /// The conversions that run user code, executed: the count of calls must survive elimination.
  @Test(.enabled(if: ProgramSuite.nodeAvailable, "needs node at /usr/bin/node"))
  func coercionSideEffectsSurviveUnderNode() throws {
    let program = try #require(try ProgramSuite.load().first { $0.name == "dce-coercion-side-effects" })
    let output = try applying(DeadCodeElimination(), to: program.source)
    let report = try ProgramSuite.run([
      ProgramSuite.Job(name: program.name, texts: [program.source, output], labels: ["original", "dce"])
    ])
    #expect(report.broken.isEmpty)
    #expect(report.mismatches.isEmpty, "\(report.mismatches.map(\.got))")
  }
}

@Suite struct DeadCodeInsertionTests {
  @Test func insertsOnlyInertCode() throws {
    let src = "function f(a) {\n  'use strict';\n  let b = a + 1;\n  return b;\n}\n"
    var outputs = Set<String>()
    for seed in 0..<40 {
      let out = try applying(DeadCodeInsertion(), to: src, seed: UInt64(seed))
      outputs.insert(out)
      #expect(out.hasPrefix("function f(a) {\n  'use strict';\n"), "directive stays first:\n\(out)")
      #expect(out.count > src.count)
      #expect(!out.contains("var "), "no hoisting declarations:\n\(out)")
    }
    #expect(outputs.count > 10)
  }

  @Test func freshNamesCaptureNothing() throws {
    let src = "function f(\(DeadCodeInsertion.words.joined(separator: ", "))) { g(); }"
    for seed in 0..<20 {
      let out = try applying(DeadCodeInsertion(), to: src, seed: UInt64(seed))
      for w in DeadCodeInsertion.words { #expect(!out.contains("let \(w) "), "redeclared \(w):\n\(out)") }
    }
  }

  /// A block whose last statement is followed by a comment on the same line: tree-sitter's node for such a
  /// block can end after the comment, so the end-of-block insertion point must come from the `}` token.
  @Test func neverInsertsIntoATrailingComment() throws {
    let sources = [
      ("() => {\n    /*[#|*/function G() { }/*|]*/\n}", "/*|]*/"),
      ("class A {\n  static p2 = new function () { new.target } // should not replace\n  static p3 = 1\n}",
       "// should not replace\n"),
    ]
    for (src, comment) in sources {
      for seed in 0..<40 {
        let out = try applying(DeadCodeInsertion(), to: src, seed: UInt64(seed))
        #expect(out.contains(comment), "split a comment:\n\(out)")
        #expect(try !Parser(language: .javascript).parse(out).hasError, "\(out)")
      }
    }
  }

  @Test func staysInsideAUnit() throws {
    for v in try augment(source: "function g(x) { return x; }", language: .javascript, seed: 3,
      transforms: ["deadcode"], count: 10)
    {
      #expect(v.text.hasPrefix("function g(x) {") && v.text.hasSuffix("}"), "\(v.text)")
    }
  }
}

@Suite struct RemoveCommentsTests {
  @Test(arguments: [
    ("a(); // c\nb();", "a(); \nb();"),
    ("// own line\na();", "a();"),
    ("a(/* x */1);", "a(1);"),
    ("return/* a\nb */x", "return\nx"),
    ("a/**/b", "a b"),
    ("#!/usr/bin/env node\n// c\nx();", "#!/usr/bin/env node\nx();"),
  ])
  func removes(input: String, expected: String) throws {
    #expect(try applying(RemoveComments(), to: input) == expected)
  }
}

@Suite struct LineSubsamplingTests {
  @Test func keepsFirstAndLastAndIsFlagged() throws {
    let src = (0..<50).map { "s\($0)();" }.joined(separator: "\n")
    let out = try applying(LineSubsampling(), to: src, seed: 9)
    #expect(out.hasPrefix("s0();"))
    #expect(out.hasSuffix("s49();"))
    let kept = out.components(separatedBy: "();").count - 1
    #expect(kept < 50 && kept > 35)
    #expect(LineSubsampling().preservesSemantics == false)
    let v = try augment(source: src, language: .javascript, seed: 1, transforms: ["subsample"], count: 1)
    #expect(v[0].preservesSemantics == false)
  }
}
