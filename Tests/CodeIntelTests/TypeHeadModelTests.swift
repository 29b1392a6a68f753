import Foundation
import Syntax
import Testing
import Tokenizer

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
    #expect(described == ["parameter shape", "return area", "variable result", "parameter options"])
    let bytes = Array(sample.utf8)
    // anchors: right after the name, after `)` for the return
    let shape = sites[0]
    #expect(String(decoding: bytes[(shape.anchor - 5)..<shape.anchor], as: UTF8.self) == "shape")
    #expect(bytes[sites[1].anchor - 1] == UInt8(ascii: ")"))
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
      let start = (0...(encoding.count - w.tokens.count)).first { Array(encoding.ids[$0..<($0 + w.tokens.count)]) == w.tokens }!
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
      text: sample, tsx: false, sites: sites, labels: ["Shape[]", "number", "Promise<Widget>", "any", "Map<A, B>"])
    // Widget is in the vocabulary, so only its generic forms are open candidates.
    #expect(!file.candidateTexts.contains("Widget"))
    #expect(file.candidateTexts.contains("Widget[]"))
    let shapeArray = try #require(file.candidateTexts.firstIndex(of: "Shape[]"))
    let promise = try #require(file.candidateTexts.firstIndex(of: "Promise<Widget>"))
    #expect(file.targets == [4 + shapeArray, 1, 4 + promise, nil, 3])
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
      let eps: Float = 5e-3
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
