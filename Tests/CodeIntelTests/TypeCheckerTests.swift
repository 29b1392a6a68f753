import Foundation
import Syntax
import Testing

@testable import CodeIntel
@testable import Heads

/// Whether node and Debian's node-typescript are here (scripts/setup.sh installs them).
private let compilerInstalled =
  FileManager.default.fileExists(atPath: "/usr/share/nodejs/typescript/package.json")
  && TypeChecker.findNode(ProcessInfo.processInfo.environment) != nil

private let script = CLI.root.appendingPathComponent(TypeChecker.scriptPath).path

private func site(_ source: String, after marker: String) throws -> Int {
  let range = try #require(source.range(of: marker))
  return source.utf8.distance(from: source.startIndex, to: range.upperBound)
}

@Suite(.serialized) struct TypeCheckerTests {
  static let source = """
    export function area(w, h) { return w * h }
    export const focused = document.hasFocus();
    let later;
    later = new Date();

    """

  private func suggestion(_ name: String, at anchor: Int, _ types: [(String, Double)]) -> TypeEvidence.Suggestion {
    TypeEvidence.Suggestion(
      kind: .parameter, name: name, nameRange: anchor..<anchor, anchor: anchor,
      candidates: types.map { .init(type: $0.0, confidence: $0.1, reason: "planted", source: "model") })
  }

  @Test(
    .enabled(
      if: compilerInstalled,
      "node-typescript is not installed: apt-get install -y node-typescript (scripts/setup.sh --tests does it)"))
  func aSuggestionThatBreaksTheFileIsDroppedAndTheNextCandidateTried() throws {
    let checker = try TypeChecker(script: script)
    let s = Self.source
    let planted = [
      // `w * h` needs numbers: `string` adds TS2362, `number` passes.
      suggestion("w", at: try site(s, after: "area(w"), [("string", 0.9), ("number", 0.85)]),
      // `This` does not exist and `boolean` is not `string`: nothing passes.
      suggestion("h", at: try site(s, after: ", h"), [("This", 0.9), ("string", 0.9)]),
      suggestion("later", at: try site(s, after: "let later"), [("Date", 0.9)]),
    ]
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-check/a.ts").path
    let outcome = try checker.check(planted, path: path, bytes: Array(s.utf8), minConfidence: 0.8)
    #expect(outcome.kept.map { "\($0.name): \($0.best.type)" } == ["w: number", "later: Date"])
    #expect(outcome.kept.allSatisfy { $0.candidates.count == 1 })
    #expect(outcome.replaced == 1)
    #expect(outcome.dropped.map(\.suggestion.name) == ["h"])
    #expect(outcome.dropped.first?.diagnostic.hasPrefix("TS2") == true)
    // A candidate below the bar is not tried: `number` for `h` at 0.5 would pass, but is not shown.
    let low = [suggestion("h", at: try site(s, after: ", h"), [("string", 0.9), ("number", 0.5)])]
    #expect(try checker.check(low, path: path, bytes: Array(s.utf8), minConfidence: 0.8).kept.isEmpty)
  }

  @Test(
    .enabled(
      if: compilerInstalled,
      "node-typescript is not installed: apt-get install -y node-typescript (scripts/setup.sh --tests does it)"))
  func aSuggestionTheCompilerCannotJudgeIsUnverifiable() throws {
    // `runtime` comes from a package that is not installed, so `runtime.node` is `any` and any return type
    // passes. The others reject a type no value has: `x * 2` (TS2362, whose message names no type), `s.toUpperCase()`
    // and `later = new Date()` (their messages name the probe).
    let s = """
      import { runtime } from "codeintel-not-installed";
      export function nodeOf() { return runtime.node }
      export function twice(x) { return x * 2 }
      export function shout(s) { return s.toUpperCase() }
      let later;
      later = new Date();

      """
    let planted = [
      suggestion("nodeOf", at: try site(s, after: "nodeOf()"), [("string", 0.96)]),
      suggestion("x", at: try site(s, after: "twice(x"), [("number", 0.9)]),
      suggestion("s", at: try site(s, after: "shout(s"), [("string", 0.9)]),
      suggestion("later", at: try site(s, after: "let later"), [("Date", 0.9)]),
    ]
    let checker = try TypeChecker(script: script)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-check/p.ts").path
    for cumulative in [false, true] {
      let probed = try checker.check(
        planted, path: path, bytes: Array(s.utf8), minConfidence: 0.8, cumulative: cumulative, probe: true)
      #expect(probed.kept.map(\.name) == ["x", "s", "later"])
      #expect(probed.unverifiable.map(\.name) == ["nodeOf"])
      #expect(probed.dropped.isEmpty)
      // Without the probe all four pass, as before.
      let plain = try checker.check(
        planted, path: path, bytes: Array(s.utf8), minConfidence: 0.8, cumulative: cumulative)
      #expect(plain.kept.map(\.name) == ["nodeOf", "x", "s", "later"])
      #expect(plain.unverifiable.isEmpty)
    }
    // Probes whose diagnostics name their sites are judged together: one compiler run for the candidates, one for
    // the probes.
    let named = [planted[2], planted[3]]
    let before = checker.checksRun
    let outcome = try checker.check(named, path: path, bytes: Array(s.utf8), minConfidence: 0.8, probe: true)
    #expect(outcome.kept.map(\.name) == ["s", "later"])
    #expect(checker.checksRun - before == 2)
  }

