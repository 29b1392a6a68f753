import CloneIndex
import Foundation
import Model
import Testing

@testable import Heads

/// Retrieval of names from the nearest train functions (issue 19): the datastore, its file, the ranking rule.
@Suite("Name retrieval")
struct NameRetrievalTests {
  /// Four train functions in three dimensions: two named `getUser`, one `setName`, one `parseConfig`.
  static func store() -> NameDatastore {
    NameDatastore(
      vectors: [
        1, 0, 0,
        0.9, 0.1, 0,
        0, 1, 0,
        0, 0, 1,
      ], dimension: 3, names: [["get", "user"], ["Get", "User"], ["set", "name"], ["parse", "config"]],
      encoderSHA256: "abc", source: "hand-made")
  }

  @Test("candidates: the nearest entries' names, voted by a softmax over cosine, best first")
  func candidates() throws {
    let s = Self.store()
    #expect(s.names == [["get", "user"], ["set", "name"], ["parse", "config"]])  // names are stored once, lower case
    #expect(s.nameOfEntry == [0, 0, 1, 2])
    // a query between x and y, nearer x
    let q: [Float] = [0.8, 0.6, 0]
    let near = s.neighbors(q, queryCount: 1, k: 3)[0]
    #expect(near.map(\.id) == [1, 0, 2])
    let c0 = Double(near[0].score)
    let c1 = Double(near[1].score)
    let c2 = Double(near[2].score)
    // int8 quantisation: close to the exact cosines (0.78 / √0.82, 0.8, 0.6)
    #expect(abs(c0 - 0.78 / 0.82.squareRoot()) < 0.01 && abs(c1 - 0.8) < 0.01 && abs(c2 - 0.6) < 0.01)
    let rule = NameRetrievalRanking(neighbors: 3, temperature: 0.1)
    let found = rule.retrieved(near, names: s.name(ofEntry:))
    // by hand: weights exp((c - c0) / 0.1)
    let w = [1, exp((c1 - c0) / 0.1), exp((c2 - c0) / 0.1)]
    let total = w.reduce(0, +)
    #expect(found.map(\.subtokens) == [["get", "user"], ["set", "name"]])
    #expect(abs(found[0].vote - (w[0] + w[1]) / total) < 1e-9)
    #expect(abs(found[1].vote - w[2] / total) < 1e-9)
    #expect(abs(found[0].similarity - c0) < 1e-9)
    // a cold temperature gives the nearest name the whole vote; a hot one spreads it by count
    #expect(NameRetrievalRanking(temperature: 1e-4).retrieved(near, names: s.name(ofEntry:))[0].vote > 0.999)
    let hot = NameRetrievalRanking(temperature: 1e4).retrieved(near, names: s.name(ofEntry:))
    #expect(abs(hot[0].vote - 2.0 / 3.0) < 1e-3)
    #expect(rule.retrieved([], names: s.name(ofEntry:)).isEmpty)
  }

  @Test("ranking: decoder score + weight · vote; retrieval alone; decoder alone; retrieved names scored by the decoder")
  func ranking() {
    // beams: getName (score -0.5), fetchUser (score -1)
    let beams = [
      NamePrediction(subtokens: ["get", "name"], logProbability: -1.5),
      NamePrediction(subtokens: ["fetch", "user"], logProbability: -3),
    ]
    let retrieved = [
      RetrievedName(subtokens: ["fetch", "user"], vote: 0.6, similarity: 0.9),
      RetrievedName(subtokens: ["load", "user"], vote: 0.4, similarity: 0.95),
    ]
    var asked: [[String]] = []
    let score = { (name: [String]) -> NamePrediction in
      asked.append(name)
      return NamePrediction(subtokens: name, logProbability: -6)  // loadUser: score -2
    }
    let combined = NameRetrievalRanking(weight: 2, mode: .combined)
    let c = combined.rank(beams: beams, retrieved: retrieved, top: 5, score: score)
    // fetchUser -1 + 2·0.6 = 0.2; getName -0.5 + 0 = -0.5; loadUser -2 + 0.8 = -1.2
    #expect(c.map(\.name) == ["fetchUser", "getName", "loadUser"])
    #expect(asked == [["load", "user"]])  // only the name the beams lack is scored
    #expect(abs(c[0].rank - 0.2) < 1e-12 && c[0].vote == 0.6 && c[0].similarity == 0.9)
    #expect(c[1].vote == 0 && c[1].rank == c[1].score)
    // a small weight leaves the decoder's order
    let light = NameRetrievalRanking(weight: 0.5, mode: .combined).rank(
      beams: beams, retrieved: retrieved, top: 2, score: score)
    #expect(light.map(\.name) == ["getName", "fetchUser"])
    // retrieval alone: the vote, then similarity
    let r = NameRetrievalRanking(mode: .retrieval).rank(beams: beams, retrieved: retrieved, top: 5, score: score)
    #expect(r.map(\.name) == ["fetchUser", "loadUser", "getName"])
    // the decoder alone: the beams as they were, nothing scored
    asked = []
    let d = NameRetrievalRanking(mode: .decoder).rank(beams: beams, retrieved: retrieved, top: 5, score: score)
    #expect(d.map(\.name) == ["getName", "fetchUser"] && asked.isEmpty)
    // `candidates` caps the retrieved names added
    let one = NameRetrievalRanking(candidates: 1, mode: .retrieval).rank(
      beams: [], retrieved: retrieved, top: 5, score: score)
    #expect(one.map(\.name) == ["fetchUser"])
  }

