import CloneIndex
import Foundation
import Heads
import Testing

@testable import LanguageServer

/// The editor's functional clones pass the decision `codeintel clones` makes (issue 18): the learned pair scorer
/// at its bar, the command line's reviewer rules, and a cosine fallback (said once) when the scorer cannot run.
@Suite(.serialized) struct EditorCloneDecisionTests {
  /// The demo shop (`Examples/clones-demo/src`) plus a planted pair: the same retrying fetch written twice with
  /// other names and one added line. In the demo, `chunk` and `splitIntoPages` have hashed-feature cosine 0.90
  /// (at or above the old editor bar of 0.9) and the scorer rejects them; it accepts the planted pair.
  /// `allGroups`: a `.codeintel.json` that shows every match, also those `CloneWorth` hides (the demo's
  /// `chunk`/`splitIntoPages` is a small copy): for the tests of the fallback, which use that pair.
  static func workspace(allGroups: Bool = false) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-lsp-gate-\(UUID().uuidString)")
    let demo = repository.appendingPathComponent("Examples/clones-demo/src")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: demo, to: dir.appendingPathComponent("src"))
    try fetchWithRetry.write(to: dir.appendingPathComponent("src/net/retry.js"), createDirectories: true)
    try loadJson.write(to: dir.appendingPathComponent("src/net/load.js"), createDirectories: true)
    if allGroups {
      try #"{"clones": {"allGroups": true}}"#.write(
        to: dir.appendingPathComponent(".codeintel.json"), createDirectories: true)
    }
    return dir
  }

  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static let fetchWithRetry = """
    export async function fetchWithRetry(url, options = {}, attempts = 3) {
      let lastError = null;
      for (let attempt = 0; attempt < attempts; attempt++) {
        try {
          const response = await fetch(url, options);
          if (!response.ok) {
            throw new Error(`HTTP ${response.status} for ${url}`);
          }
          return await response.json();
        } catch (error) {
          lastError = error;
          const delay = Math.min(1000 * 2 ** attempt, 8000);
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
      throw lastError;
    }

    """

  static let loadJson = """
    export async function loadJson(endpoint, init = {}, tries = 3) {
      let failure = null;
      for (let i = 0; i < tries; i++) {
        try {
          const res = await fetch(endpoint, init);
          if (!res.ok) {
            throw new Error(`HTTP ${res.status} for ${endpoint}`);
          }
          return await res.json();
        } catch (err) {
          failure = err;
          console.warn(`retrying ${endpoint}`, err);
          const wait = Math.min(1000 * 2 ** i, 8000);
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
      }
      throw failure;
    }

    """

  /// The shipped scorer with its encoder (`Models/contracode-hybrid-small`), one thread.
  static func shippedGate() throws -> LearnedPairGate {
    try #require(
      try LearnedPairGate.load(
        directory: repository.appendingPathComponent("Models/contracode-hybrid-small").path, threads: 1))
  }

  /// `codeintel.findSimilar` at the start of the first function of `path` (opened from disk).
  static func similar(_ editor: MockEditor, _ dir: URL, _ path: String, line: Int = 0) throws -> [JSONValue] {
    let url = dir.appendingPathComponent(path)
    let uri = LanguageServer.uri(fromPath: url.path)
    editor.open(try String(contentsOf: url, encoding: .utf8), uri: uri)
    let found = try editor.result(
      "workspace/executeCommand", ["command": "codeintel.findSimilar", "arguments": [.string(uri), .int(line), 20]])
    return found.items
  }

  static func names(_ items: [JSONValue]) -> [String] { items.compactMap { $0["name"]?.stringValue } }

  static func notices(_ editor: MockEditor) -> [String] {
    editor.messages.filter { $0["method"] == "window/logMessage" }.compactMap { $0["params"]?["message"]?.stringValue }
      .filter { $0.hasPrefix("functional clones in the editor") }
  }

  /// The notices once `count` of them have arrived (or after the editor's timeout): a log message may reach the
  /// editor after the response to the request that caused it, so counting right after a response races.
  static func notices(_ editor: MockEditor, awaiting count: Int) -> [String] {
    let deadline = Date().addingTimeInterval(MockEditor.timeout)
    var found = notices(editor)
    while found.count < count, Date() < deadline {
      Thread.sleep(forTimeInterval: 0.01)
      found = notices(editor)
    }
    return found
  }

  /// The line of `function <name>` in a file.
  static func line(of name: String, in url: URL) throws -> Int {
    let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
    return try #require(lines.firstIndex { $0.contains("function \(name)(") })
  }

  @Test func theScorerDecidesWhatTheEditorShowsWithTheCommandLinesProbability() throws {
    let dir = try Self.workspace()
    defer { try? FileManager.default.removeItem(at: dir) }
    let gate = try Self.shippedGate()
    // `codeintel clones` on the workspace: it keeps the encoder vectors of its candidates in the index.
    let report = try CloneFinder(gate: gate).report(root: dir.path)
    let functional = report.groups.filter { $0.kind == .functional }
    let planted = try #require(
      functional.first { Set($0.members.compactMap(\.name)) == ["fetchWithRetry", "loadJson"] })
    #expect(!functional.contains { Set($0.members.compactMap(\.name)).isSuperset(of: ["chunk", "splitIntoPages"]) })

    let counting = CountingGate(gate)
    let editor = try MockEditor(
      providers: AnalysisProviders(
        types: EvidenceTypeSuggester(), clones: CanonicalCloneFinder(), useWorkspaceCloneIndex: true,
        cloneGate: counting),
      rootUri: LanguageServer.uri(fromPath: dir.path))
    let load = try Self.similar(editor, dir, "src/net/load.js")
    let match = try #require(load.first { $0["name"] == "fetchWithRetry" })
    #expect(match["basis"] == "scorer")
    // The same pair, the same probability as the command line's edge (a group of two has one edge).
    let p = try #require(match["similarity"]?.doubleValue)
    #expect(abs(p - planted.similarity) < 1e-6)
    #expect(p >= gate.threshold)

    // chunk ~ splitIntoPages: cosine 0.90, rejected by the scorer, so not shown (the old editor showed it).
    let collections = dir.appendingPathComponent("src/util/collections.js")
    let chunk = try Self.similar(
      editor, dir, "src/util/collections.js", line: try Self.line(of: "chunk", in: collections))
    #expect(!Self.names(chunk).contains("splitIntoPages"))
    #expect(chunk.allSatisfy { $0["basis"] != "cosine" })
    // Every encoder vector came from the index.
    #expect(counting.encoded == 0)
    let notices = Self.notices(editor, awaiting: 1)
    #expect(notices.count == 1)
    #expect(notices.first?.contains("learned pair scorer") == true)

    // The hover says what decided it.
    let hover = try editor.result(
      "textDocument/hover",
      [
        "textDocument": [
          "uri": .string(LanguageServer.uri(fromPath: dir.appendingPathComponent("src/net/load.js").path))
        ],
        "position": MockEditor.position(0, 25),
      ])
    let text = hover["contents"]?["value"]?.stringValue ?? ""
    #expect(text.contains("`fetchWithRetry` in `src/net/retry.js:1` (scorer "))
    #expect(try editor.shutdown() == 0)
  }

  @Test func withoutAScorerTheCosineFallbackIsSaidOnceAndUsesMinSimilarity() throws {
    let dir = try Self.workspace(allGroups: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try RepositoryIndexer(root: dir.path).update()
    let editor = try Self.cosineFallbackEditor(dir)
    let collections = dir.appendingPathComponent("src/util/collections.js")
    let chunk = try Self.similar(
      editor, dir, "src/util/collections.js", line: try Self.line(of: "chunk", in: collections))
    let pages = try #require(chunk.first { $0["name"] == "splitIntoPages" })
    #expect(pages["basis"] == "cosine")
    #expect((pages["similarity"]?.doubleValue ?? 0) >= 0.9)
    #expect(chunk.allSatisfy { ($0["similarity"]?.doubleValue ?? 0) >= 0.9 })
    let notices = Self.notices(editor, awaiting: 1)
    #expect(notices.count == 1)
    #expect(notices.first?.contains("no clone-scorer.json in the model folders") == true)
    #expect(try editor.shutdown() == 0)
  }

  @Test func noEncoderVectorsMeansOneNoticeThenTheFallbackAndTheServerKeepsServing() throws {
    let dir = try Self.workspace(allGroups: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    // `codeintel index` keeps no encoder vectors, and this gate's encoder computes none.
    try RepositoryIndexer(root: dir.path).update()
    let editor = try MockEditor(
      providers: AnalysisProviders(
        types: EvidenceTypeSuggester(), clones: CanonicalCloneFinder(), useWorkspaceCloneIndex: true,
        cloneGate: EncoderlessGate()),
      rootUri: LanguageServer.uri(fromPath: dir.path))
    let collections = dir.appendingPathComponent("src/util/collections.js")
    let chunk = try Self.similar(
      editor, dir, "src/util/collections.js", line: try Self.line(of: "chunk", in: collections))
    #expect(chunk.first { $0["name"] == "splitIntoPages" }?["basis"] == "cosine")
    let load = try Self.similar(editor, dir, "src/net/load.js")
    #expect(load.first { $0["name"] == "fetchWithRetry" }?["basis"] == "cosine")
    let notices = Self.notices(editor, awaiting: 2)
    #expect(notices.count == 2)  // the scorer at start-up, then the one fallback
    #expect(notices.last?.contains("no encoder vectors") == true)
    #expect(try editor.shutdown() == 0)
  }

  @Test func theReviewerRulesHoldOnBothSides() throws {
    let dir = try Self.workspace()
    defer { try? FileManager.default.removeItem(at: dir) }
    // A copy of the retrying fetch in a test file, and one inside a `describe` callback.
    try Self.fetchWithRetry.replacingOccurrences(of: "fetchWithRetry", with: "fetchAgain")
      .replacingOccurrences(of: "lastError", with: "problem")
      .write(to: dir.appendingPathComponent("src/net/retry.test.js"), createDirectories: true)
    try RepositoryIndexer(root: dir.path).update()
    let editor = try MockEditor(
      providers: AnalysisProviders(
        types: EvidenceTypeSuggester(), clones: CanonicalCloneFinder(), useWorkspaceCloneIndex: true),
      rootUri: LanguageServer.uri(fromPath: dir.path), options: ["codeintel": ["diagnostics": ["minSimilarity": 0.5]]])
    // The test file's copy is not a functional match of the real function, and the test function has none.
    let load = try Self.similar(editor, dir, "src/net/load.js")
    #expect(Self.names(load).contains("fetchWithRetry"))
    #expect(!Self.names(load).contains("fetchAgain"))
    // (A renamed copy may still come from the canonical-form finder, whose rules are its own.)
    #expect(try Self.similar(editor, dir, "src/net/retry.test.js").allSatisfy { $0["basis"] == "renamed" })
    // A function under the command line's 5 lines is never a functional match.
    let short = dir.appendingPathComponent("src/net/short.js")
    try
      "export async function getJson(u) {\n  const r = await fetch(u); if (!r.ok) throw new Error(`HTTP ${r.status} for ${u}`); return await r.json();\n}\n"
      .write(to: short, createDirectories: true)
    #expect(!Self.names(try Self.similar(editor, dir, "src/net/short.js")).contains("fetchWithRetry"))
    #expect(try editor.shutdown() == 0)
  }
}

extension EditorCloneDecisionTests {
  /// Build output and example apps are left out in the editor as on the command line (`ReviewScope`): a copy of the
  /// retrying fetch in `dist/`, one in a generated file (`GeneratedCode`), one in an example app (also one whose
  /// folder name has a prefix, `dev-examples/`) and one in a benchmark suite are not matches of the real function,
  /// and have none.
  @Test func buildOutputAndExampleAppsAreLeftOutOnBothSides() throws {
    let dir = try Self.workspace()
    defer { try? FileManager.default.removeItem(at: dir) }
    let copies = [
      ("dist/retry.js", "fetchBuilt"), ("examples/shop/retry.js", "fetchInExample"),
      ("src/generated/retry.js", "fetchGenerated"), ("dev-examples/shop/retry.js", "fetchInDevExample"),
      ("benchmarks/fetch/retry.js", "fetchInBenchmark"),
    ]
    for (path, name) in copies {
      let header = name == "fetchGenerated" ? "// This file is auto generated by scripts/gen.js. Do not edit.\n" : ""
      try (header + Self.fetchWithRetry).replacingOccurrences(of: "fetchWithRetry", with: name)
        .replacingOccurrences(of: "lastError", with: "problem")
        .write(to: dir.appendingPathComponent(path), createDirectories: true)
    }
    try RepositoryIndexer(root: dir.path).update()
    let editor = try MockEditor(
      providers: AnalysisProviders(
        types: EvidenceTypeSuggester(), clones: CanonicalCloneFinder(), useWorkspaceCloneIndex: true),
      rootUri: LanguageServer.uri(fromPath: dir.path), options: ["codeintel": ["diagnostics": ["minSimilarity": 0.5]]])
    let load = Self.names(try Self.similar(editor, dir, "src/net/load.js"))
    #expect(load.contains("fetchWithRetry"))
    for (_, name) in copies { #expect(!load.contains(name), "\(name)") }
    for (path, _) in copies {
      #expect(try Self.similar(editor, dir, path).allSatisfy { $0["basis"] == "renamed" }, "\(path)")
    }
    #expect(try editor.shutdown() == 0)
    // With includeBuild, includeExamples and includeBenchmarks in .codeintel.json, all are matches again.
    try #"{"clones": {"includeBuild": true, "includeExamples": true, "includeBenchmarks": true}}"#.write(
      to: dir.appendingPathComponent(".codeintel.json"), atomically: true, encoding: .utf8)
    let again = try MockEditor(
      providers: AnalysisProviders(
        types: EvidenceTypeSuggester(), clones: CanonicalCloneFinder(), useWorkspaceCloneIndex: true),
      rootUri: LanguageServer.uri(fromPath: dir.path), options: ["codeintel": ["diagnostics": ["minSimilarity": 0.5]]])
    let both = Self.names(try Self.similar(again, dir, "src/net/load.js"))
    for (_, name) in copies { #expect(both.contains(name), "\(name)") }
    #expect(try again.shutdown() == 0)
  }

  /// An index of another hashing version (one written before generated files were flagged) is not read by the
  /// editor, which says to rebuild it, rather than read with wrong flags.
  @Test func anIndexOfAnotherHashingVersionIsNotUsed() throws {
    let dir = try Self.workspace()
    defer { try? FileManager.default.removeItem(at: dir) }
    try RepositoryIndexer(root: dir.path).update()
    final class Notices: @unchecked Sendable {
      let lock = NSLock()
      var all: [String] = []
      func add(_ s: String) { lock.withLock { all.append(s) } }
    }
    let fresh = Notices()
    #expect(IndexedCloneLookup(root: dir.path, local: CanonicalCloneFinder(), notice: fresh.add) != nil)
    #expect(!fresh.all.contains { $0.contains("codeintel index") })
    let db = try SQLiteDatabase(path: RepositoryIndexer.indexPath(for: dir.path))
    try db.execute("UPDATE meta SET value = 'tokens-v1+old' WHERE key = 'hashing'")
    let old = Notices()
    #expect(IndexedCloneLookup(root: dir.path, local: CanonicalCloneFinder(), notice: old.add) == nil)
    #expect(old.all.contains { $0.contains("run `codeintel index` to rebuild it") })
  }

  /// The command line's outermost-only rule, per pair: a function is not matched with a function nested in a
  /// copy of itself (underscore's bundles: `createReduce` with the `reducer` inside another bundle's copy).
  @Test func aFunctionIsNotMatchedWithOneNestedInItsOwnCopy() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-lsp-nest-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let body = """
        const out = [];
        for (let i = 0; i < values.length; i++) {
          const v = values[i] * factor;
          out.push(Number.isFinite(v) ? v : 0);
        }
        return out;
      """
    let outer = "export function makeScaler(factor) {\n  return function scaleAll(values) {\n\(body)\n  };\n}\n"
    try outer.write(to: dir.appendingPathComponent("a.js"), createDirectories: true)
    try outer.replacingOccurrences(of: "makeScaler", with: "createScaler")
      .write(to: dir.appendingPathComponent("b.js"), createDirectories: true)
    try "export function scaleValues(values, factor) {\n\(body)\n}\n"
      .write(to: dir.appendingPathComponent("c.js"), createDirectories: true)
    // Every match (`allGroups`): the outermost-only rule is the subject, and `CloneWorth` judges these small.
    try #"{"clones": {"allGroups": true}}"#.write(
      to: dir.appendingPathComponent(".codeintel.json"), createDirectories: true)
    try RepositoryIndexer(root: dir.path).update()
    let editor = try MockEditor(
      providers: AnalysisProviders(
        types: EvidenceTypeSuggester(), clones: CanonicalCloneFinder(), useWorkspaceCloneIndex: true),
      rootUri: LanguageServer.uri(fromPath: dir.path), options: ["codeintel": ["diagnostics": ["minSimilarity": 0.3]]])
    // createScaler: its copy makeScaler, never the scaleAll inside makeScaler.
    let outerMatches = try Self.similar(editor, dir, "b.js")
    #expect(Self.names(outerMatches).contains("makeScaler"))
    #expect(!outerMatches.contains { $0["name"] == "scaleAll" && $0["uri"]?.stringValue?.hasSuffix("/a.js") == true })
    // The standalone scaleValues still finds the nested scaleAll functions (only one side is nested).
    let standalone = try Self.similar(editor, dir, "c.js")
    #expect(standalone.contains { $0["name"] == "scaleAll" })
    #expect(try editor.shutdown() == 0)
  }
}

