import Syntax

/// Recognises test code, which `codeintel clones` leaves out unless asked (`--include-tests`): test
/// suites repeat themselves on purpose, and on real repositories most functional groups were tests
/// (issue 18: 252 of one library's 383).
///
/// A unit is test code when its file is (`isTestPath`), when it is a callback of a test framework call
/// (`describe(…, () => …)`, `it.each(…)(…, fn)`, `beforeEach(fn)`: `isTestCallback`), or when it is
/// nested in a unit that is.
public enum TestCode {
  /// Folder names that hold tests. `__testfixtures__` is jscodeshift's folder of codemod inputs and expected
  /// outputs (the session-7 audit found redux-toolkit's codemod outputs grouped as functional clones). `test-d` and
  /// `test-tsd` hold tsd type tests (knex's `test-tsd/*.test-d.ts`, session 9).
  public static let folders: Set<String> = [
    "test", "tests", "__tests__", "__test__", "__mocks__", "spec", "specs", "e2e", "__fixtures__",
    "__testfixtures__", "test-d", "test-tsd",
  ]
  /// File-name markers before the extension: `x.test.ts`, `x.spec.js`, `x_test.js`, `x-spec.ts`.
  static let markers = ["test", "tests", "spec", "specs", "e2e"]
  /// File-name markers after a dot only: Storybook stories (`Button.stories.tsx`, `Button.story.jsx`), the
  /// component states that Storybook's test runner and visual tests render; they repeat one another on purpose
  /// (the session-7 audit: 11 of radix-ui's first 15 near-miss groups). `user-story.ts` is not one.
  static let dotMarkers = ["stories", "story"]
  /// Test runners whose configuration file is `<runner>.conf.<ext>` or `<runner>.config.<ext>` (with more dot words
  /// allowed before the extension: `jest.config.base.js`, `karma.conf.ci.js`). Those files configure test runs and
  /// repeat one another across the packages of a monorepo (the session-10 audit: firebase-js-sdk's `karma.conf.js`
  /// files behind three near-miss and three functional groups). Other `*.conf.js` / `*.config.js` files
  /// (`webpack.config.js`, `rollup.config.js`) are build configuration, not tests.
  public static let runnerConfigs: Set<String> = [
    "karma", "jest", "vitest", "playwright", "cypress", "wdio", "protractor",
  ]
  /// Callees whose function arguments are test code (Jest, Mocha, Jasmine, Vitest, node:test, AVA, tap).
  public static let callees: Set<String> = [
    "describe", "fdescribe", "xdescribe", "context", "suite", "it", "fit", "xit", "test", "specify",
    "beforeEach", "afterEach", "beforeAll", "afterAll", "before", "after", "setup", "teardown",
    "suiteSetup", "suiteTeardown",
  ]

  /// Whether a repository-relative path is a test file (by folder or by file name: `x.test.ts`, a test runner's
  /// configuration such as `karma.conf.js`).
  public static func isTestPath(_ path: String) -> Bool {
    let parts = path.split(separator: "/")
    for folder in parts.dropLast() where folders.contains(folder.lowercased()) { return true }
    guard let file = parts.last?.lowercased() else { return false }
    if isRunnerConfig(file) { return true }
    // Drop the extension, then look at the last `.`, `_` or `-` separated word.
    var stem = Substring(file)
    if let dot = stem.lastIndex(of: ".") { stem = stem[..<dot] }
    // tsd / Vitest type tests: `index.test-d.ts`.
    if stem.hasSuffix(".test-d") { return true }
    guard let cut = stem.lastIndex(where: { $0 == "." || $0 == "_" || $0 == "-" }) else { return false }
    let word = String(stem[stem.index(after: cut)...])
    return markers.contains(word) || (stem[cut] == "." && dotMarkers.contains(word))
  }

  /// Whether a (lower-cased) file name is a test runner's configuration: `karma.conf.js`, `jest.config.ts`,
  /// `vitest.config.e2e.mts` (the runner, `conf` or `config`, then at least the extension).
  static func isRunnerConfig(_ file: String) -> Bool {
    let words = file.split(separator: ".", omittingEmptySubsequences: false)
    return words.count >= 3 && runnerConfigs.contains(String(words[0])) && (words[1] == "conf" || words[1] == "config")
  }

  /// Whether `unit` is passed as an argument to a test framework call.
  public static func isTestCallback(_ unit: FunctionUnit, in tree: Tree) -> Bool {
    guard unit.kind == .arrow || unit.kind == .functionExpression,
      let node = UnitTokens.unitNode(unit, in: tree), let args = node.parent, args.type == "arguments",
      let call = args.parent, call.type == "call_expression", var callee = call.child(field: "function")
    else { return false }
    // `it.only(…)`, `describe.each(table)(…)`, `test.concurrent.skip(…)`: walk to the root name.
    for _ in 0..<6 {
      switch callee.type {
      case "identifier":
        return callees.contains(callee.text)
      case "member_expression":
        guard let object = callee.child(field: "object") else { return false }
        callee = object
      case "call_expression":
        guard let f = callee.child(field: "function") else { return false }
        callee = f
      default:
        return false
      }
    }
    return false
  }
}

/// 32-bit FNV-1a hashes of token texts (the near-miss token streams stored in the index).
public enum TokenHash {
  public static func hash(_ token: String) -> UInt32 {
    var h: UInt32 = 0x811c_9dc5
    for b in token.utf8 {
      h ^= UInt32(b)
      h &*= 0x0100_0193
    }
    return h
  }

  public static func hashes(_ tokens: [String]) -> [UInt32] { tokens.map(hash) }
}