  @Test("a datastore written and read back searches the same and holds the same names")
  func roundTrip() throws {
    let s = Self.store()
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("retrieval-\(UUID()).bin")
    defer { try? FileManager.default.removeItem(at: url) }
    try s.write(to: url)
    let back = try NameDatastore.load(from: url)
    #expect(back.header == s.header && back.nameOfEntry == s.nameOfEntry && back.names == s.names)
    #expect(back.index.vectors == s.index.vectors)
    let q: [Float] = [0, 0.6, 0.8, 0.6, 0.8, 0]
    #expect(back.neighbors(q, queryCount: 2, k: 4) == s.neighbors(q, queryCount: 2, k: 4))
    // 16 bytes of preamble, the header, 4 bytes of name index and 3 bytes of vector per entry
    let data = try s.serialized()
    #expect(data.count == 16 + Int(NameDatastore.readUInt32([UInt8](data), at: 12)) + 4 * 4 + 4 * 3)
  }

  @Test("a broken datastore file is refused with one sentence naming it")
  func broken() throws {
    let good = [UInt8](try Self.store().serialized())
    func refusal(_ bytes: [UInt8]) -> String? {
      do {
        _ = try NameDatastore.parse(Data(bytes), path: "/m/names/retrieval.bin")
        return nil
      } catch {
        return "\(error)"
      }
    }
    var badIndex = good
    let start = 16 + Int(NameDatastore.readUInt32(good, at: 12))
    badIndex[start] = 9  // entry 0 names name 9 of 3
    var badVersion = good
    badVersion[8] = 7
    var badHeader = good
    badHeader[17] = UInt8(ascii: "?")
    let cases: [(String, [UInt8], String)] = [
      ("truncated", Array(good.dropLast()), "truncated"),
      ("one byte too many", good + [0], "truncated"),
      ("not a datastore", Array("hello world, not it".utf8), "not a name-retrieval datastore"),
      ("empty", [], "not a name-retrieval datastore"),
      ("other version", badVersion, "format version 7"),
      ("damaged header", badHeader, "header is damaged"),
      ("index past the names", badIndex, "past its table"),
    ]
    for (what, bytes, phrase) in cases {
      let message = try #require(refusal(bytes), "\(what) was accepted")
      #expect(message.contains("/m/names/retrieval.bin") && message.contains(phrase), "\(what): \(message)")
      #expect(!message.contains("\n") && message.contains("codeintel finetune name-retrieval"), "\(what)")
    }
    #expect(refusal(good) == nil)
  }
}

