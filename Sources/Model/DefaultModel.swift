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
  public static let defaultName = "contracode-moco-small"
  /// The environment variable that names another model folder.
  public static let environmentVariable = "CODEINTEL_MODEL"

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
    let dir = URL(fileURLWithPath: expandPath(directory))
    let configURL = dir.appendingPathComponent("config.json")
    guard let data = FileManager.default.contents(atPath: configURL.path) else {
      throw PretrainError.invalidModel(path: dir.path, reason: "it has no readable config.json")
    }
    let info: Info
    do {
      info = try JSONDecoder().decode(Info.self, from: data)
    } catch {
      throw PretrainError.invalidModel(path: configURL.path, reason: "config.json \(DecodingSentence.describe(error))")
    }
    guard info.format == formatName else {
      throw PretrainError.invalidModel(path: configURL.path, reason: "format is '\(info.format)', not '\(formatName)'")
    }
    guard info.version == formatVersion else {
      throw PretrainError.invalidModel(
        path: configURL.path,
        reason: "model format version \(info.version) but this codeintel reads \(formatVersion); use a matching model")
    }
    let tokenizer = try Tokenizer.load(from: dir.appendingPathComponent(info.tokenizer))
    let encoder = try EncoderFactory.load(from: dir.appendingPathComponent(info.encoder).path)
    encoder.training = false
    return PretrainedModel(directory: dir, info: info, tokenizer: tokenizer, encoder: encoder)
  }

  init(directory: URL, info: Info, tokenizer: Tokenizer, encoder: any SequenceEncoder) {
    self.directory = directory
    self.info = info
    self.tokenizer = tokenizer
    self.encoder = encoder
  }

  /// The default model: `explicit` (a `--model DIR` flag) if given, else `$CODEINTEL_MODEL`, else
  /// `Models/<defaultName>` in the repository that holds the running executable (found by walking up from the
  /// executable's real path), else the same walking up from the current directory.
  public static func loadDefault(explicit: String? = nil) throws -> PretrainedModel {
    if let explicit { return try load(directory: explicit) }
    if let env = try environmentModelDirectory() { return try load(directory: env) }
    let candidates = defaultSearchPaths()
    for dir in candidates where FileManager.default.fileExists(atPath: dir + "/config.json") {
      return try load(directory: dir)
    }
    throw PretrainError.modelNotFound(searched: ["$" + environmentVariable] + candidates)
  }

  /// The no-argument form the clone index calls.
  public static func loadDefault() throws -> PretrainedModel { try loadDefault(explicit: nil) }

  /// Folders `loadDefault` looks at after the flag and the environment, in order.
  public static func defaultSearchPaths() -> [String] {
    var starts: [URL] = []
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      starts.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
    }
    if let first = CommandLine.arguments.first, first.contains("/") {
      starts.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
    }
    starts.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    var out: [String] = []
    for start in starts {
      var dir = start.standardizedFileURL
      for _ in 0..<10 {
        let candidate = dir.appendingPathComponent("Models").appendingPathComponent(defaultName).path
        if !out.contains(candidate) { out.append(candidate) }
        let parent = dir.deletingLastPathComponent()
        if parent.path == dir.path { break }
        dir = parent
      }
    }
    return out
  }

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

  /// Writes a model folder from a MoCo run: the query encoder and head, the tokenizer and `config.json`.
  public static func write(moco: MoCo, tokenizer: Tokenizer, to dir: URL) throws {
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
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
    try tokenizer.save(to: dir.appendingPathComponent("tokenizer.json"))
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    try e.encode(info).write(to: dir.appendingPathComponent("config.json"))
  }
}
