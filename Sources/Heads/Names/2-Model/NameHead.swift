import CloneIndex
import Corpus
import Foundation
import Model
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
  /// `(logProbability + copy bonus) / (subtokens + 1)`: what beam search ranks by. The copy bonus is the sum of
  /// the copy biases its subtokens earned (`NameDecoding`); 0 without a copy bias.
  public var score: Double
  /// exp(logProbability): the probability of the whole name.
  public var probability: Double { exp(logProbability) }
  /// The share of the nearest train functions' vote that carries this name (`NameRetrievalRanking`); 0 without
  /// retrieval or when no neighbour has it.
  public var vote: Double = 0
  /// The best cosine similarity of a nearest train function with this name (0: none).
  public var similarity: Double = 0
  /// What the final list is ordered by: `score` without retrieval, else `NameRetrievalRanking`'s rank.
  public var rank: Double
  /// Its place among the decoder's beams (0: the decoder's best name); nil for a name only retrieval proposed.
  public var beamRank: Int? = 0

  public init(subtokens: [String], logProbability: Double, copyBonus: Double = 0) {
    self.subtokens = subtokens
    self.name = SubtokenVocabulary.camelCase(subtokens)
    self.logProbability = logProbability
    self.score = (logProbability + copyBonus) / Double(subtokens.count + 1)
    self.rank = score
  }
}

// MARK: - Decoding options

/// How a head decodes, beyond its weights: the inference-time copy bias. Subtokens that occur in the function
/// (`BodySubtokens`: its identifiers, property and parameter names, string words; never its hidden name) get
/// `copyBias` nats (plus `frequencyBias` · log of how often the function has them) added to their
/// log-probability when the beam search proposes them (`firstCopyBias` at the first step, when given), once per
/// name (a repeat earns no bonus), so the search prefers names built from the body's words. The ranking and
/// `NamePrediction.score` include the bonus; `logProbability` and `probability` stay the decoder's own.
/// Stored as `decoding` in a head's `config.json`, chosen on the valid split (docs/NAMES.md); a folder without
/// it decodes with all biases 0, as before the field existed.
public struct NameDecoding: Codable, Sendable, Equatable {
  /// Nats added to the log-probability of a subtoken the function contains.
  public var copyBias: Double
  /// The same at the first subtoken, if different (nil: `copyBias`).
  public var firstCopyBias: Double?
  /// Nats added per nat of log(occurrences in the function): a subtoken seen `n` times gets
  /// `copyBias + frequencyBias · log n`.
  public var frequencyBias: Double
  /// Also propose body subtokens the vocabulary lacks: each gets the decoder's `<unk>` probability split evenly
  /// among them, plus the copy bias (the decoder reads `<unk>` for it at the next step).
  public var copyUnknown: Bool
  /// Where the values came from (free text, e.g. the split and command that chose them).
  public var chosenOn: String?
  /// The consensus choice (minimum Bayes risk for subtoken F1, `NameHead.consensusOrder`): the beam that agrees
  /// most, in expected subtoken F1, with the others weighted by `exp(consensus · log P)` goes first. nil: the
  /// beam search's own order.
  public var consensus: Double?
  /// No subtoken twice in one name (`getUserUser`): 0.6 % of train names repeat one, while an unconstrained beam
  /// search repeats one in about 8 % of its first names (valid; docs/NAMES.md), and the subtoken metric counts each
  /// repeat of a right word as another hit, so repeats look better to the metric than to a reader.
  public var noRepeat: Bool
  /// The beam width at least (nil: the caller's, 5 by default); with `consensus`, also how many beams the consensus
  /// chooses among (the list is cut to the caller's `top` after it).
  public var beam: Int?

  public init(
    copyBias: Double = 0, firstCopyBias: Double? = nil, frequencyBias: Double = 0, copyUnknown: Bool = false,
    chosenOn: String? = nil, consensus: Double? = nil, noRepeat: Bool = false, beam: Int? = nil
  ) {
    self.noRepeat = noRepeat
    self.beam = beam
    self.copyBias = copyBias
    self.firstCopyBias = firstCopyBias
    self.frequencyBias = frequencyBias
    self.copyUnknown = copyUnknown
    self.chosenOn = chosenOn
    self.consensus = consensus
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    copyBias = try c.decodeIfPresent(Double.self, forKey: .copyBias) ?? 0
    firstCopyBias = try c.decodeIfPresent(Double.self, forKey: .firstCopyBias)
    frequencyBias = try c.decodeIfPresent(Double.self, forKey: .frequencyBias) ?? 0
    copyUnknown = try c.decodeIfPresent(Bool.self, forKey: .copyUnknown) ?? false
    chosenOn = try c.decodeIfPresent(String.self, forKey: .chosenOn)
    consensus = try c.decodeIfPresent(Double.self, forKey: .consensus)
    noRepeat = try c.decodeIfPresent(Bool.self, forKey: .noRepeat) ?? false
    beam = try c.decodeIfPresent(Int.self, forKey: .beam).map { min(max($0, 1), 64) }
  }

