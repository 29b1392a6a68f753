import Foundation
import Tensor
import Tokenizer

// MARK: - The shipped model

/// A pretrained encoder with its tokenizer, loaded from a model folder (`config.json`, `tokenizer.json`,
/// `encoder.safetensors`, optionally `head.safetensors`): what the clone index, the CLI and the heads call to
/// turn functions into vectors.
///
/// `embed` is thread-safe (calls are serialised on the one encoder).
public final class PretrainedModel: @unchecked Sendable {
  /// The folder name of the model shipped in `Models/`.
  public static let defaultName = ModelFolder.defaultModelName
  /// The environment variable that names another model folder.
  public static let environmentVariable = ModelFolder.modelEnvironmentVariable

  /// What `config.json` holds.
  public struct Info: Codable, Sendable, Equatable {
    public var format: String
    public var version: Int
    public var name: String
    public var architecture: String
    public var dim: Int
    public var maxLength: Int
    public var vocab: Int
    public var projectionDim: Int
    public var steps: Int
    public var encoder: String
    public var head: String?
    public var tokenizer: String
    /// The pretraining config that produced the weights.
    public var pretrain: PretrainConfig
  }

  public static let formatName = "codeintel-model"
  /// The masked-token head of a hybrid run, next to `config.json` (optional).
  public static let mlmHeadFile = "mlm-head.safetensors"
  public static let formatVersion = 1

  public let directory: URL
  public let info: Info
  public let tokenizer: Tokenizer
  public let encoder: any SequenceEncoder
  private let lock = NSLock()

  /// The width of the embeddings `embed` returns.
  public var dimension: Int { encoder.dim }

  // MARK: Loading

  /// Opens a model folder.
  public static func load(directory: String) throws -> PretrainedModel {
    let folder = ModelFolder(path: directory, kind: "model")
    let info = try folder.config(Info.self, format: formatName, version: formatVersion)
    let tokenizer = try folder.tokenizer(info.tokenizer)
    let encoder = try folder.encoder(info.encoder)
    return PretrainedModel(directory: folder.url, info: info, tokenizer: tokenizer, encoder: encoder)
  }

  init(directory: URL, info: Info, tokenizer: Tokenizer, encoder: any SequenceEncoder) {
    self.directory = directory
    self.info = info
    self.tokenizer = tokenizer
    self.encoder = encoder
  }

  /// The default model: `explicit` (a `--model DIR` flag) if given, else `$CODEINTEL_MODEL`, else
  /// `Models/<defaultName>` in the repository that holds the running executable (found by walking up from the
  /// executable's real path), else the same walking up from the current directory (`ModelFolder.locate`).
  public static func loadDefault(explicit: String? = nil) throws -> PretrainedModel {
    let found = try ModelFolder.locate(
      explicit: explicit, environmentVariable: environmentVariable, subfolder: nil, kind: "model")
    guard let folder = found.folder else { throw PretrainError.modelNotFound(searched: found.searched) }
    return try load(directory: folder.path)
  }

  /// The no-argument form the clone index calls.
  public static func loadDefault() throws -> PretrainedModel { try loadDefault(explicit: nil) }

  /// Folders `loadDefault` looks at after the flag and the environment, in order.
  public static func defaultSearchPaths() -> [String] { ModelFolder.defaultSearchPaths() }

  // MARK: Embedding

  /// Token ids of a function as the model sees it (deterministic, truncated to the model's length).
  public func tokens(of function: String) -> [Int32] {
    tokenizer.encode(function, options: EncodeOptions(maxLength: info.maxLength)).ids
  }

  /// One unit-length embedding per function source text, in order (cosine similarity = dot product).
  public func embed(functions: [String]) -> [[Float]] {
    guard !functions.isEmpty else { return [] }
    let sequences = functions.map(tokens(of:))
    lock.lock()
    let flat = Inference.embed(encoder: encoder, sequences: sequences)
    lock.unlock()
    let d = encoder.dim
    return (0..<functions.count).map { Array(flat[($0 * d)..<(($0 + 1) * d)]) }
  }

  // MARK: Writing

  /// Writes a model folder from a MoCo run: the query encoder and head, the tokenizer and `config.json`; with a
  /// masked-token head also `mlm-head.safetensors` (read back only by `--warm-start`).
  public static func write(moco: MoCo, tokenizer: Tokenizer, to dir: URL) throws {
    let folder = ModelFolder(url: dir)
    try folder.create()
    let c = moco.config
    let info = Info(
      format: formatName, version: formatVersion, name: c.modelName, architecture: c.architecture, dim: c.dim,
      maxLength: c.maxLength, vocab: tokenizer.vocabSize, projectionDim: c.projectionDim, steps: moco.step,
      encoder: "encoder.safetensors", head: "head.safetensors", tokenizer: "tokenizer.json", pretrain: c)
    let meta = ["name": c.modelName, "steps": String(moco.step)]
    try EncoderFactory.save(
      moco.queryEncoder, to: dir.appendingPathComponent("encoder.safetensors").path,
      metadata: meta)
    try moco.queryHead.parameters.save(to: dir.appendingPathComponent("head.safetensors").path, metadata: meta)
    if let mlm = moco.mlmHead {
      var m = meta
      m["tied"] = mlm.tied ? "true" : "false"
      try mlm.parameters.save(to: dir.appendingPathComponent(mlmHeadFile).path, metadata: m)
    }
    try tokenizer.save(to: dir.appendingPathComponent("tokenizer.json"))
    try folder.writeJSON(info, to: ModelFolder.configFile)
  }
}
