import CloneIndex
import CodeIntel
import Foundation
import Testing

@testable import Heads

@Suite("Type retrieval: the kNN datastore of train sites")
struct TypeRetrievalTests {
  /// Four 2-d rows: two `string` sites near (1, 0), a `number` site at 45°, a `Widget` site at (0, 1).
  static func store(k: Int = 3, temperature: Double = 0.1) -> TypeRetrieval {
    let header = TypeRetrieval.Header(
      dimension: 2, count: 0, labels: [], k: k, temperature: temperature, weight: 0.5, modelFingerprint: "abc")
    return TypeRetrieval(
      header: header, vectors: [1, 0, 2, 0.1, 1, 1, 0, 3], labels: ["string", "string", "number", "Widget"])
  }

  @Test("neighbours are found by cosine and vote by exp((s - s_max) / τ), normalised over the k")
  func votesByHand() throws {
    let r = Self.store()
    #expect(r.header.labels == ["string", "number", "Widget"])
    let found = r.neighbours([10, 0], count: 1, k: 3)[0]
    // cosines with (1, 0): 1, 2/√4.01, 1/√2, 0: the three best are rows 0, 1, 2.
    #expect(found.map(\.id) == [0, 1, 2])
    let s = found.map { Double($0.score) }
    let w = s.map { exp(($0 - s[0]) / 0.1) }
    let total = w.reduce(0, +)
    let votes = r.votes(found)
    #expect(votes.map(\.type) == ["string", "number"])
    #expect(abs(Double(votes[0].weight) - (w[0] + w[1]) / total) < 1e-4)
    #expect(abs(Double(votes[1].weight) - w[2] / total) < 1e-4)
    // k = 1: only the nearest votes, with all the weight.
    let one = r.votes(found, k: 1)
    #expect(one.count == 1 && one[0].type == "string" && abs(one[0].weight - 1) < 1e-6)
    // A zero query has no neighbours and no votes.
    #expect(r.neighbours([0, 0], count: 1, k: 3)[0].isEmpty)
  }

