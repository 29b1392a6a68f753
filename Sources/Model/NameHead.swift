import Foundation
import Tensor
import Tokenizer

// MARK: - Predictions

/// One predicted method name.
public struct NamePrediction: Sendable, Codable, Equatable {
  /// camelCase, e.g. `getUserId`.
  public var name: String
  /// Lower-case subtokens, e.g. `["get", "user", "id"]`.
  public var subtokens: [String]
  /// log P(subtokens, eos | function) under the decoder.
  public var logProbability: Double
  /// `logProbability / (subtokens + 1)`: what beam search ranks by.
  public var score: Double
  /// exp(logProbability): the probability of the whole name.
  public var probability: Double { exp(logProbability) }

  public init(subtokens: [String], logProbability: Double) {
    self.subtokens = subtokens
    self.name = SubtokenVocabulary.camelCase(subtokens)
    self.logProbability = logProbability
    self.score = logProbability / Double(subtokens.count + 1)
  }
}

// MARK: - The head folder

/// A fine-tuned method-name head: the fine-tuned encoder, the decoder, the subtoken vocabulary and the
/// tokenizer, loaded from a head folder (`config.json` format `codeintel-names` v1, `encoder.safetensors`,
/// `decoder.safetensors`, `subtokens.json`, `tokenizer.json`). Its default place is `names/` inside the default
/// model's folder. Prediction calls are serialised on the one encoder and decoder (thread-safe).
public final class NameHead: @unchecked Sendable {
  public static let formatName = "codeintel-names"
  public static let formatVersion = 1
  /// The folder name inside a model folder.
  public static let folderName = "names"
  /// The environment variable that names another head folder.
  public static let environmentVariable = "CODEINTEL_NAMES_MODEL"

  /// Where the encoder came from.
  public struct Origin: Codable, Sendable, Equatable {
    /// The pretrained model's name (`config.json` name), or nil for random initialisation.
    public var model: String?
    /// sha256 of the pretrained `encoder.safetensors` (nil for random initialisation).
    public var encoderSHA256: String?
    /// Pretraining steps of that encoder (0 for random initialisation).
    public var steps: Int
    public init(model: String?, encoderSHA256: String?, steps: Int) {
      self.model = model
      self.encoderSHA256 = encoderSHA256
      self.steps = steps
    }
  }

  /// What `config.json` holds.
  public struct Info: Codable, Sendable, Equatable {
    public var format: String
    public var version: Int
    /// "with pretraining" or "without pretraining" (the evaluation row label).
    public var label: String
    public var randomInit: Bool
    public var pretrained: Origin
    public var architecture: String
    public var dim: Int
    /// Encoder input tokens (inputs are truncated to this).
    public var maxLength: Int
    /// Tokenizer ids.
    public var vocab: Int
    /// Subtoken ids (specials included).
    public var subtokens: Int
    public var maxSubtokens: Int
    public var decoder: NameDecoderConfig
    public var encoderFile: String
    public var decoderFile: String
    public var tokenizerFile: String
    public var subtokensFile: String
    /// The fine-tuning recipe and how far it got.
    public var training: NameFinetuneConfig
    public var steps: Int
    public var trainingSeconds: Double
    public var examplesSeen: Int

    public init(
      format: String, version: Int, label: String, randomInit: Bool, pretrained: Origin, architecture: String,
      dim: Int, maxLength: Int, vocab: Int, subtokens: Int, maxSubtokens: Int, decoder: NameDecoderConfig,
      encoderFile: String, decoderFile: String, tokenizerFile: String, subtokensFile: String,
      training: NameFinetuneConfig, steps: Int, trainingSeconds: Double, examplesSeen: Int
    ) {
      self.format = format
      self.version = version
      self.label = label
      self.randomInit = randomInit
      self.pretrained = pretrained
      self.architecture = architecture
      self.dim = dim
      self.maxLength = maxLength
      self.vocab = vocab
      self.subtokens = subtokens
      self.maxSubtokens = maxSubtokens
      self.decoder = decoder
      self.encoderFile = encoderFile
      self.decoderFile = decoderFile
      self.tokenizerFile = tokenizerFile
      self.subtokensFile = subtokensFile
      self.training = training
      self.steps = steps
      self.trainingSeconds = trainingSeconds
      self.examplesSeen = examplesSeen
    }
  }

