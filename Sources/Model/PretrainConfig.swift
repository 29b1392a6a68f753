import Foundation

// MARK: - Pretraining configuration

/// Every knob of a pretraining run (MoCo, optionally with masked-token prediction and a natural-positive stage), read from a JSON file (`Models/configs/*.json`) and overridable from
/// the command line. Missing keys take the defaults below, so a config file only names what it changes.
///
/// The config is stored in every checkpoint; a resume refuses a checkpoint whose model-shaping fields differ.
public struct PretrainConfig: Codable, Sendable, Equatable {
  // MARK: Encoder

  /// `transformer` or `bilstm`.
  public var architecture: String = "transformer"
  public var dim: Int = 256
  public var layers: Int = 4
  public var heads: Int = 4
  public var ffn: Int = 1024
  /// Longest token sequence (longer functions are truncated).
  public var maxLength: Int = 128
  public var dropout: Float = 0.1
  /// Output width of the 2-layer projection head d → d → projectionDim (ContraCode: 128).
  public var projectionDim: Int = 128

  // MARK: MoCo

  /// Negative keys kept in the queue (ContraCode: 65,536 on GPUs; 4k–16k fit a CPU).
  public var queueSize: Int = 4096
  /// Key-encoder momentum m in key ← m·key + (1−m)·query (ContraCode: 0.999).
  public var momentum: Float = 0.999
  /// InfoNCE temperature (ContraCode: 0.07).
  public var temperature: Float = 0.07
  /// Also use the other keys of the batch as negatives (SimCLR-style, keys still without gradient).
  public var inBatchNegatives: Bool = false

  // MARK: Objective

  /// Weight of masked-token prediction (BERT-style, on the query view's token states) in the loss
  /// `mlmWeight · MLM + mocoWeight · InfoNCE`. 0 (the default) builds no MLM head: pure MoCo, exactly as before.
  public var mlmWeight: Float = 0
  /// Weight of MoCo's InfoNCE in that loss; 0 with `mlmWeight > 0` is MLM only (no key encoder, no queue).
  public var mocoWeight: Float = 1
  /// Share of maskable tokens selected for prediction (BERT: 0.15); of those 80 % become `<mask>`, 10 % a
  /// random id, 10 % stay.
  public var mlmProbability: Double = 0.15
  /// Tie the MLM output layer to the encoder's token embedding (when the encoder has one of the right shape).
  public var mlmTieEmbeddings: Bool = true
  /// What the MLM reads: `query` masks the (augmented) query view and shares its encoder pass with MoCo;
  /// `original` masks the function as written (no augmentation, still subword-sampled) in a pass of its own
  /// (about one encoder pass more per step), so identifiers are the real ones.
  public var mlmView: String = "query"

  // MARK: Natural-positive stage (after `steps`)

  /// JSON Lines of natural clone pairs (same-problem solutions; `NaturalPairs` documents the fields). Only
  /// read when `naturalSteps > 0`; a train-split file, never the evaluation pairs.
  public var naturalPairs: String = ""
  /// Steps of the natural-positive stage, run after the `steps` MoCo/hybrid steps (0: no such stage).
  public var naturalSteps: Int = 0
  /// Pairs per step (= distinct problems per step).
  public var naturalBatchSize: Int = 32
  /// Peak learning rate of the stage (linear warm-up, cosine decay over `naturalSteps`).
  public var naturalLearningRate: Float = 1e-4
  public var naturalWarmupSteps: Int = 20
  /// Additive margin m subtracted from the positive's cosine (LaBSE: 0.3).
  public var naturalMargin: Float = 0.3
  /// Temperature τ of the ranking softmax over cosines (scale 1/τ).
  public var naturalTemperature: Float = 0.05
  /// Add one hard negative per pair: of `naturalHardCandidates` random solutions of problems not in the
  /// batch, the one with the highest token-set Jaccard to the pair's first solution.
  public var naturalHardNegatives: Bool = false
  public var naturalHardCandidates: Int = 16
  /// Probability that each sequence of a natural batch (each solution of a pair and each hard negative,
  /// independently) is shown identifier-blind (`IdentifierBlind`: declared names renamed `v0, v1, …`), so the
  /// stage cannot match solutions by the names a problem fixes. 0 (the default): the stage as before, bit for bit.
  public var naturalBlindProbability: Double = 0
  /// Probability that a natural sequence not shown blind is shown with every declared name renamed to random
  /// words (`IdentifierBlind.randomNames`, four renderings per solution): name invariance without the `vN`
  /// rendering the clone evaluation's blind view uses. 0 (the default): never.
  public var naturalRenameProbability: Double = 0

