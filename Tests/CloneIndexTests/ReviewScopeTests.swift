import Foundation
import Testing

@testable import CloneIndex

/// Build output and example apps are left out by default, as test code is (issue 18, session 7: underscore's
/// bundles and redux-toolkit's and ink's example apps filled the first groups with copies nobody would refactor).
@Suite struct ReviewScopeTests {
  private func paths(_ r: CloneReport) -> Set<String> { Set(r.groups.flatMap { $0.members.map(\.path) }) }

  /// Twelve different functions (other property names and literals, and one more statement each).
  static func module(_ k: Int) -> String {
    let extra = (0..<k).map { "    total += item.p\($0)_\(k) * \($0 + 2);" }.joined(separator: "\n")
    return """
      export function f\(k)(items) {
        let total = \(k);
        for (const item of items) {
          if (item.kind !== "k\(k)") continue;
      \(extra)
        }
        return { total, label: "m\(k)" };
      }

      """
  }

  @Test func buildPathsAreRecognisedWithoutOverMatching() {
    let stems: Set<String> = ["src/a", "packages/x/src/util/b", "src/c"]
    for p in [
      "dist/a.js", "packages/x/build/y.js", "umd/z.js", "bundles/all.js", "src/app.bundle.js", "lib.umd.js",
      "vendor/x.min.js", "lib/a.js", "packages/x/lib/util/b.js", "lib/c.mjs",
    ] {
      #expect(ReviewScope.isBuildPath(p, stems: stems), "\(p)")
    }
    // Ordinary source files named like a bundle word, and lib/ files without a src/ twin.
    for p in [
      "src/bundle.ts", "src/create-bundle.ts", "src/umd.js", "src/build-tools.ts", "src/builder/x.ts",
      "src/distance.js", "src/dist.ts", "lib/d.js", "packages/y/lib/util/b.js", "src/min.js", "src/a.min-max.js",
    ] {
      #expect(!ReviewScope.isBuildPath(p, stems: stems), "\(p)")
    }
  }

  @Test func examplePathsAreRecognisedWithoutOverMatching() {
    for p in ["examples/todo/app.tsx", "packages/x/example/y.ts", "demo/x.js", "Demos/a.js", "playground/p.ts"] {
      #expect(ReviewScope.isExamplePath(p), "\(p)")
    }
    for p in ["src/example.ts", "src/examples.ts", "src/demoUtils/x.ts", "src/exampleData/a.js", "playground.ts"] {
      #expect(!ReviewScope.isExamplePath(p), "\(p)")
    }
  }

  /// Example apps whose folder name has a prefix or suffix (session 10: lexical's `dev-examples/mdast-editor`).
  @Test func prefixedAndSuffixedExampleFoldersAreExampleApps() {
    for p in [
      "dev-examples/mdast-editor/src/a.ts", "packages/react-examples/x.tsx", "examples-node/server.js",
      "apps/react_demo/a.js", "Dev-Examples/a.js",
    ] {
      #expect(ReviewScope.isExamplePath(p), "\(p)")
    }
    // Words are split on `-`, `_` and `.` only, and a file is not a folder.
    for p in [
      "src/dev-examples.ts", "src/counterexamples/x.ts", "src/demoUtils/a.ts", "src/exampleData/a.js",
      "src/demonstrate/a.js", "packages/examplesapp/a.js", "src/re-exampled/a.js",
      // A package named after the playground is the project's showcase app, not an example folder.
      "packages/lexical-playground/src/App.tsx", "site/ts.playground/p.ts",
    ] {
      #expect(!ReviewScope.isExamplePath(p), "\(p)")
    }
  }

  /// Benchmark suites (session 14: hono's `benchmarks/`, node-redis's `benchmark/`, pino's `x.bench.js`) and what is
  /// not one.
  @Test func benchmarkPathsAreRecognisedWithoutOverMatching() {
    for p in [
      "benchmarks/jsx/src/page.tsx", "benchmark/lib/ping/ioredis.js", "packages/core/bench/x.ts", "benches/a.js",
      "src/__benchmarks__/sort.ts", "Benchmarks/a.js", "tools/js-benchmarks/a.js", "perf/router-benchmark/a.js",
      "benchmarks/basic.bench.js", "src/router.bench.ts", "test/parse.benchmark.mjs",
    ] {
      #expect(ReviewScope.isBenchmarkPath(p), "\(p)")
    }
    for p in [
      "src/bench.ts", "src/benchmark.js", "lib/benchmarkjs.js", "src/workbench/a.ts", "apps/test-bench/a.js",
      "src/benchmarking.ts", "src/benchmarkUtils/a.js", "src/bench-utils.ts", "src/x.bench", "src/benches.ts",
    ] {
      #expect(!ReviewScope.isBenchmarkPath(p), "\(p)")
    }
  }

