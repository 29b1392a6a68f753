// MARK: - Errors

/// What can go wrong when reading, writing or loading weights. Each message says what to do.
public enum TensorError: Error, CustomStringConvertible, Equatable {
  /// The file could not be read or written.
  case io(path: String, reason: String)
  /// The bytes are not a valid safetensors file.
  case malformed(path: String, reason: String)
  /// The file's format version is not one this build reads.
  case version(path: String, found: String, expected: String)
  /// The file's tensors do not match the model's parameters.
  case mismatch(path: String, reason: String)

  public var description: String {
    switch self {
    case .io(let path, let reason):
      return "cannot access \(path): \(reason); check that the path exists and is readable/writable."
    case .malformed(let path, let reason):
      return "\(path) is not a valid safetensors file (\(reason)); re-export or re-download the weights."
    case .version(let path, let found, let expected):
      return "\(path) has weights format version \(found) but this codeintel reads version \(expected); "
        + "use a codeintel build that matches the file, or retrain/convert the model with this one."
    case .mismatch(let path, let reason):
      return "\(path) does not fit this model (\(reason)); load it with the config stored in the file's "
        + "metadata (the `config` entry), or point to the weights that were trained with this config."
    }
  }
}
