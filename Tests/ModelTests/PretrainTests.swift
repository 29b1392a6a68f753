import Foundation
import Testing
import Tokenizer

@testable import Model
@testable import Tensor

// MARK: - Pretraining runs: determinism, resume, checkpoints, the exported model

@Suite struct PretrainTests {
  func run(_ config: PretrainConfig, output: String? = nil, stopAt: Int? = nil) throws -> Pretrainer {
    let p = try Pretrainer(
      config: config, tokenizer: Tiny.tokenizer, train: Tiny.units, heldOut: Tiny.units,
      output: output)
    try p.run(stopAt: stopAt)
    return p
  }

  func weights(_ s: ParameterStore) -> [Float] { Array(UnsafeBufferPointer(start: s.data, count: s.count)) }

  @Test func sameSeedSameLossCurve() throws {
    let a = try run(Tiny.config(seed: 11))
    let b = try run(Tiny.config(seed: 11))
    #expect(a.losses.count == 6)
    #expect(a.losses == b.losses, "same seed must give the same loss curve, bit for bit")
    #expect(weights(a.moco.queryEncoder.parameters) == weights(b.moco.queryEncoder.parameters))
    let c = try run(Tiny.config(seed: 12))
    #expect(a.losses != c.losses, "another seed gives another curve")
  }

