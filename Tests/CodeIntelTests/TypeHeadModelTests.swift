import Foundation
import Syntax
import Testing
import Tokenizer

@testable import Heads
@testable import CodeIntel
@testable import Model
@testable import Tensor

/// The shipped model folder (tokenizer and pretrained encoder) of this checkout.
private let modelDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("Models/contracode-moco-small")

private let sample = """
  import { Widget, type Options as Opts } from "./widget";
  import Default from "./default";
  import * as ns from "./ns";
  interface Shape { area: number }
  class Circle {}
  type Id = string;
  enum Color { Red }
  function area(shape, scale = 2) {
    const result = shape.area * scale;
    return result;
  }
  export function load(options): Promise<Widget> { return null as any; }

  """

@Suite("Type head data and model")
struct TypeHeadModelTests {
  @Test("candidates: declarations and imports, type-like names only, in order")
  func candidates() throws {
    let names = TypeCandidates.names(in: sample, tsx: false)
    #expect(names.map(\.name) == ["Widget", "Opts", "Default", "Shape", "Circle", "Id", "Color"])
    #expect(names.map(\.declared) == [false, false, false, true, true, true, true])
  }

  @Test("unannotated sites: parameters, returns, variables; annotated ones left out")
  func sites() throws {
    let tree = try Parser(language: .typescript).parse(sample)
    let sites = TypeSites.unannotated(in: tree)
    let described = sites.map { "\($0.datasetKind) \($0.name)" }
    #expect(described == ["parameter shape", "parameter scale", "return area", "variable result", "parameter options"])
    let bytes = Array(sample.utf8)
    // anchors: right after the name, after `)` for the return
    let shape = sites[0]
    #expect(String(decoding: bytes[(shape.anchor - 5)..<shape.anchor], as: UTF8.self) == "shape")
    #expect(bytes[sites[2].anchor - 1] == UInt8(ascii: ")"))
  }

  @Test("windows: every site lands in one window, with its neighbouring tokens mapped back to bytes")
  func windows() throws {
    let tokenizer = try Tokenizer.load(from: modelDirectory.appendingPathComponent("tokenizer.json"))
    let text = String(repeating: "let value = compute(alpha, beta) + other;\n", count: 40)
    let encoding = tokenizer.encode(text, options: EncodeOptions())
    let bytes = Array(text.utf8)
    let lineLength = "let value = compute(alpha, beta) + other;\n".utf8.count
    let offsets = stride(from: 0, to: 40, by: 3).map { $0 * lineLength + 9 }  // right after "let value"
    let i = offsets.count
    let windows = TypeHeadWindow.windows(encoding: encoding, offsets: offsets, length: 32)
    let placed = windows.flatMap { $0.sites.map(\.site) }.sorted()
    #expect(placed == Array(0..<i))
    for w in windows {
      #expect(w.tokens.count <= 32)
      // find the window's start in the encoding to check the byte mapping
      let start = w.start
      #expect(Array(encoding.ids[start..<(start + w.tokens.count)]) == w.tokens)
      for s in w.sites {
        let before = start + s.before
        #expect(Int(encoding.ends[before]) <= offsets[s.site])
        #expect(String(decoding: bytes[Int(encoding.starts[before])..<Int(encoding.ends[before])], as: UTF8.self).hasSuffix("e"))
        #expect(Int(encoding.starts[start + s.after]) >= offsets[s.site])
      }
    }
  }

