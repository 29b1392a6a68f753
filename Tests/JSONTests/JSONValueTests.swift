import Foundation
import Testing

@testable import JSON

@Suite struct JSONValueTests {
  @Test func integersAndOtherNumbersKeepTheirValueBitForBit() throws {
    let v = try JSONValue.parse(
      Array(#"{"i": -12, "d": 0.1, "e": 1e3, "big": 123456789012345678901, "x": -2.5e-7}"#.utf8))
    #expect(v["i"] == .int(-12))
    #expect(v["d"] == .double(0.1))
    #expect(v["e"] == .double(1000) && v["e"]?.intValue == 1000)
    #expect(v["big"]?.doubleValue == Double("123456789012345678901"))
    #expect(v["x"]?.doubleValue == Double("-2.5e-7"))
    // the shortest round-trip text of a Double reads back as the same bits
    let score = -7.123456789012345
    #expect(try JSONValue.parse(Array("\(score)".utf8)).doubleValue?.bitPattern == score.bitPattern)
  }

  @Test func objectsKeepTheirOrderButCompareAsDictionaries() throws {
    let ordered = JSONValue.object([("b", .int(1)), ("a", .string("x"))])
    #expect(ordered.serialized() == #"{"b":1,"a":"x"}"#)
    let dictionary: JSONValue = ["a": "x", "b": 1]
    #expect(ordered == dictionary)
    #expect(Set([ordered, dictionary]).count == 1)
    #expect(
      try JSONValue.parse(Array(#"{"k": 1, "k": 2}"#.utf8))["k"] == .int(2), "a repeated key reads as its last value")
    #expect(ordered != .object([("b", .int(1)), ("a", .string("y"))]))
  }

  @Test func refusesWhatIsNotJSONWithTheByteOffset() {
    for bad in ["", "{", "[1,]", #"{"a" 1}"#, "tru", #""\ud800""#, "1 2"] {
      #expect(throws: JSONParseError.self, "\(bad)") { try JSONValue.parse(Array(bad.utf8)) }
    }
    do {
      _ = try JSONValue.parse(Array("[[[1]]]".utf8), maxDepth: 2)
      Issue.record("nesting deeper than maxDepth must be refused")
    } catch {
      #expect(error.message.contains("nesting too deep at byte"))
    }
  }

  @Test func quotingKeepsEachWritersEscapes() {
    let s = "a\"b\\c\n\u{7F}\u{2028}\u{1}"
    #expect(JSONValue.quoted(s) == "\"a\\\"b\\\\c\\n\u{7F}\\u2028\\u0001\"")
    #expect(
      JSONValue.quoted(s, escapingLineSeparators: false, escapingDelete: true)
        == "\"a\\\"b\\\\c\\n\\u007f\u{2028}\\u0001\"")
  }

  @Test func codableRoundTripThroughFoundation() throws {
    let v: JSONValue = ["n": nil, "list": [1, 2.5, true, "s"], "o": ["k": "v"]]
    let data = try JSONEncoder().encode(v)
    #expect(try JSONDecoder().decode(JSONValue.self, from: data) == v)
    #expect(try JSONValue.parse(Array(data)) == v)
  }
}
