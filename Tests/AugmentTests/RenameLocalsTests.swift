import Foundation
import Syntax
import Testing

@testable import Augment

// MARK: - Helpers shared by the renaming tests

/// Runs JavaScript programs under node and applies a transform to source text.
enum RenamingHarness {
  static let nodePath = "/usr/bin/node"
  static var nodeAvailable: Bool { FileManager.default.isExecutableFile(atPath: nodePath) }

  /// Applies `transform` to `source` and checks that the output parses without errors.
  static func apply(
    _ transform: any Transform, to source: String, language: Language = .javascript,
    seed: UInt64 = 1
  ) throws -> String {
    let tree = try Parser(language: language).parse(source)
    var rng = SeededRandom(seed: seed)
    let edits = try transform.edits(for: TransformInput(tree: tree), rng: &rng)
    let out = try edits.apply(to: tree.bytes)
    let reparsed = try Parser(language: language).parse(bytes: out)
    #expect(!reparsed.hasError || tree.hasError, "output does not parse:\n\(String(decoding: out, as: UTF8.self))")
    return String(decoding: out, as: UTF8.self)
  }

  /// The transcripts of many programs, run by one node process: each program runs as a sloppy script in a
  /// fresh `vm` context whose `console.log` is recorded (formatted as node formats it), then pending
  /// promises settle, and an uncaught exception is recorded by its name.
  static func runAll(_ sources: [String]) throws -> [String] {
    let dir = FileManager.default.temporaryDirectory
    let id = UUID().uuidString
    let input = dir.appendingPathComponent("codeintel-rename-\(id).json")
    let driver = dir.appendingPathComponent("codeintel-rename-\(id).js")
    try JSONSerialization.data(withJSONObject: sources).write(to: input)
    try driverSource.write(to: driver, atomically: true, encoding: .utf8)
    defer {
      try? FileManager.default.removeItem(at: input)
      try? FileManager.default.removeItem(at: driver)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: nodePath)
    process.arguments = [driver.path, input.path]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = Pipe()
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let decoded = try JSONSerialization.jsonObject(with: data) as? [String]
    return try #require(decoded, "the node driver printed no transcripts")
  }

  static let driverSource = """
    const vm = require("vm"), fs = require("fs"), util = require("util");
    const sources = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    (async () => {
      const transcripts = [];
      for (const src of sources) {
        const lines = [];
        const context = vm.createContext({ console: { log: (...a) => lines.push(util.format(...a)) },
          setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask });
        try { vm.runInContext(src, context, { timeout: 5000 }); } catch (e) { lines.push("uncaught " + (e && e.name)); }
        await new Promise((r) => setTimeout(r, 0));
        transcripts.push(lines.join("\\n"));
      }
      process.stdout.write(JSON.stringify(transcripts));
    })();
    """

  /// Runs every program and its variants (one per seed) and expects identical transcripts; also expects
  /// that the variants differ from the programs somewhere (the transform did something).
  static func checkTranscripts(
    seeds: [UInt64], label: String = #function,
    _ variant: (String, UInt64) throws -> String
  ) throws {
    var sources: [String] = []
    var changed = 0
    for (_, source) in programs {
      sources.append(source)
      for seed in seeds {
        let v = try variant(source, seed)
        if v != source { changed += 1 }
        sources.append(v)
      }
    }
    #expect(changed * 2 >= programs.count * seeds.count, "the transform changed only \(changed) variants")
    let transcripts = try runAll(sources)
    try #require(transcripts.count == sources.count)
    let stride = seeds.count + 1
    for (p, (name, _)) in programs.enumerated() {
      let expected = transcripts[p * stride]
      #expect(!expected.contains("uncaught"), "\(name) fails before any transform: \(expected)")
      #expect(!expected.isEmpty, "\(name) printed nothing")
      for (k, seed) in seeds.enumerated() {
        let got = transcripts[p * stride + 1 + k]
        #expect(got == expected, "\(label): seed \(seed) changed \(name):\n\(sources[p * stride + 1 + k])")
      }
    }
  }