  @Test(
    .enabled(
      if: compilerInstalled,
      "node-typescript is not installed: apt-get install -y node-typescript (scripts/setup.sh --tests does it)"))
  func writingChecksEachAnnotationOnTopOfTheAcceptedOnes() throws {
    // Alone, `a: string` and `b: number` each pass; together `a === b` compares types with no overlap (TS2367).
    let s = "export function same(a, b) { return a === b }\n"
    let planted = [
      suggestion("a", at: try site(s, after: "(a"), [("string", 0.9)]),
      suggestion("b", at: try site(s, after: ", b"), [("number", 0.9), ("string", 0.85)]),
    ]
    let checker = try TypeChecker(script: script)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-check/b.ts").path
    let alone = try checker.check(planted, path: path, bytes: Array(s.utf8), minConfidence: 0.8)
    #expect(alone.kept.map(\.best.type) == ["string", "number"])
    let together = try checker.check(planted, path: path, bytes: Array(s.utf8), minConfidence: 0.8, cumulative: true)
    #expect(together.kept.map(\.best.type) == ["string", "string"])
    // Annotations that pass together are written after one compiler run, not one per suggestion.
    let clean = [
      suggestion("a", at: try site(s, after: "(a"), [("string", 0.9)]),
      suggestion("b", at: try site(s, after: ", b"), [("string", 0.9), ("number", 0.85)]),
    ]
    let before = checker.checksRun
    let written = try checker.check(clean, path: path, bytes: Array(s.utf8), minConfidence: 0.8, cumulative: true)
    #expect(written.kept.map(\.best.type) == ["string", "string"] && written.dropped.isEmpty)
    #expect(checker.checksRun - before == 1)
  }

  @Test(
    .enabled(
      if: compilerInstalled,
      "node-typescript is not installed: apt-get install -y node-typescript (scripts/setup.sh --tests does it)"))
  func suggestionsThatPassAreCheckedInGroupsNotOneByOne() throws {
    // 32 functions whose `n` is used as a number, and one (`bad`) where `n.length` needs a string.
    var s = ""
    for i in 0..<32 { s += "export function f\(i)(n) { return n * \(i) }\n" }
    s += "export function bad(n) { return n.length }\n"
    var planted: [TypeEvidence.Suggestion] = []
    for i in 0..<32 { planted.append(suggestion("n", at: try site(s, after: "f\(i)(n"), [("number", 0.9)])) }
    planted.append(suggestion("n", at: try site(s, after: "bad(n"), [("number", 0.9), ("string", 0.85)]))
    let checker = try TypeChecker(script: script)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-check/c.ts").path
    let outcome = try checker.check(planted, path: path, bytes: Array(s.utf8), minConfidence: 0.8)
    // The verdicts are those of each suggestion alone...
    #expect(outcome.kept.map(\.best.type) == Array(repeating: "number", count: 32) + ["string"])
    #expect(outcome.kept.map(\.anchor) == planted.map(\.anchor))
    #expect(outcome.replaced == 1 && outcome.dropped.isEmpty)
    // ...found with a handful of compiler runs (group testing), not one per suggestion (33 + 1).
    #expect(checker.checksRun <= 1 + 2 * 6 + 1, "\(checker.checksRun) checks")
  }

