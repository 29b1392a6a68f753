import Syntax
import Testing

@testable import CodeIntel
@testable import Heads

/// Every site (`all`), so these tests see the evidence that restates inferable types too.
private func suggestions(_ source: String, path: String = "x.ts") throws -> TypeSuggestions {
  let language = try #require(Language(path: path))
  return try TypeSuggestions(file: SourceFile(path: path, language: language, bytes: Array(source.utf8)), all: true)
}

@Suite struct TypeSuggestionsTests {
  @Test func writesAnnotationsThatParse() throws {
    let source = """
      const count = 3;
      let label = "x";
      function scale(factor = 2) {
        return 1;
      }
      const seen = new Set();

      """
    let annotated = try suggestions(source).annotate(minConfidence: 0.5)
    let text = String(decoding: annotated.bytes, as: UTF8.self)
    #expect(text.contains("const count: number = 3;"))
    #expect(text.contains("let label: string = \"x\";"))
    #expect(text.contains("factor: number = 2"))
    #expect(text.contains("scale(factor: number = 2): number {"))
    #expect(!(try Parser(language: .typescript).parse(text)).hasError)
    #expect(annotated.refused.isEmpty)
  }

  @Test func isIdempotent() throws {
    let source = "const n = 1;\nfunction f(a = \"s\") { return true }\nconst xs = [1, 2];\n"
    let once = try suggestions(source).annotate(minConfidence: 0.5)
    let twice = try suggestions(String(decoding: once.bytes, as: UTF8.self)).annotate(minConfidence: 0.5)
    #expect(!once.applied.isEmpty)
    #expect(twice.applied.isEmpty)
    #expect(twice.bytes == once.bytes)
  }

  @Test func confidenceBarFilters() throws {
    let s = try suggestions("const a = 1;\nconst b = cond ? null : 2;\n")
    let all = s.accepted(minConfidence: 0)
    let strict = s.accepted(minConfidence: 0.99)
    #expect(all.count >= 1)
    #expect(strict.count < all.count || all.allSatisfy { $0.best.confidence >= 0.99 })
    let none = try s.annotate(minConfidence: 1.01)
    #expect(none.applied.isEmpty && none.bytes == Array("const a = 1;\nconst b = cond ? null : 2;\n".utf8))
  }

  @Test func neverBreaksAFileWithErrors() throws {
    // The file already has a syntax error; annotating must not add another.
    let source = "const n = 5;\nfunction broken( {\nlet s = 'a';\n"
    let s = try suggestions(source)
    let annotated = try s.annotate(minConfidence: 0.5)
    let before = try Parser(language: .typescript).parse(source).errorCount
    let after = try Parser(language: .typescript).parse(bytes: annotated.bytes).errorCount
    #expect(after <= before)
  }

  @Test func jsdocForJavaScript() throws {
    let source = "function pad(width = 4, fill = ' ') {\n  return 'x';\n}\n"
    let annotated = try suggestions(source, path: "x.js").annotate(minConfidence: 0.5, jsdoc: true)
    let text = String(decoding: annotated.bytes, as: UTF8.self)
    #expect(text.hasPrefix("/**\n * @param {number} width\n * @param {string} fill\n * @returns {string}\n */\nfunction pad("))
    // A second pass sees the JSDoc block and adds nothing.
    let again = try suggestions(text, path: "x.js").annotate(minConfidence: 0.5, jsdoc: true)
    #expect(again.bytes == annotated.bytes)
  }

  @Test func diffShowsChangedLines() {
    let diff = unifiedDiff(path: "a.ts", old: Array("a\nb\nc\n".utf8), new: Array("a\nB\nc\n".utf8))
    #expect(diff.contains("-b\n+B\n"))
    #expect(diff.hasPrefix("--- a.ts\n+++ a.ts (annotated)\n@@ -1,"))
    #expect(unifiedDiff(path: "a.ts", old: Array("same\n".utf8), new: Array("same\n".utf8)) == "--- a.ts\n+++ a.ts (annotated)\n")
  }
}