extension EditorCloneDecisionTests {
  /// An editor on the indexed workspace `dir` without a clone scorer: functional matches by the cosine fallback;
  /// `options` are the client's initialization options (`MockEditor`'s default when nil).
  static func cosineFallbackEditor(_ dir: URL, options: JSONValue? = nil) throws -> MockEditor {
    let providers = AnalysisProviders(
      types: EvidenceTypeSuggester(), clones: CanonicalCloneFinder(), useWorkspaceCloneIndex: true,
      cloneGateNotice: "no clone-scorer.json in the model folders")
    let root = LanguageServer.uri(fromPath: dir.path)
    guard let options else { return try MockEditor(providers: providers, rootUri: root) }
    return try MockEditor(providers: providers, rootUri: root, options: options)
  }

  /// The command line's worth rule (`CloneWorth`) on each functional match: the demo's `chunk`/`splitIntoPages`
  /// (cosine 0.90, 46 body tokens to remove: small) is not shown, the planted retrying fetch is; `allGroups` shows
  /// both. Fails on the old code, which showed `splitIntoPages`.
  @Test func theWorthRuleHoldsInTheEditor() throws {
    for allGroups in [false, true] {
      let dir = try Self.workspace(allGroups: allGroups)
      defer { try? FileManager.default.removeItem(at: dir) }
      try RepositoryIndexer(root: dir.path).update()
      let editor = try Self.cosineFallbackEditor(dir)
      let collections = dir.appendingPathComponent("src/util/collections.js")
      let chunk = try Self.similar(
        editor, dir, "src/util/collections.js", line: try Self.line(of: "chunk", in: collections))
      #expect(chunk.contains { $0["name"] == "splitIntoPages" } == allGroups)
      let load = try Self.similar(editor, dir, "src/net/load.js")
      #expect(load.contains { $0["name"] == "fetchWithRetry" })
      #expect(try editor.shutdown() == 0)
    }
  }