  @Test("targets: vocabulary, then file candidates, else other; any left out")
  func targets() throws {
    let tokenizer = try Tokenizer.load(from: modelDirectory.appendingPathComponent("tokenizer.json"))
    let preparer = TypeHeadPreparer(tokenizer: tokenizer, vocabulary: ["string", "number", "Widget"], windowLength: 128)
    let sites = [
      TypeHeadSite(kind: "parameter", name: "shape", offset: 10), TypeHeadSite(kind: "parameter", name: "x", offset: 20),
      TypeHeadSite(kind: "return", name: "load", offset: 30), TypeHeadSite(kind: "variable", name: "y", offset: 40),
      TypeHeadSite(kind: "variable", name: "z", offset: 50),
    ]
    let file = preparer.prepare(
      text: sample, tsx: false, sites: sites, labels: ["Shape[]", "number", "Promise<Widget>", "any", "Widget"])
    // Widget is in the vocabulary and also a file candidate: the target points at the file's name.
    #expect(file.candidateTexts.contains("Widget") && file.candidateTexts.contains("Widget[]"))
    let shapeArray = try #require(file.candidateTexts.firstIndex(of: "Shape[]"))
    let promise = try #require(file.candidateTexts.firstIndex(of: "Promise<Widget>"))
    let widget = try #require(file.candidateTexts.firstIndex(of: "Widget"))
    #expect(file.targets == [4 + shapeArray, 1, 4 + promise, nil, 4 + widget])
    let other = preparer.prepare(text: sample, tsx: false, sites: [sites[0]], labels: ["Map<A, B>"])
    #expect(other.targets == [3])
    // pair features: the parameter `shape` and candidate `Shape` share their only subtoken
    let shapeOffer = file.offers[0][shapeArray]
    #expect(shapeOffer.features[0] == 1 && shapeOffer.features[1] == 1 && shapeOffer.features[2] == 1)
  }

  @Test("gradients flow through the head into the encoder (finite differences on encoder weights)")
  func encoderGradients() throws {
    let tokenizer = try Tokenizer.load(from: modelDirectory.appendingPathComponent("tokenizer.json"))
    let encoder = TransformerEncoder(
      config: TransformerConfig(vocab: tokenizer.vocabSize, dim: 8, layers: 1, heads: 2, ffn: 16, maxLen: 64, dropout: 0),
      seed: 5)
    let vocabulary = ["string", "number"]
    let head = TypeHead(
      config: TypeHeadConfig(
        inputDim: TypeHeadModel.featureDim(encoderDim: 8), hidden: 6, vocabulary: 3, subtokens: tokenizer.vocabSize,
        forms: TypeCandidateForm.allCases.count, pairFeatures: TypeHeadPreparer.pairFeatures), seed: 6)
    let info = TypeHeadModel.Info(
      format: TypeHeadModel.formatName, version: 1, pretrained: "", pretrainedName: "", pretrainedSteps: 0,
      pretrainedSHA256: "", randomInit: true, steps: 0, batchWindows: 2, windowLength: 24, seed: 0, learningRate: 0,
      head: head.config, vocabulary: vocabulary, encoder: "encoder.safetensors", typehead: "typehead.safetensors",
      tokenizer: "tokenizer.json", validAccuracyAt1: nil, validAccuracyAt5: nil, validCalibration: nil)
    let model = TypeHeadModel(info: info, tokenizer: tokenizer, encoder: encoder, head: head)
    let tree = try Parser(language: .typescript).parse(sample)
    let sites = TypeSites.unannotated(in: tree).map { TypeHeadSite(kind: $0.datasetKind, name: $0.name, offset: $0.anchor) }
    let file = model.preparer.prepare(text: sample, tsx: false, sites: sites, labels: ["Shape", "number", "number", "Opts"])
    let items = file.windows.indices.map { (file: file, window: $0) }
    encoder.training = false
    encoder.parameters.zeroGrad()
    head.parameters.zeroGrad()
    _ = model.trainStep(items)
    let analytic = Array(UnsafeBufferPointer(start: encoder.parameters.grad, count: encoder.parameters.count))
    func loss() -> Float {
      encoder.parameters.zeroGrad()
      head.parameters.zeroGrad()
      return model.trainStep(items)
    }
    var rng = TensorRandom(seed: 11)
    var checked = 0
    // the largest gradients plus random ones
    let big = analytic.indices.sorted { abs(analytic[$0]) > abs(analytic[$1]) }.prefix(12)
    let picks = Array(big) + (0..<12).map { _ in Int(rng.next() % UInt64(analytic.count)) }
    for i in picks {
      let saved = encoder.parameters.data[i]
      // small steps: the head's ReLU and the attention softmax bend enough that 5e-3 is already too coarse
      let eps: Float = 1e-3
      encoder.parameters.data[i] = saved + eps
      let up = loss()
      encoder.parameters.data[i] = saved - eps
      let down = loss()
      encoder.parameters.data[i] = saved
      let numeric = (up - down) / (2 * eps)
      #expect(abs(numeric - analytic[i]) <= 2e-3 + 5e-2 * abs(numeric), "encoder parameter \(i): \(numeric) vs \(analytic[i])")
      if abs(analytic[i]) > 1e-4 { checked += 1 }
    }
    #expect(checked >= 10)
  }
}