  /// No copy bias: the plain beam search.
  public static let none = NameDecoding()

  /// Whether decoding differs from the plain beam search.
  public var isActive: Bool { copyBias != 0 || (firstCopyBias ?? 0) != 0 || frequencyBias != 0 || copyUnknown }

  /// A short description, e.g. `copy bias 1.5 (first 1), unknown body subtokens`.
  public var summary: String {
    let choice =
      (beam.map { ", beam \($0)" } ?? "") + (noRepeat ? ", no repeated subtoken" : "")
      + (consensus.map { ", consensus choice (sharpness \(Self.format($0)))" } ?? "")
    guard isActive else { return "no copy bias" + choice }
    var s = "copy bias \(Self.format(copyBias))"
    if let f = firstCopyBias, f != copyBias { s += " (first subtoken \(Self.format(f)))" }
    if frequencyBias != 0 { s += " + \(Self.format(frequencyBias)) · log(occurrences)" }
    if copyUnknown { s += ", out-of-vocabulary body subtokens proposed" }
    return s + choice
  }

  public static func format(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
}

/// One function's copy candidates for the beam search: the vocabulary ids of its body subtokens, and those the
/// vocabulary lacks (proposed only with `NameDecoding.copyUnknown`), each with how often the body has it.
public struct CopyCandidates: Sendable, Equatable {
  /// Vocabulary id → occurrences in the function.
  public var ids: [Int32: Int]
  /// Out-of-vocabulary subtoken → occurrences.
  public var unknown: [String: Int]
  public var decoding: NameDecoding

  public init(ids: [Int32: Int] = [:], unknown: [String: Int] = [:], decoding: NameDecoding = .none) {
    self.ids = ids
    self.unknown = unknown
    self.decoding = decoding
  }

  /// The candidates of `subtokens` (lower case, with their occurrences) under `vocabulary`.
  public init(subtokens: [(subtoken: String, count: Int)], vocabulary: SubtokenVocabulary, decoding: NameDecoding) {
    var ids: [Int32: Int] = [:]
    var unknown: [String: Int] = [:]
    for (w, n) in subtokens {
      let id = vocabulary.id(w)
      if id == SubtokenVocabulary.unk {
        unknown[w.lowercased(), default: 0] += n
      } else {
        ids[id, default: 0] += n
      }
    }
    self.init(ids: ids, unknown: decoding.copyUnknown ? unknown : [:], decoding: decoding)
  }

  /// The bias at decoding step `step` (0 = the first subtoken) for a subtoken seen `count` times (0: none).
  func bias(step: Int, count: Int) -> Double {
    guard count > 0 else { return 0 }
    let base = step == 0 ? (decoding.firstCopyBias ?? decoding.copyBias) : decoding.copyBias
    return base + decoding.frequencyBias * log(Double(count))
  }

  /// No candidates.
  public static let none = CopyCandidates()
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
    /// Decoding options (the copy bias); absent in older folders, which then decode with none.
    public var decoding: NameDecoding?
    /// How retrieved names rank with the decoder's (used when the folder has a `retrieval.bin`); absent: the
    /// defaults of `NameRetrievalRanking`.
    public var retrieval: NameRetrievalRanking?

    public init(
      format: String, version: Int, label: String, randomInit: Bool, pretrained: Origin, architecture: String,
      dim: Int, maxLength: Int, vocab: Int, subtokens: Int, maxSubtokens: Int, decoder: NameDecoderConfig,
      encoderFile: String, decoderFile: String, tokenizerFile: String, subtokensFile: String,
      training: NameFinetuneConfig, steps: Int, trainingSeconds: Double, examplesSeen: Int,
      decoding: NameDecoding? = nil, retrieval: NameRetrievalRanking? = nil
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
      self.decoding = decoding
      self.retrieval = retrieval
    }
  }

  public let directory: URL
  public let info: Info
  public let tokenizer: Tokenizer
  public let encoder: any SequenceEncoder
  public let decoder: NameDecoder
  public let vocabulary: SubtokenVocabulary
  /// When a suggestion is good enough to show (`display.json`; nil in folders without one: all are shown).
  public let display: NameDisplayCalibration?
  /// The names of train functions searched by this head's encoder (`retrieval.bin`; nil: the decoder alone).
  public let datastore: NameDatastore?
  /// The pretrained model whose pooled embedding the datastore holds (`embedding: "model"`); nil: the head's own
  /// encoder's pooled states.
  public var queryEmbedder: PretrainedModel?
  private let lock = NSLock()

