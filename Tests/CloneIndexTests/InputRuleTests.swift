import Foundation
import Syntax
import Testing

@testable import CloneIndex

/// The functional kind's input rule (`FunctionInputs`, issue 18, session 20): two functions that no number of
/// arguments calls both of are not functional clones, however alike their code; a function that reads `arguments`
/// never tells a pair apart.
@Suite struct InputRuleTests {
  /// The argument range of the first function (declaration, expression, arrow or method) in `source`.
  static func arity(_ source: String, _ language: Language = .javascript) throws -> InputArity? {
    let tree = try Parser(language: language).parse(source)
    var found: Node?
    tree.root.walk { n in
      if found == nil && UnitTokens.functionTypes.contains(n.type) { found = n }
      return found == nil
    }
    return FunctionInputs.of(function: try #require(found))
  }

  @Test func parameterListsGiveRanges() throws {
    #expect(try Self.arity("function f(a, b) { return a + b; }") == InputArity(required: 2, maximum: 2))
    #expect(try Self.arity("function f() { return 1; }") == InputArity(required: 0, maximum: 0))
    #expect(try Self.arity("function f(a, b = 1, c = {}) {}") == InputArity(required: 1, maximum: 3))
    #expect(try Self.arity("function f(a, ...rest) {}") == InputArity(required: 1, maximum: nil))
    #expect(try Self.arity("const f = x => x * 2;") == InputArity(required: 1, maximum: 1))
    #expect(try Self.arity("const f = ({ a, b }, [c, d]) => a;") == InputArity(required: 2, maximum: 2))
    #expect(try Self.arity("class C { m(a, b) { return a; } }") == InputArity(required: 2, maximum: 2))
    // A required parameter after an optional one still needs every argument before it.
    #expect(try Self.arity("function f(a = 1, b) {}") == InputArity(required: 2, maximum: 2))
    // TypeScript: `?` is optional, `this` is no argument, a typed rest parameter is unbounded.
    #expect(
      try Self.arity("function f(this: Window, a: number, b?: string) {}", .typescript)
        == InputArity(required: 1, maximum: 2))
    #expect(try Self.arity("function f(a: number, ...xs: number[]) {}", .typescript) == InputArity(required: 1, maximum: nil))
  }

