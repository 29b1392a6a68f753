import Augment
import Testing

@Suite struct JSStringTests {
  private func decode(_ s: String) -> [UInt16]? { JSString.decode(ArraySlice(Array(s.utf8))) }

  @Test func decodesEscapes() {
    #expect(decode(#"'a\'b'"#) == Array("a'b".utf16))
    #expect(decode(#""\n\t\x41\u00e9\u{1F600}""#) == Array("\n\tAé😀".utf16))
    #expect(decode(#""\d""#) == Array("d".utf16))
    #expect(decode("\"line\\\ncont\"") == Array("linecont".utf16))
    #expect(decode(#""\01""#) == nil)
    #expect(decode(#""\8""#) == nil)
    #expect(decode(#""\ud83d""#) == [0xD83D])
  }

  @Test func encodesWithEscapes() {
    #expect(JSString.encode(Array("it's \"q\"".utf16)) == #""it's \"q\"""#)
    #expect(JSString.encode(Array("it's".utf16), quote: UInt8(ascii: "'")) == #"'it\'s'"#)
    #expect(JSString.encode([0xD83D, 0x41]) == #""\ud83dA""#)
    #expect(JSString.encode(Array("é😀\n\u{2028}".utf16)) == "\"é😀\\n\\u2028\"")
  }

  @Test func requotesWithoutChangingValue() {
    let cases = [#"'say "hi"'"#, #""it's""#, #"'it\'s'"#, #""a\\'b""#, #"'\\'"#, #""\"x\"""#]
    for c in cases {
      for q in [UInt8(ascii: "'"), UInt8(ascii: "\"")] {
        let r = JSString.requote(ArraySlice(Array(c.utf8)), to: q)
        #expect(r.flatMap(decode) == decode(c), "\(c) → \(r ?? "nil")")
        #expect(r?.utf8.first == q)
      }
    }
  }
}