  public init(
    directory: URL, info: Info, tokenizer: Tokenizer, encoder: any SequenceEncoder, decoder: NameDecoder,
    vocabulary: SubtokenVocabulary, display: NameDisplayCalibration? = nil, datastore: NameDatastore? = nil
  ) {
    self.display = display
    self.datastore = datastore
    self.directory = directory
    self.info = info
    self.tokenizer = tokenizer
    self.encoder = encoder
    self.decoder = decoder
    self.vocabulary = vocabulary
    encoder.training = false
  }

  // MARK: Loading

  /// Opens a head folder (with its `retrieval.bin` when it has one and `withRetrieval`).
  public static func load(directory: String, withRetrieval: Bool = true) throws -> NameHead {
    let folder = ModelFolder(path: directory, kind: "name head")
    let info = try folder.config(Info.self, format: formatName, version: formatVersion)
    let tokenizer = try folder.tokenizer(info.tokenizerFile)
    let encoder = try folder.encoder(info.encoderFile)
    let decoder = try NameDecoder.load(from: folder.file(info.decoderFile).path)
    let vocabulary = try folder.json(SubtokenVocabulary.self, file: info.subtokensFile)
    guard vocabulary.count == decoder.config.vocab, encoder.dim == decoder.config.dim else {
      throw folder.unusable("subtokens, decoder and encoder sizes disagree")
    }
    var datastore: NameDatastore?
    var embedder: PretrainedModel?
    if withRetrieval, folder.has(NameDatastore.fileName) {
      let url = folder.file(NameDatastore.fileName)
      let store = try NameDatastore.load(from: url)
      if store.header.embedding == "model" {
        // the pretrained model whose folder holds this head folder
        let model = try? PretrainedModel.load(directory: folder.url.deletingLastPathComponent().path)
        guard let model, store.dimension == model.dimension,
          store.header.encoderSHA256
            == (try NameFinetuner.sha256(ofFile: model.directory.appendingPathComponent(model.info.encoder).path))
        else { throw NameDatastoreError.otherEncoder(url.path) }
        embedder = model
      } else {
        guard store.dimension == encoder.dim,
          store.header.encoderSHA256 == (try NameFinetuner.sha256(ofFile: folder.file(info.encoderFile).path))
        else { throw NameDatastoreError.otherEncoder(url.path) }
      }
      datastore = store
    }
    let head = NameHead(
      directory: folder.url, info: info, tokenizer: tokenizer, encoder: encoder, decoder: decoder,
      vocabulary: vocabulary, display: try NameDisplayCalibration.load(from: folder.url), datastore: datastore)
    head.queryEmbedder = embedder
    return head
  }

  /// The name head: `explicit` (a `--names-model DIR` flag) if given, else `$CODEINTEL_NAMES_MODEL`, else
  /// `names/` inside `$CODEINTEL_MODEL`, else `names/` inside each folder `PretrainedModel.defaultSearchPaths()`
  /// lists, in order (`ModelFolder.locate`).
  public static func loadDefault(explicit: String? = nil) throws -> NameHead {
    let found = try ModelFolder.locate(
      explicit: explicit, environmentVariable: environmentVariable, subfolder: folderName, kind: "name head")
    guard let folder = found.folder else { throw PretrainError.modelNotFound(searched: found.searched) }
    return try load(directory: folder.path)
  }

  /// Folders `loadDefault` looks at after the flag and `$CODEINTEL_NAMES_MODEL`.
  public static func defaultSearchPaths() -> [String] { ModelFolder.searchPaths(subfolder: folderName) }

  // MARK: Prediction

  /// What this head reads beside the function (its recipe's `inputContext`; nil: the function alone).
  public var inputContext: NameInputContext? { info.training.inputContext }

  /// The text this head reads for a function whose dataset-style `input` (own name hidden) lies in the file at
  /// `path` (nil: unknown, the function alone).
  public func modelInput(_ input: String, path: String?, siblings: [String]? = nil) -> String {
    guard let context = inputContext, let path else { return input }
    return context.apply(to: input, path: path, siblings: siblings)
  }

  /// Encoder ids of a function as the dataset's `input` writes it (`METHOD_NAME` → `<fn>`), truncated.
  public func tokens(of input: String) -> [Int32] {
    Self.tokens(of: input, tokenizer: tokenizer, maxLength: info.maxLength)
  }

  static func tokens(of input: String, tokenizer: Tokenizer, maxLength: Int) -> [Int32] {
    let ids = encoding(of: input, tokenizer: tokenizer, maxLength: maxLength).ids
    return ids.isEmpty ? [tokenizer.unkID] : ids
  }

