import Foundation
import Syntax
import Testing

@testable import CodeIntel
@testable import Heads

@Suite("Type name prior: the table and the combination rule")
struct TypeNamePriorTests {
  // MARK: - Fixture

  /// One file per (package, sites); the text is irrelevant to the table.
  static func file(_ package: String, _ sites: [(String, String)]) -> TypeEvaluation.File {
    TypeEvaluation.File(
      package: package, path: "src/\(package).ts", text: "",
      sites: sites.enumerated().map { TypeEvaluation.Site(kind: "parameter", name: $1.0, offset: $0, label: $1.1) })
  }

  /// `index`: number in three packages (5 sites), string in one (1 site), `any` once.
  /// `node`: `BabelNode` 6 times in one package only, `Node` once in each of two packages.
  /// `only`: `Foo` in one package: no type survives the guard, so the name is left out.
  /// `tie`: `A` and `B` once in each of the same two packages, `C | null` three times in two packages.
  static let files = [
    file(
      "p1",
      [("index", "number"), ("index", "number"), ("index", "string"), ("index", "any")]
        + Array(repeating: ("node", "BabelNode"), count: 6) + [("node", "Node"), ("only", "Foo")]
        + [("tie", "B"), ("tie", "A"), ("tie", "C|null"), ("tie", "C | null")]),
    file(
      "p2",
      [("index", "number"), ("index", "number"), ("node", "Node"), ("tie", "A"), ("tie", "B"), ("tie", "C  |null")]),
    file("p3", [("index", "number"), ("only", "Bar")]),
  ]

  static let provenance = TypeNamePrior.Provenance(sha256: String(repeating: "0", count: 64), files: 3, packages: 3)

  // MARK: - Building

  @Test("counts (name, type) pairs, keeps those in >= 2 packages, ranks by sites, packages, text")
  func builder() throws {
    let prior = TypeNamePrior.build(files: Self.files, provenance: Self.provenance)
    #expect(prior.format == TypeNamePrior.formatName && prior.version == TypeNamePrior.formatVersion)
    #expect(prior.minPackages == 2 && prior.depth == 5)
    #expect(Set(prior.names.keys) == ["index", "node", "tie"])
    // `any` counts nowhere; the dropped `string` (one package) still counts in the name's total
    let index = try #require(prior.names["index"])
    #expect(index.sites == 6)
    #expect(index.types == [.init(type: "number", sites: 5, packages: 3)])
    // one package's own type is not memorised, however often it appears there
    let node = try #require(prior.names["node"])
    #expect(node.sites == 8 && node.types.map(\.type) == ["Node"])
    // spacing variants are one type; equal sites and packages fall back to the text
    let tie = try #require(prior.names["tie"])
    #expect(tie.types.map(\.type) == ["C|null", "A", "B"])
    #expect(tie.types[0].sites == 3 && tie.types[0].packages == 2)
    // a looser guard keeps the one-package pairs; depth caps the list
    let loose = TypeNamePrior.build(files: Self.files, provenance: Self.provenance, minPackages: 1, depth: 2)
    #expect(loose.names["node"]?.types.map(\.type) == ["BabelNode", "Node"])
    #expect(loose.names["only"]?.types.map(\.type) == ["Bar", "Foo"])
    #expect(loose.names["index"]?.types.map(\.type) == ["number", "string"])
  }

  @Test("generic names of train labels: applied at >= 2 sites, bare at fewer than half as many; arity, lib application")
  func generics() throws {
    let files = [
      Self.file(
        "p1",
        [
          ("a", "Observable<App>"), ("b", "Observable<number>"), ("c", "Observable<number> | null"),
          ("d", "Map<string, Observable<Foo>[]>"), ("e", "EventEmitter"), ("f", "EventEmitter<void>"),
          ("g", "EventEmitter"), ("h", "Once<A>"), ("i", "Pair<A, B>"), ("j", "Pair<A, B>"), ("k", "Pair<C>"),
          ("l", "{ key: Key<X>; Key: string }"), ("m", "'Fake<X>' | Real<Y>"), ("n", "ts.Node<T> | any"),
        ]),
      Self.file("p2", [("a", "Observable<string>"), ("b", "Observable<any>"), ("c", "Observable"), ("d", "Real<Z>")]),
    ]
    let g = TypeNamePrior.genericUses(files: files)
    #expect(g["Observable"] == .init(arity: 1, applied: 6, bare: 1, packages: 2, application: "Observable<number>"))
    // Node's EventEmitter is written bare as often: not kept. Applied once: not kept.
    #expect(g["EventEmitter"] == nil && g["Once"] == nil)
    #expect(g["Pair"]?.arity == 2 && g["Pair"]?.application == nil)
    #expect(g["Map"]?.arity == nil)  // applied once
    #expect(g["Key"] == nil && g["Fake"] == nil && g["Real"]?.applied == 2)
    #expect(g["ts.Node"] == nil)
    #expect(TypeNamePrior.nameUses(in: "ts.Node<T>|Map<string,A[]>").map(\.name) == ["ts.Node", "T", "Map", "string", "A"])
    #expect(TypeNamePrior.nameUses(in: "Map<string,(a:B)=>C>")[0].arguments == ["string", "(a:B)=>C"])
    // The table is written with the prior and read back; a table without it still loads.
    let prior = TypeNamePrior.build(files: files, provenance: Self.provenance)
    #expect(prior.generics?["Observable"]?.applied == 6)
    var old = prior
    old.generics = nil
    let data = try JSONEncoder().encode(old)
    #expect(!String(decoding: data, as: UTF8.self).contains("generics"))
    #expect(try JSONDecoder().decode(TypeNamePrior.self, from: data).generics == nil)
  }