  // MARK: Optimisation

  public var batchSize: Int = 32
  /// Total optimizer steps (the learning-rate schedule ends here).
  public var steps: Int = 1000
  public var learningRate: Float = 3e-4
  public var warmupSteps: Int = 100
  /// `cosine`, `linear` or `constant`.
  public var schedule: String = "cosine"
  public var weightDecay: Float = 0.01
  public var gradClip: Float = 1.0
  public var seed: UInt64 = 1

  // MARK: Data

  /// JSON Lines of train-split function units (`text`, `language`), e.g. `codeintel corpus` output
  /// `pretrain/train.jsonl`. Never a valid/test file.
  public var trainData: String = "~/.cache/codeintel/datasets/pretrain/train.jsonl"
  /// JSON Lines of held-out (valid) function units for the retrieval metric.
  public var heldOutData: String = "~/.cache/codeintel/datasets/pretrain/valid.jsonl"
  /// `tokenizer.json`; when the file does not exist, a tokenizer of `tokenizerVocab` ids is trained on the
  /// training texts and written to the output folder.
  public var tokenizer: String = "tokenizer.json"
  public var tokenizerVocab: Int = 8000
  /// Subword-regularisation alpha for training (ContraCode: 0.1; 0 disables sampling).
  public var samplingAlpha: Double = 0.1
  /// Use at most this many training functions (0: all).
  public var maxTrainFunctions: Int = 0
  /// Augmentation: `contracode` (all transforms) or `semantics-preserving` (no line subsampling).
  public var augment: String = "contracode"
  /// Threads producing augmented batches ahead of the training step, when the step is not split over lanes
  /// (or with `pretrain --augment-thread`); a split step's lanes build the next batch themselves
  /// (`BatchProducer.Mode.lanes`).
  public var augmentWorkers: Int = 1
  /// Ready batches kept in the prefetch queue of those threads; with the lanes building, how many steps ahead
  /// a lane may build while another lane is still computing.
  public var prefetchBatches: Int = 4

  // MARK: Bookkeeping

  /// Held-out candidates for the retrieval metric (the issue asks for 1,000).
  public var evalCandidates: Int = 1000
  /// Evaluate retrieval every this many steps (and at step 0 and at the end); 0: only at the ends.
  public var evalEvery: Int = 500
  public var logEvery: Int = 10
  /// Write a checkpoint every this many minutes of wall-clock time (and at the end).
  public var checkpointMinutes: Double = 10
  /// Stop early (with a checkpoint and an exported model) after this many minutes; 0: no limit.
  public var maxMinutes: Double = 0
  /// BLAS threads for the training math.
  public var threads: Int = 2
  /// Slices each step's batch is cut into, computed side by side on one thread each (single-threaded BLAS)
  /// and their gradients summed in a fixed order (`MoCo.computeGradients`). At the shipped size the products
  /// are too small for OpenBLAS to keep two cores busy; whole slices do. The losses and weights agree with
  /// the unsplit step up to float summation order. 1: the whole batch on one thread with `threads` BLAS threads.
  /// Not used with in-batch negatives (a row's loss reads every key) or by the BiLSTM.
  public var dataParallel: Int = 2
  /// Encode only the real tokens of each padded batch (`TransformerEncoder.skipsPadding`), and in the
  /// masked-token pass the last block only at the masked positions (`outputRows`): the same losses and
  /// gradients up to float summation order, without the padded rows' work. false: the padded batch and the
  /// whole last block as before (`pretrain --no-skip-padding`, for measuring it).
  public var skipPadding: Bool = true
  /// Name written into the exported model's `config.json`.
  public var modelName: String = "codeintel-moco"

  public init() {}

  // MARK: Decoding with defaults