@Suite("finetune types: determinism and resume", .serialized)
struct TypeHeadTrainingTests {
  /// A tiny types dataset in a temporary folder: three train files, one valid file.
  static func dataset() throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("types-ds-\(UUID())")
    let types = root.appendingPathComponent("types")
    try FileManager.default.createDirectory(at: types, withIntermediateDirectories: true)
    func record(_ package: String, _ text: String, _ sites: [(String, String, String)]) throws -> String {
      // sites: (kind, name, label); the offset is right after the first occurrence of "name" (or of `)` for returns)
      var out: [[String: Any]] = []
      let bytes = Array(text.utf8)
      for (kind, name, label) in sites {
        let needle = Array((kind == "return" ? name + "(" : name).utf8)
        var at = 0
        while at + needle.count <= bytes.count, Array(bytes[at..<(at + needle.count)]) != needle { at += 1 }
        var offset = at + needle.count
        if kind == "return" { while bytes[offset] != UInt8(ascii: ")") { offset += 1 }; offset += 1 }
        out.append(["kind": kind, "name": name, "offset": offset, "label": label, "any": label == "any"])
      }
      let obj: [String: Any] = ["language": "typescript", "package": package, "path": "src/\(package).ts", "text": text, "sites": out]
      return String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self)
    }
    let a = "import { Widget } from './w';\nfunction make(count, label) { return new Widget(count, label); }\n"
    let b = "interface Shape { area: number }\nfunction total(shapes, scale) { let sum = 0; return sum * scale; }\n"
    let c = "class Point {}\nfunction move(point, dx, flag) { return point; }\n"
    let train = [
      try record("a", a, [("parameter", "count", "number"), ("parameter", "label", "string"), ("return", "make", "Widget")]),
      try record("b", b, [("parameter", "shapes", "Shape[]"), ("parameter", "scale", "number"), ("return", "total", "number")]),
      try record("c", c, [("parameter", "point", "Point"), ("parameter", "dx", "number"), ("parameter", "flag", "any")]),
    ]
    try (train.joined(separator: "\n") + "\n").write(to: types.appendingPathComponent("train.jsonl"), atomically: true, encoding: .utf8)
    try (train[1] + "\n").write(to: types.appendingPathComponent("valid.jsonl"), atomically: true, encoding: .utf8)
    try "count\ttype\n9\tnumber\n3\tstring\n1\tany\n".write(
      to: types.appendingPathComponent("vocabulary-train.tsv"), atomically: true, encoding: .utf8)
    return root
  }

  static func train(_ data: URL, out: URL, steps: Int = 4, stopAfter: Int? = nil, resume: Bool = false, randomInit: Bool = false) throws -> TypeHeadTraining.Result {
    var o = TypeHeadTraining.Options(pretrained: modelDirectory.path, out: out.path, datasets: data.path)
    o.steps = steps
    o.batchWindows = 2
    o.hidden = 16
    o.logEvery = 1
    o.checkpointEvery = 2
    o.stopAfter = stopAfter
    o.resume = resume
    o.randomInit = randomInit
    return try TypeHeadTraining(options: o, log: { _ in }).run()
  }

  @Test("same seed, same bytes; a stopped run resumed ends where an uninterrupted one does; the folder loads")
  func deterministicAndResumable() throws {
    let data = try Self.dataset()
    defer { try? FileManager.default.removeItem(at: data) }
    let one = data.appendingPathComponent("one")
    let two = data.appendingPathComponent("two")
    let three = data.appendingPathComponent("three")
    let r1 = try Self.train(data, out: one)
    _ = try Self.train(data, out: two)
    #expect(r1.finished && r1.steps == 4)
    // weights compared tensor by tensor (the JSON in a safetensors header need not keep its key order)
    func weights(_ dir: URL, _ name: String) throws -> [String: [Float]] {
      try Safetensors.read(path: dir.appendingPathComponent(name).path).values
    }
    let head1 = try weights(one, "typehead.safetensors")
    let enc1 = try weights(one, "encoder.safetensors")
    #expect(head1 == (try weights(two, "typehead.safetensors")))
    #expect(enc1 == (try weights(two, "encoder.safetensors")))
    let stopped = try Self.train(data, out: three, stopAfter: 2)
    #expect(!stopped.finished)
    #expect(FileManager.default.fileExists(atPath: three.appendingPathComponent("checkpoint/state.json").path))
    let resumed = try Self.train(data, out: three, resume: true)
    #expect(resumed.finished && resumed.steps == 4)
    #expect(head1 == (try weights(three, "typehead.safetensors")))
    #expect(enc1 == (try weights(three, "encoder.safetensors")))
    // the folder is self-contained and says what it is
    let model = try TypeHeadModel.load(directory: one.path)
    #expect(model.info.steps == 4 && !model.info.randomInit && model.info.vocabulary == ["number"])
    #expect(model.info.pretrainedSHA256.count == 64)
    // the name prior is counted on the same train files (no name recurs across these packages: an empty table)
    let prior = try #require(model.namePrior)
    #expect(prior.dataset.files == 3 && prior.dataset.packages == 3 && prior.dataset.sha256.count == 64)
    #expect(prior.names.isEmpty)
    #expect(FileManager.default.fileExists(atPath: one.appendingPathComponent("tokenizer.json").path))
    let metrics = try String(contentsOf: one.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
    #expect(metrics.split(separator: "\n").count == 5)  // 4 steps + the valid line
    let predicted = model.predict(
      text: "function f(a, b) { return a; }\n", tsx: false, sites: [TypeHeadSite(kind: "parameter", name: "a", offset: 12)])
    #expect(predicted.count == 1 && !predicted[0].isEmpty)
    #expect(predicted[0].allSatisfy { $0.probability > 0 && $0.probability <= 1 })
    // random init: a different encoder from the same budget, labelled as such
    let random = data.appendingPathComponent("random")
    _ = try Self.train(data, out: random, randomInit: true)
    let r = try TypeHeadModel.load(directory: random.path)
    #expect(r.info.randomInit && r.info.label.contains("no pretraining"))
    #expect(enc1 != (try weights(random, "encoder.safetensors")))
  }
}

