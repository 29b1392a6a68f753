import Foundation
import Syntax
import Testing

@testable import CloneIndex

/// The functional kind's output rule (`OutputKinds`, issue 18, session 17): two functions that return different
/// kinds of value are not functional clones, however alike their code; a function whose returns cannot all be read
/// never tells a pair apart.
@Suite struct OutputRuleTests {
  /// The kinds of the first function (declaration, expression, arrow or method) in `source`.
  static func kinds(_ source: String, _ language: Language = .javascript) throws -> Set<OutputKind>? {
    let tree = try Parser(language: language).parse(source)
    var found: Node?
    tree.root.walk { n in
      if found == nil && UnitTokens.functionTypes.contains(n.type) { found = n }
      return found == nil
    }
    let node = try #require(found)
    return OutputKinds.of(function: node)
  }

  @Test func literalsOperatorsAndKnownMethodsGiveKinds() throws {
    #expect(try Self.kinds("function f(a, b) { if (a) return true; return a < b; }") == [.boolean])
    #expect(try Self.kinds("function f(a) { return !a.ok; }") == [.boolean])
    #expect(try Self.kinds("function f(a) { return a.length * 2 + 1; }") == [.number])
    #expect(try Self.kinds("function f(a) { return Math.max(a, 3); }") == [.number])
    #expect(try Self.kinds("function f(a) { return a.indexOf('x'); }") == [.number])
    #expect(try Self.kinds("function f(a) { return `${a}!`; }") == [.string])
    #expect(try Self.kinds("function f(a) { return 'n=' + a; }") == [.string])
    #expect(try Self.kinds("function f(a) { return a.join(','); }") == [.string])
    #expect(try Self.kinds("function f(a) { return a.filter(Boolean); }") == [.array])
    #expect(try Self.kinds("function f(a) { return Object.keys(a); }") == [.array])
    #expect(try Self.kinds("function f(a) { return { a }; }") == [.object])
    #expect(try Self.kinds("const f = (a) => a.some((x) => x > 1);") == [.boolean])
    #expect(try Self.kinds("class C { size() { return this.items.length; } }") == [.number])
  }