  /// Self-checking programs: each prints a transcript that must not change under renaming.
  static let programs: [(name: String, source: String)] = [
    (
      "closures",
      """
      function counter(start) { let count = start; return { inc() { count += 1; return count; }, get: () => count }; }
      const c1 = counter(5), c2 = counter(10);
      c1.inc(); c1.inc(); c2.inc();
      console.log(c1.get(), c2.get());
      function adders() { const fs = []; for (let i = 0; i < 3; i++) { fs.push((x) => x + i); } return fs.map((f) => f(10)); }
      console.log(adders().join(","));
      function makeVar() { var fs = []; for (var j = 0; j < 3; j++) { fs.push(function () { return j; }); } return fs.map(function (f) { return f(); }); }
      console.log(makeVar().join(","));
      """
    ),
    (
      "shadowing",
      """
      var value = "outer";
      function shadow(value) {
        let out = [value];
        { let value = "block"; out.push(value); { const value = "inner"; out.push(value); } out.push(value); }
        (function () { var value = "fn"; out.push(value); })();
        out.push(value);
        return out.join(" ");
      }
      console.log(shadow("param"), value);
      function useGlobal() { let local = 1; return typeof value + local; }
      console.log(useGlobal());
      """
    ),
    (
      "hoisting",
      """
      function hoist() {
        const before = typeof later + " " + typeof hoisted + " " + String(v);
        var v = 1;
        function hoisted() { return "h"; }
        var later = function () {};
        return before + " " + hoisted() + " " + v;
      }
      console.log(hoist());
      function defaults(a = v0, b = a + 1) { var v0 = 100; return [a, b, v0].join(); }
      var v0 = 7;
      console.log(defaults(), defaults(1));
      function paramVar(p) { var p; return p; }
      console.log(paramVar(42));
      """
    ),
    (
      "tdz",
      """
      function tdz() {
        const results = [];
        try { results.push(early); let early = 1; } catch (e) { results.push(e.name); }
        let late = 2;
        const f = () => late * 2;
        results.push(f());
        try { (function () { inner = 3; let inner; })(); } catch (err) { results.push(err.constructor.name); }
        return results.join(",");
      }
      console.log(tdz());
      """
    ),
    (
      "catch",
      """
      function tryIt(k) {
        let log = [];
        try { if (k) throw new Error("boom" + k); log.push("no throw"); }
        catch (e) { let m = e.message; log.push(m); }
        finally { log.push("finally"); }
        try { throw { code: 7, why: "x" }; } catch ({ code, why: reason }) { log.push(code, reason); }
        try { throw 1; } catch { log.push("bare"); }
        return log.join("|");
      }
      console.log(tryIt(0), tryIt(3));
      function annexB() { try { throw "t"; } catch (e) { var e = "reassigned"; } return typeof e; }
      console.log(annexB());
      """
    ),
    (
      "classes",
      """
      function build() {
        class Animal {
          #secret = 3;
          static count = 0;
          constructor(name) { this.name = name; Animal.count++; }
          get loud() { return this.name.toUpperCase() + this.#secret; }
          set loud(v) { this.name = v; }
          speak() { return `${this.name} speaks`; }
        }
        class Dog extends Animal { speak() { return super.speak() + " woof"; } }
        const d = new Dog("rex");
        d.loud = "max";
        const Expr = class Named { who() { return Named.name; } };
        return [d.speak(), d.loud, Animal.count, new Expr().who(), Dog.name].join(";");
      }
      console.log(build());
      """
    ),
    (
      "destructuring",
      """
      function destr({ a, b: [c = 1, ...rest] = [], d = a * 2, ...others }, [x, , y = x + 1] = [5]) {
        return JSON.stringify({ a, c, rest, d, others, x, y });
      }
      console.log(destr({ a: 2, b: [undefined, 8, 9], e: 1, f: 2 }));
      console.log(destr({ a: 3 }, [1, 2]));
      function swap() { let p = 1, q = 2; [p, q] = [q, p]; let o; ({ o = "dflt" } = {}); return [p, q, o].join(); }
      console.log(swap());
      """
    ),
    (
      "shorthand",
      """
      function shorthand(alpha, beta) {
        const obj = { alpha, beta, gamma: alpha + beta };
        const { alpha: a2, beta: b2 } = obj;
        const { gamma } = obj;
        const { delta = 4 } = obj;
        let zeta; ({ zeta } = { zeta: 6 });
        return JSON.stringify({ obj, a2, b2, gamma, delta, zeta, [alpha]: beta });
      }
      console.log(shorthand(1, 2));
      """
    ),
    (
      "arguments",
      """
      function args(a, b) {
        const arrow = () => arguments.length;
        function inner() { return arguments.length; }
        a = 10;
        return [arguments.length, arrow(), inner(1, 2, 3), arguments[0], b].join();
      }
      console.log(args(1, 2, 3, 4));
      function shadowArgs(arguments) { return arguments; }
      console.log(shadowArgs("own"));
      """
    ),
    (
      "labels",
      """
      function labels() {
        let out = [];
        outer: for (let i = 0; i < 3; i++) {
          inner: for (let j = 0; j < 3; j++) {
            if (j === 1) continue outer;
            if (i === 2) break outer;
            out.push(i + "" + j);
          }
        }
        block: { out.push("in"); break block; }
        return out.join(",");
      }
      console.log(labels());
      """
    ),
    (
      "eval",
      """
      function useEval(secret) {
        let other = 5;
        return eval("secret + other");
      }
      console.log(useEval(37));
      function near(k) { const helper = (x) => x * k; return helper(2); }
      console.log(near(4));
      function withStmt(o) { let local = 1; with (o) { return prop + local; } }
      console.log(withStmt({ prop: 41 }));
      """
    ),
    (
      "typeof",
      """
      function probe() {
        const kinds = [typeof notDeclaredAnywhere, typeof undefined, typeof probe];
        let undef;
        kinds.push(undef === undefined);
        return kinds.join(",");
      }
      console.log(probe());
      """
    ),
    (
      "annexB",
      """
      function sloppy() {
        const before = typeof blockFn;
        { function blockFn() { return 1; } }
        return before + " " + typeof blockFn;
      }
      console.log(sloppy());
      """
    ),
    (
      "names",
      """
      function names() {
        const arrow = () => 1;
        let fexpr = function () {};
        const klass = class {};
        function decl() {}
        let later; later = () => 2;
        return [arrow.name, fexpr.name, klass.name, decl.name, later.name].join(",");
      }
      console.log(names());
      """
    ),
    (
      "generators",
      """
      function* range(from, to) { for (let i = from; i < to; i++) yield i; }
      function collect(limit) { const acc = []; for (const v of range(0, limit)) acc.push(v * v); return acc.join(" "); }
      console.log(collect(5));
      async function later(x) { const y = await Promise.resolve(x); return y + 1; }
      later(1).then((r) => console.log("async", r));
      """
    ),
    (
      "recursion",
      """
      const fact = function self(n) { return n <= 1 ? 1 : n * self(n - 1); };
      function fib(n) { const memo = new Map(); function go(k) { if (k < 2) return k; if (memo.has(k)) return memo.get(k); const r = go(k - 1) + go(k - 2); memo.set(k, r); return r; } return go(n); }
      console.log(fact(6), fib(30));
      """
    ),
    (
      "capture",
      """
      var a = "global-a";
      function capture(x) {
        let y = x + 1;
        function readA() { return a; }
        return [y, readA(), typeof b].join();
      }
      console.log(capture(1));
      """
    ),
  ]
}