extension TypeHeadTrainingTests {
  @Test("--init-head continues a head (its weights, vocabulary and steps); --window repeats the position rows")
  func continueHeadWithLongerWindows() throws {
    let data = try Self.dataset()
    defer { try? FileManager.default.removeItem(at: data) }
    let first = data.appendingPathComponent("first")
    _ = try Self.train(data, out: first)
    let start = try TypeHeadModel.load(directory: first.path)
    func weights(_ dir: URL, _ name: String) throws -> [String: [Float]] {
      try Safetensors.read(path: dir.appendingPathComponent(name).path).values
    }
    func continued(_ out: URL, window: Int?, lr: Float) throws -> TypeHeadModel {
      var o = TypeHeadTraining.Options(pretrained: "", out: out.path, datasets: data.path)
      o.initHead = first.path
      o.windowLength = window
      o.steps = 2
      o.lr = lr
      o.batchWindows = 2
      o.seed = 3
      _ = try TypeHeadTraining(options: o, log: { _ in }).run()
      return try TypeHeadModel.load(directory: out.path)
    }
    // at a learning rate of ~0 the continued head is the head it started from, not a fresh one
    let same = try continued(data.appendingPathComponent("same"), window: nil, lr: 1e-9)
    #expect(same.info.windowLength == start.info.windowLength)
    #expect(same.info.initHead == first.path && same.info.initHeadSteps == 4 && same.info.steps == 2)
    #expect(same.info.vocabulary == start.info.vocabulary && same.head.config == start.head.config)
    #expect(same.info.pretrainedSHA256 == start.info.pretrainedSHA256 && same.info.label.contains("4 + 2 steps"))
    let startHead = try weights(first, "typehead.safetensors")
    for (name, values) in try weights(data.appendingPathComponent("same"), "typehead.safetensors") {
      let old = try #require(startHead[name])
      #expect(zip(values, old).allSatisfy { abs($0 - $1) < 1e-4 }, "\(name) moved")
    }
    // a longer window: the encoder's positions grow, the rows past the old ones repeat them
    let window = 2 * start.info.windowLength
    let longer = try continued(data.appendingPathComponent("longer"), window: window, lr: 1e-9)
    #expect(longer.info.windowLength == window && longer.info.label.contains("\(window)-token windows"))
    let positions = try #require(try weights(data.appendingPathComponent("longer"), "encoder.safetensors")["embed.positions"])
    let old = try #require(try weights(first, "encoder.safetensors")["embed.positions"])
    #expect(positions.count == 2 * old.count)
    #expect(zip(positions[old.count...], old).allSatisfy { abs($0 - $1) < 1e-4 })
    let predicted = longer.predict(
      text: "function f(a, b) { return a; }\n", tsx: false, sites: [TypeHeadSite(kind: "parameter", name: "a", offset: 12)])
    #expect(predicted.count == 1 && !predicted[0].isEmpty)
    // a trained head and random weights do not go together
    var bad = TypeHeadTraining.Options(pretrained: "", out: data.appendingPathComponent("bad").path, datasets: data.path)
    bad.initHead = first.path
    bad.randomInit = true
    bad.steps = 1
    #expect(throws: (any Error).self) { try TypeHeadTraining(options: bad, log: { _ in }).run() }
    #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("bad/config.json").path))
  }
}

