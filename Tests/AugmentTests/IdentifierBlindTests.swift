import Foundation
import Syntax
import Testing

@testable import Augment

// MARK: - IdentifierBlind: every declared name renamed v0, v1, …, globals and properties kept

@Suite struct IdentifierBlindTests {
  let parser = Parser(language: .javascript)

  /// Solutions in the style of the natural pairs: a named function, parameters, nested scopes, closures,
  /// destructuring and shorthand properties, each followed by calls that print what it computes.
  static let programs: [String] = [
    """
    function twoSum(nums, target) {
      const seen = new Map();
      for (let i = 0; i < nums.length; i++) {
        const need = target - nums[i];
        if (seen.has(need)) return [seen.get(need), i];
        seen.set(nums[i], i);
      }
      return [];
    }
    console.log(twoSum([2, 7, 11, 15], 9), twoSum([3, 2, 4], 6));
    """,
    """
    const maxDepth = function (root) {
      if (!root) return 0;
      const walk = (node, depth) => node ? Math.max(walk(node.left, depth + 1), walk(node.right, depth + 1)) : depth;
      return walk(root, 0);
    };
    const tree = { left: { left: null, right: { left: null, right: null } }, right: null };
    console.log(maxDepth(tree), maxDepth(null));
    """,
    """
    function groupBy(items, key) {
      const out = {};
      for (const item of items) {
        const { [key]: k, ...rest } = item;
        (out[k] = out[k] || []).push({ rest, k });
      }
      return out;
    }
    console.log(JSON.stringify(groupBy([{ t: "a", v: 1 }, { t: "b", v: 2 }, { t: "a", v: 3 }], "t")));
    """,
    """
    var count = 0;
    function make(step) {
      let total = 0;
      function add(x = step) { total += x; count++; return total; }
      return { add, get total() { return total; } };
    }
    const m = make(3);
    m.add(); m.add(10);
    { let count = 100; console.log(count); }
    console.log(m.total, count);
    """,
  ]

  @Test func renamesEveryDeclaredNameConsistently() {
    #expect(
      IdentifierBlind.text("function f(a, b) { const c = a + b; return Math.max(c, b.length); }", parser: parser)
        == "function v0(v1, v2) { const v3 = v1 + v2; return Math.max(v3, v2.length); }")
    // a shorthand property keeps its key; shadowing names get their own number
    #expect(
      IdentifierBlind.text("function g(x) { { let x = 1; x++; } return { x }; }", parser: parser)
        == "function v0(v1) { { let v2 = 1; v2++; } return { x: v1 }; }")
  }

  @Test func outputParsesAndLeavesNoDeclaredNameBehind() throws {
    for source in Self.programs {
      let out = IdentifierBlind.text(source, parser: parser)
      #expect(out != source)
      let tree = try parser.parse(out)
      #expect(!tree.hasError, "does not parse:\n\(out)")
      // after blinding, every binding the scope analysis finds is named vN
      let analysis = ScopeAnalysis(tree: tree)
      for binding in analysis.bindings where binding.kind != .arguments {
        #expect(binding.name.hasPrefix("v") && Int(binding.name.dropFirst()) != nil, "\(binding.name) in:\n\(out)")
      }
      // blinding is idempotent: v-names in order of first occurrence again
      #expect(IdentifierBlind.text(out, parser: parser) == out)
    }
  }

  @Test func randomNamesRenameLikeBlindWithWordsThatCaptureNothing() throws {
    let source = "function f(a, b) { const map = a.map((x) => x + b); return console.log(map), map; }"
    let out = IdentifierBlind.randomNames(source, parser: parser, seed: 3)
    #expect(out == IdentifierBlind.randomNames(source, parser: parser, seed: 3), "the same seed, the same words")
    #expect(out != IdentifierBlind.randomNames(source, parser: parser, seed: 4))
    // the same shape as the vN rendering: map the words back to vN in order of first occurrence
    let tree = try parser.parse(out)
    #expect(!tree.hasError)
    #expect(IdentifierBlind.text(out, parser: parser) == IdentifierBlind.text(source, parser: parser))
    // words present in the text (console, map, x) are never chosen; properties stay
    let analysis = ScopeAnalysis(tree: tree)
    let names = Set(analysis.bindings.filter { $0.kind != .arguments }.map(\.name))
    #expect(names.count == 5 && names.isDisjoint(with: ["f", "a", "b", "map", "x", "console", "v0"]))
    #expect(out.contains("console.log(") && out.contains(".map(("))
  }

  @Test func blindProgramsPrintTheSame() throws {
    guard RenamingHarness.nodeAvailable else {
      print("skipped: node is not installed at \(RenamingHarness.nodePath); the execution check needs it")
      return
    }
    let n = Self.programs.count
    let blind = Self.programs.map { IdentifierBlind.text($0, parser: parser) }
    let words = Self.programs.map { IdentifierBlind.randomNames($0, parser: parser, seed: 7) }
    let transcripts = try RenamingHarness.runAll(Self.programs + blind + words)
    try #require(transcripts.count == 3 * n)
    for i in Self.programs.indices {
      let before = transcripts[i]
      #expect(!before.isEmpty && !before.contains("uncaught"), "program \(i) fails: \(before)")
      #expect(before == transcripts[n + i], "program \(i) changed:\n\(blind[i])")
      #expect(before == transcripts[2 * n + i], "program \(i) changed:\n\(words[i])")
    }
  }
}