  public let directory: URL
  public let info: Info
  public let tokenizer: Tokenizer
  public let encoder: any SequenceEncoder
  public let decoder: NameDecoder
  public let vocabulary: SubtokenVocabulary
  private let lock = NSLock()

  public init(
    directory: URL, info: Info, tokenizer: Tokenizer, encoder: any SequenceEncoder, decoder: NameDecoder,
    vocabulary: SubtokenVocabulary
  ) {
    self.directory = directory
    self.info = info
    self.tokenizer = tokenizer
    self.encoder = encoder
    self.decoder = decoder
    self.vocabulary = vocabulary
    encoder.training = false
  }

  // MARK: Loading

  /// Opens a head folder.
  public static func load(directory: String) throws -> NameHead {
    let dir = URL(fileURLWithPath: expandPath(directory))
    let configURL = dir.appendingPathComponent("config.json")
    guard let data = FileManager.default.contents(atPath: configURL.path) else {
      throw PretrainError.invalidModel(path: dir.path, reason: "it has no readable config.json (not a name head)")
    }
    let info: Info
    do {
      info = try JSONDecoder().decode(Info.self, from: data)
    } catch {
      throw PretrainError.invalidModel(path: configURL.path, reason: "config.json is not a name head's: \(error)")
    }
    guard info.format == formatName else {
      throw PretrainError.invalidModel(path: configURL.path, reason: "format is '\(info.format)', not '\(formatName)'")
    }
    guard info.version == formatVersion else {
      throw PretrainError.invalidModel(
        path: configURL.path, reason: "name head format version \(info.version); this codeintel reads \(formatVersion)")
    }
    let tokenizer = try Tokenizer.load(from: dir.appendingPathComponent(info.tokenizerFile))
    let encoder = try EncoderFactory.load(from: dir.appendingPathComponent(info.encoderFile).path)
    let decoder = try NameDecoder.load(from: dir.appendingPathComponent(info.decoderFile).path)
    let subURL = dir.appendingPathComponent(info.subtokensFile)
    guard let subData = FileManager.default.contents(atPath: subURL.path) else {
      throw PretrainError.invalidModel(path: subURL.path, reason: "missing")
    }
    let vocabulary: SubtokenVocabulary
    do {
      vocabulary = try JSONDecoder().decode(SubtokenVocabulary.self, from: subData)
    } catch {
      throw PretrainError.invalidModel(path: subURL.path, reason: "does not decode: \(error)")
    }
    guard vocabulary.count == decoder.config.vocab, encoder.dim == decoder.config.dim else {
      throw PretrainError.invalidModel(path: dir.path, reason: "subtokens, decoder and encoder sizes disagree")
    }
    return NameHead(
      directory: dir, info: info, tokenizer: tokenizer, encoder: encoder, decoder: decoder, vocabulary: vocabulary)
  }

  /// The name head: `explicit` (a `--names-model DIR` flag) if given, else `$CODEINTEL_NAMES_MODEL`, else
  /// `names/` inside `$CODEINTEL_MODEL`, else `names/` inside each folder `PretrainedModel.defaultSearchPaths()`
  /// lists, in order.
  public static func loadDefault(explicit: String? = nil) throws -> NameHead {
    if let explicit { return try load(directory: explicit) }
    let env = ProcessInfo.processInfo.environment
    if let dir = env[environmentVariable], !dir.isEmpty { return try load(directory: dir) }
    let candidates = defaultSearchPaths()
    for dir in candidates where FileManager.default.fileExists(atPath: dir + "/config.json") {
      return try load(directory: dir)
    }
    throw PretrainError.modelNotFound(searched: ["$" + environmentVariable] + candidates)
  }

