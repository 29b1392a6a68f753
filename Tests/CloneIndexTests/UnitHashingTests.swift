import Testing

@testable import CloneIndex

@Suite struct UnitHashingTests {
  let original = """
    function total(items) {
      let sum = 0;
      for (const item of items) {
        sum += item.price * item.qty;
      }
      return sum;
    }
    """

  @Test func reformattingAndCommentsKeepBothHashes() throws {
    let reformatted = """
      /** Sums a cart. */
      function total( items )
      {
        let sum = 0;   // running sum
        for (const item of items) { sum += item.price * item.qty; }
        return sum;
      }
      """
    let a = try firstUnitTokens(original, .javascript)
    let b = try firstUnitTokens(reformatted, .javascript)
    #expect(a.exactHash == b.exactHash)
    #expect(a.canonicalHash == b.canonicalHash)
  }

  @Test func renamingKeepsTheCanonicalHashOnly() throws {
    let renamed = """
      function grandTotal(lines: Line[]): number {
        let acc: number = 0;
        for (const line of lines) {
          acc += line.price * line.qty;
        }
        return acc;
      }
      """
    let a = try firstUnitTokens(original, .javascript)
    let b = try firstUnitTokens(renamed, .typescript)
    #expect(a.canonicalHash == b.canonicalHash)
    #expect(a.exactHash != b.exactHash)
  }

  @Test func theFunctionsOwnNameDoesNotChangeTheExactHash() throws {
    let a = try firstUnitTokens(original, .javascript)
    let b = try firstUnitTokens(original.replacingOccurrences(of: "function total", with: "function sumUp"), .javascript)
    #expect(a.exactHash == b.exactHash)
  }

  @Test(arguments: [
    ("sum += item.price * item.qty", "sum -= item.price * item.qty"),  // operator
    ("let sum = 0", "let sum = 1"),  // literal
    ("item.price * item.qty", "item.price * item.count"),  // property
    ("return sum;", "return items;"),  // which local
  ])
  func behaviourChangesChangeTheCanonicalHash(_ change: (String, String)) throws {
    let a = try firstUnitTokens(original, .javascript)
    let changed = original.replacingOccurrences(of: change.0, with: change.1)
    #expect(changed != original)
    let b = try firstUnitTokens(changed, .javascript)
    #expect(a.canonicalHash != b.canonicalHash)
  }

  @Test func freeNamesAreNotRenamed() throws {
    // Calling a different global is a different program.
    let a = try firstUnitTokens("function f(x) { return parseInt(x) + 1 }", .javascript)
    let b = try firstUnitTokens("function f(x) { return parseFloat(x) + 1 }", .javascript)
    #expect(a.canonicalHash != b.canonicalHash)
  }
}
