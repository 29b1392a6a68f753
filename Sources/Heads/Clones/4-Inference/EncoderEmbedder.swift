import CloneIndex
import Foundation
import Model

/// The pretrained ContraCode encoder as a clone-index `Embedder`: `codeintel clones/search/embed
/// --model encoder` (or `--model DIR`). Vectors are the encoder's pooled, L2-normalised embeddings of
/// each unit's source text.
public struct EncoderEmbedder: Embedder {
  public let model: PretrainedModel

  public init(model: PretrainedModel) { self.model = model }

  /// Stored in the index: another model (or another checkpoint of it) re-embeds everything.
  public var modelID: String {
    "encoder:\(model.info.name)-\(model.info.architecture)-d\(model.info.dim)-\(model.info.steps)steps"
  }
  public var dimension: Int { model.dimension }

  public func embed(_ units: [UnitText]) throws -> [[Float]] { model.embed(functions: units.map(\.text)) }
}

/// What `--model` names in `clones`, `search` and `embed`.
public enum CloneModelChoice {
  /// The accepted words besides a model folder.
  public static let help = "hashed (default), encoder (the shipped ContraCode model), or a model folder"

  /// The embedder `--model` names, and the functional threshold calibrated for it (nil when the model
  /// folder holds no `clone-calibration.json`). `nil` or `hashed`: the hashed features.
  public static func resolve(_ value: String?) throws -> (embedder: any Embedder, threshold: Float?) {
    switch value {
    case nil, "hashed", "hashed-features":
      return (HashedFeatureEmbedder(), CloneOptions.defaultThreshold)
    case "encoder", "contracode":
      return try load(PretrainedModel.loadDefault(explicit: nil))
    case let path?:
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw CloneIndexError.noSuchPath("\(path) (--model takes \(help))")
      }
      return try load(PretrainedModel.load(directory: path))
    }
  }

  private static func load(_ model: PretrainedModel) throws -> (embedder: any Embedder, threshold: Float?) {
    let calibration = try CloneCalibration.load(directory: model.directory)
    return (EncoderEmbedder(model: model), calibration.map { Float($0.encoderThreshold.threshold) })
  }
}

extension ClonePairScorer {
  /// The scorer `codeintel clones` uses by default: `clone-scorer.json` in the first model folder of
  /// `ModelFolder.searchPaths` that has one (with `$CODEINTEL_MODEL` set, only there); nil when none has. A
  /// broken file is refused with a sentence, never silently skipped.
  public static func locateDefault() throws -> ClonePairScorer? {
    for dir in ModelFolder.searchPaths(subfolder: nil) {
      if let s = try load(directory: URL(fileURLWithPath: dir)) { return s }
    }
    return nil
  }
}