  @Test func readingArgumentsMakesTheRangeUnknown() throws {
    #expect(try Self.arity("function f() { return arguments.length; }") == nil)
    // An arrow has no `arguments` of its own: the enclosing function's are read.
    #expect(try Self.arity("function f(a) { const g = () => arguments[0]; return g(); }") == nil)
    // A nested function's `arguments` are its own.
    #expect(
      try Self.arity("function f(a) { return function () { return arguments[0]; }; }")
        == InputArity(required: 1, maximum: 1))
  }

  @Test func aNestedFunctionIsUnknown() throws {
    // `scaleAll(values)` takes `factor` through its closure: its parameter list does not say how it is called.
    let tree = try Parser(language: .javascript).parse(
      "function makeScaler(factor) { return function scaleAll(values) { return values.map((v) => v * factor); }; }")
    var functions: [Node] = []
    tree.root.walk { n in
      if n.isNamed && UnitTokens.functionTypes.contains(n.type) { functions.append(n) }
      return true
    }
    #expect(functions.count == 3)
    #expect(FunctionInputs.of(function: functions[0]) == InputArity(required: 1, maximum: 1))
    #expect(FunctionInputs.of(function: functions[1]) == nil)
    #expect(FunctionInputs.of(function: functions[2]) == nil)
  }

  @Test func rangesTellFunctionsApartOnlyWhenDisjoint() {
    let one = InputArity(required: 1, maximum: 1)
    let three = InputArity(required: 3, maximum: 3)
    #expect(FunctionInputs.differ(one, three))
    #expect(!FunctionInputs.differ(one, InputArity(required: 1, maximum: 2)))
    #expect(!FunctionInputs.differ(three, InputArity(required: 0, maximum: nil)))
    #expect(FunctionInputs.differ(three, InputArity(required: 0, maximum: 2)))
    #expect(!FunctionInputs.differ(nil, one) && !FunctionInputs.differ(one, nil))
  }

  static let counters = """
    function countInRange(items, lo, hi) {
      let count = 0;
      for (let i = 0; i < items.length; i++) {
        const v = items[i];
        if (v >= lo && v <= hi) {
          count += 1;
        }
      }
      return count;
    }

    """

  static let positive = """
    function countPositive(items) {
      let count = 0;
      for (let i = 0; i < items.length; i++) {
        const v = items[i];
        if (v > 0) {
          count += 1;
        }
      }
      return count;
    }

    """

  static func options(rule: Bool) -> CloneOptions {
    var o = CloneOptions(threshold: 0.5)
    o.inputRule = rule
    o.outputRule = false
    o.templateRule = false
    o.nearMiss = false  // the functional kind alone is judged here
    return o
  }

  static func functionalNames(_ report: CloneReport) -> [[String]] {
    report.groups.filter { $0.kind == .functional }.map { $0.members.compactMap(\.name).sorted() }
  }

  @Test func theRuleSplitsFunctionsNoArgumentCountCallsBothOf() throws {
    let repo = try TemporaryRepository()
    try repo.write("src/range.js", Self.counters)
    try repo.write("src/positive.js", Self.positive)
    let off = try CloneFinder(options: Self.options(rule: false)).report(root: repo.root)
    #expect(Self.functionalNames(off) == [["countInRange", "countPositive"]], "\(Self.functionalNames(off))")
    #expect(off.inputRule == nil)
    let on = try CloneFinder(options: Self.options(rule: true)).report(root: repo.root)
    #expect(Self.functionalNames(on).isEmpty, "\(Self.functionalNames(on))")
    #expect(on.inputRule != nil)
  }

  @Test func theRuleKeepsPairsThatCanBeCalledAlike() throws {
    let repo = try TemporaryRepository()
    // Defaults make the extra parameters optional: `countAbove(items)` calls it as `countPositive(items)` is called.
    try repo.write(
      "src/range.js",
      Self.counters.replacingOccurrences(of: "countInRange(items, lo, hi)", with: "countAbove(items, lo = 0, hi = Infinity)"))
    try repo.write("src/positive.js", Self.positive)
    let on = try CloneFinder(options: Self.options(rule: true)).report(root: repo.root)
    #expect(Self.functionalNames(on) == [["countAbove", "countPositive"]], "\(Self.functionalNames(on))")
  }

  @Test func signaturesRoundTripThroughTheirEncoding() {
    let cases = [
      FunctionSignature(inputs: InputArity(required: 1, maximum: 3), outputs: [.array, .number]),
      FunctionSignature(inputs: InputArity(required: 2, maximum: nil), outputs: nil),
      FunctionSignature(inputs: nil, outputs: [.promise]),
      FunctionSignature(inputs: nil, outputs: nil),
    ]
    for c in cases { #expect(FunctionSignature(encoded: c.encoded) == c, "\(c.encoded)") }
    #expect(FunctionSignature(encoded: "i=1-x;o=?") == nil)
    #expect(FunctionSignature(encoded: "i=1-1;o=colour") == nil)
    #expect(FunctionSignature(encoded: "garbage") == nil)
  }

  @Test func aWarmRunReadsSignaturesFromTheIndex() throws {
    let repo = try TemporaryRepository()
    try repo.write("src/range.js", Self.counters)
    try repo.write("src/positive.js", Self.positive)
    let indexer = try RepositoryIndexer(root: repo.root)
    try indexer.update()
    let units = try indexer.store.snapshot().units.sorted { $0.path < $1.path }
    #expect(units.map(\.name) == ["countPositive", "countInRange"])
    let first = try FunctionSignature.of(units: units, root: repo.root, store: indexer.store)
    #expect(first.map { $0?.inputs } == [InputArity(required: 1, maximum: 1), InputArity(required: 3, maximum: 3)])
    // The files are gone from disk: a second reading can only come from the index.
    try FileManager.default.removeItem(atPath: repo.root + "/src")
    let second = try FunctionSignature.of(units: units, root: repo.root, store: indexer.store)
    #expect(second == first)
    #expect(FunctionSignature.of(units: units, root: repo.root).allSatisfy { $0 == nil })
  }

  @Test func theRuleIsOnByDefaultAndTheSettingsFileTurnsItOff() throws {
    #expect(CloneOptions().inputRule)
    let s = try RepositorySettings.parse(Data(#"{"clones": {"inputRule": false}}"#.utf8), path: ".codeintel.json")
    #expect(!s.applied(to: CloneOptions()).inputRule)
    #expect(throws: CloneIndexError.io(".codeintel.json: \"clones.inputRule\" must be true or false")) {
      try RepositorySettings.parse(Data(#"{"clones": {"inputRule": "yes"}}"#.utf8), path: ".codeintel.json")
    }
  }
}