extension NameFinetuneTests {
  @Test("a head with a datastore of its train functions: retrieval finds their names; another encoder's is refused")
  func headWithDatastore() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("names-knn-\(UUID())").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let t = try trainer(config(steps: 6), output: dir)
    try t.run()
    let plain = try NameHead.load(directory: dir)
    #expect(plain.datastore == nil && plain.ranking == nil)
    // one function per noun (the verb comes late in the input, past the tiny encoder's 40 tokens)
    let train = stride(from: 0, to: 36, by: 6).map { Self.train[$0] }
    #expect(Set(train.map(\.name)).count == 6)
    let store = try NameDatastoreBuilder.build(head: plain, records: train, source: "synthetic")
    #expect(store.count == 6 && store.dimension == plain.encoder.dim)
    try store.write(to: URL(fileURLWithPath: dir).appendingPathComponent(NameDatastore.fileName))
    let head = try NameHead.load(directory: dir)
    #expect(try #require(head.datastore).header == store.header)
    #expect(head.ranking == NameRetrievalRanking())
    // each train function's nearest entry is itself (cosine 1): retrieval alone from the nearest names it
    let inputs = train.map(\.input)
    let byRetrieval = head.predict(
      inputs: inputs, beam: 3, top: 1, ranking: NameRetrievalRanking(neighbors: 1, mode: .retrieval))
    for (r, p) in zip(train, byRetrieval) {
      #expect(p.first?.subtokens == r.target, "\(r.name) → \(p.first?.name ?? "-")")
      #expect((p.first?.similarity ?? 0) > 0.99)
    }
    // the neighbours' names are scored in one padded decoder pass: the same as one at a time
    let d = head.encoder.dim
    let memory = (0..<(5 * d)).map { Float(($0 * 37) % 11) / 11 - 0.5 }
    let names = [["get"], ["set", "user", "name"], ["validate", "config"], ["zzz", "user"]]
    let batched = NameHead.score(
      decoder: head.decoder, memory: memory, length: 5, vocabulary: head.vocabulary, names: names,
      maxSubtokens: head.info.maxSubtokens)
    for (name, b) in zip(names, batched) {
      let one = NameHead.score(
        decoder: head.decoder, memory: memory, length: 5, vocabulary: head.vocabulary, subtokens: name,
        maxSubtokens: head.info.maxSubtokens)
      #expect(b.subtokens == one.subtokens && abs(b.logProbability - one.logProbability) < 1e-4, "\(name)")
    }
    let found = head.candidates(inputs: inputs, current: nil, beam: 3, top: 3, neighbors: 6)
    #expect(found.allSatisfy { $0.neighbors.count == 6 && $0.scored.count == 6 })
    // the decoder alone gives exactly the head without a datastore
    #expect(
      head.predict(inputs: inputs, beam: 3, top: 2, ranking: NameRetrievalRanking(mode: .decoder))
        == plain.predict(inputs: inputs, beam: 3, top: 2))
    // a datastore from another encoder is refused, with the sentence that says what to do
    let moved = NameDatastore(
      vectors: store.index.vectors, dimension: store.dimension, names: (0..<store.count).map(store.name(ofEntry:)),
      encoderSHA256: "ffff", source: "other")
    try moved.write(to: URL(fileURLWithPath: dir).appendingPathComponent(NameDatastore.fileName))
    #expect(throws: NameDatastoreError.self) { try NameHead.load(directory: dir) }
    #expect(try NameHead.load(directory: dir, withRetrieval: false).datastore == nil)
  }
}

