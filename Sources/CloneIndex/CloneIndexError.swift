/// Errors from the clone index, each with a sentence a user can act on.
public enum CloneIndexError: Error, CustomStringConvertible, Equatable {
  /// The repository path does not exist or is not a directory.
  case notADirectory(String)
  /// A path given on the command line does not exist.
  case noSuchPath(String)
  /// SQLite reported an error.
  case database(String)
  /// The index file exists but was written by something else or an incompatible version.
  case incompatibleIndex(String)
  /// The embedder produced vectors of the wrong size.
  case embedderMismatch(String)
  /// A search query could not be resolved to a function.
  case queryNotFound(String)
  /// A file could not be read or written.
  case io(String)

  public var description: String {
    switch self {
    case .notADirectory(let p): return "\(p): not a directory (give the root folder of a repository)"
    case .noSuchPath(let p): return "\(p): no such file or directory"
    case .database(let why): return "index database error: \(why)"
    case .incompatibleIndex(let why): return "incompatible index: \(why)"
    case .embedderMismatch(let why): return "embedder error: \(why)"
    case .queryNotFound(let why): return why
    case .io(let why): return why
    }
  }
}
