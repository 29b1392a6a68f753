import Foundation
import Syntax
import Testing

@testable import CodeIntel
@testable import Heads

@Suite("Type suggestions from the project's own annotations")
struct TypeProjectAnnotationsTests {
  typealias Sites = [(kind: String, name: String, label: String)]

  static func parameters(_ pairs: [(String, String)]) -> Sites {
    pairs.map { (kind: "parameter", name: $0.0, label: $0.1) }
  }

  /// `path`: PathLike twice in a.ts, once in b.ts, string once in c.ts: 3 of 4 in two files.
  /// Session 23's rule: the shipped one before the file's own annotations counted.
  static let otherFilesOnly = TypeProjectAnnotations.Rule(minSites: 2, minFiles: 2, minShare: 0, depth: 3, own: .excluded)

  static func table(rule: TypeProjectAnnotations.Rule = otherFilesOnly) -> TypeProjectAnnotations {
    var t = TypeProjectAnnotations(rule: rule)
    t.add(file: "a.ts", sites: parameters([("path", "PathLike"), ("path", "PathLike"), ("mode", "number")]))
    t.add(file: "b.ts", sites: parameters([("path", "PathLike"), ("mode", "number"), ("flags", "number")]))
    t.add(file: "c.ts", sites: parameters([("path", "string"), ("flags", "number")]) + [
      (kind: "return", name: "path", label: "string"), (kind: "return", name: "path", label: "string"),
      (kind: "variable", name: "", label: "Foo"),
    ])
    return t
  }