  @Test func resumeEqualsUninterruptedRun() throws {
    let config = Tiny.config(seed: 5)
    let dirA = Tiny.tempDir("full")
    let dirB = Tiny.tempDir("resumed")
    defer {
      try? FileManager.default.removeItem(atPath: dirA)
      try? FileManager.default.removeItem(atPath: dirB)
    }
    let full = try run(config, output: dirA)
    _ = try run(config, output: dirB, stopAt: 3)  // stops at step 3 with a checkpoint
    let resumed = try Pretrainer(
      config: config, tokenizer: Tiny.tokenizer, train: Tiny.units, heldOut: Tiny.units,
      output: dirB, resume: true)
    #expect(resumed.moco.step == 3)
    try resumed.run()
    #expect(resumed.moco.step == 6)
    // bitwise: weights, key side, optimizer moments, queue and the losses of the resumed steps
    #expect(Array(full.losses[3...]) == resumed.losses)
    #expect(weights(full.moco.queryEncoder.parameters) == weights(resumed.moco.queryEncoder.parameters))
    #expect(weights(full.moco.keyEncoder.parameters) == weights(resumed.moco.keyEncoder.parameters))
    #expect(weights(full.moco.queryHead.parameters) == weights(resumed.moco.queryHead.parameters))
    let n = full.moco.queryEncoder.parameters.count
    #expect(
      Array(UnsafeBufferPointer(start: full.moco.encoderOptimizer.v, count: n))
        == Array(UnsafeBufferPointer(start: resumed.moco.encoderOptimizer.v, count: n)))
    let qn = config.queueSize * config.projectionDim
    #expect(
      Array(UnsafeBufferPointer(start: full.moco.queue, count: qn))
        == Array(UnsafeBufferPointer(start: resumed.moco.queue, count: qn)))
    #expect(full.moco.queuePointer == resumed.moco.queuePointer)
    // the run wrote its files
    for name in [
      "checkpoint.bin", "metrics.jsonl", "train.log", "curve.svg", "summary.json", "model/config.json",
      "model/encoder.safetensors", "model/tokenizer.json",
    ] {
      #expect(FileManager.default.fileExists(atPath: dirB + "/" + name), "\(name) written")
    }
    let svg = try String(contentsOfFile: dirB + "/curve.svg", encoding: .utf8)
    #expect(svg.hasPrefix("<svg") && svg.contains("polyline"))
  }

  @Test func checkpointVersionMismatchIsRefusedWithAHint() throws {
    let dir = Tiny.tempDir("version")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let moco = MoCo(config: Tiny.config(), vocab: Tiny.tokenizer.vocabSize)
    let path = dir + "/checkpoint.bin"
    try Checkpoint.write(moco, vocab: Tiny.tokenizer.vocabSize, trainingSeconds: 0, to: path)
    #expect(throws: Never.self) { _ = try Checkpoint.readHeader(path: path) }
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[8] = 99  // format version 99
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    do {
      _ = try Checkpoint.restore(moco, from: path)
      Issue.record("a version-99 checkpoint must be refused")
    } catch let e as PretrainError {
      #expect(e == .checkpointVersion(path: path, found: 99, expected: Checkpoint.formatVersion))
      #expect(e.description.contains("start a fresh run"), "the message says what to do")
    }
    bytes[0] = UInt8(ascii: "X")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect(throws: PretrainError.self) { _ = try Checkpoint.readHeader(path: path) }
    // a checkpoint of another shape is refused too
    try Checkpoint.write(moco, vocab: Tiny.tokenizer.vocabSize, trainingSeconds: 0, to: path)
    var other = Tiny.config()
    other.dim = 32
    let bigger = MoCo(config: other, vocab: Tiny.tokenizer.vocabSize)
    #expect(throws: PretrainError.self) { _ = try Checkpoint.restore(bigger, from: path) }
  }

  @Test func exportedModelLoadsAndEmbeds() throws {
    let dir = Tiny.tempDir("export")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var config = Tiny.config()
    config.steps = 2
    let p = try run(config, output: dir)
    let model = try PretrainedModel.loadDefault(explicit: dir + "/model")
    #expect(model.info.steps == 2)
    let vectors = model.embed(functions: [Tiny.functions[0], Tiny.functions[1], Tiny.functions[0]])
    #expect(vectors.count == 3 && vectors[0].count == config.dim)
    // same text, same vector (up to the rounding of its position in the batch's products)
    #expect(zip(vectors[0], vectors[2]).allSatisfy { abs($0 - $1) < 1e-5 })
    let norm = vectors[1].reduce(0) { $0 + $1 * $1 }.squareRoot()
    #expect(abs(norm - 1) < 1e-4)
    // same numbers as the trained query encoder
    let direct = Inference.embed(encoder: p.moco.queryEncoder, sequences: [model.tokens(of: Tiny.functions[1])])
    for j in 0..<config.dim { #expect(abs(direct[j] - vectors[1][j]) < 1e-5) }
    #expect(model.embed(functions: []).isEmpty)
  }

  @Test func shippedModelLoadsWithNoFlag() throws {
    // found by walking up from the test executable (inside the repository's build folder) or the current folder
    let model = try PretrainedModel.loadDefault()
    #expect(model.info.name == PretrainedModel.defaultName)
    #expect(model.dimension == model.info.dim)
    let f = "function total(items) {\n  let sum = 0;\n  for (const item of items) sum += item.price;\n  return sum;\n}"
    let renamed = "function total(a) {\n  let b = 0;\n  for (const c of a) b += c.price;\n  return b;\n}"
    let other = "function render(el, html) {\n  el.innerHTML = html;\n  el.classList.add('ready');\n}"
    let v = model.embed(functions: [f, renamed, other])
    #expect(v.count == 3 && v[0].count == model.dimension)
    func cos(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    #expect(cos(v[0], v[1]) > cos(v[0], v[2]), "a renamed copy is closer than an unrelated function")
  }

  @Test func missingModelErrorNamesWhereItLooked() {
    #expect(throws: PretrainError.self) { _ = try PretrainedModel.load(directory: "/nonexistent/model") }
    let paths = PretrainedModel.defaultSearchPaths()
    #expect(paths.allSatisfy { $0.hasSuffix("Models/" + PretrainedModel.defaultName) })
  }

  @Test func configDefaultsAndUnknownKeys() throws {
    let c = try JSONDecoder().decode(PretrainConfig.self, from: Data(#"{"dim": 64, "heads": 2}"#.utf8))
    #expect(c.dim == 64 && c.layers == PretrainConfig().layers && c.temperature == 0.07)
    #expect(throws: PretrainError.self) {
      _ = try JSONDecoder().decode(PretrainConfig.self, from: Data(#"{"dimm": 64}"#.utf8))
    }
    var bad = PretrainConfig()
    bad.momentum = 1
    #expect(throws: PretrainError.self) { try bad.validate() }
  }
}