  @Test func localVariablesAreReadThroughEveryAssignment() throws {
    // The result array, built in a loop: the returned name's initialiser decides.
    #expect(
      try Self.kinds("function f(n) { const out = []; for (let i = 0; i < n; i++) out.push(i); return out; }")
        == [.array])
    // A counter: `0`, then `++` and `+=` keep it a number.
    #expect(try Self.kinds("function f(a) { let c = 0; for (const x of a) { c++; c += x; } return c; }") == [.number])
    // `null` at first, an array later: the array.
    #expect(try Self.kinds("function f(a) { let best = null; if (a) best = [a]; return best; }") == [.array])
    // Reassigned from a call: unknown.
    #expect(try Self.kinds("function f(a) { let r = 0; r = g(a); return r; }") == nil)
    // A parameter, a loop variable and a destructured name are unknown.
    #expect(try Self.kinds("function f(a) { return a; }") == nil)
    #expect(try Self.kinds("function f(a) { for (const x of a) { return x; } return 0; }") == nil)
    #expect(try Self.kinds("function f(a) { const [x] = a; return x; }") == nil)
    // A variable a nested callback writes may hold anything (postcss's `rawBeforeRule`: `value` is set in a walker).
    #expect(
      try Self.kinds(
        "function f(root) { let value; root.walk(i => { value = i.raws.before; }); if (value) value = value.replace(/x/g, ''); return value; }"
      ) == nil)
  }

  @Test func branchesNestedFunctionsAsyncAndGenerators() throws {
    #expect(try Self.kinds("function f(a) { return a ? 1 : 'one'; }") == [.number, .string])
    // The inner arrow's `return` is not the function's.
    #expect(try Self.kinds("function f(a) { const g = () => { return 'x'; }; return a.length; }") == [.number])
    #expect(try Self.kinds("async function f(a) { return a.length; }") == [.promise])
    #expect(try Self.kinds("function* f(a) { yield a; return 1; }") == [.iterator])
    #expect(try Self.kinds("class C { async load() { return 1; } }") == [.promise])
    // A call, an element, a property: unknown, and one unknown return makes the function unknown.
    #expect(try Self.kinds("function f(a) { return g(a); }") == nil)
    #expect(try Self.kinds("function f(a, i) { if (i) return 0; return a[i]; }") == nil)
    // Nothing returned, or only `null`: unknown (an in-place version and a returning one stay comparable).
    #expect(try Self.kinds("function f(a) { a.sort(); }") == nil)
    #expect(try Self.kinds("function f(a) { if (a) return; return null; }") == nil)
  }

  @Test func onlyKnownDisjointKindsTellAPairApart() {
    #expect(OutputKinds.differ([.boolean], [.array]))
    #expect(OutputKinds.differ([.promise], [.number]))
    #expect(!OutputKinds.differ([.number, .string], [.string]))
    #expect(!OutputKinds.differ(nil, [.array]) && !OutputKinds.differ([.array], nil) && !OutputKinds.differ([], [.number]))
  }

  /// `canFinish` and `findOrder` are one topological sort written twice; the first answers whether every course can
  /// be taken (a boolean), the second gives the order (an array). The two are alike on purpose: the rule, not the
  /// code, must tell them apart.
  static let schedule = """
    function canFinish(n, prerequisites) {
      const indegree = new Array(n).fill(0);
      const next = Array.from({ length: n }, () => []);
      for (const [a, b] of prerequisites) { indegree[a]++; next[b].push(a); }
      const queue = [];
      for (let i = 0; i < n; i++) if (indegree[i] === 0) queue.push(i);
      let taken = 0;
      while (queue.length) {
        const c = queue.shift();
        taken++;
        for (const d of next[c]) if (--indegree[d] === 0) queue.push(d);
      }
      return taken === n;
    }

    function findOrder(n, prerequisites) {
      const indegree = new Array(n).fill(0);
      const next = Array.from({ length: n }, () => []);
      for (const [a, b] of prerequisites) { indegree[a]++; next[b].push(a); }
      const queue = [];
      for (let i = 0; i < n; i++) if (indegree[i] === 0) queue.push(i);
      const order = [];
      while (queue.length) {
        const c = queue.shift();
        order.push(c);
        for (const d of next[c]) if (--indegree[d] === 0) queue.push(d);
      }
      return order.length === n ? order : [];
    }

    """

  static func options(rule: Bool) -> CloneOptions {
    var o = CloneOptions(threshold: 0.5)
    o.outputRule = rule
    o.templateRule = false
    o.nearMiss = false  // the two are also near-miss copies; the functional kind alone is judged here
    return o
  }

  static func functionalNames(_ report: CloneReport) -> [[String]] {
    report.groups.filter { $0.kind == .functional }.map { $0.members.compactMap(\.name).sorted() }
  }

  @Test func theRuleSplitsFunctionsThatReturnDifferentKinds() throws {
    let repo = try TemporaryRepository()
    try repo.write("src/canFinish.js", Self.schedule.components(separatedBy: "function findOrder")[0])
    try repo.write("src/findOrder.js", "function findOrder" + Self.schedule.components(separatedBy: "function findOrder")[1])
    let off = try CloneFinder(options: Self.options(rule: false)).report(root: repo.root)
    #expect(Self.functionalNames(off) == [["canFinish", "findOrder"]], "\(Self.functionalNames(off))")
    #expect(off.outputRule == nil)
    let on = try CloneFinder(options: Self.options(rule: true)).report(root: repo.root)
    #expect(Self.functionalNames(on).isEmpty, "\(Self.functionalNames(on))")
    #expect(on.outputRule != nil)
  }

  @Test func theRuleKeepsAPairWhoseKindsAreUnknownOrShared() throws {
    let repo = try TemporaryRepository()
    let order = "function findOrder" + Self.schedule.components(separatedBy: "function findOrder")[1]
    try repo.write("src/findOrder.js", order)
    // The same algorithm returning its order through a helper call: unknown kinds, so the pair is judged as before.
    try repo.write(
      "src/courseOrder.js",
      order.replacingOccurrences(of: "findOrder", with: "courseOrder").replacingOccurrences(
        of: "return order.length === n ? order : [];", with: "return finish(order, n);"))
    let on = try CloneFinder(options: Self.options(rule: true)).report(root: repo.root)
    #expect(Self.functionalNames(on) == [["courseOrder", "findOrder"]], "\(Self.functionalNames(on))")
  }

  @Test func theRuleIsOnByDefaultAndTheSettingsFileTurnsItOff() throws {
    // On by default since session 20, with the input rule (docs/audits/clones-s20-inputs.md).
    #expect(CloneOptions().outputRule)
    let s = try RepositorySettings.parse(Data(#"{"clones": {"outputRule": false}}"#.utf8), path: ".codeintel.json")
    #expect(!s.applied(to: CloneOptions()).outputRule)
    #expect(throws: CloneIndexError.io(".codeintel.json: \"clones.outputRule\" must be true or false")) {
      try RepositorySettings.parse(Data(#"{"clones": {"outputRule": 1}}"#.utf8), path: ".codeintel.json")
    }
  }
}
