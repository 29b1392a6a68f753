import Testing

@testable import Syntax

@Suite struct ParserTests {
  /// A tree computes a memoized analysis once per key; an edit's new tree computes its own.
  @Test func memoizedAnalysesAreComputedOncePerTree() throws {
    let parser = Parser(language: .typescript)
    let tree = try parser.parse("let a = 1;\n")
    var runs = 0
    func count(_ t: Tree) -> Int {
      t.memoized("test.count") {
        runs += 1
        var n = 0
        t.root.walk { _ in
          n += 1
          return true
        }
        return n
      }
    }
    let first = count(tree)
    #expect(count(tree) == first && runs == 1)
    #expect(tree.memoized("test.other") { "other" } == "other")
    let edited = try parser.reparse(tree, applying: [ByteEdit(start: 10, deletedLength: 0, inserted: "let b = 2;")])
    #expect(count(edited) > first && runs == 2)
    #expect(count(tree) == first && runs == 2)
  }

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

  /// Long lines (a minified file) go through checkpoints; the answers must be those of counting from the
  /// line's start, for every offset and column, with multi-byte and invalid bytes mixed in.
  @Test func longLinesAnswerAsCountingFromTheLineStart() {
    var state: UInt64 = 99
    func next() -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return state >> 33
    }
    let pieces: [[UInt8]] = [
      Array("a".utf8), Array("é".utf8), Array("日".utf8), Array("😀".utf8), [0xFF], [0xE0], [0x80], Array("\n".utf8),
    ]
    var bytes: [UInt8] = []
    for _ in 0..<6000 {
      let r = Int(next() % 1000)
      bytes += pieces[r < 600 ? 0 : r < 700 ? 1 : r < 780 ? 2 : r < 850 ? 3 : r < 880 ? 4 : r < 910 ? 5 : r < 940 ? 6 : r < 998 ? 0 : 7]
    }
    let index = LineIndex(bytes)
    var lineOf: [Int] = []
    var startOf: [Int] = []
    var (line, start) = (0, 0)
    for i in 0...bytes.count {
      lineOf.append(line)
      startOf.append(start)
      if i < bytes.count && bytes[i] == 0x0A { (line, start) = (line + 1, i + 1) }
    }
    func naivePosition(_ offset: Int) -> (Int, Int) {
      let start = startOf[offset]
      var col = 0
      var i = start
      while i < offset {
        let b = bytes[i]
        let len = b < 0x80 ? 1 : b >= 0xC0 && b < 0xE0 ? 2 : b >= 0xE0 && b < 0xF0 ? 3 : b >= 0xF0 && b < 0xF8 ? 4 : 1
        if i + len > offset { break }
        col += len == 4 ? 2 : 1
        i += len
      }
      return (lineOf[offset], col)
    }
    var mismatches = 0
    for offset in 0...bytes.count {
      let p = index.utf16Position(ofByte: offset)
      if p != naivePosition(offset) { mismatches += 1 }
      // Back again: the first offset at that column, as counting from the line start finds it.
      let start = index.lineStarts[p.line]
      let end = p.line + 1 < index.lineCount ? index.lineStarts[p.line + 1] - 1 : bytes.count
      var i = start
      var col = 0
      while i < end && col < p.character {
        let b = bytes[i]
        let len = b < 0x80 ? 1 : b >= 0xC0 && b < 0xE0 ? 2 : b >= 0xE0 && b < 0xF0 ? 3 : b >= 0xF0 && b < 0xF8 ? 4 : 1
        col += len == 4 ? 2 : 1
        i += len
      }
      if index.byteOffset(line: p.line, utf16Column: p.character) != min(i, end) { mismatches += 1 }
    }
    #expect(mismatches == 0)
    #expect(index.lineCount < 30)  // most lines are long enough to have checkpoints
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