// MARK: - RenameLocals

@Suite struct RenameLocalsTests {
  @Test func renamesLocalsConsistentlyAndExpandsShorthand() throws {
    let src = "function f(alpha) { const o = {alpha}; const {beta} = o; const {gamma = 1} = o; return beta + gamma; }"
    let out = try RenamingHarness.apply(RenameLocals(), to: src)
    #expect(out.hasPrefix("function f("))  // program-scope function name kept
    #expect(!out.contains("(alpha)"))
    #expect(out.contains("{alpha: "))
    #expect(out.contains("{beta: "))
    #expect(out.range(of: #"\{gamma: \w+ = 1\}"#, options: .regularExpression) != nil)
  }

  @Test func leavesTopLevelExportsImportsAndGlobalsAlone() throws {
    let src = "import d from 'm'; export const e = 1; let top = 2; function f() { return d + e + top + free; }"
    #expect(try RenamingHarness.apply(RenameLocals(), to: src) == src)
  }

  @Test func leavesUnsafeScopesAlone() throws {
    let src = "function f(a) { return eval('a'); } function g(b) { with (b) { return c; } }"
    #expect(try RenamingHarness.apply(RenameLocals(), to: src) == src)
  }

  @Test func neverCapturesAFreeOrOuterName() throws {
    // Every word of a one-word list is taken by a free name inside the scope: nothing is renamed.
    // The only word is taken by a free name inside the scope: the renamer falls back to a numbered one.
    let src = "function f(x) { return x + value; }"
    #expect(
      try RenamingHarness.apply(RenameLocals(words: ["value"]), to: src)
        == "function f(value2) { return value2 + value; }")
    let outer = "function f(x) { const value = 1; return function (y) { return value + y; }; }"
    let out = try RenamingHarness.apply(RenameLocals(words: ["value", "count"]), to: outer)
    // `y` may not become `value` (it would capture the outer `value`), so it becomes `count`.
    #expect(out.contains("function (count) { return value + count; }") || out.contains("count"))
    #expect(!out.contains("function (value)"))
  }

  @Test func sameSeedSameBytesAndSeedsDiffer() throws {
    let src = "function f(a, b) { let c = a + b; return c * 2; }"
    let one = try RenamingHarness.apply(RenameLocals(), to: src, seed: 7)
    let two = try RenamingHarness.apply(RenameLocals(), to: src, seed: 7)
    let other = try RenamingHarness.apply(RenameLocals(), to: src, seed: 8)
    #expect(one == two)
    #expect(one != other)
  }

  @Test func jsxComponentsStayCapitalised() throws {
    let src =
      "function App() { const Item = (p) => <li>{p.x}</li>; function Inner() { return <Item x={1} />; } return <Inner />; }"
    let out = try RenamingHarness.apply(RenameLocals(keepFunctionNames: false), to: src, language: .tsx)
    let tree = try Parser(language: .tsx).parse(out)
    let a = ScopeAnalysis(tree: tree)
    #expect(a.references.filter(\.isJSXTag).allSatisfy { $0.name.first?.isUppercase == true })
    #expect(out.contains("<li>"))
  }

  @Test func typeScriptAnnotationsSurviveAndParameterPropertiesStay() throws {
    let src =
      "class P { constructor(private x: number, y: string) { console.log(y); } } function f(a: number, b?: string): string { return `${a}${b}`; }"
    let out = try RenamingHarness.apply(RenameLocals(), to: src, language: .typescript)
    #expect(out.contains("private x: number"))
    #expect(!out.contains("y: string"))
    #expect(out.contains(": number, ") && out.contains("?: string): string"))
  }

  @Test func probabilityZeroRenamesNothing() throws {
    let src = "function f(a) { return a; }"
    #expect(try RenamingHarness.apply(RenameLocals(probability: 0), to: src) == src)
  }

  @Test func renamablePolicy() throws {
    let src = "function f(p) { const g = () => 1; function h() {} let v; { function blk() {} } try {} catch (e) {} }"
    let a = ScopeAnalysis(tree: try Parser(language: .javascript).parse(src))
    let names = RenameLocals.renamableBindings(a, language: .javascript).map(\.name)
    #expect(names == ["p", "v", "e"])
    let loose = RenameLocals.renamableBindings(a, language: .javascript, keepFunctionNames: false).map(\.name)
    #expect(loose == ["p", "h", "v", "e"])
  }

  /// A correct renaming keeps the binding structure, so the canonical form cannot change: a strong check on
  /// real code (terser's sources, when installed).
  @Test func realCodeKeepsItsCanonicalHash() throws {
    let paths = ["/usr/share/nodejs/terser/lib/compress/reduce-vars.js", "/usr/share/nodejs/terser/lib/scope.js"]
      .filter { FileManager.default.fileExists(atPath: $0) }
    guard !paths.isEmpty else {
      print("skipped: no terser sources at /usr/share/nodejs/terser (apt-get install node-terser)")
      return
    }
    for path in paths {
      let source = try String(contentsOfFile: path, encoding: .utf8)
      let tree = try Parser(language: .javascript).parse(source)
      for transform in [RenameLocals(), Mangle()] as [any Transform] {
        let out = try RenamingHarness.apply(transform, to: source)
        #expect(out != source)
        let again = try Parser(language: .javascript).parse(out)
        #expect(again.errorCount <= tree.errorCount)
        #expect(canonicalHash(of: again) == canonicalHash(of: tree), "\(transform.name) changed \(path)")
      }
    }
  }

  @Test func executionTranscriptsAreUnchanged() throws {
    guard RenamingHarness.nodeAvailable else {
      print("skipped: node is not installed at \(RenamingHarness.nodePath); the execution check needs it")
      return
    }
    try RenamingHarness.checkTranscripts(seeds: [1, 2, 3, 4, 5]) { source, seed in
      try RenamingHarness.apply(RenameLocals(), to: source, seed: seed)
    }
  }
}