  /// `unlike` in the editor, as on the command line (session 9): the planted renamed rewrite
  /// (`Tests/Fixtures/clone-worth/`: `summarizeOrders`/`tallyInvoices`) is shown, the parallel header/footer
  /// builders of one shape are not (`allGroups` shows them: the fallback does match them). Fails on session 8's rule,
  /// which read single tokens as written and hid the rewrite but showed the builders.
  @Test func theEditorHidesParallelJobsAndKeepsARenamedRewrite() throws {
    for allGroups in [false, true] {
      let dir = try Self.workspace(allGroups: allGroups)
      defer { try? FileManager.default.removeItem(at: dir) }
      let fixtures = Self.repository.appendingPathComponent("Tests/Fixtures/clone-worth")
      try FileManager.default.createDirectory(
        at: dir.appendingPathComponent("src/planted"), withIntermediateDirectories: true)
      for name in ["orders.js", "invoices.js", "header.js", "footer.js"] {
        try FileManager.default.copyItem(
          at: fixtures.appendingPathComponent(name), to: dir.appendingPathComponent("src/planted/" + name))
      }
      try RepositoryIndexer(root: dir.path).update()
      // The cosine fallback at a low bar, so that the rule, not the cosine, decides.
      let editor = try Self.cosineFallbackEditor(dir, options: ["codeintel": ["diagnostics": ["minSimilarity": 0.5]]])
      #expect(Self.names(try Self.similar(editor, dir, "src/planted/orders.js")).contains("tallyInvoices"))
      #expect(Self.names(try Self.similar(editor, dir, "src/planted/header.js")).contains("renderFooter") == allGroups)
      #expect(try editor.shutdown() == 0)
    }
  }