  @Test(
    .enabled(
      if: compilerInstalled,
      "node-typescript is not installed: apt-get install -y node-typescript (scripts/setup.sh --tests does it)"))
  func anErrorWhoseExplanationOnlyRewordsIsNotNew() throws {
    // The file already has TS2416 (`truncate` returns `Promise<unknown>` where the interface wants
    // `Promise<void>`); its explanation prints `(len: any) => …`. Writing `len: number` keeps the error and its first
    // line and rewords the explanation: not a new diagnostic for the search (session 22), but for the breakage
    // harness, which compares whole chains, it is.
    let s = """
      interface Handle { truncate(len?: number): Promise<void> }
      export class FileHandle implements Handle {
        truncate(len) { return new Promise<unknown>((r) => r(len)); }
      }

      """
    let anchor = try site(s, after: "\n  truncate(len")
    let checker = try TypeChecker(script: script)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-check/heads.ts").path
    defer { try? checker.close(path: path) }
    let typed = try [ByteEdit(start: anchor, deletedLength: 0, inserted: ": number")].apply(to: Array(s.utf8))
    try checker.baseline(path: path, text: Array(s.utf8))
    #expect(try checker.addedDiagnostics(path: path, text: typed).isEmpty)
    let whole = try checker.addedDiagnostics(path: path, text: typed, wholeMessages: true)
    #expect(whole.count == 1 && whole.first?.hasPrefix("TS2416 Property 'truncate'") == true, "\(whole)")
    // A type that adds an error of its own is still refused: `len.toFixed()` on a string.
    let other = s.replacingOccurrences(of: "r(len)", with: "r(len.toFixed())")
    let wrong = suggestion("len", at: try site(other, after: "\n  truncate(len"), [("string", 0.9), ("number", 0.85)])
    let outcome = try checker.check([wrong], path: path, bytes: Array(other.utf8), minConfidence: 0.8)
    #expect(outcome.kept.map(\.best.type) == ["number"])
  }