@Suite("type heads averaged (partners)")
struct TypeHeadPartnerTests {
  static func model(seed: UInt64, vocabulary: [String] = ["string", "number", "boolean"]) throws -> TypeHeadModel {
    let tokenizer = try Tokenizer.load(from: modelDirectory.appendingPathComponent("tokenizer.json"))
    let encoder = TransformerEncoder(
      config: TransformerConfig(vocab: tokenizer.vocabSize, dim: 8, layers: 1, heads: 2, ffn: 16, maxLen: 64, dropout: 0),
      seed: seed)
    encoder.training = false
    let head = TypeHead(
      config: TypeHeadConfig(
        inputDim: TypeHeadModel.featureDim(encoderDim: 8), hidden: 6, vocabulary: vocabulary.count + 1,
        subtokens: tokenizer.vocabSize, forms: TypeCandidateForm.allCases.count, pairFeatures: TypeHeadPreparer.pairFeatures),
      seed: seed &+ 1)
    let info = TypeHeadModel.Info(
      format: TypeHeadModel.formatName, version: 1, pretrained: "", pretrainedName: "", pretrainedSteps: 0,
      pretrainedSHA256: "", randomInit: true, steps: 0, batchWindows: 2, windowLength: 32, seed: seed, learningRate: 0,
      head: head.config, vocabulary: vocabulary, encoder: "encoder.safetensors", typehead: "typehead.safetensors",
      tokenizer: "tokenizer.json", validAccuracyAt1: nil, validAccuracyAt5: nil, validCalibration: nil)
    return TypeHeadModel(info: info, tokenizer: tokenizer, encoder: encoder, head: head)
  }

  static let text = "class Box {}\nfunction make(count, label, box) { return label + count; }\n"
  static let sites = [
    TypeHeadSite(kind: "parameter", name: "count", offset: 32), TypeHeadSite(kind: "parameter", name: "label", offset: 39),
    TypeHeadSite(kind: "parameter", name: "box", offset: 44),
  ]

  static func probabilities(_ m: TypeHeadModel) -> [[String: Float]] {
    m.predict(text: text, tsx: false, sites: sites, top: 100).map { Dictionary($0.map { ($0.type, $0.probability) }, uniquingKeysWith: +) }
  }

  @Test("averaging by hand: the mean of the softmaxes, or the softmax of the mean log-probability")
  func averageByHand() {
    // members with probabilities (0.5, 0.5) and (0.25, 0.75)
    let members: [[Float]] = [[0, 0], [0, log(3)]]
    let mean = TypeHeadModel.average(members, logit: false)
    #expect(abs(mean[0] - 0.375) < 1e-6 && abs(mean[1] - 0.625) < 1e-6)
    // geometric: sqrt(0.5 · 0.25) : sqrt(0.5 · 0.75), normalised = 0.36603 : 0.63397
    let product = TypeHeadModel.average(members, logit: true)
    #expect(abs(product[0] - 0.36603) < 1e-4 && abs(product[1] - 0.63397) < 1e-4)
    // one member: either average is its softmax
    #expect(TypeHeadModel.average([[1, 2, 3]], logit: true).elementsEqual(TypeHead.softmax([1, 2, 3])) { abs($0 - $1) < 1e-6 })
  }