  /// Folders `loadDefault` looks at after the flag and `$CODEINTEL_NAMES_MODEL`.
  public static func defaultSearchPaths() -> [String] {
    var out: [String] = []
    if let m = ProcessInfo.processInfo.environment[PretrainedModel.environmentVariable], !m.isEmpty {
      out.append(URL(fileURLWithPath: expandPath(m)).appendingPathComponent(folderName).path)
    }
    for dir in PretrainedModel.defaultSearchPaths() {
      let candidate = URL(fileURLWithPath: dir).appendingPathComponent(folderName).path
      if !out.contains(candidate) { out.append(candidate) }
    }
    return out
  }

  // MARK: Prediction

  /// Encoder ids of a function as the dataset's `input` writes it (`METHOD_NAME` → `<fn>`), truncated.
  public func tokens(of input: String) -> [Int32] {
    Self.tokens(of: input, tokenizer: tokenizer, maxLength: info.maxLength)
  }

  static func tokens(of input: String, tokenizer: Tokenizer, maxLength: Int) -> [Int32] {
    let ids = tokenizer.encode(input, options: EncodeOptions(maxLength: maxLength, fnPlaceholder: "METHOD_NAME")).ids
    return ids.isEmpty ? [tokenizer.unkID] : ids
  }

  /// The `top` best names for each input (beam search of `beam` width), in input order.
  public func predict(inputs: [String], beam: Int = 5, top: Int = 5) -> [[NamePrediction]] {
    analyze(inputs: inputs, current: nil, beam: beam, top: top).map(\.predictions)
  }

  /// Predictions and, when `current` gives a name's subtokens per input, that name's log-probability.
  public func analyze(inputs: [String], current: [[String]]?, beam: Int = 5, top: Int = 5)
    -> [(predictions: [NamePrediction], current: NamePrediction?)]
  {
    let sequences = inputs.map(tokens(of:))
    lock.lock()
    defer { lock.unlock() }
    var out = [(predictions: [NamePrediction], current: NamePrediction?)](repeating: ([], nil), count: inputs.count)
    let d = encoder.dim
    let order = sequences.indices.sorted { sequences[$0].count < sequences[$1].count }
    var start = 0
    while start < order.count {
      let chunk = Array(order[start..<min(start + 32, order.count)])
      let batch = TokenBatch(sequences: chunk.map { sequences[$0] })
      let states = encoder.forward(tokens: batch.tokens, mask: batch.mask, batch: batch.batch, length: batch.length)
        .states
      let t = batch.length
      for (r, i) in chunk.enumerated() {
        let n = max(sequences[i].count, 1)
        let memory = Array(UnsafeBufferPointer(start: states.data + r * t * d, count: n * d))
        let predictions = Self.beamSearch(
          decoder: decoder, memory: memory, length: n, vocabulary: vocabulary, width: beam, top: top,
          maxSubtokens: info.maxSubtokens)
        var cur: NamePrediction?
        if let current, !current[i].isEmpty {
          cur = Self.score(
            decoder: decoder, memory: memory, length: n, vocabulary: vocabulary, subtokens: current[i],
            maxSubtokens: info.maxSubtokens)
        }
        out[i] = (predictions, cur)
      }
      start += chunk.count
    }
    return out
  }

  // MARK: Decoding