  /// The encoder's tokens of `input` with their byte offsets (what `tokens(of:)` reads the ids from).
  static func encoding(of input: String, tokenizer: Tokenizer, maxLength: Int) -> Encoding {
    tokenizer.encode(input, options: EncodeOptions(maxLength: maxLength, fnPlaceholder: "METHOD_NAME"))
  }

  /// What the pointer-generator may copy from `input` (`NameCopySource`); none for a decoder without it.
  public func copyItems(of input: String) -> [(position: Int32, id: Int32)] {
    guard decoder.config.copy else { return [] }
    return NameCopySource.items(
      input: input, encoding: Self.encoding(of: input, tokenizer: tokenizer, maxLength: info.maxLength),
      vocabulary: vocabulary)
  }

  /// The decoding options in `config.json` (none in folders written before the field existed).
  public var decoding: NameDecoding { info.decoding ?? .none }

  /// One input's copy candidates under `decoding`: its `BodySubtokens` (the whole input, not only the
  /// encoder's window).
  public func copyCandidates(of input: String, decoding: NameDecoding) -> CopyCandidates {
    guard decoding.isActive else { return CopyCandidates(decoding: decoding) }
    return CopyCandidates(subtokens: BodySubtokens.counted(input), vocabulary: vocabulary, decoding: decoding)
  }

  /// How this head ranks retrieved names with its beams: `config.json`'s `retrieval`, else the defaults; nil
  /// without a datastore.
  public var ranking: NameRetrievalRanking? { datastore == nil ? nil : (info.retrieval ?? NameRetrievalRanking()) }

  /// The `top` best names for each input (beam search of `beam` width), in input order. `decoding` overrides
  /// the head's own (`config.json`), `ranking` its retrieval ranking (ignored without a datastore).
  public func predict(
    inputs: [String], beam: Int = 5, top: Int = 5, decoding: NameDecoding? = nil,
    ranking: NameRetrievalRanking? = nil
  ) -> [[NamePrediction]] {
    analyze(inputs: inputs, current: nil, beam: beam, top: top, decoding: decoding, ranking: ranking)
      .map(\.predictions)
  }

  /// Predictions and, when `current` gives a name's subtokens per input, that name's log-probability (scored
  /// with the same copy bias). `decoding` overrides the head's own (`config.json`); with a datastore, the names
  /// of the nearest train functions join the beams as `ranking` (default: the head's) says.
  public func analyze(
    inputs: [String], current: [[String]]?, beam: Int = 5, top: Int = 5, decoding: NameDecoding? = nil,
    ranking: NameRetrievalRanking? = nil
  ) -> [(predictions: [NamePrediction], current: NamePrediction?)] {
    let rule = datastore == nil ? nil : (ranking ?? self.ranking)
    let found = candidates(
      inputs: inputs, current: current, beam: beam, top: rule == nil ? top : max(top, beam),
      neighbors: rule.map { $0.mode == .decoder ? 0 : $0.neighbors } ?? 0, decoding: decoding)
    return found.map { c in
      guard let rule, let datastore else { return (c.beams, c.current) }
      return (rule.rank(c, datastore: datastore, top: top), c.current)
    }
  }

  /// What ranking needs of one function: the decoder's beams, its nearest train functions, the decoder's score of
  /// each of their names, and the current name's score (when asked).
  public struct Candidates: Sendable {
    /// The decoder's names, best first (`top` of the beam).
    public var beams: [NamePrediction]
    /// The nearest datastore entries, best first (none without a datastore).
    public var neighbors: [Neighbor]
    /// The decoder's teacher-forced score of every neighbour's name, by lower-case subtokens.
    public var scored: [[String]: NamePrediction]
    public var current: NamePrediction?
  }