  @Test("each type's probability is the mean of the members'; a partner of another vocabulary is refused; a folder names its partners")
  func averaged() throws {
    let a = try Self.model(seed: 1)
    let b = try Self.model(seed: 2)
    let pa = Self.probabilities(a)
    let pb = Self.probabilities(b)
    #expect(pa != pb)
    let ensemble = try Self.model(seed: 1)
    try ensemble.addPartner(try Self.model(seed: 2), name: "b")
    let pe = Self.probabilities(ensemble)
    #expect(pe.count == Self.sites.count)
    for site in pe.indices {
      #expect(!pe[site].isEmpty)
      for (type, p) in pe[site] {
        let mean = ((pa[site][type] ?? 0) + (pb[site][type] ?? 0)) / 2
        #expect(abs(p - mean) < 1e-5, "\(type): \(p) vs \(mean)")
      }
    }
    #expect(throws: (any Error).self) { try a.addPartner(try Self.model(seed: 3, vocabulary: ["string", "number", "Date"]), name: "c") }
    #expect(throws: (any Error).self) { try a.addPartner(a, name: "self") }
    #expect(a.partners.isEmpty)
    // written as folders: the head's config.json names the partner, loading averages it again
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("type-partners-\(UUID())")
    defer { try? FileManager.default.removeItem(at: root) }
    let main = try Self.model(seed: 1)
    main.info.partners = ["partner"]
    try main.write(to: root)
    try b.write(to: root.appendingPathComponent("partner"))
    let loaded = try TypeHeadModel.load(directory: root.path)
    #expect(loaded.partners.count == 1 && loaded.info.label.contains("1 averaged"))
    let pl = Self.probabilities(loaded)
    for site in pl.indices {
      for (type, p) in pl[site] { #expect(abs(p - (pe[site][type] ?? -1)) < 1e-5) }
    }
    // a folder that names itself is not loaded twice over (a partner's partners are not loaded)
    let selfish = try Self.model(seed: 1)
    selfish.info.partners = ["."]
    let other = root.appendingPathComponent("selfish")
    try selfish.write(to: other)
    #expect(try TypeHeadModel.load(directory: other.path).partners.count == 1)
  }
}

@Suite("suggest-types with a type head")
struct TypeSuggestionsWithModelTests {
  /// A small untrained head on a small random encoder: its guesses are arbitrary, which is what the
  /// writer's guarantees must survive.
  static func model() throws -> TypeHeadModel {
    let tokenizer = try Tokenizer.load(from: modelDirectory.appendingPathComponent("tokenizer.json"))
    let encoder = TransformerEncoder(
      config: TransformerConfig(vocab: tokenizer.vocabSize, dim: 8, layers: 1, heads: 2, ffn: 16, maxLen: 64, dropout: 0),
      seed: 5)
    encoder.training = false
    let head = TypeHead(
      config: TypeHeadConfig(
        inputDim: TypeHeadModel.featureDim(encoderDim: 8), hidden: 6, vocabulary: 4, subtokens: tokenizer.vocabSize,
        forms: TypeCandidateForm.allCases.count, pairFeatures: TypeHeadPreparer.pairFeatures), seed: 6)
    let info = TypeHeadModel.Info(
      format: TypeHeadModel.formatName, version: 1, pretrained: "", pretrainedName: "", pretrainedSteps: 0,
      pretrainedSHA256: "", randomInit: true, steps: 0, batchWindows: 2, windowLength: 32, seed: 0, learningRate: 0,
      head: head.config, vocabulary: ["string", "number", "string|undefined"], encoder: "encoder.safetensors",
      typehead: "typehead.safetensors", tokenizer: "tokenizer.json", validAccuracyAt1: nil, validAccuracyAt5: nil,
      validCalibration: nil)
    return TypeHeadModel(info: info, tokenizer: tokenizer, encoder: encoder, head: head)
  }

