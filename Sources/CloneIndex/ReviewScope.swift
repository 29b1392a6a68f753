/// What `codeintel clones` and the editor leave out by default besides short functions: test code (`TestCode`),
/// build output and example apps. One rule for both (`CloneDetector.eligible` and the language server's
/// `IndexedCloneLookup`), so the editor never shows a match the command line would not report.
///
/// - **Build output** copies the repository's own functions (underscore's four UMD/ESM/CommonJS bundles hold a
///   copy of each of its `modules/*.js`: 65 of its first groups were bundle copies, docs/CLONES.md). A file is
///   build output by path (`isBuildPath`: a `dist/`, `build/`, `umd/` or `bundles/` folder, `lib/` beside a `src/`
///   twin, `x.bundle.js`, `x.umd.js`, `x.min.js`), by content (`copyFiles`: most of its functions are copies of
///   functions in several other files) or by its header (`GeneratedCode`: a generated file, flagged at index time,
///   `StoredUnit.generatedFile`).
/// - **Example apps** (a folder named `examples`, `example`, `demo`, `demos`, `playground` or `playgrounds`, or one
///   with `examples`, `example`, `demo` or `demos` among the `-`, `_` or `.` separated words of its name:
///   `dev-examples/`, `react_demo/`, `examples-node/`; not `lexical-playground/`)
///   are copied on purpose so each stands alone (redux-toolkit's `examples/type-portability/*` repeat its
///   kitchen-sink example; the session-7 audits found no example group worth a refactor, docs/CLONES.md).
/// - **Benchmark code** (a folder named `benchmark`, `benchmarks`, `bench`, `benches` or `__benchmarks__`, or with
///   `benchmark` or `benchmarks` among the `-`, `_` or `.` separated words of its name; a file named `x.bench.ts` or
///   `x.benchmark.js`) repeats one task on purpose, one variant per library, protocol or input (session 14: 2 of 20
///   benchmark groups read on seven train/valid repositories were worth a refactor, docs/CLONES.md).
public struct ReviewScope: Sendable {
  /// Why a function is left out by default.
  public enum Reason: String, Sendable, CaseIterable {
    case test, build, example, benchmark
  }

  /// Folder names of build output.
  public static let buildFolders: Set<String> = ["dist", "build", "umd", "bundles"]
  /// File-name markers after a dot: `app.bundle.js`, `lib.umd.js`, `x.min.js` (`bundle.ts` and `create-bundle.ts`
  /// are not build output).
  static let buildDotMarkers: Set<String> = ["bundle", "umd", "min"]
  /// Folder names of example and demo apps, and the words that make a folder one (`isExamplePath`).
  public static let exampleFolders: Set<String> = [
    "examples", "example", "demo", "demos", "playground", "playgrounds",
  ]
  /// The words of a longer folder name that make it an example app (`dev-examples/`). Not `playground`: a
  /// monorepo's `lexical-playground` package is the project's showcase application, whose copies session 9's
  /// audit judged worth a refactor (docs/CLONES.md); only a folder named `playground` itself is an example.
  static let exampleWords: Set<String> = ["examples", "example", "demo", "demos"]
  /// Folder names of benchmark suites, and the words of a longer folder name that make it one (`js-benchmarks/`;
  /// not `bench` or `benches` inside a longer name: `test-bench/` and `workbench/` are not benchmark suites).
  public static let benchmarkFolders: Set<String> = ["benchmark", "benchmarks", "bench", "benches", "__benchmarks__"]
  static let benchmarkWords: Set<String> = ["benchmark", "benchmarks"]
  /// File-name markers after a dot: `router.bench.ts` (Vitest's benchmark files), `parse.benchmark.js`.
  static let benchmarkDotMarkers: Set<String> = ["bench", "benchmark"]
  /// The copy rule: a file with at least `copyMinFunctions` functions of at least `copyMinTokens` tokens, at
  /// least `copyShare` of which have a copy (the same canonical hash) in another file, the copies lying in at
  /// least `copyMinOtherFiles` other files. On the eight github-test repositories of the session-7 audits only
  /// underscore's four bundles pass (98–100 % copied, into 64–65 other files); the next file had 88 % of 8
  /// functions copied into one other file (radix's ssr-testing `client.tsx`/`server.tsx`).
  static let copyMinFunctions = 10
  static let copyMinTokens = 30
  static let copyShare = 0.8
  static let copyMinOtherFiles = 3

  /// Files judged build output by the copy rule or as generated (not those judged by path alone).
  public let buildFiles: Set<String>
  /// The indexed paths without their extensions (for the `lib/` twin rule).
  let stems: Set<String>

  /// The scope of an index's units (the copy rule counts all of them, whatever the options).
  public init(units: [StoredUnit]) {
    self.init(
      units: units.map { (path: $0.path, canonicalHash: $0.canonicalHash, tokens: $0.tokenCount) },
      generatedFiles: Set(units.lazy.filter(\.generatedFile).map(\.path)))
  }

  /// The scope of a repository's units given as (path, canonical hash, token count), and its generated files
  /// (`GeneratedCode`): what `UnitRecordExporter` has before it writes a repository's records.
  init(units: [(path: String, canonicalHash: String, tokens: Int)], generatedFiles: Set<String> = []) {
    stems = Set(units.map { Self.stem($0.path) })
    buildFiles = Self.copyFiles(units).union(generatedFiles)
  }