  /// `.codeintel.json` speaks to the editor as to the command line: a cosine `threshold` replaces the scorer, and
  /// `functional: false` turns functional matches off.
  @Test func theRepositorySettingsApplyInTheEditor() throws {
    for (settings, expectFunctional) in [
      (#"{"clones": {"threshold": 0.7, "allGroups": true}}"#, true), (#"{"clones": {"functional": false}}"#, false),
    ] {
      let dir = try Self.workspace()
      defer { try? FileManager.default.removeItem(at: dir) }
      try settings.write(to: dir.appendingPathComponent(".codeintel.json"), createDirectories: true)
      try RepositoryIndexer(root: dir.path).update()
      let editor = try MockEditor(
        providers: AnalysisProviders(
          types: EvidenceTypeSuggester(), clones: CanonicalCloneFinder(), useWorkspaceCloneIndex: true,
          cloneGate: EncoderlessGate()),
        rootUri: LanguageServer.uri(fromPath: dir.path))
      let collections = dir.appendingPathComponent("src/util/collections.js")
      let chunk = try Self.similar(
        editor, dir, "src/util/collections.js", line: try Self.line(of: "chunk", in: collections))
      let notices = Self.notices(editor, awaiting: 1)
      #expect(notices.count == 1)
      if expectFunctional {
        #expect(notices.first?.contains("sets a cosine threshold") == true)
        #expect(chunk.first { $0["name"] == "splitIntoPages" }?["basis"] == "cosine")
      } else {
        #expect(notices.first?.contains("turns functional clones off") == true)
        #expect(!chunk.contains { $0["basis"] == "cosine" || $0["basis"] == "scorer" })
      }
      #expect(try editor.shutdown() == 0)
    }
  }
}

/// A gate that counts how many functions it was asked to encode.
final class CountingGate: FunctionalPairGate, @unchecked Sendable {
  let inner: any FunctionalPairGate
  private let lock = NSLock()
  private var count = 0
  init(_ inner: any FunctionalPairGate) { self.inner = inner }
  var encoded: Int {
    lock.lock()
    defer { lock.unlock() }
    return count
  }
  var embedderID: String { inner.embedderID }
  var candidateThreshold: Float { inner.candidateThreshold }
  var threshold: Double { inner.threshold }
  var commonRaw: Set<UInt32> { inner.commonRaw }
  var commonBlind: Set<UInt32> { inner.commonBlind }
  func probability(_ a: PairSide, _ b: PairSide) -> Double { inner.probability(a, b) }
  var usesEncoder: Bool { inner.usesEncoder }
  var encoderID: String { inner.encoderID }
  func agrees(_ a: PairSide, _ b: PairSide) -> Bool { inner.agrees(a, b) }
  func encode(_ units: [UnitText]) throws -> [(asWritten: [Float], blind: [Float])] {
    lock.lock()
    count += units.count
    lock.unlock()
    return try inner.encode(units)
  }
}

/// A gate that reads encoder features but whose encoder gives no vectors (a scorer whose model is missing).
struct EncoderlessGate: FunctionalPairGate {
  var embedderID: String { HashedFeatureEmbedder().modelID }
  var candidateThreshold: Float { 0.5 }
  var threshold: Double { 0.5 }
  var commonRaw: Set<UInt32> { [] }
  var commonBlind: Set<UInt32> { [] }
  func probability(_ a: PairSide, _ b: PairSide) -> Double { 1 }
  var usesEncoder: Bool { true }
  var encoderID: String { "encoder:none" }
}

extension String {
  fileprivate func write(to url: URL, createDirectories: Bool) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try write(to: url, atomically: true, encoding: .utf8)
  }
}

