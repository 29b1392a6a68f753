/// Errors from fetching the corpus and building the datasets, each with a sentence a user can act on.
public enum CorpusError: Error, CustomStringConvertible, Equatable {
  case unreadableManifest(path: String, reason: String)
  case invalidManifest(String)
  case commandFailed(command: String, status: Int32, output: String)
  case noSourceRepositories(String)
  case checksumMismatch(file: String, expected: String, actual: String)
  case missingPackages([String])
  case notExtracted(package: String, path: String)
  case io(path: String, reason: String)
  case blobMismatch(repository: String, path: String, expected: String, actual: String)
  case missingFile(repository: String, path: String, origin: String)
  case missingRepositories([String])

  public var description: String {
    switch self {
    case .unreadableManifest(let path, let reason):
      return
        "cannot read the corpus manifest \(path): \(reason). Pass --manifest with the path of Models/corpus-manifest.json"
    case .invalidManifest(let why):
      return "the corpus manifest is invalid: \(why)"
    case .commandFailed(let command, let status, let output):
      return "`\(command)` exited with status \(status): \(output.suffix(400))"
    case .noSourceRepositories(let why):
      return "no deb-src repository is configured and it cannot be added: \(why). "
        + "Add a copy of /etc/apt/sources.list.d/debian.sources with `Types: deb-src` and run `apt-get update`"
    case .checksumMismatch(let file, let expected, let actual):
      return
        "\(file) has sha256 \(actual) but the manifest expects \(expected); delete it and run `codeintel corpus fetch` again"
    case .missingPackages(let names):
      return "these manifest packages are not downloaded or extracted: \(names.joined(separator: ", ")). "
        + "Run `codeintel corpus fetch` first"
    case .notExtracted(let package, let path):
      return "package \(package) is not extracted at \(path); run `codeintel corpus fetch`"
    case .io(let path, let reason):
      return "\(path): \(reason)"
    case .blobMismatch(let repository, let path, let expected, let actual):
      return "\(repository): \(path) has git blob id \(actual) but the manifest pins \(expected); "
        + "the file is corrupt or not from the pinned commit, so it is refused"
    case .missingFile(let repository, let path, let origin):
      return "\(repository): \(path) is listed in the manifest but missing from \(origin); refused"
    case .missingRepositories(let names):
      return "these manifest repositories are not fetched and verified: \(names.joined(separator: ", ")). "
        + "Run `codeintel corpus fetch --archives DIR` (or with network access, `codeintel corpus fetch`) first"
    }
  }
}