  @Test("candidates carry an add-one smoothed share and say where they come from")
  func candidates() throws {
    let prior = TypeNamePrior.build(files: Self.files, provenance: Self.provenance)
    let index = prior.candidates(for: "index")
    #expect(index.map(\.type) == ["number"])
    #expect(index[0].confidence == 5.0 / 7.0)
    #expect(index[0].reason == "name prior: `index` is `number` at 5 of 6 train sites (3 packages)")
    #expect(prior.candidates(for: "unknown").isEmpty)
    #expect(prior.candidates(for: "only").isEmpty)
    #expect(TypeNamePrior.confidence(sites: 2, of: 2) == 2.0 / 3.0)
  }

  @Test("the file round-trips, the same table gives the same bytes, a wrong format is refused")
  func files() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("name-prior-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(try TypeNamePrior.load(directory: dir) == nil)
    let prior = TypeNamePrior.build(files: Self.files, provenance: Self.provenance)
    try prior.write(to: dir)
    let url = dir.appendingPathComponent(TypeNamePrior.fileName)
    let first = try Data(contentsOf: url)
    #expect(try TypeNamePrior.load(directory: dir) == prior)
    try TypeNamePrior.build(files: Self.files, provenance: Self.provenance).write(to: dir)
    #expect(try Data(contentsOf: url) == first)
    var other = prior
    other.version = 99
    try other.write(to: dir)
    #expect(throws: CodeIntelError.self) { try TypeNamePrior.load(directory: dir) }
  }

  @Test("build(typesDirectory:) records the train split's sha256 and the dataset hash")
  func provenance() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("name-prior-ds-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let types = root.appendingPathComponent("types")
    try FileManager.default.createDirectory(at: types, withIntermediateDirectories: true)
    let lines = """
      {"language":"typescript","package":"p1","path":"a.ts","sites":[{"any":false,"kind":"parameter","label":"number","name":"i","offset":0}],"text":""}
      {"language":"typescript","package":"p2","path":"b.ts","sites":[{"any":false,"kind":"parameter","label":"number","name":"i","offset":0}],"text":""}

      """
    try lines.write(to: types.appendingPathComponent("train.jsonl"), atomically: true, encoding: .utf8)
    try "sums\n".write(to: root.appendingPathComponent("SHA256SUMS"), atomically: true, encoding: .utf8)
    let prior = try TypeNamePrior.build(typesDirectory: types.path)
    #expect(prior.dataset.split == "train" && prior.dataset.files == 2 && prior.dataset.packages == 2)
    // `sha256sum` of the two files
    #expect(prior.dataset.sha256 == "94d96a6a898f96e2be77ec9e0acd76a6293bd63bd60f99eabb902d1cf5bb124d")
    #expect(prior.dataset.datasetHash == "c001d0d1d2da2d23b87521529826ff1bb00c6afaac20b652c0871905c84d1508")
    #expect(prior.names["i"]?.types == [.init(type: "number", sites: 2, packages: 2)])
  }

  // MARK: - The combination rule

  static let prior = TypeNamePrior.build(files: files, provenance: provenance)

  @Test("confident evidence goes first whatever the head and the prior say")
  func evidenceWins() {
    let ev = [TypeEvidence.Suggestion.Candidate(type: "string", confidence: 0.95, reason: "a string literal")]
    let out = TypeCombination.combine(
      evidence: ev, model: [("boolean", 0.1)], prior: Self.prior.candidates(for: "index"))
    #expect(out.map(\.type) == ["string", "number", "boolean"])
    #expect(out.map(\.source) == [.evidence, .namePrior, .model])
  }