  @Test(
    .enabled(
      if: compilerInstalled,
      "node-typescript is not installed: apt-get install -y node-typescript (scripts/setup.sh --tests does it)"))
  func aPropertyAssignedOutsideTheConstructorIsWrittenDefinite() throws {
    // Under `strict` (no tsconfig), `bin: string` adds TS2564 (no initializer, not assigned in the constructor):
    // the search writes the same type as `bin!: string`. A type holding `undefined` needs no `!`; a wrong type
    // still fails with the `!`; a property with an initializer or a `?` is never written with `!`.
    let s = """
      export class Config {
        bin
        cacheDir
        port
        count = 0
        label?
        load(root: string) {
          this.bin = root;
          this.cacheDir = root + "/cache";
          this.port = root.length;
          this.label = root;
        }
      }

      """
    func property(_ name: String, after marker: String, _ types: [(String, Double)]) throws -> TypeEvidence.Suggestion {
      let anchor = try site(s, after: marker)
      return TypeEvidence.Suggestion(
        kind: .property, name: name, nameRange: anchor..<anchor, anchor: anchor,
        candidates: types.map { .init(type: $0.0, confidence: $0.1, reason: "planted", source: "model") })
    }
    let planted = [
      try property("bin", after: "  bin", [("string", 0.9)]),
      try property("cacheDir", after: "  cacheDir", [("string | undefined", 0.9)]),
      try property("port", after: "  port", [("string", 0.9), ("number", 0.85)]),
      try property("count", after: "  count", [("number", 0.9)]),
      try property("label", after: "  label?", [("string", 0.9)]),
    ]
    let bytes = Array(s.utf8)
    #expect(planted.map { TypeChecker.mayBeDefinite($0, bytes: bytes) } == [true, true, true, false, false])
    let checker = try TypeChecker(script: script)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-check/definite.ts").path
    for cumulative in [false, true] {
      let outcome = try checker.check(planted, path: path, bytes: bytes, minConfidence: 0.8, cumulative: cumulative)
      #expect(
        outcome.kept.map { "\($0.name)\($0.annotation)" }
          == ["bin!: string", "cacheDir: string | undefined", "port!: number", "count: number", "label: string"],
        "cumulative: \(cumulative)")
      #expect(outcome.dropped.isEmpty)
    }
    // What is shown is what compiles: the kept annotations written together add nothing.
    let kept = try checker.check(planted, path: path, bytes: bytes, minConfidence: 0.8).kept
    let written = try kept.map { ByteEdit(start: $0.anchor, deletedLength: 0, inserted: $0.annotation) }.apply(to: bytes)
    try checker.baseline(path: path, text: bytes)
    #expect(try checker.addedDiagnostics(path: path, text: written, wholeMessages: true).isEmpty)
    try checker.close(path: path)
  }

  /// The probes a diagnostic names, read off the message once, are the sites the per-site search finds.
  @Test func probesNamedByAMessageAreThoseTheSearchFinds() {
    let group = [0, 1, 2, 3, 5, 12, 21, 120]
    let messages = [
      "Type 'number' is not assignable to type '{ readonly __codeintelProbe12: never; }'.",
      "Types '{ readonly __codeintelProbe1: never; }' and '{ readonly __codeintelProbe21: never; }' have no overlap.",
      "Property 'x' does not exist on type '{ readonly __codeintelProbe0: never; }'.",
      "__codeintelProbe012: never; __codeintelProbe3 : x; __codeintelProbe5:",
      "__codeintelProbe__codeintelProbe120:; __codeintelProbe99999999999999999999999999:",
      "The left-hand side of an arithmetic operation must be of type 'any', 'number', 'bigint' or an enum type.",
      "Type 'Größe' is not assignable to type '{ readonly __codeintelProbe2: never; }'.",
      "", "__codeintelProbe", "__codeintelProbe7",
    ]
    for message in messages {
      #expect(
        TypeChecker.probes(namedBy: message, among: group)
          == group.filter { message.contains("__codeintelProbe\($0):") }, "\(message)")
    }
    #expect(TypeChecker.probes(namedBy: messages[1], among: group) == [1, 21])
  }

  @Test func aCheckerThatDiesGivesAnErrorNotACrash() throws {
    // A "node" that says it is ready and exits: the next request must throw.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-deadnode-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let fake = dir.appendingPathComponent("node").path
    try "#!/bin/sh\necho '{\"ready\":true,\"typescript\":\"0\"}'\n".write(
      toFile: fake, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake)
    let checker = try TypeChecker(node: fake, script: script)
    #expect(throws: CodeIntelError.self) {
      try checker.baseline(path: "/tmp/x.ts", text: Array(String(repeating: "let x = 1;\n", count: 20_000).utf8))
    }
  }

  @Test func withoutTheCompilerTheCheckerSaysWhy() throws {
    #expect {
      _ = try TypeChecker(nodePath: "/nonexistent", script: script)
    } throws: { error in
      (error as? TypeChecker.Unavailable)?.description.contains("typescript") == true
    }
    #expect {
      _ = try TypeChecker(node: "/nonexistent/node", script: script)
    } throws: { error in
      (error as? TypeChecker.Unavailable)?.description.contains("/nonexistent/node") == true
    }
  }
}

extension CLITests {
  @Test func suggestTypesWithoutTheCompilerSaysSoOnceAndGoesOn() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-uncheck-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    for name in ["a.ts", "b.ts"] {
      try "export function f() { return 1 }\n".write(
        to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    // The check is the default; `--check` asks for it explicitly. Either way, no compiler: one notice, exit 0.
    for flags in [[], ["--check"]] {
      for environment in [["NODE_PATH": "/nonexistent"], ["CODEINTEL_NODE": "/nonexistent/node"]] {
        let r = try CLI.run(["suggest-types", "--no-model"] + flags + [dir.path], environment: environment)
        #expect(r.status == 0)
        #expect(r.stderr.components(separatedBy: "suggestions are unchecked").count == 2, "\(flags) \(r.stderr)")
        #expect(r.stdout.contains("f(…): number"))
      }
    }
    // --quiet silences the notice of the default check, not of an explicit --check.
    let quiet = try CLI.run(
      ["suggest-types", "--no-model", "--quiet", dir.path], environment: ["NODE_PATH": "/nonexistent"])
    #expect(quiet.status == 0 && quiet.stderr.isEmpty && quiet.stdout.contains("f(…): number"), "\(quiet.stderr)")
    let asked = try CLI.run(
      ["suggest-types", "--no-model", "--quiet", "--check", dir.path], environment: ["NODE_PATH": "/nonexistent"])
    #expect(asked.status == 0 && asked.stderr.contains("suggestions are unchecked"), "\(asked.stderr)")
    // --no-check does not look for the compiler, so it has nothing to say.
    let skipped = try CLI.run(
      ["suggest-types", "--no-model", "--no-check", dir.path], environment: ["NODE_PATH": "/nonexistent"])
    #expect(
      skipped.status == 0 && skipped.stderr.isEmpty && skipped.stdout.contains("f(…): number"), "\(skipped.stderr)")
    let both = try CLI.run(["suggest-types", "--check", "--no-check", dir.path])
    #expect(both.status == 2 && both.stderr.contains("do not go together"))
    guard compilerInstalled else { return }
    let checked = try CLI.run(["suggest-types", "--no-model", "--format", "json", dir.path])
    #expect(checked.status == 0)
    #expect(checked.stdout.contains("\"checked\":true"))
    #expect(checked.stderr.contains("checked with TypeScript"))
    #expect(!checked.stderr.contains("unchecked"))
  }