extension NameFinetuneTests {
  @Test("finetune name-threshold on a head with a datastore fits a calibrated confidence on valid + github-valid")
  func thresholdCommandWithRetrieval() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("names-thr-\(UUID())")
    defer { try? FileManager.default.removeItem(at: root) }
    let dir = root.appendingPathComponent("head").path
    let t = try trainer(config(steps: 6), output: dir)
    try t.run()
    let plain = try NameHead.load(directory: dir)
    let store = try NameDatastoreBuilder.build(head: plain, records: Array(Self.train.prefix(12)), source: "synthetic")
    try store.write(to: URL(fileURLWithPath: dir).appendingPathComponent(NameDatastore.fileName))
    // a datasets folder with both valid splits
    let names = root.appendingPathComponent("ds/method-names")
    try FileManager.default.createDirectory(at: names, withIntermediateDirectories: true)
    let encoder = JSONEncoder()
    func write(_ records: [MethodNameRecord], _ file: String) throws {
      let lines = try records.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
      try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: names.appendingPathComponent(file))
    }
    try write(Self.valid, "valid.jsonl")
    try write(syntheticNames(12, seed: 2), "github-valid.jsonl")
    // --github N spreads N github-valid functions beside Debian valid's 8 (sessions 5-10 took as many as Debian has)
    let few = try CLI.run([
      "finetune", "name-threshold", "--out", dir, "--datasets", root.appendingPathComponent("ds").path,
      "--min-support", "1", "--min-any", "0", "--min-exact", "0", "--github", "4",
    ])
    #expect(few.status == 0, "\(few.stderr)")
    let fewDisplay = try #require(try NameDisplayCalibration.load(from: URL(fileURLWithPath: dir)))
    #expect(
      fewDisplay.source.contains("github-valid.jsonl (4 spread over its 12)") && fewDisplay.source.contains("12 functions"))
    let bad = try CLI.run(["finetune", "name-threshold", "--out", dir, "--github", "0"])
    #expect(bad.status != 0 && bad.stderr.contains("--github"))
    // the default: every github-valid function
    let r = try CLI.run([
      "finetune", "name-threshold", "--out", dir, "--datasets", root.appendingPathComponent("ds").path,
      "--min-support", "1", "--min-any", "0", "--min-exact", "0",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("calibrated confidence"))
    let display = try #require(try NameDisplayCalibration.load(from: URL(fileURLWithPath: dir)))
    #expect(display.confidence != nil && display.minProbability != nil)
    #expect(
      display.source.contains("github-valid.jsonl (12 spread over its 12)") && display.source.contains("20 functions"))
    // the head now gates on the confidence
    let head = try NameHead.load(directory: dir)
    #expect(head.display?.confidence == display.confidence)
    // --dump: one JSON line per listed suggestion of the 20 valid functions, with its signals and outcomes
    let dump = root.appendingPathComponent("signals.jsonl").path
    let d = try CLI.run(["finetune", "name-threshold", "--out", dir, "--datasets", root.appendingPathComponent("ds").path, "--dump", dump])
    #expect(d.status == 0, "\(d.stderr)")
    let rows = try String(contentsOfFile: dump, encoding: .utf8).split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    let functions = Set(rows.compactMap { $0["function"] as? Int })
    #expect(functions == Set(0..<20) && rows.count >= 20)
    for row in rows {
      let any = try #require(row["anyRight"] as? Bool)
      let exact = try #require(row["exact"] as? Bool)
      let gate = try #require(row["gateMean"] as? Double)
      let logp = try #require(row["logProbability"] as? Double)
      let first = try #require(row["firstLogProbability"] as? Double)
      #expect(!exact || any)
      #expect(gate >= 0 && gate <= 1 && first <= 0 && first >= logp - 1e-3)
      #expect(row["name"] is String && row["package"] is String && row["tokens"] is Int && row["margin"] is Double)
    }
    // the first suggestion of each function is the best listed one: its margin is not negative
    #expect(rows.filter { ($0["position"] as? Int) == 0 }.allSatisfy { ($0["margin"] as? Double ?? -1) >= 0 })
  }
}

extension NameFinetuneTests {
  @Test("a datastore for a head that reads its file's other names embeds each train function as a query reads it")
  func datastoreWithSiblings() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("names-knn-sib-\(UUID())").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try trainer(config(steps: 4), output: dir).run()
    let plain = try NameHead.load(directory: dir, withRetrieval: false)
    var info = plain.info
    info.training.inputContext = .pathAndSiblings
    let head = NameHead(
      directory: plain.directory, info: info, tokenizer: plain.tokenizer, encoder: plain.encoder,
      decoder: plain.decoder, vocabulary: plain.vocabulary)
    // four functions of one file: each one's siblings are the other three names
    let records = MethodNameRecord.withSiblings(
      Self.train.prefix(4).enumerated().map { i, r in
        var r = r
        r.package = "p"
        r.path = "src/store.js"
        r.startByte = i * 100
        return r
      })
    #expect(records.allSatisfy { ($0.siblings?.count ?? 0) == 3 })
    let store = try NameDatastoreBuilder.build(head: head, records: records, source: "synthetic")
    let d = store.dimension
    for (i, r) in records.enumerated() {
      // what the head reads for this function at a query: the place, the siblings, the function
      let query = r.modelInput(context: .pathAndSiblings)
      #expect(query.contains("["))
      let expected = Inference.embed(encoder: head.encoder, sequences: [head.tokens(of: query)], batchSize: 1)
      let stored = Array(store.index.vectors[(i * d)..<((i + 1) * d)])
      // (stored normalised and int8-quantised, so compared by cosine)
      let dot = zip(stored, expected).map { $0 * $1 }.reduce(0, +)
      let norms = (stored.map { $0 * $0 }.reduce(0, +) * expected.map { $0 * $0 }.reduce(0, +)).squareRoot()
      #expect(dot / norms > 0.999, "\(r.name)")
    }
    // built from the same records without their siblings, the entries are other vectors
    let bare = try NameDatastoreBuilder.build(
      head: head, records: records.map { var r = $0; r.siblings = nil; return r }, source: "synthetic")
    #expect(bare.index.vectors != store.index.vectors)
  }
}