extension EditorCloneDecisionTests {
  /// The command line's template rule in the editor (`RepositoryTemplates`): functions that share only a wrapper the
  /// repository repeats (`Tests/Fixtures/template-wrappers/`; a run is template in 3 functions here) are not matches,
  /// two with the same core are, and with `templateRule` off the wrapper makes matches again.
  @Test func codeTheRepositoryRepeatsIsNotAMatch() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "codeintel-lsp-template-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let fixtures = Self.repository.appendingPathComponent("Tests/Fixtures/template-wrappers")
    for name in try FileManager.default.contentsOfDirectory(atPath: fixtures.path) where name.hasSuffix(".js") {
      try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
        .write(to: dir.appendingPathComponent("src/" + name), createDirectories: true)
    }
    func matches(_ settings: String, _ file: String) throws -> [String] {
      try settings.write(to: dir.appendingPathComponent(".codeintel.json"), createDirectories: true)
      try RepositoryIndexer(root: dir.path).update()
      let editor = try Self.cosineFallbackEditor(dir, options: ["codeintel": ["diagnostics": ["minSimilarity": 0.5]]])
      let found = Self.names(try Self.similar(editor, dir, "src/" + file))
      #expect(try editor.shutdown() == 0)
      return found
    }
    let wrapperOnly: Set<String> = ["unique", "running", "reversed", "search", "insertAt"]
    let off = try matches(#"{"clones": {"allGroups": true, "templateRule": false}}"#, "evens.js")
    #expect(!wrapperOnly.isDisjoint(with: off), "\(off)")
    let rule = #"{"clones": {"allGroups": true, "templateMinFunctions": 3}}"#
    let on = try matches(rule, "evens.js")
    #expect(wrapperOnly.isDisjoint(with: on), "\(on)")
    #expect(try matches(rule, "search.js").contains("insertAt"))
  }

