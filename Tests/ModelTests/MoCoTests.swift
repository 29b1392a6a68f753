import Foundation
import Testing
import Tokenizer

@testable import Model
@testable import Tensor

// MARK: - A tiny corpus and config shared by the MoCo and pretraining tests

enum Tiny {
  static let functions: [String] = [
    "function add(a, b) {\n  return a + b;\n}",
    "function sub(a, b) {\n  // difference\n  return a - b;\n}",
    "function max(xs) {\n  let best = xs[0];\n  for (const x of xs) if (x > best) best = x;\n  return best;\n}",
    "function greet(name) {\n  const msg = 'hello ' + name;\n  console.log(msg);\n  return msg;\n}",
    "function isEven(n) {\n  if (n % 2 === 0) {\n    return true;\n  }\n  return false;\n}",
    "function sum(list) {\n  var total = 0;\n  for (var i = 0; i < list.length; i++) {\n    total += list[i];\n  }\n  return total;\n}",
    "const square = (x) => x * x;",
    "function fact(n) {\n  return n <= 1 ? 1 : n * fact(n - 1);\n}",
    "function last(arr) {\n  const n = arr.length;\n  return arr[n - 1];\n}",
    "function clamp(v, lo, hi) {\n  if (v < lo) return lo;\n  if (v > hi) return hi;\n  return v;\n}",
    "function keys(obj) {\n  const out = [];\n  for (const k in obj) out.push(k);\n  return out;\n}",
    "function repeat(s, n) {\n  let r = '';\n  while (n-- > 0) r += s;\n  return r;\n}",
  ]

  static var units: [FunctionUnit] { functions.map { FunctionUnit(text: $0, language: .javascript) } }

  static let tokenizer: Tokenizer = {
    do {
      return try Tokenizer.train(texts: functions, configuration: Tokenizer.Configuration(vocabSize: 400))
    } catch {
      fatalError("tiny tokenizer: \(error)")
    }
  }()

  static func config(seed: UInt64 = 7) -> PretrainConfig {
    var c = PretrainConfig()
    c.dim = 16
    c.layers = 1
    c.heads = 2
    c.ffn = 32
    c.maxLength = 48
    c.projectionDim = 8
    c.batchSize = 4
    c.queueSize = 10
    c.steps = 6
    c.warmupSteps = 2
    c.learningRate = 1e-3
    c.momentum = 0.9
    c.seed = seed
    c.threads = 1
    c.augmentWorkers = 2
    c.prefetchBatches = 2
    c.evalCandidates = 8
    c.evalEvery = 3
    c.logEvery = 1
    c.checkpointMinutes = 1e9
    return c
  }

  static func tempDir(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-\(name)-\(UUID().uuidString)")
    return dir.path
  }
}

// MARK: - MoCo mechanics

@Suite struct MoCoTests {
  func batch(_ moco: MoCo, step: Int, config: PretrainConfig) -> BatchProducer.Pair {
    BatchProducer.build(step: step, units: Tiny.units, tokenizer: Tiny.tokenizer, config: config)
  }

  @Test func keyEncoderFollowsQueryByMomentum() {
    let config = Tiny.config()
    let moco = MoCo(config: config, vocab: Tiny.tokenizer.vocabSize)
    // at the start the key side is a copy of the query side
    let q0 = Array(
      UnsafeBufferPointer(start: moco.queryEncoder.parameters.data, count: moco.queryEncoder.parameters.count))
    let k0 = Array(UnsafeBufferPointer(start: moco.keyEncoder.parameters.data, count: moco.keyEncoder.parameters.count))
    #expect(q0 == k0)
    let h0 = Array(UnsafeBufferPointer(start: moco.keyHead.parameters.data, count: moco.keyHead.parameters.count))
    let pair = batch(moco, step: 0, config: config)
    moco.step(query: pair.query, key: pair.key)
    let q1 = Array(
      UnsafeBufferPointer(start: moco.queryEncoder.parameters.data, count: moco.queryEncoder.parameters.count))
    let k1 = Array(UnsafeBufferPointer(start: moco.keyEncoder.parameters.data, count: moco.keyEncoder.parameters.count))
    #expect(q1 != q0, "the query encoder must move")
    let m = config.momentum
    var worst: Float = 0
    for i in q1.indices { worst = max(worst, abs(k1[i] - (m * k0[i] + (1 - m) * q1[i]))) }
    #expect(worst < 1e-6, "key = m·key + (1−m)·query, worst error \(worst)")
    let qh1 = Array(UnsafeBufferPointer(start: moco.queryHead.parameters.data, count: moco.queryHead.parameters.count))
    let kh1 = Array(UnsafeBufferPointer(start: moco.keyHead.parameters.data, count: moco.keyHead.parameters.count))
    var worstHead: Float = 0
    for i in qh1.indices { worstHead = max(worstHead, abs(kh1[i] - (m * h0[i] + (1 - m) * qh1[i]))) }
    #expect(worstHead < 1e-6)
  }