  private enum CodingKeys: String, CodingKey, CaseIterable {
    case architecture, dim, layers, heads, ffn, maxLength, dropout, projectionDim
    case queueSize, momentum, temperature, inBatchNegatives
    case mlmWeight, mocoWeight, mlmProbability, mlmTieEmbeddings, mlmView
    case naturalPairs, naturalSteps, naturalBatchSize, naturalLearningRate, naturalWarmupSteps, naturalMargin
    case naturalTemperature, naturalHardNegatives, naturalHardCandidates, naturalBlindProbability
    case naturalRenameProbability
    case batchSize, steps, learningRate, warmupSteps, schedule, weightDecay, gradClip, seed
    case trainData, heldOutData, tokenizer, tokenizerVocab, samplingAlpha, maxTrainFunctions, augment
    case augmentWorkers, prefetchBatches
    case evalCandidates, evalEvery, logEvery, checkpointMinutes, maxMinutes, threads, dataParallel, skipPadding
    case modelName
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    func v<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
      if let x = try c.decodeIfPresent(T.self, forKey: key) { value = x }
    }
    try v(.architecture, &architecture)
    try v(.dim, &dim)
    try v(.layers, &layers)
    try v(.heads, &heads)
    try v(.ffn, &ffn)
    try v(.maxLength, &maxLength)
    try v(.dropout, &dropout)
    try v(.projectionDim, &projectionDim)
    try v(.queueSize, &queueSize)
    try v(.momentum, &momentum)
    try v(.temperature, &temperature)
    try v(.inBatchNegatives, &inBatchNegatives)
    try v(.mlmWeight, &mlmWeight)
    try v(.mocoWeight, &mocoWeight)
    try v(.mlmProbability, &mlmProbability)
    try v(.mlmTieEmbeddings, &mlmTieEmbeddings)
    try v(.mlmView, &mlmView)
    try v(.naturalPairs, &naturalPairs)
    try v(.naturalSteps, &naturalSteps)
    try v(.naturalBatchSize, &naturalBatchSize)
    try v(.naturalLearningRate, &naturalLearningRate)
    try v(.naturalWarmupSteps, &naturalWarmupSteps)
    try v(.naturalMargin, &naturalMargin)
    try v(.naturalTemperature, &naturalTemperature)
    try v(.naturalHardNegatives, &naturalHardNegatives)
    try v(.naturalHardCandidates, &naturalHardCandidates)
    try v(.naturalBlindProbability, &naturalBlindProbability)
    try v(.naturalRenameProbability, &naturalRenameProbability)
    try v(.batchSize, &batchSize)
    try v(.steps, &steps)
    try v(.learningRate, &learningRate)
    try v(.warmupSteps, &warmupSteps)
    try v(.schedule, &schedule)
    try v(.weightDecay, &weightDecay)
    try v(.gradClip, &gradClip)
    try v(.seed, &seed)
    try v(.trainData, &trainData)
    try v(.heldOutData, &heldOutData)
    try v(.tokenizer, &tokenizer)
    try v(.tokenizerVocab, &tokenizerVocab)
    try v(.samplingAlpha, &samplingAlpha)
    try v(.maxTrainFunctions, &maxTrainFunctions)
    try v(.augment, &augment)
    try v(.augmentWorkers, &augmentWorkers)
    try v(.prefetchBatches, &prefetchBatches)
    try v(.evalCandidates, &evalCandidates)
    try v(.evalEvery, &evalEvery)
    try v(.logEvery, &logEvery)
    try v(.checkpointMinutes, &checkpointMinutes)
    try v(.maxMinutes, &maxMinutes)
    try v(.threads, &threads)
    try v(.dataParallel, &dataParallel)
    try v(.skipPadding, &skipPadding)
    try v(.modelName, &modelName)
    let known = Set(CodingKeys.allCases.map(\.stringValue))
    if let all = try? decoder.container(keyedBy: AnyKey.self) {
      for key in all.allKeys where !known.contains(key.stringValue) {
        throw PretrainError.invalidConfig(
          "unknown key '\(key.stringValue)'; known keys: \(known.sorted().joined(separator: ", "))")
      }
    }
  }

  private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  // MARK: Loading and checking

  /// Reads a JSON config file (missing keys keep their defaults).
  public static func load(path: String) throws -> PretrainConfig {
    guard let data = FileManager.default.contents(atPath: expandPath(path)) else {
      throw PretrainError.io(path: path, reason: "cannot read the config file")
    }
    do {
      return try JSONDecoder().decode(PretrainConfig.self, from: data)
    } catch let e as PretrainError {
      throw e
    } catch {
      throw PretrainError.invalidConfig("\(path) is not a valid pretraining config: \(error)")
    }
  }

  /// Pretty JSON with sorted keys.
  public func jsonData() throws -> Data {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    return try e.encode(self)
  }

  /// Throws `PretrainError.invalidConfig` with the first problem found.
  public func validate() throws {
    func check(_ ok: Bool, _ message: String) throws { if !ok { throw PretrainError.invalidConfig(message) } }
    try check(["transformer", "bilstm"].contains(architecture), "architecture must be 'transformer' or 'bilstm'")
    try check(dim > 0 && layers > 0 && maxLength > 1, "dim, layers and maxLength must be positive")
    try check(architecture != "transformer" || (heads > 0 && dim % heads == 0), "dim must be a multiple of heads")
    try check(architecture != "bilstm" || dim % 2 == 0, "a BiLSTM needs an even dim")
    try check(batchSize >= 2, "batchSize must be at least 2")
    try check(dataParallel >= 1, "dataParallel must be at least 1")
    try check(queueSize >= 0, "queueSize must not be negative")
    try check(momentum >= 0 && momentum < 1, "momentum must be in [0, 1)")
    try check(temperature > 0, "temperature must be positive")
    try check(steps > 0, "steps must be positive")
    try check(["cosine", "linear", "constant"].contains(schedule), "schedule must be cosine, linear or constant")
    try check(
      ["contracode", "semantics-preserving"].contains(augment),
      "augment must be 'contracode' or 'semantics-preserving'")
    try check(augmentWorkers >= 1 && prefetchBatches >= 1, "augmentWorkers and prefetchBatches must be at least 1")
    try check(projectionDim > 0, "projectionDim must be positive")
    try check(mlmWeight >= 0 && mocoWeight >= 0, "mlmWeight and mocoWeight must not be negative")
    try check(mlmWeight > 0 || mocoWeight > 0, "mlmWeight and mocoWeight cannot both be 0")
    try check(mlmProbability > 0 && mlmProbability < 1, "mlmProbability must be in (0, 1)")
    try check(["query", "original"].contains(mlmView), "mlmView must be 'query' or 'original'")
    try check(naturalSteps >= 0, "naturalSteps must not be negative")
    try check(naturalSteps == 0 || !naturalPairs.isEmpty, "naturalSteps > 0 needs naturalPairs (a JSON Lines file)")
    try check(naturalBatchSize >= 2, "naturalBatchSize must be at least 2")
    try check(naturalMargin >= 0 && naturalTemperature > 0, "naturalMargin must be >= 0 and naturalTemperature > 0")
    try check(naturalHardCandidates >= 1, "naturalHardCandidates must be at least 1")
    try check(
      naturalBlindProbability >= 0 && naturalBlindProbability <= 1, "naturalBlindProbability must be in [0, 1]")
    try check(
      naturalRenameProbability >= 0 && naturalRenameProbability <= 1, "naturalRenameProbability must be in [0, 1]")
  }

  /// The fields that shape the model and its optimizer state: a checkpoint must agree on these to resume.
  public var shapeSignature: String {
    let base =
      "\(architecture) d\(dim) L\(layers) h\(heads) ffn\(ffn) T\(maxLength) proj\(projectionDim) Q\(queueSize) B\(batchSize)"
    // a pure MoCo run keeps the signature of the checkpoints written before the MLM head existed
    return mlmWeight > 0 ? base + (mlmTieEmbeddings ? " mlm" : " mlm-untied") : base
  }

  /// The last step of the run: the MoCo/hybrid steps, then the natural-positive stage.
  public var totalSteps: Int { steps + naturalSteps }
}

/// `~` expanded to the home folder.
func expandPath(_ path: String) -> String { (path as NSString).expandingTildeInPath }