  @Test("the most frequent label of a name leads when it passes the rule; the asking file never counts")
  func lead() throws {
    let t = Self.table()
    let fromD = try #require(t.lead(name: "path", isReturn: false, excluding: "d.ts"))
    #expect(fromD.type == "PathLike" && fromD.sites == 3 && fromD.files == 2 && fromD.all == 4)
    #expect(abs(fromD.share - 3.0 / 5.0) < 1e-9)
    // the shipped rule asks for no share; a rule that asks for 0.67 refuses 0.6
    #expect(
      TypeProjectAnnotations.Rule.shipped
        == .init(minSites: 2, minFiles: 2, minShare: 0, depth: 3, own: .waiver, shapes: .keep))
    var strict = t
    strict.rule = .init(minSites: 3, minFiles: 2, minShare: 0.67)
    #expect(strict.lead(name: "path", isReturn: false, excluding: "d.ts") == nil)
    // asked from c.ts, its own `string` is not counted: 3 of 3, share 0.75
    let fromC = try #require(strict.lead(name: "path", isReturn: false, excluding: "c.ts"))
    #expect(fromC.type == "PathLike" && fromC.all == 3 && abs(fromC.share - 0.75) < 1e-9)
    // asked from a.ts, only b.ts's one site is left: under two sites
    #expect(t.lead(name: "path", isReturn: false, excluding: "a.ts") == nil)
    // returns are apart from values; a name without sites, or empty, has no lead
    #expect(t.lead(name: "path", isReturn: true, excluding: "d.ts") == nil)
    #expect(t.lead(name: "nothing", isReturn: false, excluding: nil) == nil)
    #expect(t.lead(name: "", isReturn: false, excluding: nil) == nil)
    // `mode`: number twice in two files passes the shipped two sites, not a rule of three; `flags` twice in two files
    // too, but not from c.ts, which holds one of them
    #expect(t.lead(name: "mode", isReturn: false, excluding: nil)?.type == "number")
    #expect(strict.lead(name: "mode", isReturn: false, excluding: nil) == nil)
    #expect(t.lead(name: "flags", isReturn: false, excluding: "c.ts") == nil)
  }

  @Test("depth: the name's next labels holding enough sites join the first, only when the first passes")
  func runnersUp() throws {
    var t = Self.table(rule: .init(minSites: 2, minFiles: 2, minShare: 0.5, depth: 3))
    t.add(file: "e.ts", sites: Self.parameters([("path", "string"), ("path", "Buffer")]))
    // from d.ts: PathLike 3 (a, b), string 2 (c, e), Buffer 1 (under two sites); all 6, the first's share 3/7
    #expect(t.leads(name: "path", isReturn: false, excluding: "d.ts").isEmpty)
    t.rule.minShare = 0.4
    let leads = t.leads(name: "path", isReturn: false, excluding: "d.ts")
    #expect(leads.map(\.type) == ["PathLike", "string"])
    #expect(leads[1].sites == 2 && leads[1].files == 2 && leads[1].all == 6)
    t.rule.depth = 1
    #expect(t.leads(name: "path", isReturn: false, excluding: "d.ts").map(\.type) == ["PathLike"])
    // each label placed at its own share
    let ranked = [TypeCombination.Candidate(type: "number", confidence: 0.35, source: .model, reason: "type head")]
    #expect(TypeProjectAnnotations.leading(ranked, leads: leads, top: 5).map(\.type) == ["PathLike", "number", "string"])
  }

  @Test("`any` counts among a name's sites, never as its label; a file added again replaces itself; removal")
  func anyAndReplacement() throws {
    let rule = TypeProjectAnnotations.Rule(minSites: 2, minFiles: 2, minShare: 0.5)
    var t = TypeProjectAnnotations(rule: rule)
    t.add(file: "a.ts", sites: Self.parameters([("x", "any"), ("x", "any"), ("x", "Foo")]))
    t.add(file: "b.ts", sites: Self.parameters([("x", "Foo")]))
    // 2 of 4: share 0.4
    #expect(t.lead(name: "x", isReturn: false, excluding: nil) == nil)
    t.add(file: "a.ts", sites: Self.parameters([("x", "Foo")]))
    let lead = try #require(t.lead(name: "x", isReturn: false, excluding: nil))
    #expect(lead.sites == 2 && lead.all == 2 && lead.files == 2)
    t.remove(file: "b.ts")
    #expect(t.lead(name: "x", isReturn: false, excluding: nil) == nil)
    #expect(t.fileCount == 1)
  }

  @Test("spacing variants are one label; a tie goes to the lexically first")
  func spellingAndTies() throws {
    let rule = TypeProjectAnnotations.Rule(minSites: 2, minFiles: 2, minShare: 0.3)
    var t = TypeProjectAnnotations(rule: rule)
    t.add(file: "a.ts", sites: Self.parameters([("v", "B"), ("v", "A | null")]))
    t.add(file: "b.ts", sites: Self.parameters([("v", "B"), ("v", "A|null")]))
    let lead = try #require(t.lead(name: "v", isReturn: false, excluding: nil))
    #expect(TypeAccuracy.normalize(lead.type) == TypeAccuracy.normalize("A | null") && lead.sites == 2)
  }

  @Test("the project's type is ranked by its share: merged with the same type (combined, the larger confidence)")
  func leading() throws {
    let ranked = [
      TypeCombination.Candidate(type: "string", confidence: 0.9, source: .model, reason: "type head"),
      TypeCombination.Candidate(type: "PathLike", confidence: 0.05, source: .model, reason: "type head"),
      TypeCombination.Candidate(type: "number", confidence: 0.02, source: .namePrior, reason: "name prior"),
    ]
    // 19 of 19: share 0.95 outranks the head's 0.9
    let merged = TypeProjectAnnotations.leading(
      ranked, lead: .init(type: "PathLike", sites: 19, files: 3, all: 19), top: 10)
    #expect(merged.map(\.type) == ["PathLike", "string", "number"])
    #expect(merged[0].source == .combined && abs(merged[0].confidence - 0.95) < 1e-9)
    #expect(merged[0].reason.hasPrefix("the project writes it at 19 of 19 sites of this name in 3 other files"))
    // 9 of 9: share 0.9 ties with the head's candidate and goes after it
    let tie = TypeProjectAnnotations.leading(ranked, lead: .init(type: "PathLike", sites: 9, files: 3, all: 9), top: 10)
    #expect(tie.map(\.type) == ["string", "PathLike", "number"])
    // a type no other source proposes is inserted at its share (4 of 5: 0.67), the list cut to `top`
    let inserted = TypeProjectAnnotations.leading(
      ranked, lead: .init(type: "Buffer", sites: 4, files: 2, all: 5), top: 3)
    #expect(inserted.map(\.type) == ["string", "Buffer", "PathLike"])
    #expect(inserted[1].source == .project && abs(inserted[1].confidence - 4.0 / 6.0) < 1e-9)
    // confident evidence outranks it; an unsure head is outranked
    let unsure = [TypeCombination.Candidate(type: "string", confidence: 0.3, source: .model, reason: "type head")]
    #expect(
      TypeProjectAnnotations.leading(unsure, lead: .init(type: "Buffer", sites: 2, files: 2, all: 2), top: 5).map(\.type)
        == ["Buffer", "string"])
    #expect(TypeProjectAnnotations.leading(ranked, lead: nil, top: 10) == ranked)
  }

  /// A project folder: a tsconfig, two files that write `path: PathLike`, declarations and node_modules that must
  /// not count, and the file asked about.
  static func project() throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-project-\(UUID().uuidString)")
    let fm = FileManager.default
    try fm.createDirectory(at: root.appendingPathComponent("src/deep"), withIntermediateDirectories: true)
    try fm.createDirectory(at: root.appendingPathComponent("node_modules/dep"), withIntermediateDirectories: true)
    func write(_ path: String, _ text: String) throws {
      try text.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }
    try write("tsconfig.json", "{}\n")
    try write("src/types.ts", "export type PathLike = string | URL;\n")
    try write(
      "src/a.ts",
      "import { PathLike } from './types';\nexport function open(path: PathLike) { return path; }\n"
        + "export function stat(path: PathLike, deep: boolean) { return deep ? path : null; }\n")
    try write(
      "src/deep/b.ts",
      "import { PathLike } from '../types';\nexport function read(path: PathLike, count: number) { return count; }\n")
    // Neither counts: a declaration file and a dependency, both with `path: string`.
    try write("src/extra.d.ts", "export declare function a(path: string): void;\nexport declare function b(path: string): void;\n")
    try write(
      "node_modules/dep/index.ts",
      "export function x(path: string) {}\nexport function y(path: string) {}\nexport function z(path: string) {}\n")
    try write(
      "src/c.ts",
      "import { PathLike } from './types';\nexport function remove(path) { return path; }\n")
    try write("src/d.ts", "export function copy(path) { return path; }\n")
    return root
  }

  @Test("a project on disk: the nearest tsconfig.json's folder, .d.ts files and node_modules left out")
  func readsAProject() throws {
    let root = try Self.project()
    defer { try? FileManager.default.removeItem(at: root) }
    let file = root.appendingPathComponent("src/deep/b.ts").path
    #expect(TypeProjectAnnotations.projectRoot(of: file) == root.standardizedFileURL.path)
    let table = TypeProjectAnnotations.read(root: root.path)
    #expect(table.fileCount == 5)  // types.ts, a.ts, b.ts, c.ts, d.ts
    let lead = try #require(
      table.lead(name: "path", isReturn: false, excluding: root.appendingPathComponent("src/c.ts").standardizedFileURL.path))
    #expect(lead.type == "PathLike" && lead.sites == 3 && lead.files == 2 && lead.all == 3)
    // a bounded walk stops early: three entries cannot reach all five files
    #expect(TypeProjectAnnotations.read(root: root.path, maxEntries: 3).fileCount < table.fileCount)
    #expect(TypeProjectAnnotations.read(root: root.path, maxFiles: 2).fileCount == 2)
  }

  @Test("suggest-types: the project's type leads where it is in scope, and only there")
  func suggestions() throws {
    let root = try Self.project()
    defer { try? FileManager.default.removeItem(at: root) }
    let model = try TypeSuggestionsWithModelTests.model()
    let table = TypeProjectAnnotations.read(root: root.path)
    func first(_ name: String, project: TypeProjectAnnotations?) throws -> TypeEvidence.Suggestion.Candidate? {
      let file = try SourceFile.load(root.appendingPathComponent("src/\(name)").path)
      let s = try TypeSuggestions(file: file, model: model, all: true, project: project)
      return s.suggestions.first { $0.kind == .parameter && $0.name == "path" }?.candidates.first
    }
    // c.ts imports PathLike: the project's type leads (alone, or agreeing with the head), at least at its share
    let c = try #require(try first("c.ts", project: table))
    #expect(c.type == "PathLike" && ["project", "combined"].contains(c.source))
    #expect(c.reason.contains("the project writes it at 3 of 3 sites") && c.confidence >= 0.75 - 1e-9)
    // without the table nothing comes from the project
    #expect(try first("c.ts", project: nil)?.reason.contains("the project") == false)
    // d.ts does not import it: not a type in scope there, so it cannot lead
    #expect(try first("d.ts", project: table)?.reason.contains("the project") == false)
  }

  @Test("eval types: the project row counts the package's other files only")
  func evaluationRow() throws {
    func file(_ package: String, _ path: String, _ sites: [(String, String)]) -> TypeEvaluation.File {
      TypeEvaluation.File(
        package: package, path: path, text: "",
        sites: sites.enumerated().map { TypeEvaluation.Site(kind: "parameter", name: $1.0, offset: $0, label: $1.1) })
    }
    let files = [
      file("p", "a.ts", [("node", "Node"), ("node", "Node")]), file("p", "b.ts", [("node", "Node")]),
      file("p", "c.ts", [("node", "Node")]), file("q", "a.ts", [("node", "Leaf"), ("node", "Leaf")]),
      file("q", "b.ts", [("node", "Leaf")]),
    ]
    var evaluation = TypeEvaluation(files: files, trainSites: [], vocabulary: [])
    evaluation.projects = TypeEvaluation.projectAnnotations(
      files, rule: .init(minSites: 2, minFiles: 2, minShare: 0.6))
    let row = evaluation.projectRow()
    // p/a: 2 of 2 from b and c (share 0.67); p/b and p/c: 3 of 3; q/a: only q/b's one site; q/b: 2 sites, one file
    #expect(row.overall.sites == 7)
    #expect(abs((row.overall.accuracyAt1 ?? 0) - 4.0 / 7.0) < 1e-9)
  }

  static let callback = TypeProjectAnnotations.Key(name: "callback", isReturn: false)

  @Test("the file's own annotations: excluded, one more file, or a waiver for a type the file writes twice")
  func ownFile() throws {
    // a.ts writes `callback: TCallback<void>` three times; b.ts and c.ts write `Function` once each
    func table(_ own: TypeProjectAnnotations.Own) -> TypeProjectAnnotations {
      var t = TypeProjectAnnotations(rule: .init(minSites: 2, minFiles: 2, minShare: 0, depth: 3, own: own))
      t.add(file: "a.ts", sites: Self.parameters(Array(repeating: ("callback", "TCallback<void>"), count: 3)))
      t.add(file: "b.ts", sites: Self.parameters([("callback", "Function")]))
      t.add(file: "c.ts", sites: Self.parameters([("callback", "Function")]))
      return t
    }
    // excluded (session 23): asked from a.ts, only b and c count
    let excluded = table(.excluded).leads(name: "callback", isReturn: false, excluding: "a.ts")
    #expect(excluded.map(\.type) == ["Function"] && excluded[0].all == 2 && excluded[0].ownSites == 0)
    #expect(excluded[0].reason == "the project writes it at 2 of 2 sites of this name in 2 other files")
    // one more file: a.ts's type has three sites in one file, under two files; as the first it keeps every lead out
    #expect(table(.file).leads(name: "callback", isReturn: false, excluding: "a.ts").isEmpty)
    // waiver: the file's own type leads, then the project's
    let waiver = table(.waiver).leads(name: "callback", isReturn: false, excluding: "a.ts")
    #expect(waiver.map(\.type) == ["TCallback<void>", "Function"])
    #expect(waiver[0].sites == 3 && waiver[0].ownSites == 3 && waiver[0].files == 1 && waiver[0].all == 5)
    #expect(abs(waiver[0].share - 3.0 / 6.0) < 1e-9)
    #expect(waiver[0].reason == "written at 3 of 5 sites of this name: 3 in this file")
    // the evaluation gives the file's own annotations itself: none (a file of holes) is the usual protocol
    #expect(table(.waiver).leads(name: "callback", isReturn: false, excluding: "a.ts", own: [:]).map(\.type) == ["Function"])
    // given ones replace what the table read: one `Function` in the file joins b and c
    let given = table(.file).leads(name: "callback", isReturn: false, excluding: "a.ts", own: [Self.callback: ["Function": 1]])
    #expect(given.map(\.type) == ["Function"] && given[0].sites == 3 && given[0].files == 3 && given[0].ownSites == 1)
    #expect(given[0].reason == "written at 3 of 3 sites of this name: 1 in this file and 2 in 2 other files")
    // a single site in the file is no waiver (asked from a.ts holding one `Promise<void>` instead of its three)
    let single = table(.waiver).leads(name: "callback", isReturn: false, excluding: "a.ts", own: [Self.callback: ["Promise<void>": 1]])
    #expect(single.map(\.type) == ["Function"] && single[0].all == 3)
  }

  @Test("suggest-types with the waiver: a hole takes the type its own file writes at two sites of the name")
  func ownFileSuggestion() throws {
    let root = try Self.project()
    defer { try? FileManager.default.removeItem(at: root) }
    let path = root.appendingPathComponent("src/e.ts")
    try (
      "type Done = (error?: Error) => void;\nexport function a(done: Done) { done(); }\n"
        + "export function b(done: Done) { done(); }\nexport function c(done) { done(); }\n"
    ).write(to: path, atomically: true, encoding: .utf8)
    let model = try TypeSuggestionsWithModelTests.model()
    func first(_ own: TypeProjectAnnotations.Own) throws -> TypeEvidence.Suggestion.Candidate? {
      let table = TypeProjectAnnotations.read(
        root: root.path, rule: .init(minSites: 2, minFiles: 2, minShare: 0, depth: 3, own: own))
      let file = try SourceFile.load(path.path)
      let s = try TypeSuggestions(file: file, model: model, all: true, project: table)
      return s.suggestions.first { $0.kind == .parameter && $0.name == "done" }?.candidates.first
    }
    let waiver = try #require(try first(.waiver))
    #expect(waiver.type == "Done" && waiver.reason.hasPrefix("written at 2 of 2 sites of this name: 2 in this file"))
    #expect(try first(.excluded)?.reason.contains("in this file") != true)
  }

  @Test("eval types --partly-annotated: half of each file's sites kept as its own annotations, the other half scored")
  func partlyAnnotated() throws {
    let sites = (0..<40).map { TypeEvaluation.Site(kind: "parameter", name: "node", offset: $0 * 10, label: "Node") }
    let file = TypeEvaluation.File(package: "p", path: "a.ts", text: "", sites: sites)
    var evaluation = TypeEvaluation(files: [file], trainSites: [], vocabulary: [])
    #expect(evaluation.own(file).isEmpty)  // the usual protocol: a file of holes
    evaluation.partlyAnnotate()
    let kept = sites.filter { TypeEvaluation.keeps(file, $0) }
    #expect(kept.count > 5 && kept.count < 35)  // a hash, not a rule of thumb: both halves hold sites
    let scored = evaluation.files[0].sites.filter { !$0.any }
    #expect(scored.count == sites.count - kept.count && Set(scored.map(\.offset)).isDisjoint(with: kept.map(\.offset)))
    #expect(evaluation.own(evaluation.files[0]) == [.init(name: "node", isReturn: false): ["Node": kept.count]])
    // the same split every time
    var again = TypeEvaluation(files: [file], trainSites: [], vocabulary: [])
    again.partlyAnnotate()
    #expect(again.files == evaluation.files)
  }

  @Test("a lead at a site the code shapes: kept as written, left out, or rewritten by the shape")
  func leadShapes() throws {
    func leads(_ types: [String]) -> [TypeProjectAnnotations.Lead] {
      types.map { TypeProjectAnnotations.Lead(type: $0, sites: 2, files: 2, all: 4) }
    }
    func shaped(_ mode: TypeProjectAnnotations.LeadShapes, _ types: [String], _ shape: TypeShapes.Shape?) -> [String] {
      let t = TypeProjectAnnotations(rule: .init(minSites: 2, minFiles: 2, minShare: 0, depth: 3, shapes: mode))
      return t.shaped(leads(types), shape: shape).map(\.type)
    }
    // `let decorations = []`: an array
    #expect(shaped(.keep, ["DecorationSet", "Range<Decoration>[]"], .array) == ["DecorationSet", "Range<Decoration>[]"])
    #expect(shaped(.drop, ["DecorationSet", "Range<Decoration>[]"], .array) == ["Range<Decoration>[]"])
    #expect(shaped(.rewrite, ["DecorationSet", "Range<Decoration>[]"], .array) == ["DecorationSet[]", "Range<Decoration>[]"])
    // two leads that become one type keep the first; a type the shape cannot take goes
    #expect(shaped(.rewrite, ["Node", "Node[]", "void"], .array) == ["Node[]"])
    // an async function's return; a site without a shape is left alone
    #expect(shaped(.rewrite, ["Config"], .promise) == ["Promise<Config>"])
    #expect(shaped(.drop, ["Config", "Promise<Config>"], .promise) == ["Promise<Config>"])
    #expect(shaped(.drop, ["Config"], nil) == ["Config"])
  }
}