  @Test(
    .enabled(
      if: compilerInstalled,
      "node-typescript is not installed: apt-get install -y node-typescript (scripts/setup.sh does it)"))
  func suggestTypesChecksByDefaultAndNoCheckSkipsIt() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-defaultcheck-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    // Every return is a string literal, so the evidence says `: string`; but the compiler infers `'a' | 'b'`,
    // which `t` needs: written, `: string` adds TS2322. `one` returns a number and is fine either way.
    try """
    export function pick(x: boolean) { if (x) return 'a'; return 'b' }
    const t: 'a' | 'b' = pick(true);
    export function one() { return 1 }
    console.log(t, one());

    """.write(to: dir.appendingPathComponent("pick.ts"), atomically: true, encoding: .utf8)
    let unchecked = try CLI.run(["suggest-types", "--no-model", "--no-check", dir.path])
    #expect(unchecked.status == 0)
    #expect(
      unchecked.stdout.contains("pick(…): string") && unchecked.stdout.contains("one(…): number"), "\(unchecked.stdout)"
    )
    for flags in [[], ["--check"]] {
      let r = try CLI.run(["suggest-types", "--no-model"] + flags + [dir.path])
      #expect(r.status == 0)
      #expect(!r.stdout.contains("pick(…)") && r.stdout.contains("one(…): number"), "\(flags): \(r.stdout)")
      #expect(r.stderr.contains("dropped 1 that added a compiler error"), "\(r.stderr)")
    }
    // Writing checks by default too: the diff adds `: number` to `one` and nothing to `pick`.
    let diff = try CLI.run(["suggest-types", "--no-model", "--diff", dir.path])
    #expect(diff.stdout.contains("+export function one(): number { return 1 }"), "\(diff.stdout)")
    #expect(!diff.stdout.contains("pick(x: boolean): string"), "\(diff.stdout)")
  }
}

@Suite(.serialized) struct TypeBreakageTests {
  @Test(
    .enabled(
      if: compilerInstalled,
      "node-typescript is not installed: apt-get install -y node-typescript (scripts/setup.sh --tests does it)"))
  func countsTheSuggestionsThatAddADiagnostic() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-breakage-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("a.ts").path
    // `new This()` with `This` a variable: `: This` is TS2749, shown only before the type-in-scope check;
    // `n` restates (shown with every site, passes); `f`'s return is a hole (shown by default, passes).
    try """
    const This = Object;
    export const a = new This();
    const n = 1;
    export function f() { return 'x' }

    """.write(toFile: path, atomically: true, encoding: .utf8)
    let report = try TypeBreakage.measure(
      files: [path], model: nil, minConfidence: 0.8, checker: try TypeChecker(script: script))
    #expect(report.files == 1 && report.failedFiles.isEmpty)
    #expect(report.rows.map(\.shown) == [3, 2, 1, 1])
    #expect(report.rows.map(\.breaking) == [1, 0, 0, 0])
    #expect(report.keptAfterCheck == 1)
    #expect(report.topDiagnostics.first?.0.hasPrefix("TS") != false)
  }
}

/// `eval types --check`: the system's ranking as the compiler leaves it, site by site (docs/TYPES.md).
@Suite(.serialized) struct TypeCheckedRankingTests {
  private func candidates(_ types: [String]) -> [TypeCombination.Candidate] {
    types.enumerated().map { .init(type: $1, confidence: 0.9 - 0.1 * Double($0), source: .model, reason: "planted") }
  }