  @Test("every unannotated site gets candidates with a source; --apply parses and is idempotent")
  func applyWithModel() throws {
    let model = try Self.model()
    let source = sample + "const n = 1;\nfunction flag(x) { return x > 2; }\n"
    let file = SourceFile(path: "x.ts", language: .typescript, bytes: Array(source.utf8))
    let result = try TypeSuggestions(file: file, model: model, all: true)
    let sites = TypeSites.unannotated(in: try Parser(language: .typescript).parse(source))
    #expect(result.suggestions.count == sites.count)
    for s in result.suggestions {
      #expect(!s.candidates.isEmpty)
      for c in s.candidates { #expect(["evidence", "model", "combined"].contains(c.source)) }
    }
    // the literal evidence stays first where it is confident
    let n = try #require(result.suggestions.first { $0.name == "n" })
    #expect(n.best.type == "number" && n.best.source != "model")
    let once = try result.annotate(minConfidence: 0)
    #expect(!once.applied.isEmpty)
    let text = String(decoding: once.bytes, as: UTF8.self)
    #expect(!(try Parser(language: .typescript).parse(text)).hasError)
    let again = try TypeSuggestions(
      file: SourceFile(path: "x.ts", language: .typescript, bytes: once.bytes), model: model, all: true
    ).annotate(minConfidence: 0)
    #expect(again.applied.isEmpty && again.bytes == once.bytes)
  }

  @Test("the compiler's search pool: up to ten candidates per site, the first five those of a pool of five")
  func searchPool() throws {
    let model = try Self.model()
    let source = "function f(count, label) { const total = count + 1; return label; }\n"
    let tree = try Parser(language: .typescript).parse(source)
    let deep = TypeSuggestions.suggestions(in: tree, tsx: false, model: model)
    let five = TypeSuggestions.suggestions(in: tree, tsx: false, model: model, pool: 5)
    #expect(TypeSuggestions.searchPool == 10 && deep.count == five.count)
    #expect(deep.contains { $0.candidates.count > 5 } && deep.allSatisfy { $0.candidates.count <= 10 })
    for (d, f) in zip(deep, five) {
      #expect(d.anchor == f.anchor && Array(d.candidates.prefix(5).map(\.type)) == f.candidates.map(\.type))
    }
  }

  @Test("a byte range scores only its sites, and they get what a whole-file call gives them")
  func rangeMatchesWholeFile() throws {
    let model = try Self.model()
    var source = ""
    for i in 0..<40 { source += "function f\(i)(count, label) { const total = count + \(i); return label; }\n" }
    let tree = try Parser(language: .typescript).parse(source)
    let whole = TypeSuggestions.suggestions(in: tree, tsx: false, model: model)
    let bytes = Array(source.utf8)
    let lineStart = [0] + bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }
    let range = lineStart[20]...(lineStart[22] - 1)  // lines 21 and 22
    let part = TypeSuggestions.suggestions(in: tree, tsx: false, model: model, bytes: range)
    let inRange = { (s: TypeEvidence.Suggestion) in
      range.contains(s.anchor) || range.contains(s.nameRange.lowerBound)
    }
    #expect(!part.isEmpty)
    #expect(part.filter(inRange).count == whole.filter(inRange).count)
    for s in part.filter(inRange) {
      let w = try #require(whole.first { $0.anchor == s.anchor && $0.kind == s.kind })
      #expect(s.candidates.map(\.type) == w.candidates.map(\.type))
      for (a, b) in zip(s.candidates, w.candidates) { #expect(abs(a.confidence - b.confidence) < 1e-4) }
    }
    // sites far from the range are not scored
    #expect(part.allSatisfy { $0.anchor > lineStart[19] && $0.anchor < lineStart[23] })
  }

  @Test("issue 20: the per-document cache gives exactly the cold result after every edit, computing only changed windows")
  func cacheMatchesColdAfterEdits() throws {
    let model = try Self.model()
    var source = ""
    for i in 0..<40 { source += "export function f\(i)(count, label) { const total = count + \(i); return label; }\n" }
    let parser = Parser(language: .typescript)
    let cache = TypeHeadCache()
    func run(_ text: String) throws -> (cached: [TypeEvidence.Suggestion], cold: [TypeEvidence.Suggestion], misses: Int) {
      let tree = try parser.parse(text)
      let before = cache.misses
      let cached = TypeSuggestions.suggestions(in: tree, tsx: false, model: model, cache: cache)
      let misses = cache.misses - before
      let cold = TypeSuggestions.suggestions(in: tree, tsx: false, model: model, cache: TypeHeadCache())
      return (cached, cold, misses)
    }
    let first = try run(source)
    #expect(!first.cold.isEmpty && first.cached == first.cold)
    let windows = first.misses
    #expect(windows > 10)
    // The same text again: every window from the cache.
    #expect(try run(source).misses == 0)
    // Edits in the last function, then in the middle, a new declared type (the candidates change), a deletion.
    let edits: [(String) -> String] = [
      { $0.replacingOccurrences(of: "count + 39", with: "count * 39 + 1") },
      { $0.replacingOccurrences(of: "f20(count, label)", with: "f20(count, label, extra)") },
      { $0 + "interface Money { cents: number }\nexport function pay(amount) { return amount; }\n" },
      { $0.replacingOccurrences(of: "export function f7(count, label) { const total = count + 7; return label; }\n", with: "") },
      { $0.replacingOccurrences(of: "count * 39 + 1", with: "count + 39") },
    ]
    for (n, edit) in edits.enumerated() {
      source = edit(source)
      let r = try run(source)
      #expect(r.cached == r.cold, "edit \(n)")
      // An edit recomputes the windows near it (the anchored windows after it stay as they were, although
      // their tokens moved); a new type name changes every site's candidates, so every window.
      if n != 2 { #expect(r.misses * 4 <= windows, "edit \(n): \(r.misses) of \(windows) windows computed") }
    }
    #expect(cache.bytes > 0 && cache.bytes <= cache.maxBytes)
  }

  @Test("issue 20: the type head's cache stays within its byte budget, least recently used out first")
  func cacheIsBounded() throws {
    let model = try Self.model()
    var source = ""
    for i in 0..<40 { source += "export function f\(i)(count, label) { const total = count + \(i); return label; }\n" }
    let tree = try Parser(language: .typescript).parse(source)
    let roomy = TypeHeadCache()
    _ = TypeSuggestions.suggestions(in: tree, tsx: false, model: model, cache: roomy)
    let small = TypeHeadCache(maxBytes: roomy.bytes / 3)
    let once = TypeSuggestions.suggestions(in: tree, tsx: false, model: model, cache: small)
    #expect(small.bytes <= small.maxBytes && small.count < roomy.count && small.count > 0)
    #expect(TypeSuggestions.suggestions(in: tree, tsx: false, model: model, cache: small) == once)
  }

  @Test("the cache numbers a file's candidates: equal sets one number while remembered, and a number never twice")
  func candidateNumbers() {
    let cache = TypeHeadCache()
    func set(_ i: Int) -> TypeHeadCache.Candidates { .init(texts: ["T\(i)", "string"], tokens: [Int32(i), -1]) }
    let first = cache.context(set(0))
    #expect(cache.context(set(0)) == first)
    #expect(cache.context(.init(texts: ["T0", "string"], tokens: [0, -2])) != first)
    var seen: Set<Int> = [first]
    // More sets than it remembers: the first one comes back under a number no set had before.
    for i in 1...20 { seen.insert(cache.context(set(i))) }
    #expect(seen.count == 21)
    let again = cache.context(set(0))
    #expect(!seen.contains(again) && cache.context(set(0)) == again)
  }

  @Test("combination: evidence first when confident, else the model; agreement is 'combined'")
  func combination() {
    let ev = [TypeEvidence.Suggestion.Candidate(type: "number", confidence: 0.95, reason: "a number literal")]
    let md: [(type: String, probability: Float)] = [("string", 0.6), ("number", 0.3)]
    let first = TypeCombination.combine(evidence: ev, model: md)
    #expect(first.map(\.type) == ["number", "string"])
    #expect(first[0].source == .combined && first[1].source == .model)
    let weak = [TypeEvidence.Suggestion.Candidate(type: "null", confidence: 0.7, reason: "`null`")]
    let second = TypeCombination.combine(evidence: weak, model: md)
    #expect(second.map(\.type) == ["string", "number", "null"])
    #expect(second[2].source == .evidence)
  }
}
