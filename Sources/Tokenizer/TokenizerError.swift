// MARK: - Errors

/// Why training, saving or loading a tokenizer failed, each with a sentence a user can act on.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
  /// The configuration cannot be trained (e.g. a vocabulary too small for the specials and byte pieces).
  case invalidConfiguration(String)
  /// Training was given no text.
  case emptyCorpus
  /// `tokenizer.json` was written by a format version this build does not read.
  case unsupportedVersion(found: Int, supported: Int)
  /// The file is not a codeintel tokenizer, or a field is missing or malformed.
  case malformedFile(String)
  /// Reading or writing the file failed.
  case io(String)

  public var description: String {
    switch self {
    case .invalidConfiguration(let why):
      return "invalid tokenizer configuration: \(why)"
    case .emptyCorpus:
      return "no training text: pass the train split's source files (an empty corpus cannot give a vocabulary)"
    case .unsupportedVersion(let found, let supported):
      return "tokenizer.json has format version \(found), but this build of codeintel reads version \(supported): "
        + "retrain the tokenizer with this build, or use the codeintel version that wrote the file"
    case .malformedFile(let why):
      return "not a valid codeintel tokenizer.json: \(why); retrain the tokenizer or check the path"
    case .io(let why):
      return why
    }
  }
}
