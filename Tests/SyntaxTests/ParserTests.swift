import Testing

@testable import Syntax

@Suite struct ParserTests {
  @Test func languageFromExtension() {
    #expect(Language(path: "a/b.js") == .javascript)
    #expect(Language(path: "x.mjs") == .javascript && Language(path: "x.cjs") == .javascript)
    #expect(Language(path: "x.JSX") == .javascript)
    #expect(Language(path: "x.ts") == .typescript && Language(path: "x.mts") == .typescript)
    #expect(Language(path: "x.cts") == .typescript && Language(path: "types.d.ts") == .typescript)
    #expect(Language(path: "App.tsx") == .tsx)
    #expect(Language(path: "README.md") == nil && Language(path: "Makefile") == nil)
    #expect(Language(path: "dir.js/file") == nil)
  }

  @Test func parsesEachLanguage() throws {
    let js = try Parser(language: .javascript).parse("const f = (a, b) => a + b;\nclass C { #p = 1; get x() { return this.#p } }")
    #expect(!js.hasError && js.root.type == "program")
    let ts = try Parser(language: .typescript).parse("function f<T>(x: T[]): Map<string, T> { return new Map() }")
    #expect(!ts.hasError)
    let tsx = try Parser(language: .tsx).parse("const A = (p: P) => <div className=\"a\">{p.x}</div>;")
    #expect(!tsx.hasError)
    // TSX syntax is an error in plain TypeScript: the languages really are different grammars.
    let notTS = try Parser(language: .typescript).parse("const A = (p: P) => <div className=\"a\">{p.x}</div>;")
    #expect(notTS.hasError)
  }

  @Test func reportsErrors() throws {
    let tree = try Parser(language: .javascript).parse("function (a, { return }}")
    #expect(tree.hasError && tree.errorCount > 0)
  }

  @Test func nodeNavigationAndText() throws {
    let tree = try Parser(language: .javascript).parse("let answer = 6 * 7;")
    let declarator = try #require(tree.root.namedChild(0)?.namedChild(0))
    #expect(declarator.type == "variable_declarator")
    #expect(declarator.child(field: "name")?.text == "answer")
    #expect(declarator.child(field: "value")?.text == "6 * 7")
    #expect(declarator.child(field: "value")?.fieldName == "value")
    #expect(declarator.parent?.type == "lexical_declaration")
    var seen: [String] = []
    tree.root.walk { node in
      if node.isNamed { seen.append(node.type) }
      return true
    }
    #expect(seen == ["program", "lexical_declaration", "variable_declarator", "identifier", "binary_expression", "number", "number"])
    #expect(tree.root.namedDescendant(for: 13..<14)?.text == "6")
  }

  @Test func queries() throws {
    let tree = try Parser(language: .javascript).parse("foo(1); bar.baz(2); foo(3)")
    let query = try Query("(call_expression function: (identifier) @callee) @call", language: .javascript)
    let matches = QueryCursor().matches(query, in: tree.root)
    #expect(matches.map { $0.capture("callee")?.text } == ["foo", "foo"])
    #expect(throws: SyntaxError.self) { try Query("(call_expression", language: .javascript) }
  }

  @Test func incrementalReparseMatchesFreshParse() throws {
    let parser = Parser(language: .typescript)
    let source = "function f(a: number) {\n  return a + 1\n}\nconst g = () => f(2)\n"
    let tree = try parser.parse(source)
    let edits = [
      ByteEdit(start: source.utf8.count - 3, deletedLength: 1, inserted: "3"),  // f(2) -> f(3)
      ByteEdit(start: 11, deletedLength: 1, inserted: "count"),  // a -> count
    ]
    let edited = try parser.reparse(tree, applying: edits)
    let expected = "function f(count: number) {\n  return a + 1\n}\nconst g = () => f(3)\n"
    #expect(edited.text == expected)
    #expect(edited.root.sExpression == (try parser.parse(expected)).root.sExpression)
    #expect(throws: SyntaxError.self) { try parser.reparse(tree, applying: [ByteEdit(start: 999, deletedLength: 1, inserted: "")]) }
  }

  @Test func onePassEdits() throws {
    let text = Array("abcdef".utf8)
    let out = try [
      ByteEdit(start: 4, deletedLength: 2, inserted: "XY"), ByteEdit(start: 0, deletedLength: 1, inserted: "__"),
      ByteEdit(start: 2, deletedLength: 0, inserted: "+"),
    ].apply(to: text)
    #expect(String(decoding: out, as: UTF8.self) == "__b+cdXY")
    #expect(throws: SyntaxError.self) {
      try [ByteEdit(start: 0, deletedLength: 3, inserted: ""), ByteEdit(start: 1, deletedLength: 1, inserted: "")].apply(to: text)
    }
  }
}

@Suite struct LineIndexTests {
  @Test func utf16Columns() {
    // "é" is 2 bytes / 1 UTF-16 unit; "😀" is 4 bytes / 2 UTF-16 units.
    let text = "aé😀b\nxy\n"
    let index = LineIndex(text)
    #expect(index.lineCount == 3)
    #expect(index.utf16Position(ofByte: 0) == (0, 0))
    #expect(index.utf16Position(ofByte: 3) == (0, 2))  // after é
    #expect(index.utf16Position(ofByte: 7) == (0, 4))  // after 😀
    #expect(index.utf16Position(ofByte: 5) == (0, 2))  // inside 😀 → its start
    #expect(index.utf16Position(ofByte: 9) == (1, 0))
    #expect(index.byteOffset(line: 0, utf16Column: 4) == 7)
    #expect(index.byteOffset(line: 0, utf16Column: 5) == 8)
    #expect(index.byteOffset(line: 0, utf16Column: 99) == 8)  // clamps to end of line
    #expect(index.byteOffset(line: 1, utf16Column: 1) == 10)
    #expect(index.byteOffset(line: 7, utf16Column: 0) == Array(text.utf8).count)
    #expect(index.bytePosition(ofByte: 10) == (1, 1))
  }

  @Test func roundTripsEveryCharacterBoundary() {
    let text = "const s = \"日本語\";\r\n// 🎉 done\n\tx"
    let index = LineIndex(text)
    var offset = 0
    for scalar in text.unicodeScalars {
      let pos = index.utf16Position(ofByte: offset)
      #expect(index.byteOffset(line: pos.line, utf16Column: pos.character) == offset)
      offset += String(scalar).utf8.count
    }
  }
}
