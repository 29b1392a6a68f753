import Foundation

// MARK: - Errors

/// Errors of pretraining, checkpoints and model loading, each with a sentence a user can act on.
public enum PretrainError: Error, CustomStringConvertible, Equatable {
  case invalidConfig(String)
  case io(path: String, reason: String)
  case noData(path: String, reason: String)
  /// The natural-pairs file of the natural-positive stage is unusable.
  case naturalPairs(path: String, reason: String)
  case checkpointFormat(path: String, reason: String)
  case checkpointVersion(path: String, found: Int, expected: Int)
  case checkpointMismatch(path: String, reason: String)
  case modelNotFound(searched: [String])
  case invalidModel(path: String, reason: String)

  public var description: String {
    switch self {
    case .invalidConfig(let m): return "invalid pretraining config: \(m)"
    case .io(let p, let r): return "\(p): \(r)"
    case .noData(let p, let r):
      return "\(p): \(r); build the datasets with `codeintel corpus fetch` and `codeintel corpus build`, "
        + "or point `trainData`/`heldOutData` at JSON Lines with a `text` field"
    case .naturalPairs(let p, let r):
      return "\(p): \(r); naturalPairs must be JSON Lines of same-problem solutions, "
        + "{\"a\": code, \"b\": code, \"problem\": key} or {\"text\": code, \"problem\": key} (docs/PRETRAINING.md)"
    case .checkpointFormat(let p, let r): return "\(p) is not a codeintel MoCo checkpoint (\(r))"
    case .checkpointVersion(let p, let found, let expected):
      return "\(p) is checkpoint format version \(found) but this codeintel reads version \(expected); "
        + "resume it with the codeintel build that wrote it, or start a fresh run without --resume in a new --out folder"
    case .checkpointMismatch(let p, let r):
      return "\(p) was written by a different run (\(r)); resume without --config (the checkpoint carries its "
        + "config) or start a fresh run in a new --out folder"
    case .modelNotFound(let searched):
      return "no pretrained model found (looked in: \(searched.joined(separator: ", "))); pass --model DIR or set "
        + "CODEINTEL_MODEL to a folder holding config.json, tokenizer.json and encoder.safetensors"
    case .invalidModel(let p, let r): return "\(p) is not a usable model folder: \(r)"
    }
  }
}