  @Test("a known name above the head's best probability goes first; the head's candidates follow")
  func priorFirst() {
    let md: [(type: String, probability: Float)] = [("boolean", 0.3), ("string", 0.2), ("Node", 0.1)]
    let out = TypeCombination.combine(evidence: [], model: md, prior: Self.prior.candidates(for: "index"))
    #expect(out.map(\.type) == ["number", "boolean", "string", "Node"])
    #expect(out[0].source == .namePrior && out[0].confidence == 5.0 / 7.0)
    #expect(out[0].reason.hasPrefix("name prior: `index`"))
    // weak evidence still goes after the learned candidates
    let weak = [TypeEvidence.Suggestion.Candidate(type: "null", confidence: 0.7, reason: "`null`")]
    #expect(
      TypeCombination.combine(evidence: weak, model: md, prior: Self.prior.candidates(for: "index")).map(\.type)
        == ["number", "boolean", "string", "Node", "null"])
  }

  @Test("a confident head stays first; agreement is 'combined' with the higher confidence")
  func headFirstAndAgreement() throws {
    let md: [(type: String, probability: Float)] = [("string", 0.9), ("number", 0.05)]
    let out = TypeCombination.combine(evidence: [], model: md, prior: Self.prior.candidates(for: "index"))
    #expect(out.map(\.type) == ["string", "number"])
    #expect(out[0].source == .model)
    #expect(out[1].source == .combined && out[1].confidence == 5.0 / 7.0)
    #expect(out[1].reason == "name prior: `index` is `number` at 5 of 6 train sites (3 packages); type head agrees")
    // all three agree: the evidence's reason leads
    let ev = [TypeEvidence.Suggestion.Candidate(type: "number", confidence: 0.95, reason: "a number literal")]
    let all = TypeCombination.combine(evidence: ev, model: md, prior: Self.prior.candidates(for: "index"))
    #expect(all[0].type == "number" && all[0].source == .combined && all[0].confidence == 0.95)
    #expect(all[0].reason == "a number literal; name prior agrees; type head agrees")  // in list order
  }

  @Test("an unknown name leaves evidence → head unchanged")
  func unknownName() {
    let md: [(type: String, probability: Float)] = [("boolean", 0.1), ("string", 0.05)]
    let weak = [TypeEvidence.Suggestion.Candidate(type: "null", confidence: 0.7, reason: "`null`")]
    let without = TypeCombination.combine(evidence: weak, model: md)
    let with = TypeCombination.combine(evidence: weak, model: md, prior: Self.prior.candidates(for: "somethingElse"))
    #expect(with == without)
    #expect(with.map(\.type) == ["boolean", "string", "null"])
    #expect(with.map(\.source) == [.model, .model, .evidence])
  }

  @Test("the JSON spelling of the source is name-prior")
  func sourceSpelling() {
    #expect(TypeCombination.Source.namePrior.rawValue == "name-prior")
  }

  // MARK: - Product

  @Test("a head folder without name-prior.json loads with no prior; with one, suggest-types uses it")
  func folderWithAndWithoutTable() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("typehead-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = try TypeSuggestionsWithModelTests.model()
    try model.write(to: dir)
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(TypeNamePrior.fileName).path))
    let plain = try TypeHeadModel.load(directory: dir.path)
    #expect(plain.namePrior == nil)
    let source = "export function pick(index, other) { return other; }\nconst handler = () => { return 1; };\n"
    let tree = try Parser(language: .typescript).parse(source)
    let before = TypeSuggestions.suggestions(in: tree, tsx: false, model: plain)
    #expect(before.allSatisfy { s in s.candidates.allSatisfy { $0.source != "name-prior" } })

    // a table in which `index` is always number and unnamed functions return void
    let table = TypeNamePrior.build(
      files: [
        Self.file("p1", Array(repeating: ("index", "number"), count: 20) + [("", "void")]),
        Self.file("p2", Array(repeating: ("index", "number"), count: 20) + [("", "void"), ("handler", "Function")]),
        Self.file("p3", [("handler", "Function")]),
      ], provenance: Self.provenance)
    plain.namePrior = table
    try plain.write(to: dir)
    let loaded = try TypeHeadModel.load(directory: dir.path)
    #expect(loaded.namePrior == table)
    let after = TypeSuggestions.suggestions(in: tree, tsx: false, model: loaded)
    let index = try #require(after.first { $0.name == "index" })
    #expect(index.best.type == "number" && ["name-prior", "combined"].contains(index.best.source))
    #expect(index.best.confidence == 40.0 / 41.0)
    // sites of names the table does not hold are exactly as before
    let other = { (s: [TypeEvidence.Suggestion]) in s.first { $0.name == "other" }?.candidates.map(\.type) }
    #expect(other(after) == other(before))
    // the arrow function's return is looked up as the dataset spells it (no name of its own), not as `handler`
    let sites = TypeSites.unannotated(in: tree)
    let arrow = try #require(sites.first { $0.kind == .returnType && $0.name == "handler" })
    #expect(arrow.datasetName == "")
    #expect(sites.first { $0.kind == .returnType && $0.name == "pick" }?.datasetName == "pick")
    let arrowSuggestion = try #require(after.first { $0.anchor == arrow.anchor && $0.kind == .returnType })
    #expect(!arrowSuggestion.candidates.contains { $0.type == "Function" })
  }
}