  /// Files most of whose functions are copies of functions in several other files (a bundle of the repository's
  /// own modules).
  public static func copyFiles(_ units: [StoredUnit]) -> Set<String> {
    copyFiles(units.map { (path: $0.path, canonicalHash: $0.canonicalHash, tokens: $0.tokenCount) })
  }

  static func copyFiles(_ units: [(path: String, canonicalHash: String, tokens: Int)]) -> Set<String> {
    var filesOf: [String: Set<String>] = [:]
    var hashesOf: [String: [String]] = [:]
    for u in units where u.tokens >= copyMinTokens {
      filesOf[u.canonicalHash, default: []].insert(u.path)
      hashesOf[u.path, default: []].append(u.canonicalHash)
    }
    var out: Set<String> = []
    for (path, hashes) in hashesOf where hashes.count >= copyMinFunctions {
      var copied = 0
      var others: Set<String> = []
      for h in hashes {
        let elsewhere = filesOf[h, default: []].subtracting([path])
        if !elsewhere.isEmpty {
          copied += 1
          others.formUnion(elsewhere)
        }
      }
      if Double(copied) >= copyShare * Double(hashes.count) && others.count >= copyMinOtherFiles { out.insert(path) }
    }
    return out
  }

  /// A path without its extension (`src/a.test.ts` → `src/a.test`).
  static func stem(_ path: String) -> String {
    guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return path }
    return String(path[..<dot])
  }

  /// Whether a repository-relative path is build output by its name: under a build folder, under `lib/` with a
  /// twin of the same name under `src/` among `stems` (the repository's paths without extensions), or a
  /// `.bundle`, `.umd` or `.min` file.
  public static func isBuildPath(_ path: String, stems: Set<String> = []) -> Bool {
    let parts = path.split(separator: "/")
    for (i, folder) in parts.dropLast().enumerated() {
      let name = folder.lowercased()
      if buildFolders.contains(name) { return true }
      if name == "lib" {
        var twin = parts.map(String.init)
        twin[i] = "src"
        if stems.contains(stem(twin.joined(separator: "/"))) { return true }
      }
    }
    return dotMarker(of: path).map(buildDotMarkers.contains) ?? false
  }

  /// The word between a file name's last two dots, lower-cased (`x.bundle.js` → `bundle`), or nil when the name has
  /// fewer than two dots.
  static func dotMarker(of path: String) -> String? {
    guard let file = path.split(separator: "/").last?.lowercased() else { return nil }
    let words = file.split(separator: ".", omittingEmptySubsequences: false)
    return words.count >= 3 ? String(words[words.count - 2]) : nil
  }

  /// Whether a folder of `path` (not its file name) is named as in `names`, or has a word of `words` among the `-`,
  /// `_` or `.` separated words of its name, in any case.
  static func inFolder(_ path: String, named names: Set<String>, withWord words: Set<String>) -> Bool {
    path.split(separator: "/").dropLast().contains { folder in
      let name = folder.lowercased()
      return names.contains(name)
        || name.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "." }).contains { words.contains(String($0)) }
    }
  }

  /// Whether a repository-relative path lies in an example or demo app folder: one named as in `exampleFolders`, or
  /// whose name, split on `-`, `_` and `.`, has a word of `exampleWords` (`dev-examples/`, `examples-node/`,
  /// `react_demo/`; not `lexical-playground/`, a showcase package, nor
  /// `demoUtils/` or `exampleData/`, whose words are not split on case, nor a file named `examples.ts`).
  public static func isExamplePath(_ path: String) -> Bool {
    inFolder(path, named: exampleFolders, withWord: exampleWords)
  }

  /// Whether a repository-relative path is benchmark code: under a folder named as in `benchmarkFolders` or whose
  /// name, split on `-`, `_` and `.`, has a word of `benchmarkWords` (`js-benchmarks/`), or a file whose word before
  /// the extension is `bench` or `benchmark` (`router.bench.ts`; not `bench.ts` or `benchmark.js` alone, which may be
  /// a repository's benchmark library).
  public static func isBenchmarkPath(_ path: String) -> Bool {
    inFolder(path, named: benchmarkFolders, withWord: benchmarkWords)
      || (dotMarker(of: path).map(benchmarkDotMarkers.contains) ?? false)
  }

  /// Why functions of `path` may be left out (test, build, example, benchmark, each that applies), or empty. Test callbacks
  /// are judged per function (`TestCode.isTestCallback`), not here.
  public func reasons(forPath path: String) -> [Reason] {
    var out: [Reason] = []
    if TestCode.isTestPath(path) { out.append(.test) }
    if buildFiles.contains(path) || Self.isBuildPath(path, stems: stems) { out.append(.build) }
    if Self.isExamplePath(path) { out.append(.example) }
    if Self.isBenchmarkPath(path) { out.append(.benchmark) }
    return out
  }

  /// Whether `options` leave out functions for `reason`.
  public static func leavesOut(_ reason: Reason, _ options: CloneOptions) -> Bool {
    switch reason {
    case .test: return !options.includeTests
    case .build: return !options.includeBuild
    case .example: return !options.includeExamples
    case .benchmark: return !options.includeBenchmarks
    }
  }

  /// The first reason `options` leave out every function of `path` for, or nil when they keep it.
  public func leftOut(path: String, options: CloneOptions) -> Reason? {
    reasons(forPath: path).first { Self.leavesOut($0, options) }
  }
}
