import Syntax
import Testing

@testable import Corpus

@Suite struct BodySubtokensTests {
  @Test func identifiersPropertiesParametersAndStringWords() {
    let input = """
      function METHOD_NAME(userRecord, max_retries) {
        // fetchEverything is only a comment
        const cache = this.userCache.get(userRecord.id);
        if (cache == null) throw new Error("missing user_id: " + `${userRecord.id}`);
        return 0x1f + max_retries;
      }
      """
    #expect(
      BodySubtokens.of(input) == [
        "user", "record", "max", "retries", "cache", "get", "id", "error", "missing",
      ])
    let counts = Dictionary(uniqueKeysWithValues: BodySubtokens.counted(input).map { ($0.subtoken, $0.count) })
    #expect(counts["user"] == 5 && counts["record"] == 3 && counts["id"] == 3 && counts["cache"] == 3)
    #expect(counts["retries"] == 2 && counts["get"] == 1 && counts["missing"] == 1 && counts["fetch"] == nil)
  }

  @Test func locatedGivesEachOccurrenceWhereItStarts() {
    let input = "function METHOD_NAME(getUser) { return \"é parseHTTP\\n id\"; }"
    let bytes = Array(input.utf8)
    let located = BodySubtokens.located(input)
    #expect(located.map(\.subtoken) == ["get", "user", "parse", "http", "id"])
    for (w, at) in located {
      // every offset points at the subtoken's own letters (case aside)
      let here = String(decoding: bytes[at..<(at + w.utf8.count)], as: UTF8.self).lowercased()
      #expect(here == w, "\(w) at \(at): \(here)")
    }
    // counted is the same occurrences, grouped
    let grouped = Dictionary(located.map { ($0.subtoken, 1) }, uniquingKeysWith: +)
    #expect(BodySubtokens.counted(input).allSatisfy { grouped[$0.subtoken] == $0.count })
  }

  @Test func keywordsCountOnlyAsPropertyNames() {
    #expect(BodySubtokens.of("get METHOD_NAME() { return this.map.set(key, async); }") == ["map", "set", "key"])
    #expect(BodySubtokens.of("async function METHOD_NAME(ab) { await ab?.default; }") == ["ab", "default"])
  }

  @Test func neverTheHiddenName() throws {
    let source = """
      function countNodes(tree) {
        if (!tree) return 0;
        return 1 + countNodes(tree.left) + countNodes(tree.right);
      }
      class Shape { areaOf(scale) { const s = scale * 2; return this.areaOf(s) + s; } }
      """
    let tree = try Parser(language: .javascript).parse(source)
    let examples = extractUnits(from: tree).compactMap { MethodNames.example(for: $0, in: tree) }
    #expect(examples.map(\.name) == ["countNodes", "areaOf"])
    #expect(BodySubtokens.of(examples[0].input) == ["tree", "left", "right"])
    #expect(BodySubtokens.of(examples[1].input) == ["scale"])  // `s`: one letter, left out
    #expect(BodySubtokens.of("function METHOD_NAME(x, i) { return x[i] + toBase64(x); }") == ["to", "base", "64"])
  }
}