  @Test(
    .enabled(
      if: compilerInstalled,
      "node-typescript is not installed: apt-get install -y node-typescript (scripts/setup.sh --tests does it)"))
  func theRankingStartsAtTheFirstCandidateTheCompilerAccepts() throws {
    let text = """
      export function area(w, h) { return w * h }
      export function shout(s) { return s.toUpperCase() }
      export function pick(k) { return k }

      """
    let offsets = try ["area(w", ", h", "shout(s", "pick(k"].map { try site(text, after: $0) }
    let file = TypeEvaluation.File(
      package: "p", path: "src/a.ts", text: text,
      sites: [
        .init(kind: "parameter", name: "w", offset: offsets[0], label: "number"),
        .init(kind: "parameter", name: "h", offset: offsets[1], label: "number"),
        .init(kind: "parameter", name: "s", offset: offsets[2], label: "string"),
        .init(kind: "parameter", name: "k", offset: offsets[3], label: "string", any: true),
      ])
    let ranked = [
      // `w * h`: `string` adds TS2362, so the ranking starts at `number` and keeps what follows, unchecked.
      candidates(["string", "number", "boolean"]),
      // Nothing passes for `h`: no prediction.
      candidates(["string", "This"]),
      // `s.toUpperCase()`: the first passes, the ranking is unchanged.
      candidates(["string", "number"]),
      // An `any` site is not scored, so not checked.
      candidates(["Foo"]),
    ]
    let checker = try TypeChecker(script: script)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-checked-ranking").path
    let r = try TypeEvaluation.checkedRanking(file, candidates: ranked, checker: checker, directory: directory)
    #expect(r.ranked == [["number", "boolean"], [], ["string", "number"], ["Foo"]])
    #expect(r.replaced == 1)
    #expect(r.dropped == 1)
  }

  @Test(
    .enabled(
      if: compilerInstalled,
      "node-typescript is not installed: apt-get install -y node-typescript (scripts/setup.sh --tests does it)"))
  func aDeeperPoolReachesACandidateAfterTheFifth() throws {
    // `w * h` refuses every non-numeric type: the five before `number` are refused, the sixth passes; cut to five
    // (the old pool), the site would have no prediction.
    let text = "export function area(w, h) { return w * h }\n"
    let file = TypeEvaluation.File(
      package: "p", path: "src/b.ts", text: text,
      sites: [.init(kind: "parameter", name: "w", offset: try site(text, after: "area(w"), label: "number")])
    let six = ["string", "boolean", "string[]", "Date", "RegExp", "number"]
    let checker = try TypeChecker(script: script)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-checked-pool").path
    let deep = try TypeEvaluation.checkedRanking(file, candidates: [candidates(six)], checker: checker, directory: directory)
    #expect(deep.ranked == [["number"]] && deep.replaced == 1 && deep.dropped == 0)
    let five = try TypeEvaluation.checkedRanking(
      file, candidates: [candidates(Array(six.prefix(5)))], checker: checker, directory: directory)
    #expect(five.ranked == [[]] && five.dropped == 1)
  }
}

/// The compiler's own return type tried first at return sites (docs/audits/types-s18-compiler-returns.md).
@Suite(.serialized) struct CompilerReturnTypeFirstTests {
  private func returns(_ name: String, at anchor: Int, _ types: [(String, Double)]) -> TypeEvidence.Suggestion {
    TypeEvidence.Suggestion(
      kind: .returnType, name: name, nameRange: anchor..<anchor, anchor: anchor,
      candidates: types.map { .init(type: $0.0, confidence: $0.1, reason: "planted", source: "model") })
  }