  /// The beams (`top` of a `beam`-wide search), the `neighbors` nearest train functions with the decoder's score
  /// of each of their names (none without a datastore or with 0), and the current name's score, per input.
  /// `NameRetrievalRanking.rank` turns one into the final list; `eval names` ranks the same candidates under many
  /// rankings.
  public func candidates(
    inputs: [String], current: [[String]]?, beam: Int = 5, top: Int = 5, neighbors k: Int,
    decoding: NameDecoding? = nil
  ) -> [Candidates] {
    let options = decoding ?? self.decoding
    let store = k > 0 ? datastore : nil
    let sequences = inputs.map(tokens(of:))
    let copies = inputs.map { copyCandidates(of: $0, decoding: options) }
    let items = inputs.map(copyItems(of:))
    lock.lock()
    defer { lock.unlock() }
    var out = [Candidates](repeating: Candidates(beams: [], neighbors: [], scored: [:]), count: inputs.count)
    let d = encoder.dim
    let order = sequences.indices.sorted { sequences[$0].count < sequences[$1].count }
    var start = 0
    while start < order.count {
      let chunk = Array(order[start..<min(start + 32, order.count)])
      let batch = TokenBatch(sequences: chunk.map { sequences[$0] })
      let output = encoder.forward(tokens: batch.tokens, mask: batch.mask, batch: batch.batch, length: batch.length)
      let states = output.states
      let t = batch.length
      // the nearest train functions of each function of the chunk, by the pooled states (cosine)
      var near: [[Neighbor]] = []
      if let store {
        let queries =
          queryEmbedder.map { $0.embed(functions: chunk.map { inputs[$0] }).flatMap { $0 } }
          ?? Self.normalizedRows(output.pooled.data, rows: chunk.count, dim: d)
        near = store.neighbors(queries, queryCount: chunk.count, k: k)
      }
      for (r, i) in chunk.enumerated() {
        let n = max(sequences[i].count, 1)
        let memory = Array(UnsafeBufferPointer(start: states.data + r * t * d, count: n * d))
        let score = { (subtokens: [String]) in
          Self.score(
            decoder: self.decoder, memory: memory, length: n, vocabulary: self.vocabulary, subtokens: subtokens,
            maxSubtokens: self.info.maxSubtokens, copy: copies[i], copyItems: items[i])
        }
        let width = max(beam, options.beam ?? 0)
        let found = Self.beamSearch(
          decoder: decoder, memory: memory, length: n, vocabulary: vocabulary, width: width,
          top: options.consensus == nil ? top : max(top, width),
          maxSubtokens: info.maxSubtokens, copy: copies[i], copyItems: items[i])
        var c = Candidates(
          beams: options.consensus.map { Array(Self.consensusOrder(found, sharpness: $0).prefix(max(top, 1))) }
            ?? found,
          neighbors: r < near.count ? near[r] : [], scored: [:])
        if let store {
          var names: [[String]] = []
          var seen = Set<[String]>()
          for nb in c.neighbors {
            let name = store.name(ofEntry: nb.id)
            if !name.isEmpty, seen.insert(name).inserted { names.append(name) }
          }
          let scores = Self.score(
            decoder: decoder, memory: memory, length: n, vocabulary: vocabulary, names: names,
            maxSubtokens: info.maxSubtokens, copy: copies[i], copyItems: items[i])
          for (name, p) in zip(names, scores) { c.scored[name] = p }
        }
        if let current, !current[i].isEmpty { c.current = score(current[i]) }
        out[i] = c
      }
      start += chunk.count
    }
    return out
  }

  // MARK: Decoding

  /// The consensus choice among one function's beams (minimum Bayes risk decoding for subtoken F1, as in
  /// Kumar & Byrne 2004): each beam j is weighted by `exp(sharpness · log P(j))` (normalised over the beams), and
  /// the beam with the highest expected subtoken F1 against the others (`subtokenF1`, itself included) goes
  /// first; the rest keep their order. A name whose words the other likely names share wins over a lone one.
  /// F1 is taken over distinct subtokens here, so a repeated word earns nothing (the metric's per-occurrence count
  /// would favour `getUserUser`). Ties keep the beam order; fewer than two beams are returned as they are.
  public static func consensusOrder(_ beams: [NamePrediction], sharpness: Double) -> [NamePrediction] {
    guard beams.count > 1 else { return beams }
    let top = beams.map(\.logProbability).max()!
    let weights = beams.map { exp(sharpness * ($0.logProbability - top)) }
    var best = 0
    var bestGain = -Double.infinity
    for (i, b) in beams.enumerated() {
      var gain = 0.0
      let words = distinct(b.subtokens)
      for (j, other) in beams.enumerated() { gain += weights[j] * subtokenF1(words, distinct(other.subtokens)) }
      if gain > bestGain + 1e-12 {
        best = i
        bestGain = gain
      }
    }
    guard best > 0 else { return beams }
    var out = beams
    let chosen = out.remove(at: best)
    out.insert(chosen, at: 0)
    return out
  }

  /// The lower-cased subtokens of a name, each once, in order.
  static func distinct(_ subtokens: [String]) -> [String] {
    var seen = Set<String>()
    return subtokens.map { $0.lowercased() }.filter { seen.insert($0).inserted }
  }

  /// Subtoken F1 of `predicted` against `actual` for one function, by `SubtokenMetrics`'s rule (case-insensitive;
  /// a predicted subtoken is right when the actual name contains it).
  public static func subtokenF1(_ predicted: [String], _ actual: [String]) -> Double {
    var m = SubtokenMetrics()
    m.add(predicted: predicted, actual: actual)
    return m.f1
  }