  @Test("labels out of scope are dropped after normalising: their share is lost, not re-spread")
  func scopeFilterOnVotes() throws {
    let r = Self.store(k: 4, temperature: 1)
    let found = r.neighbours([0, 1], count: 1, k: 4)[0]
    #expect(found.first?.id == 3)
    let all = r.votes(found)
    #expect(all.first?.type == "Widget")
    let filtered = r.votes(found) { $0 != "Widget" }
    #expect(!filtered.contains { $0.type == "Widget" })
    for v in filtered { #expect(all.first { $0.type == v.type }?.weight == v.weight) }
    #expect(filtered.map(\.weight).reduce(0, +) < 0.99)
  }

  @Test("the in-scope rule: declared or imported names, type parameters at the site, lib types, primitives")
  func inScopeRule() {
    let names: Set<String> = ["Widget", "Box", "ns"]
    let tps: Set<String> = ["T"]
    for ok in [
      "string", "Widget", "Widget[]", "Box<T>", "Promise<Widget>", "Widget|undefined", "Map<string,Widget>",
      "'a'|'b'", "0|1", "ns.Thing", "(string|number)[]", "keyof Widget",
    ] {
      #expect(TypeRetrieval.inScope(ok, names: names, typeParameters: tps), "\(ok)")
    }
    for bad in ["Gadget", "U", "Box<U>", "Widget|Gadget", "ts.Node", "any[]", "Record<string,any>", "{a:string}"] {
      #expect(!TypeRetrieval.inScope(bad, names: names, typeParameters: tps), "\(bad)")
    }
  }

  @Test("the mix: (1 - λ) head + λ votes, a voted type outside the head's list gets its head probability")
  func mixByHand() {
    let head: [(type: String, probability: Float)] = [("string", 0.5), ("number", 0.3)]
    let votes: [(type: String, weight: Float)] = [("Widget", 0.6), ("number", 0.4)]
    let headP: [String: Float] = ["Widget": 0.05, "number": 0.3]
    let mixed = TypeRetrieval.mix(
      head: head, votes: votes, headProbability: { headP[$0] ?? 0 }, weight: 0.5, top: 5)
    // string 0.25; number 0.15 + 0.2 = 0.35; Widget 0.025 + 0.3 = 0.325
    #expect(mixed.map(\.type) == ["number", "Widget", "string"])
    #expect(abs(mixed[0].probability - 0.35) < 1e-6)
    #expect(abs(mixed[1].probability - 0.325) < 1e-6)
    #expect(abs(mixed[2].probability - 0.25) < 1e-6)
    // λ = 0 is the head; λ = 1 the votes; top cuts.
    #expect(
      TypeRetrieval.mix(head: head, votes: votes, headProbability: { headP[$0] ?? 0 }, weight: 0, top: 2).map(\.type)
        == ["string", "number"])
    #expect(
      TypeRetrieval.mix(head: head, votes: votes, headProbability: { headP[$0] ?? 0 }, weight: 1, top: 1).map(\.type)
        == ["Widget"])
  }

  @Test("the other rule: the votes share out only the head's probability of \"other\"")
  func fillOtherByHand() {
    let head: [(type: String, probability: Float)] = [("string", 0.5), ("number", 0.2)]
    let votes: [(type: String, weight: Float)] = [("Widget", 0.75), ("number", 0.25)]
    let headP: [String: Float] = ["Widget": 0.01, "number": 0.2]
    // other 0.2, λ 1: string 0.5; number 0.2 + 0.05 = 0.25; Widget 0.01 + 0.15 = 0.16
    let filled = TypeRetrieval.fillOther(
      head: head, votes: votes, headProbability: { headP[$0] ?? 0 }, other: 0.2, weight: 1, top: 5)
    #expect(filled.map(\.type) == ["string", "number", "Widget"])
    #expect(abs(filled[1].probability - 0.25) < 1e-6 && abs(filled[2].probability - 0.16) < 1e-6)
    // With no "other" mass the head's ranking is unchanged.
    let none = TypeRetrieval.fillOther(
      head: head, votes: votes, headProbability: { headP[$0] ?? 0 }, other: 0, weight: 1, top: 2)
    #expect(none.map(\.type) == ["string", "number"] && none[1].probability == 0.2)
  }

  @Test("searching the int8 rows block by block finds what one flat search over all the rows finds")
  func blockwiseSearch() throws {
    // 50 rows of 6 dimensions from a fixed sequence, with repeated rows (ties) and a zero row.
    var vectors: [Float] = []
    var x: UInt32 = 7
    for r in 0..<50 {
      for _ in 0..<6 {
        x = x &* 1_103_515_245 &+ 12_345
        vectors.append(r == 13 ? 0 : Float(Int(x >> 16) % 200 - 100) / 37)
      }
    }
    vectors.replaceSubrange(40 * 6..<41 * 6, with: vectors[3 * 6..<4 * 6])  // row 40 = row 3
    let header = TypeRetrieval.Header(
      dimension: 6, count: 0, labels: [], k: 5, temperature: 0.1, weight: 0.5, modelFingerprint: "abc")
    var r = TypeRetrieval(header: header, vectors: vectors, labels: (0..<50).map { "T\($0 % 7)" })
    let queries = Array(vectors[3 * 6..<6 * 6]) + [0, 0, 0, 0, 0, 0]
    let flat = FlatVectorIndex(vectors: r.rowVectors(0..<r.rowCount), dimension: 6)
    var normalised = queries
    for q in 0..<3 {
      let n = (0..<6).map { normalised[q * 6 + $0] * normalised[q * 6 + $0] }.reduce(0, +).squareRoot()
      for j in 0..<6 { normalised[q * 6 + j] /= n }
    }
    let expected = flat.search(Array(normalised[0..<18]), queryCount: 3, k: 7)
    r.searchBlockRows = 4096
    let whole = r.neighbours(queries, count: 4, k: 7)
    for (got, want) in zip(whole[0..<3], expected) {
      #expect(got.map(\.id) == want.map(\.id))
      for (g, w) in zip(got, want) { #expect(abs(g.score - w.score) < 1e-5) }  // the query's own rounding
    }
    for blockRows in [1, 4, 16, 50] {
      r.searchBlockRows = blockRows
      let found = r.neighbours(queries, count: 4, k: 7)
      #expect(found == whole, "blocks of \(blockRows)")  // exactly: the same rows, the same products
      #expect(found[3].isEmpty)  // a zero query has no neighbours
      #expect(found[0].prefix(2).map(\.id) == [3, 40])  // the tie goes to the smaller id first
    }
  }

  @Test("the file round-trips; a broken file is refused with one sentence")
  func fileRoundTrip() throws {
    var r = Self.store()
    r.header.fit = ["chose k 3"]
    r.header.rule = "other"
    #expect(r.rule == .other)
    let data = try r.serialized()
    let back = try TypeRetrieval.read(data, path: "x.bin")
    #expect(back.header == r.header)
    #expect(back.labelIDs == r.labelIDs)
    #expect(back.rowVectors(0..<back.rowCount) == r.rowVectors(0..<r.rowCount))
    #expect(back.neighbours([1, 0.2], count: 1, k: 4)[0] == r.neighbours([1, 0.2], count: 1, k: 4)[0])
    // int8 rows: close to the normalised input.
    #expect(abs(r.rowVectors(0..<r.rowCount)[2] - 2 / Float(4.01).squareRoot()) < 0.01)
    for broken in [Data("not a datastore".utf8), data.prefix(data.count - 3), Data(data.prefix(12))] {
      do {
        _ = try TypeRetrieval.read(broken, path: "x.bin")
        Issue.record("a broken file was read")
      } catch let e as CodeIntelError {
        #expect(e.description.hasPrefix("x.bin: not a usable type-retrieval datastore"))
        #expect(e.description.contains("codeintel finetune types-datastore"))
        #expect(!e.description.contains("\n"))
      }
    }
  }

  @Test("the per-package cap gives every package at most the same number of sites")
  func capByHand() {
    #expect(TypeRetrievalBuilding.cap(available: [10, 3, 50], total: 100) == 50)
    #expect(TypeRetrievalBuilding.cap(available: [10, 3, 50], total: 20) == 8)  // 8 + 3 + 8 = 19
    #expect(TypeRetrievalBuilding.cap(available: [10, 3, 50], total: 23) == 10)
  }

  @Test("a head with a datastore of its own sites retrieves their labels where they are in scope")
  func endToEnd() throws {
    let model = try TypeSuggestionsWithModelTests.model()
    let text = """
      class Widget {}
      function make(widget, count) { return count; }

      """
    let bytes = Array(text.utf8)
    func offset(after needle: String) -> Int {
      let n = Array(needle.utf8)
      return (0...(bytes.count - n.count)).first { Array(bytes[$0..<($0 + n.count)]) == n }! + n.count
    }
    let sites = [
      TypeHeadSite(kind: "parameter", name: "widget", offset: offset(after: "widget")),
      TypeHeadSite(kind: "parameter", name: "count", offset: offset(after: "count")),
    ]
    let file = model.preparer.prepare(text: text, tsx: false, sites: sites)
    let u = model.siteVectors(file)
    let hd = model.head.config.hidden
    #expect(u.count == 2 * hd)
    try #require(u[0..<hd].contains { $0 != 0 })
    // The first site's vector labelled `Widget` (declared in the file), the second's `Gadget` (nowhere).
    let header = TypeRetrieval.Header(
      dimension: hd, count: 0, labels: [], k: 1, temperature: 0.05, weight: 1, modelFingerprint: "")
    model.retrieval = TypeRetrieval(header: header, vectors: u, labels: ["Widget", "Gadget"])
    let scores = model.scores(file, top: 5)
    #expect(scores[0].neighbours.first?.id == 0)
    #expect(model.mixed(scores[0], top: 5).first?.type == "Widget")
    // Weight 0 is the head alone, as without a datastore.
    model.retrieval = nil
    let alone = model.predict(file, top: 5)
    model.retrieval = TypeRetrieval(header: header, vectors: u, labels: ["Widget", "Gadget"])
    #expect(model.mixed(scores[0], top: 5, weight: 0).map(\.type) == alone[0].map(\.type))
    if u[hd..<(2 * hd)].contains(where: { $0 != 0 }) {
      #expect(scores[1].labels["Gadget"]?.allowed == false)
      #expect(!model.mixed(scores[1], top: 5).contains { $0.type == "Gadget" })
    }
    // predict (what suggest-types calls) mixes in the datastore's weight.
    #expect(model.predict(file, top: 5)[0].first?.type == "Widget")
  }

  @Test("a datastore built with other weights is refused when the head folder loads")
  func fingerprintChecked() throws {
    let model = try TypeSuggestionsWithModelTests.model()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("typeretrieval-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    try model.write(to: dir)
    let hd = model.head.config.hidden
    let right = try TypeRetrieval.fingerprint(
      headFolder: dir, encoder: "encoder.safetensors", typehead: "typehead.safetensors")
    var header = TypeRetrieval.Header(
      dimension: hd, count: 0, labels: [], k: 1, temperature: 0.05, weight: 0.5, modelFingerprint: right)
    try TypeRetrieval(header: header, vectors: [Float](repeating: 1, count: hd), labels: ["string"]).write(to: dir)
    #expect(try TypeHeadModel.load(directory: dir.path).retrieval?.header.count == 1)
    header.modelFingerprint = "0"
    try TypeRetrieval(header: header, vectors: [Float](repeating: 1, count: hd), labels: ["string"]).write(to: dir)
    do {
      _ = try TypeHeadModel.load(directory: dir.path)
      Issue.record("a datastore of other weights was accepted")
    } catch let e as CodeIntelError {
      #expect(e.description.contains("built with other weights"))
    }
  }
}