  @Test func benchmarkCodeIsLeftOutUnlessAsked() throws {
    let repo = try TemporaryRepository()
    for p in ["src/a.js", "src/b.js", "benchmarks/a.js", "src/sort.bench.js", "bench/b.js"] {
      try repo.write(p, Self.module(3).replacingOccurrences(of: "f3", with: "f_" + p.filter(\.isLetter)))
    }
    let options = CloneOptions(functional: false, nearMiss: false)
    let report = try CloneFinder(options: options).report(root: repo.root)
    #expect(paths(report) == ["src/a.js", "src/b.js"])
    #expect(report.leftOut == CloneReport.LeftOut(tests: 0, build: 0, examples: 0, benchmarks: 3))
    #expect(CloneReportWriter.leftOutLine(report.leftOut) == "left out: 3 functions in benchmark code (--include-benchmarks)")
    var benchmarks = options
    benchmarks.includeBenchmarks = true
    let all = try CloneFinder(options: benchmarks).report(root: repo.root)
    #expect(paths(all) == ["src/a.js", "src/b.js", "benchmarks/a.js", "src/sort.bench.js", "bench/b.js"])
    #expect(all.leftOut == CloneReport.LeftOut(tests: 0, build: 0, examples: 0, benchmarks: 0))
    // .codeintel.json says the same.
    try repo.write(".codeintel.json", #"{"clones": {"includeBenchmarks": true}}"#)
    let settings = try #require(try RepositorySettings.load(root: repo.root))
    #expect(try paths(CloneFinder(options: settings.applied(to: options)).report(root: repo.root)).count == 5)
    try repo.write(".codeintel.json", #"{"clones": {"includeBenchmarks": "yes"}}"#)
    #expect(throws: (any Error).self) { try RepositorySettings.load(root: repo.root) }
  }

  /// The header of pixijs's generated uniform functions (session 10), and what it must not catch.
  @Test func generatedHeadersAreRecognisedInCommentsOnly() {
    func marker(_ text: String) -> String? { GeneratedCode.marker(in: Array(text.utf8)) }
    #expect(
      marker(
        "// This file is auto generated by scripts/utils/autoGenerateUnsafeEvalFunctions.ts\n// Do not edit manually\n"
          + "export function f() {}\n") == "auto generated")
    #expect(marker("// Code generated by protoc-gen-ts. DO NOT EDIT.\nexport {}\n") == "code generated by")
    #expect(marker("/**\n * @generated SignedSource<<abc>>\n */\nexport {}\n") == "@generated")
    #expect(marker("#!/usr/bin/env node\n/* AUTO-GENERATED FILE */\nf()\n") == "auto-generated")
    #expect(
      marker("// Copyright 2026 Someone\n\n// THIS FILE WAS GENERATED from schema.json\nexport {}\n")
        == "this file was generated")
    #expect(
      marker("/* eslint-disable */\n/**\n * Mock Service Worker.\n * - Please do NOT modify this file.\n */\n")
        == "do not modify this file")
    // Markers split over comment lines still count (whitespace and `*` runs are one space).
    #expect(marker("/*\n * Do not\n * edit\n */\n") == "do not edit")
    // Hand-written code: a marker in a string (a generator script writing the header), in code, past the header,
    // after the first code, or a phrase that only looks like one.
    #expect(marker("const header = `// This file is auto generated. Do not edit manually`;\nwrite(header);\n") == nil)
    #expect(marker("const autoGenerated = 1; // the id is\nconst doNotEdit = true;\n") == nil)
    #expect(marker("// Do not modify the input array.\nfunction f(xs) { return xs.slice() }\n") == nil)
    #expect(marker("// Generator of ids.\nexport function f() {}\n" + String(repeating: "f();\n", count: 300) + "// DO NOT EDIT\n") == nil)
    #expect(marker("let s = \"// @generated\"; // plain\n") == nil)
    // Only the leading comments count: a doc comment after the first code (bullmq's `repeat-options.ts`) does not.
    #expect(marker("export interface RepeatOptions {\n  /** The key is normally auto-generated. */\n  key?: string;\n}\n") == nil)
  }

  /// A generated file is build output: left out by default, back with `--include-build` or `includeBuild`.
  @Test func generatedFilesAreLeftOutAsBuildOutputUnlessAsked() throws {
    let repo = try TemporaryRepository()
    try repo.write("src/a.js", Self.module(3).replacingOccurrences(of: "f3", with: "fa"))
    try repo.write("src/b.js", Self.module(3).replacingOccurrences(of: "f3", with: "fb"))
    try repo.write(
      "src/uniforms/sync.ts",
      "// This file is auto generated by scripts/gen.ts\n// Do not edit manually\n"
        + Self.module(3).replacingOccurrences(of: "f3", with: "fg"))
    // The script that writes that header is hand-written.
    try repo.write(
      "scripts/gen.ts",
      "const header = `// This file is auto generated by scripts/gen.ts\\n// Do not edit manually`;\n"
        + Self.module(3).replacingOccurrences(of: "f3", with: "fs"))
    let options = CloneOptions(functional: false, nearMiss: false)
    let report = try CloneFinder(options: options).report(root: repo.root)
    #expect(paths(report) == ["src/a.js", "src/b.js", "scripts/gen.ts"])
    #expect(report.leftOut == CloneReport.LeftOut(tests: 0, build: 1, examples: 0))
    var build = options
    build.includeBuild = true
    #expect(
      try paths(CloneFinder(options: build).report(root: repo.root)) == [
        "src/a.js", "src/b.js", "scripts/gen.ts", "src/uniforms/sync.ts",
      ])
    try repo.write(".codeintel.json", #"{"clones": {"includeBuild": true}}"#)
    let settings = try #require(try RepositorySettings.load(root: repo.root))
    #expect(try paths(CloneFinder(options: settings.applied(to: options)).report(root: repo.root)).count == 4)
  }

  /// Underscore's layout: one module per function, and two bundles that each hold a copy of every module.
  @Test func aBundleOfTheRepositorysOwnFunctionsIsLeftOutUnlessAsked() throws {
    let repo = try TemporaryRepository()
    var bundle = "(function (global, factory) { factory(global); })(this, function (exports) {\n"
    for k in 1...12 {
      try repo.write("modules/f\(k).js", Self.module(k))
      bundle += Self.module(k).replacingOccurrences(of: "export function", with: "function")
    }
    bundle += "});\n"
    try repo.write("underscore.js", bundle)
    try repo.write("underscore-esm.js", bundle.replacingOccurrences(of: "(function (global", with: "(function (root"))
    let options = CloneOptions(functional: false, nearMiss: false)
    let report = try CloneFinder(options: options).report(root: repo.root)
    #expect(report.groups.isEmpty, "\(report.groups.map { $0.members.map(\.path) })")
    // 12 functions and the wrapper around them, in each bundle.
    #expect(report.leftOut == CloneReport.LeftOut(tests: 0, build: 26, examples: 0))
    #expect(
      CloneReportWriter().text(report, root: repo.root).contains(
        "left out: 26 functions in build output (--include-build)"))
    var all = options
    all.includeBuild = true
    let included = try CloneFinder(options: all).report(root: repo.root)
    #expect(included.groups.count >= 12 && paths(included).isSuperset(of: ["underscore.js", "underscore-esm.js"]))
  }

  /// A whole file copied once (the copies lie in one other file) is a copy worth reporting, not a bundle.
  @Test func aFileCopiedOnceIsNotBuildOutput() throws {
    let repo = try TemporaryRepository()
    let text = (1...12).map(Self.module).joined()
    try repo.write("src/report.js", text)
    try repo.write("src/report-v2.js", text)
    let report = try CloneFinder(options: CloneOptions(functional: false, nearMiss: false)).report(root: repo.root)
    #expect(report.groups.count == 12 && paths(report) == ["src/report.js", "src/report-v2.js"])
    #expect(report.leftOut == CloneReport.LeftOut(tests: 0, build: 0, examples: 0))
  }

  @Test func buildFoldersAndExampleAppsAreLeftOutUnlessAsked() throws {
    let repo = try TemporaryRepository()
    for p in ["src/a.js", "src/b.js", "dist/a.js", "lib/a.js", "examples/shop/a.js", "demo/a.js", "lib/own.js"] {
      try repo.write(p, Self.module(3).replacingOccurrences(of: "f3", with: "f_" + p.filter(\.isLetter)))
    }
    let options = CloneOptions(functional: false, nearMiss: false)
    #expect(try paths(CloneFinder(options: options).report(root: repo.root)) == ["src/a.js", "src/b.js", "lib/own.js"])
    var build = options
    build.includeBuild = true
    #expect(
      try paths(CloneFinder(options: build).report(root: repo.root)) == [
        "src/a.js", "src/b.js", "lib/own.js", "dist/a.js", "lib/a.js",
      ])
    var examples = options
    examples.includeExamples = true
    let report = try CloneFinder(options: examples).report(root: repo.root)
    #expect(paths(report) == ["src/a.js", "src/b.js", "lib/own.js", "examples/shop/a.js", "demo/a.js"])
    #expect(report.leftOut == CloneReport.LeftOut(tests: 0, build: 2, examples: 0))
    // .codeintel.json says the same.
    try repo.write(".codeintel.json", #"{"clones": {"includeBuild": true, "includeExamples": true}}"#)
    let settings = try #require(try RepositorySettings.load(root: repo.root))
    #expect(try paths(CloneFinder(options: settings.applied(to: options)).report(root: repo.root)).count == 7)
  }
}
