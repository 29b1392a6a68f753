import Testing

@testable import Tokenizer

/// The pre-tokens of `text`, as strings.
func preTokens(_ text: String, specials: [(String, Int32)] = []) -> [String] {
  var pre = PreTokenizer()
  pre.specials = specials.map { (Array($0.0.utf8), $0.1) }
  let bytes = Array(text.utf8)
  var starts: [Int32] = []
  var ids: [Int32] = []
  bytes.withUnsafeBufferPointer { pre.split($0, starts: &starts, specialIDs: &ids) }
  return starts.indices.map { k in
    let e = k + 1 < starts.count ? Int(starts[k + 1]) : bytes.count
    return String(decoding: bytes[Int(starts[k])..<e], as: UTF8.self)
  }
}

@Suite struct PreTokenizerTests {
  @Test func operatorsByLongestMatchWithAttachedSpaces() {
    #expect(preTokens("a === b") == ["a", " ===", " b"])
    #expect(preTokens("x >>>= 2;") == ["x", " >>>=", " 2", ";"])
    #expect(preTokens("a?.b ?? c") == ["a", "?.", "b", " ??", " c"])
    #expect(preTokens("o ??= {...p}") == ["o", " ??=", " {", "...", "p", "}"])
    #expect(preTokens("x **= y !== z") == ["x", " **=", " y", " !==", " z"])
    #expect(preTokens("f = (a) => a") == ["f", " =", " (", "a", ")", " =>", " a"])
    // `?.` before a digit is a conditional with a number.
    #expect(preTokens("a?.5:b") == ["a", "?", ".5", ":", "b"])
  }

  @Test func identifiersAndNumbers() {
    #expect(preTokens("this.#count = $el._x") == ["this", ".", "#count", " =", " $el", ".", "_x"])
    #expect(preTokens("const café = 1") == ["const", " café", " =", " 1"])
    #expect(
      preTokens("0x1F_FFn + 1e-7 + .5 + 1_000 + 0b101 + 12n") == [
        "0x1F_FFn", " +", " 1e-7", " +", " .5", " +", " 1_000", " +", " 0b101", " +", " 12n",
      ])
  }

  @Test func whitespaceNewlinesAndIndentation() {
    #expect(preTokens("if (a) {\n    b()\n}") == ["if", " (", "a", ")", " {", "\n    ", "b", "(", ")", "\n", "}"])
    #expect(preTokens("a\r\n\tb") == ["a", "\r\n\t", "b"])
    #expect(preTokens("a   = 1  \n\n") == ["a", "  ", " =", " 1", "  ", "\n", "\n"])
  }

  @Test func stringsAreQuoteContentQuote() {
    #expect(preTokens("s = \"hello world\"") == ["s", " =", " \"", "hello", " world", "\""])
    #expect(preTokens("'it\\'s\\n'") == ["'", "it", "\\'", "s", "\\n", "'"])
    // Unterminated: the string stops at the line end.
    #expect(preTokens("'abc\nx") == ["'", "abc", "\n", "x"])
  }

  @Test func templatesNestSubstitutions() {
    #expect(
      preTokens("`a ${b ? `c ${d}` : '}'} e`") == [
        "`", "a", " ", "${", "b", " ?", " `", "c", " ", "${", "d", "}", "`", " :", " '", "}", "'", "}", " e", "`",
      ])
    // Braces inside a substitution are counted.
    #expect(preTokens("`${ {a: 1}.a }x`") == ["`", "${", " {", "a", ":", " 1", "}", ".", "a", " }", "x", "`"])
  }

  @Test func regexVersusDivision() {
    #expect(preTokens("a = b / c / d") == ["a", " =", " b", " /", " c", " /", " d"])
    #expect(preTokens("r = /ab+c/gi") == ["r", " =", " /", "ab", "+", "c", "/", "gi"])
    #expect(
      preTokens("return /[/]x/.test(s)") == ["return", " /", "[", "/", "]", "x", "/", ".", "test", "(", "s", ")"])
    #expect(preTokens("(a) / 2") == ["(", "a", ")", " /", " 2"])
    // An unterminated regex is a division operator after all.
    #expect(preTokens("x(/a") == ["x", "(", "/", "a"])
  }

  @Test func comments() {
    #expect(preTokens("a // note: ok\nb") == ["a", " //", " note", ":", " ok", "\n", "b"])
    #expect(preTokens("/* x */y") == ["/*", " x", " ", "*/", "y"])
    #expect(preTokens("/** unterminated") == ["/*", "*", " unterminated"])
    #expect(preTokens("#!/usr/bin/env node\nx") == ["#!", "/", "usr", "/", "bin", "/", "env", " node", "\n", "x"])
  }

  @Test func specialTokenTextWhenAsked() {
    #expect(preTokens("function <fn>(a)", specials: [("<fn>", 5)]) == ["function", " ", "<fn>", "(", "a", ")"])
    #expect(preTokens("function <fn>(a)") == ["function", " <", "fn", ">", "(", "a", ")"])
  }

  @Test func splitIsLosslessOnJunk() {
    var rng = SplitMix64(seed: 42)
    for _ in 0..<200 {
      let length = Int(rng.next() % 64)
      // Bias towards the bytes the scanner reacts to.
      let alphabet = Array("`${}'\"/\\*\n\r\t #<>=?.0x1_nab".utf8) + [0xF0, 0x9F, 0x98, 0x80, 0xC3, 0xFF, 0x00]
      let bytes = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
      var starts: [Int32] = []
      var ids: [Int32] = []
      bytes.withUnsafeBufferPointer { PreTokenizer().split($0, starts: &starts, specialIDs: &ids) }
      if bytes.isEmpty {
        #expect(starts.isEmpty)
      } else {
        #expect(starts.first == 0)
        #expect(zip(starts, starts.dropFirst()).allSatisfy { $0 < $1 })
        #expect(Int(starts.last ?? 0) < bytes.count)
      }
    }
  }
}