  /// Beam search over one function's encoder states `memory` (length, dim): see
  /// `beamSearch(vocabulary:width:top:maxSubtokens:copy:logits:)`; the decoder gives the logits (with a
  /// pointer-generator decoder, the log-probabilities of its mixture over `copyItems`).
  public static func beamSearch(
    decoder: NameDecoder, memory: [Float], length s: Int, vocabulary: SubtokenVocabulary, width: Int, top: Int,
    maxSubtokens: Int, copy: CopyCandidates = .none, copyItems: [(position: Int32, id: Int32)] = []
  ) -> [NamePrediction] {
    let v = decoder.config.vocab
    let d = decoder.config.dim
    let maxSub = min(maxSubtokens, decoder.config.maxLen - 1)
    return beamSearch(vocabulary: vocabulary, width: width, top: top, maxSubtokens: maxSub, copy: copy) { prefixes in
      let b = prefixes.count
      let t = prefixes[0].count
      var tokens = [Int32](repeating: 0, count: b * t)
      for (i, p) in prefixes.enumerated() { for j in 0..<t { tokens[i * t + j] = p[j] } }
      var mem = [Float](repeating: 0, count: b * s * d)
      for i in 0..<b { for k in 0..<(s * d) { mem[i * s * d + k] = memory[k] } }
      let mask = [Float](repeating: 1, count: b * s)
      let items = decoder.config.copy ? NameCopyBatch(items: Array(repeating: copyItems, count: b)) : nil
      let logits = mem.withUnsafeBufferPointer {
        decoder.forward(
          tokens: tokens, batch: b, length: t, memory: $0.baseAddress!, memoryMask: mask, memoryLength: s, copy: items)
      }
      var last = [Float](repeating: 0, count: b * v)
      for i in 0..<b { for j in 0..<v { last[i * v + j] = logits[(i * t + t - 1) * v + j] } }
      return last
    }
  }

  /// Beam search over next-subtoken logits: `logits(prefixes)` gives, for each prefix (`<bos>` then subtoken ids,
  /// all of one length), the logits of the next subtoken (prefixes × vocabulary, row-major). `width` live
  /// hypotheses, each extended by its `width` best subtokens; a hypothesis ends with `<eos>` (forced after
  /// `maxSubtokens`); finished names are ranked by `NamePrediction.score`. `<unk>`, `<pad>` and `<bos>` are
  /// never emitted, nor an empty name. With copy candidates, a subtoken in `copy.ids` ranks with
  /// `copy.bias(step:count:)` added to its log-probability; with `copyUnknown`, each of `copy.unknown` is proposed
  /// with log P(`<unk>`) − log(count) plus the bias, and the decoder reads `<unk>` in its place.
  public static func beamSearch(
    vocabulary: SubtokenVocabulary, width: Int, top: Int, maxSubtokens maxSub: Int, copy: CopyCandidates = .none,
    logits: ([[Int32]]) -> [Float]
  ) -> [NamePrediction] {
    let v = vocabulary.count
    let width = max(width, 1)
    // ids: what the decoder reads; words: the name; logp: the decoder's; rank: logp + copy bonus
    struct Hypothesis {
      var ids: [Int32]
      var words: [String]
      var logp: Double
      var bonus: Double
      var rank: Double { logp + bonus }
    }
    var live = [Hypothesis(ids: [SubtokenVocabulary.bos], words: [], logp: 0, bonus: 0)]
    var finished: [NamePrediction] = []
    var seen = Set<[String]>()
    let unknownShare = copy.unknown.isEmpty ? 0 : log(Double(copy.unknown.count))
    // the copy bonus of every vocabulary id, at the first step and after
    var bonuses = [[Double]](repeating: [Double](repeating: 0, count: v), count: 2)
    for (id, n) in copy.ids where Int(id) < v {
      bonuses[0][Int(id)] = copy.bias(step: 0, count: n)
      bonuses[1][Int(id)] = copy.bias(step: 1, count: n)
    }
    for step in 0...maxSub {
      let bonus = bonuses[min(step, 1)]
      let rows = logits(live.map(\.ids))
      var pool: [Hypothesis] = []
      for (i, h) in live.enumerated() {
        let logZ = rows.withUnsafeBufferPointer { logSumExp($0.baseAddress! + i * v, v) }
        let row = { (j: Int) in Double(rows[i * v + j]) - logZ }
        if step > 0 {
          if seen.insert(h.words).inserted {
            finished.append(
              NamePrediction(
                subtokens: h.words, logProbability: h.logp + row(Int(SubtokenVocabulary.eos)), copyBonus: h.bonus))
          }
        }
        if step == maxSub { continue }
        // this hypothesis's `width` best subtokens, copy bias included
        var best: [(id: Int32, word: String?, lp: Double, bonus: Double)] = []
        func consider(_ id: Int32, _ word: String?, _ lp: Double, _ bonus: Double) {
          if best.count < width {
            best.append((id, word, lp, bonus))
          } else if lp + bonus > best[width - 1].lp + best[width - 1].bonus {
            best[width - 1] = (id, word, lp, bonus)
          } else {
            return
          }
          best.sort { $0.lp + $0.bonus > $1.lp + $1.bonus }
        }
        // a subtoken earns its copy bonus once per name: the body is evidence for the word, not for repeating it
        let used = Set(h.ids.dropFirst())
        let noRepeat = copy.decoding.noRepeat
        for j in 4..<v {
          if noRepeat && used.contains(Int32(j)) { continue }
          consider(Int32(j), nil, row(j), used.contains(Int32(j)) ? 0 : bonus[j])
        }
        if !copy.unknown.isEmpty {
          let lp = row(Int(SubtokenVocabulary.unk)) - unknownShare
          for (w, n) in copy.unknown.sorted(by: { $0.key < $1.key }) where !(noRepeat && h.words.contains(w)) {
            consider(SubtokenVocabulary.unk, w, lp, h.words.contains(w) ? 0 : copy.bias(step: step, count: n))
          }
        }
        for c in best {
          pool.append(
            Hypothesis(
              ids: h.ids + [c.id], words: h.words + [c.word ?? vocabulary.tokens[Int(c.id)]], logp: h.logp + c.lp,
              bonus: h.bonus + c.bonus))
        }
      }
      if pool.isEmpty { break }
      pool.sort { $0.rank != $1.rank ? $0.rank > $1.rank : $0.words.lexicographicallyPrecedes($1.words) }
      live = Array(pool.prefix(width))
    }
    finished.sort { $0.score != $1.score ? $0.score > $1.score : $0.name < $1.name }
    var out = Array(finished.prefix(max(top, 1)))
    for i in out.indices { out[i].beamRank = i }
    return out
  }