  /// Beam search over one function's encoder states `memory` (length, dim): `width` live hypotheses, each
  /// extended by its `width` best subtokens; a hypothesis ends with `<eos>` (forced after `maxSubtokens`);
  /// finished names are ranked by length-normalised log-probability (`NamePrediction.score`). `<unk>`, `<pad>`
  /// and `<bos>` are never emitted, nor an empty name.
  public static func beamSearch(
    decoder: NameDecoder, memory: [Float], length s: Int, vocabulary: SubtokenVocabulary, width: Int, top: Int,
    maxSubtokens: Int
  ) -> [NamePrediction] {
    let v = decoder.config.vocab
    let d = decoder.config.dim
    let maxSub = min(maxSubtokens, decoder.config.maxLen - 1)
    let width = max(width, 1)
    var live: [(ids: [Int32], logp: Double)] = [([SubtokenVocabulary.bos], 0)]
    var finished: [NamePrediction] = []
    var seen = Set<[Int32]>()
    for step in 0...maxSub {
      let b = live.count
      let t = step + 1
      var tokens = [Int32](repeating: 0, count: b * t)
      for (i, h) in live.enumerated() { for j in 0..<t { tokens[i * t + j] = h.ids[j] } }
      var mem = [Float](repeating: 0, count: b * s * d)
      for i in 0..<b { for k in 0..<(s * d) { mem[i * s * d + k] = memory[k] } }
      let mask = [Float](repeating: 1, count: b * s)
      let logits = mem.withUnsafeBufferPointer {
        decoder.forward(tokens: tokens, batch: b, length: t, memory: $0.baseAddress!, memoryMask: mask, memoryLength: s)
      }
      var pool: [(ids: [Int32], logp: Double)] = []
      for (i, h) in live.enumerated() {
        let row = logits + (i * t + t - 1) * v
        let logZ = logSumExp(row, v)
        if step > 0 {
          let lp = h.logp + Double(row[Int(SubtokenVocabulary.eos)]) - logZ
          let ids = Array(h.ids.dropFirst())
          if seen.insert(ids).inserted {
            finished.append(NamePrediction(subtokens: ids.map { vocabulary.tokens[Int($0)] }, logProbability: lp))
          }
        }
        if step == maxSub { continue }
        // this hypothesis's `width` best subtokens
        var best: [(id: Int32, lp: Float)] = []
        for j in 4..<v {
          let x = row[j]
          if best.count < width {
            best.append((Int32(j), x))
            best.sort { $0.lp > $1.lp }
          } else if x > best[width - 1].lp {
            best[width - 1] = (Int32(j), x)
            best.sort { $0.lp > $1.lp }
          }
        }
        for c in best { pool.append((h.ids + [c.id], h.logp + Double(c.lp) - logZ)) }
      }
      if pool.isEmpty { break }
      pool.sort { $0.logp != $1.logp ? $0.logp > $1.logp : $0.ids.lexicographicallyPrecedes($1.ids) }
      live = Array(pool.prefix(width))
    }
    finished.sort { $0.score != $1.score ? $0.score > $1.score : $0.name < $1.name }
    return Array(finished.prefix(max(top, 1)))
  }

  /// The decoder's log-probability of `subtokens` (then `<eos>`) for one function (teacher forcing).
  public static func score(
    decoder: NameDecoder, memory: [Float], length s: Int, vocabulary: SubtokenVocabulary, subtokens: [String],
    maxSubtokens: Int
  ) -> NamePrediction {
    let maxSub = min(maxSubtokens, decoder.config.maxLen - 1)
    let kept = Array(subtokens.prefix(maxSub))
    let target = vocabulary.target(kept, maxSubtokens: maxSub)
    let inputs = [SubtokenVocabulary.bos] + target.dropLast()
    let t = inputs.count
    let v = decoder.config.vocab
    let logits = memory.withUnsafeBufferPointer {
      decoder.forward(
        tokens: inputs, batch: 1, length: t, memory: $0.baseAddress!, memoryMask: [Float](repeating: 1, count: s),
        memoryLength: s)
    }
    var lp: Double = 0
    for j in 0..<t {
      let row = logits + j * v
      lp += Double(row[Int(target[j])]) - logSumExp(row, v)
    }
    return NamePrediction(subtokens: kept.map { $0.lowercased() }, logProbability: lp)
  }

  static func logSumExp(_ row: UnsafePointer<Float>, _ n: Int) -> Double {
    var mx = -Float.infinity
    for j in 0..<n { mx = max(mx, row[j]) }
    var sum: Double = 0
    for j in 0..<n { sum += exp(Double(row[j] - mx)) }
    return Double(mx) + log(sum)
  }
}
