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
    let a = try hashes(original, .javascript)
    let b = try hashes(reformatted, .javascript)
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
    let a = try hashes(original, .javascript)
    let b = try hashes(renamed, .typescript)
    #expect(a.canonicalHash == b.canonicalHash)
    #expect(a.exactHash != b.exactHash)
  }

  @Test func theFunctionsOwnNameDoesNotChangeTheExactHash() throws {
    let a = try hashes(original, .javascript)
    let b = try hashes(original.replacingOccurrences(of: "function total", with: "function sumUp"), .javascript)
    #expect(a.exactHash == b.exactHash)
  }

  @Test(arguments: [
    ("sum += item.price * item.qty", "sum -= item.price * item.qty"),  // operator
    ("let sum = 0", "let sum = 1"),  // literal
    ("item.price * item.qty", "item.price * item.count"),  // property
    ("return sum;", "return items;"),  // which local
  ])
  func behaviourChangesChangeTheCanonicalHash(_ change: (String, String)) throws {
    let a = try hashes(original, .javascript)
    let changed = original.replacingOccurrences(of: change.0, with: change.1)
    #expect(changed != original)
    let b = try hashes(changed, .javascript)
    #expect(a.canonicalHash != b.canonicalHash)
  }

  /// Issue 18: the renamed kind merged type tests that differ only in their type arguments.
  @Test func typeArgumentsCountInTheCanonicalHash() throws {
    let a = try hashes("function t(value: unknown) { expectTypeOf(value).brand<\"A\">().toEqualTypeOf<Id>(); }")
    let b = try hashes("function t(value: unknown) { expectTypeOf(value).brand<\"B\">().toEqualTypeOf<Id>(); }")
    #expect(a.canonicalHash != b.canonicalHash)
    // Annotations still do not count, and renaming still does not.
    let c = try hashes("function t(other: string) { expectTypeOf(other).brand<\"A\">().toEqualTypeOf<Id>(); }")
    #expect(a.canonicalHash == c.canonicalHash)
  }

  @Test func methodsWithDifferentNamesButTheSameBodyAgree() throws {
    let a = try hashes("class A { draw(ctx: Ctx): void { ctx.fill(this.x, 2 * 3); } }")
    let b = try hashes("class B { render(c) { c.fill(this.x, 6); } }")
    #expect(a.canonicalHash == b.canonicalHash, "names, annotations and a folded constant")
    let c = try hashes("class B { render(c) { c.fill(this.y, 6); } }")
    #expect(a.canonicalHash != c.canonicalHash)
  }

  @Test func constantsAreFolded() throws {
    let a = try hashes("function wait(ms) { return ms * 60 * 1000 }", .javascript)
    let b = try hashes("function wait(t) { return t * 60000 }", .javascript)
    let c = try hashes("function wait(t) { return t * (60 * 1000) }", .javascript)
    #expect(a.canonicalHash != b.canonicalHash, "(ms * 60) * 1000 is not a constant expression")
    #expect(b.canonicalHash == c.canonicalHash)
  }

  @Test func freeNamesAreNotRenamed() throws {
    // Calling a different global is a different program.
    let a = try hashes("function f(x) { return parseInt(x) + 1 }", .javascript)
    let b = try hashes("function f(x) { return parseFloat(x) + 1 }", .javascript)
    #expect(a.canonicalHash != b.canonicalHash)
  }
}