  /// The decoder's log-probability of `subtokens` (then `<eos>`) for one function (teacher forcing), and its
  /// copy bonus under `copy` (the same bias the beam search adds, so the two scores compare).
  public static func score(
    decoder: NameDecoder, memory: [Float], length s: Int, vocabulary: SubtokenVocabulary, subtokens: [String],
    maxSubtokens: Int, copy: CopyCandidates = .none, copyItems: [(position: Int32, id: Int32)] = []
  ) -> NamePrediction {
    score(
      decoder: decoder, memory: memory, length: s, vocabulary: vocabulary, names: [subtokens],
      maxSubtokens: maxSubtokens, copy: copy, copyItems: copyItems)[0]
  }

  /// One teacher-forced decoder pass over several targets of one input: each row starts with `<bos>` and the
  /// targets are padded to the longest (the causal mask keeps the padding out of every real position); the
  /// memory is the input's encoder states, shared by every row. Returns the logits, (targets × t × vocab), and t.
  static func teacherForced(
    decoder: NameDecoder, memory: [Float], length s: Int, targets: [[Int32]], copyItems: [(position: Int32, id: Int32)]
  ) -> (logits: UnsafeMutablePointer<Float>, length: Int) {
    let b = targets.count
    let t = targets.map(\.count).max()!
    var inputs = [Int32](repeating: SubtokenVocabulary.pad, count: b * t)
    for (i, target) in targets.enumerated() {
      inputs[i * t] = SubtokenVocabulary.bos
      for j in 0..<(target.count - 1) { inputs[i * t + j + 1] = target[j] }
    }
    let d = decoder.config.dim
    var mem = [Float](repeating: 0, count: b * s * d)
    for i in 0..<b { for k in 0..<(s * d) { mem[i * s * d + k] = memory[k] } }
    let logits = mem.withUnsafeBufferPointer {
      decoder.forward(
        tokens: inputs, batch: b, length: t, memory: $0.baseAddress!, memoryMask: [Float](repeating: 1, count: b * s),
        memoryLength: s, copy: decoder.config.copy ? NameCopyBatch(items: Array(repeating: copyItems, count: b)) : nil)
    }
    return (logits, t)
  }

