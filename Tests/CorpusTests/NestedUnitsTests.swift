import Foundation
import Testing

@testable import Corpus

/// Nested function units: an inner function, a method of an object literal inside a function and a
/// callback of several statements are units of their own; one-line arrows stay under the size floor;
/// dedup applies to each unit, and a unit inside a dropped unit is dropped with it.
@Suite struct NestedUnitsTests {
  static let loadAll = """
    function loadAll(list) {
      function normalizeEntry(entry) {
        const trimmed = entry.trim();
        return trimmed.toLowerCase();
      }
      const handlers = {
        describeEntry(entry) {
          const label = normalizeEntry(entry);
          return 'entry ' + label;
        },
      };
      return list.map((item) => {
        const value = normalizeEntry(item);
        return handlers.describeEntry(value);
      }).filter((x) => x);
    }

    """
  /// `loadAll` with every local name changed: the same function canonically.
  static let renamedCopy = """
    function fetchEvery(items) {
      function norm(e) {
        const t = e.trim();
        return t.toLowerCase();
      }
      const h = {
        describeEntry(e) {
          const l = norm(e);
          return 'entry ' + l;
        },
      };
      return items.map((it) => {
        const v = norm(it);
        return h.describeEntry(v);
      }).filter((y) => y);
    }

    """
  static let twice = """
    function first(a) {
      const check = (value) => { const ok = value > 0; return ok && value < 10; };
      return check(a);
    }
    function second(b) {
      const check = (value) => { const ok = value > 0; return ok && value < 10; };
      return check(b) ? 1 : 0;
    }

    """
  /// A new function around a renamed copy of train's inner `normalizeEntry`.
  static let renderRows = """
    function renderRows(rows) {
      function cleanCell(cell) {
        const t = cell.trim();
        return t.toLowerCase();
      }
      return rows.map(cleanCell).join(', ') + ' rows';
    }

    """

  static func fixture() throws -> FixtureCorpus {
    try FixtureCorpus(
      files: [
        "alpha_1.0-1": ["src/load.js": loadAll, "src/twice.js": twice],
        "beta_2.0-1": ["lib/copy.js": renamedCopy, "lib/use.js": renderRows],
      ],
      packages: [("alpha", "1.0-1", .train, "javascript"), ("beta", "2.0-1", .test, "javascript")])
  }

  static func records(_ url: URL) throws -> [[String: Any]] {
    try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
      try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
  }

  @Test func innerFunctionsMethodsAndCallbacksAreUnits() throws {
    let fixture = try Self.fixture()
    defer { fixture.remove() }
    let result = try fixture.build(into: "out")
    let train = try #require(result.statistics.splits[.train])
    // load.js: loadAll, normalizeEntry, describeEntry, the two-statement callback (`(x) => x` is under
    // 50 bytes); twice.js: first, its arrow, second (its arrow is an exact copy of first's).
    #expect(train.functionsBefore == 8)
    #expect(train.droppedExact == 1)
    #expect(train.functionsAfter == 7)
    let units = try Self.records(fixture.cache.appendingPathComponent("out/pretrain/train.jsonl"))
    #expect(units.count == 7)
    let names = units.map { ($0["name"] as? String) ?? "-" }
    #expect(names == ["loadAll", "normalizeEntry", "describeEntry", "-", "first", "check", "second"])
    // The enclosing unit keeps its whole text, inner functions included.
    let outer = try #require(units.first { $0["name"] as? String == "loadAll" })
    #expect(outer["text"] as? String == String(Self.loadAll.dropLast()))
    let inner = try #require(units.first { $0["name"] as? String == "normalizeEntry" })
    #expect((inner["text"] as? String)?.hasPrefix("function normalizeEntry(entry) {") == true)
    #expect(inner["kind"] as? String == "function")
    let callback = try #require(units.first { $0["name"] == nil || $0["name"] is NSNull })
    #expect(callback["kind"] as? String == "arrow")
    // The naming rule per unit: inner named functions and methods with two statements are examples.
    let naming = try Self.records(fixture.cache.appendingPathComponent("out/method-names/train.jsonl"))
    let named = Set(naming.compactMap { $0["name"] as? String })
    #expect(named.isSuperset(of: ["loadAll", "normalizeEntry", "describeEntry"]))
    let example = try #require(naming.first { $0["name"] as? String == "normalizeEntry" })
    #expect((example["input"] as? String)?.hasPrefix("function METHOD_NAME(entry)") == true)
  }

  @Test func heldOutSplitLosesInnerCopiesOfTrainFunctions() throws {
    let fixture = try Self.fixture()
    defer { fixture.remove() }
    let result = try fixture.build(into: "out")
    let test = try #require(result.statistics.splits[.test])
    // copy.js: fetchEvery is train's loadAll renamed, so it and its four inner units are dropped.
    // use.js: renderRows is new and kept; its inner cleanCell is train's normalizeEntry renamed.
    #expect(test.functionsBefore == 6)
    #expect(test.droppedCrossSplit == 5)
    #expect(test.functionsAfter == 1)
    let units = try Self.records(fixture.cache.appendingPathComponent("out/pretrain/test.jsonl"))
    #expect(units.map { $0["name"] as? String } == ["renderRows"])
  }
}
