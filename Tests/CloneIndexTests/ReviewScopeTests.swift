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