  /// `score` of several names of one function in one decoder pass (the names padded to the longest; the causal
  /// mask keeps the padding out of every real position).
  public static func score(
    decoder: NameDecoder, memory: [Float], length s: Int, vocabulary: SubtokenVocabulary, names: [[String]],
    maxSubtokens: Int, copy: CopyCandidates = .none, copyItems: [(position: Int32, id: Int32)] = []
  ) -> [NamePrediction] {
    guard !names.isEmpty else { return [] }
    let maxSub = min(maxSubtokens, decoder.config.maxLen - 1)
    let kept = names.map { Array($0.prefix(maxSub)).map { $0.lowercased() } }
    let targets = kept.map { vocabulary.target($0, maxSubtokens: maxSub) }
    let (logits, t) = teacherForced(decoder: decoder, memory: memory, length: s, targets: targets, copyItems: copyItems)
    let v = decoder.config.vocab
    let unknownShare = copy.unknown.isEmpty ? 0 : log(Double(copy.unknown.count))
    var out: [NamePrediction] = []
    for (i, target) in targets.enumerated() {
      let words = kept[i]
      var lp: Double = 0
      var bonus: Double = 0
      for j in 0..<target.count {
        let row = logits + (i * t + j) * v
        lp += Double(row[Int(target[j])]) - logSumExp(row, v)
        guard j < words.count else { continue }
        let repeated = words[..<j].contains(words[j])  // the bonus counts once per subtoken, as in the beam search
        if let n = copy.ids[target[j]] {
          if !repeated { bonus += copy.bias(step: j, count: n) }
        } else if target[j] == SubtokenVocabulary.unk, let n = copy.unknown[words[j]] {
          lp -= unknownShare
          if !repeated { bonus += copy.bias(step: j, count: n) }
        }
      }
      out.append(NamePrediction(subtokens: words, logProbability: lp, copyBonus: bonus))
    }
    return out
  }

  /// `rows × dim` row-major copies of `x`, each scaled to unit length (an all-zero row stays zero).
  static func normalizedRows(_ x: UnsafePointer<Float>, rows: Int, dim: Int) -> [Float] {
    var out = [Float](repeating: 0, count: rows * dim)
    for r in 0..<rows {
      var ss: Float = 0
      for j in 0..<dim { ss += x[r * dim + j] * x[r * dim + j] }
      let inv = ss > 0 ? 1 / ss.squareRoot() : 0
      for j in 0..<dim { out[r * dim + j] = x[r * dim + j] * inv }
    }
    return out
  }

  static func logSumExp(_ row: UnsafePointer<Float>, _ n: Int) -> Double {
    var mx = -Float.infinity
    for j in 0..<n { mx = max(mx, row[j]) }
    var sum: Double = 0
    for j in 0..<n { sum += exp(Double(row[j] - mx)) }
    return Double(mx) + log(sum)
  }
}

// MARK: - Confidence signals (issue 19: which signal says a name is right)

/// What the decoder says about one name of one function beyond its total probability, by teacher forcing: the
/// log-probability of each step (each subtoken, then `<eos>`) and the pointer-generator's gate `p_gen` at each
/// step (1: generated from the vocabulary, 0: copied; all 1 for a decoder without copying).
public struct NameStepSignals: Sendable, Equatable {
  public var stepLogProbabilities: [Double]
  public var gates: [Double]
}

extension NameHead {
  /// `NameStepSignals` of each of `names[i]` for `inputs[i]` (one encoder pass and one decoder pass per input).
  public func stepSignals(inputs: [String], names: [[[String]]]) -> [[NameStepSignals]] {
    lock.lock()
    defer { lock.unlock() }
    let d = encoder.dim
    let v = decoder.config.vocab
    let maxSub = min(info.maxSubtokens, decoder.config.maxLen - 1)
    var out: [[NameStepSignals]] = []
    for (input, list) in zip(inputs, names) {
      guard !list.isEmpty else {
        out.append([])
        continue
      }
      let sequence = tokens(of: input)
      let batch = TokenBatch(sequences: [sequence])
      let states = encoder.forward(tokens: batch.tokens, mask: batch.mask, batch: 1, length: batch.length).states
      let s = max(sequence.count, 1)
      let memory = Array(UnsafeBufferPointer(start: states.data, count: s * d))
      let items = copyItems(of: input)
      let targets = list.map {
        vocabulary.target(Array($0.prefix(maxSub)).map { $0.lowercased() }, maxSubtokens: maxSub)
      }
      let (logits, t) = Self.teacherForced(
        decoder: decoder, memory: memory, length: s, targets: targets, copyItems: items)
      var row: [NameStepSignals] = []
      for (i, target) in targets.enumerated() {
        var lps: [Double] = []
        var gates: [Double] = []
        for j in 0..<target.count {
          let r = logits + (i * t + j) * v
          lps.append(Double(r[Int(target[j])]) - Self.logSumExp(r, v))
          gates.append(decoder.config.copy ? Double(decoder.gate.data[i * t + j]) : 1)
        }
        row.append(NameStepSignals(stepLogProbabilities: lps, gates: gates))
      }
      out.append(row)
    }
    return out
  }
}