  @Test func momentumZeroCopiesTheQuery() {
    var config = Tiny.config()
    config.momentum = 0
    let moco = MoCo(config: config, vocab: Tiny.tokenizer.vocabSize)
    let pair = batch(moco, step: 0, config: config)
    moco.step(query: pair.query, key: pair.key)
    let q = Array(
      UnsafeBufferPointer(start: moco.queryEncoder.parameters.data, count: moco.queryEncoder.parameters.count))
    let k = Array(UnsafeBufferPointer(start: moco.keyEncoder.parameters.data, count: moco.keyEncoder.parameters.count))
    #expect(q == k)
  }

  @Test func queueIsARingOfTheNewestKeys() {
    let config = Tiny.config()  // batch 4, queue 10
    let moco = MoCo(config: config, vocab: Tiny.tokenizer.vocabSize)
    let p = config.projectionDim
    let initial = Array(UnsafeBufferPointer(start: moco.queue, count: config.queueSize * p))
    // initial negatives are unit vectors
    for r in 0..<config.queueSize {
      let norm = (0..<p).reduce(Float(0)) { $0 + initial[r * p + $1] * initial[r * p + $1] }.squareRoot()
      #expect(abs(norm - 1) < 1e-5)
    }
    var expected = initial
    var pointer = 0
    for step in 0..<4 {
      let pair = batch(moco, step: step, config: config)
      moco.step(query: pair.query, key: pair.key)
      let keys = Array(UnsafeBufferPointer(start: moco.keys.data, count: config.batchSize * p))
      for i in 0..<config.batchSize {
        for j in 0..<p { expected[pointer * p + j] = keys[i * p + j] }
        pointer = (pointer + 1) % config.queueSize
      }
      #expect(moco.queuePointer == pointer)
      let queue = Array(UnsafeBufferPointer(start: moco.queue, count: config.queueSize * p))
      #expect(queue == expected, "after step \(step) the queue holds the newest keys in ring order")
    }
    #expect(moco.queuePointer == (4 * 4) % 10)
  }

  @Test func lossFallsOnARepeatedBatch() {
    // in-batch negatives only: at random init the functions' embeddings are alike (loss near log B); training
    // must pull each query towards its own key and away from the others
    var config = Tiny.config()
    config.dropout = 0
    config.queueSize = 0
    config.inBatchNegatives = true
    config.batchSize = 8
    config.steps = 40
    config.warmupSteps = 1
    config.learningRate = 3e-3
    let moco = MoCo(config: config, vocab: Tiny.tokenizer.vocabSize)
    let pair = batch(moco, step: 0, config: config)
    let first = moco.step(query: pair.query, key: pair.key).loss
    var last = first
    for _ in 0..<30 { last = moco.step(query: pair.query, key: pair.key).loss }
    #expect(first.isFinite && last.isFinite)
    #expect(last < 0.5 * first, "InfoNCE on a fixed batch must fall: \(first) → \(last)")
  }

  @Test func inBatchNegativesAddColumns() {
    var config = Tiny.config()
    config.inBatchNegatives = true
    let moco = MoCo(config: config, vocab: Tiny.tokenizer.vocabSize)
    let pair = batch(moco, step: 0, config: config)
    let r = moco.step(query: pair.query, key: pair.key)
    #expect(r.loss.isFinite)
    // with B + K columns a uniform guess costs log(B + K); a fresh model is near it
    #expect(abs(r.loss - logf(Float(config.batchSize + config.queueSize))) < 2)
  }

  @Test func producerMatchesDirectBuildsAndIsDeterministic() {
    let config = Tiny.config()
    let producer = BatchProducer(units: Tiny.units, tokenizer: Tiny.tokenizer, config: config, startStep: 2)
    defer { producer.stop() }
    for step in 2..<7 {
      let (pair, _) = producer.next(step: step)
      let direct = BatchProducer.build(step: step, units: Tiny.units, tokenizer: Tiny.tokenizer, config: config)
      #expect(pair.query == direct.query && pair.key == direct.key, "step \(step)")
      #expect(pair.query.batch == config.batchSize && pair.query.length <= config.maxLength)
    }
    // the two views of a step differ (fresh augmentation / sampling per view)
    let p = BatchProducer.build(step: 0, units: Tiny.units, tokenizer: Tiny.tokenizer, config: config)
    #expect(p.query != p.key)
  }

  @Test func retrievalRanks() {
    // 3 candidates in 2-d; query 0 matches, query 1 is closer to candidate 2, query 2 ties with candidate 0
    let cand: [Float] = [1, 0, 0, 1, 0.6, 0.8]
    let queries: [Float] = [1, 0, 0.6, 0.8, 1, 0]
    let (top1, top5) = RetrievalBenchmark.rank(queries: queries, candidates: cand, n: 3, dim: 2)
    #expect(abs(top1 - 1.0 / 3) < 1e-9)
    #expect(top5 == 1)
  }
}