  /// The command line's input rule (on by default since session 20) holds in the editor: a function that no number
  /// of arguments calls as the queried one is called is not offered as its functional clone; `inputRule: false`
  /// in `.codeintel.json` brings it back.
  @Test func theInputRuleHoldsInTheEditor() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-lsp-inputs-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let loop = """
        let count = 0;
        for (let i = 0; i < items.length; i++) {
          const v = items[i];
          if (CHECK) {
            count += 1;
          }
        }
        return count;
      """
    try "export function countInRange(items, lo, hi) {\n\(loop.replacingOccurrences(of: "CHECK", with: "v >= lo && v <= hi"))\n}\n"
      .write(to: dir.appendingPathComponent("src/range.js"), createDirectories: true)
    try "export function countPositive(items) {\n\(loop.replacingOccurrences(of: "CHECK", with: "v > 0"))\n}\n"
      .write(to: dir.appendingPathComponent("src/positive.js"), createDirectories: true)
    func matches(_ settings: String) throws -> [String] {
      try settings.write(to: dir.appendingPathComponent(".codeintel.json"), createDirectories: true)
      try RepositoryIndexer(root: dir.path).update()
      let editor = try Self.cosineFallbackEditor(dir, options: ["codeintel": ["diagnostics": ["minSimilarity": 0.3]]])
      let found = Self.names(try Self.similar(editor, dir, "src/positive.js"))
      #expect(try editor.shutdown() == 0)
      return found
    }
    let off = try matches(#"{"clones": {"allGroups": true, "templateRule": false, "inputRule": false}}"#)
    #expect(off.contains("countInRange"), "\(off)")
    let on = try matches(#"{"clones": {"allGroups": true, "templateRule": false}}"#)
    #expect(!on.contains("countInRange"), "\(on)")
  }
}