  @Test func onlyATrustworthyTypeAlreadyAmongTheCandidatesMovesFirst() {
    let s = returns("f", at: 10, [("string|undefined", 0.6), ("Promise<number>", 0.3), ("number[]", 0.1)])
    let order = { (type: String?) in TypeChecker.promotingCompilerReturn(s, compilerType: type).candidates.map(\.type) }
    // Spacing does not decide a match; confidences travel with their candidates.
    #expect(order("Promise< number >") == ["Promise<number>", "string|undefined", "number[]"])
    #expect(TypeChecker.promotingCompilerReturn(s, compilerType: "number[]").candidates.map(\.confidence) == [0.1, 0.6, 0.3])
    #expect(order("string | undefined") == ["string|undefined", "Promise<number>", "number[]"])
    // Not among the candidates: nothing is added.
    #expect(order("boolean") == ["string|undefined", "Promise<number>", "number[]"])
    // `any`/`unknown` anywhere (an unresolved import's value), an object-literal type, no answer: as it was.
    let withAny = returns("g", at: 10, [("string", 0.6), ("Promise<any>", 0.3), ("unknown[]", 0.2), ("{a:number}", 0.1)])
    for type in ["Promise<any>", "unknown[]", "{ a: number }"] {
      #expect(TypeChecker.promotingCompilerReturn(withAny, compilerType: type).candidates.map(\.type).first == "string")
    }
    #expect(order(nil).first == "string|undefined")
    #expect(TypeChecker.mentionsAnyOrUnknown("Map<string, any>"))
    #expect(!TypeChecker.mentionsAnyOrUnknown("Anything | Unknowns | company"))
  }

  @Test(
    .enabled(
      if: compilerInstalled,
      "node-typescript is not installed: apt-get install -y node-typescript (scripts/setup.sh --tests does it)"))
  func theCompilerNamesTheReturnTypeOfTheFunctionClosingAtEachAnchor() throws {
    // A non-ASCII name before the sites: anchors are UTF-8 byte offsets, the compiler counts UTF-16 units.
    let text = """
      const café = "é";
      export function pair(n: number) { return [n, n] }
      export async function size(s: string) { return s.length }
      export function noop() {}
      export function typed(): string { return café }

      """
    let anchors = try ["pair(n: number)", "size(s: string)", "noop()", "const café", "typed()"].map {
      try site(text, after: $0)
    }
    let checker = try TypeChecker(script: script)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-returns/a.ts").path
    let types = try checker.inferredReturnTypes(path: path, text: Array(text.utf8), anchors: anchors)
    // An annotated function and an offset where no parameter list closes: no answer.
    #expect(types == ["number[]", "Promise<number>", "void", nil, nil])
  }

  @Test(
    .enabled(
      if: compilerInstalled,
      "node-typescript is not installed: apt-get install -y node-typescript (scripts/setup.sh --tests does it)"))
  func theSearchTriesTheCompilersReturnTypeFirstUnderTheSameBar() throws {
    // Both candidates pass (`number[] | undefined` is wider than what `pair` returns); the compiler's own type is
    // tried first, and only where it reaches the bar by its own confidence.
    let text = "export function pair(n: number) { return [n, n] }\n"
    let anchor = try site(text, after: "pair(n: number)")
    let checker = try TypeChecker(script: script)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-returns/b.ts").path
    let s = returns("pair", at: anchor, [("number[] | undefined", 0.9), ("number[]", 0.85)])
    let kept = { (min: Double, on: Bool) in
      try checker.check([s], path: path, bytes: Array(text.utf8), minConfidence: min, compilerReturns: on).kept
        .map(\.best.type)
    }
    #expect(try kept(0.8, true) == ["number[]"])
    #expect(try kept(0.8, false) == ["number[] | undefined"])
    #expect(try kept(0.88, true) == ["number[] | undefined"])
    // The evaluation scores the order searched: the compiler's type, then the rest.
    let file = TypeEvaluation.File(
      package: "p", path: "src/r.ts", text: text,
      sites: [.init(kind: "return", name: "pair", offset: anchor, label: "number[]")])
    let candidates: [TypeCombination.Candidate] = [
      .init(type: "number[]|undefined", confidence: 0.9, source: .model, reason: "planted"),
      .init(type: "number[]", confidence: 0.85, source: .model, reason: "planted"),
      .init(type: "string", confidence: 0.1, source: .model, reason: "planted"),
    ]
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-returns-ranking").path
    let on = try TypeEvaluation.checkedRanking(file, candidates: [candidates], checker: checker, directory: directory)
    #expect(on.ranked == [["number[]", "number[]|undefined", "string"]] && on.replaced == 0)
    let off = try TypeEvaluation.checkedRanking(
      file, candidates: [candidates], checker: checker, directory: directory, compilerReturns: false)
    #expect(off.ranked == [["number[]|undefined", "number[]", "string"]])
  }
}
