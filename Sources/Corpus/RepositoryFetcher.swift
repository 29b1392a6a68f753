import Foundation

/// Gets the manifest's pinned Git repositories into the cache and verifies every file against its
/// git blob id.
///
/// Two ways, same result: from a folder of archives laid out like the shared GitHub corpus
/// (`repos/OWNER+NAME.tar.xz`, or `OWNER+NAME.tar.xz` at the top), or with `git` from the
/// repository's URL at the pinned commit (a user's `url.<base>.insteadOf` applies). Either way the
/// files land in `github/OWNER+NAME/` and a file whose bytes do not hash to the pinned blob id, or
/// that is missing, stops the fetch with an error naming it. Only the listed files are kept.
public struct RepositoryFetcher {
  public let cache: URL
  /// A folder of archives; nil means fetch with git.
  public var archives: URL?
  public var github: URL { cache.appendingPathComponent("github") }

  public init(cache: URL, archives: URL? = nil) {
    self.cache = cache
    self.archives = archives
  }

  /// The verified tree of a repository.
  public func tree(of repository: ManifestRepository) -> URL {
    github.appendingPathComponent(repository.directoryName)
  }

  /// What the marker file of a verified tree holds: the commit and a digest of the file list.
  static func stamp(_ repository: ManifestRepository) -> String {
    "\(repository.commit)  \(SHA256.hex(repository.files.joined(separator: "\n")))\n"
  }

  public func isReady(_ repository: ManifestRepository) -> Bool {
    let marker = tree(of: repository).appendingPathComponent(".codeintel-verified")
    guard let data = FileManager.default.contents(atPath: marker.path) else { return false }
    return String(decoding: data, as: UTF8.self) == Self.stamp(repository)
  }

  /// Fetches and verifies every repository not already verified. Resumable: a repository whose
  /// marker matches is skipped. Throws on the first corrupt or missing file.
  @discardableResult
  public func fetch(manifest: CorpusManifest, progress: (String) -> Void = { _ in }) throws -> Int {
    let repositories = manifest.orderedRepositories
    var fetched = 0
    for (i, repository) in repositories.enumerated() {
      let tag = "[\(i + 1)/\(repositories.count)] \(repository.name)@\(repository.commit.prefix(12))"
      if isReady(repository) {
        progress("\(tag): ready")
        continue
      }
      try fetch(repository)
      fetched += 1
      progress("\(tag): \(repository.files.count) files verified")
    }
    return fetched
  }

  /// Fetches one repository into its tree and verifies it.
  public func fetch(_ repository: ManifestRepository) throws {
    let fm = FileManager.default
    try fm.createDirectory(at: github, withIntermediateDirectories: true)
    let scratch = github.appendingPathComponent(".fetch-\(repository.directoryName)")
    try? fm.removeItem(at: scratch)
    try fm.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? fm.removeItem(at: scratch) }
    let unpacked = scratch.appendingPathComponent("files")
    try fm.createDirectory(at: unpacked, withIntermediateDirectories: true)
    let origin: String
    if let archives {
      let candidates = [
        archives.appendingPathComponent("repos/\(repository.directoryName).tar.xz"),
        archives.appendingPathComponent("\(repository.directoryName).tar.xz"),
      ]
      guard let archive = candidates.first(where: { fm.fileExists(atPath: $0.path) }) else {
        throw CorpusError.io(
          path: candidates[0].path, reason: "no archive for \(repository.name) in \(archives.path)")
      }
      try Process.runChecked("/bin/tar", ["-xJf", archive.path, "-C", unpacked.path, "--no-same-owner"], in: scratch)
      origin = archive.path
    } else {
      // A shallow fetch of exactly the pinned commit, then `git archive` for the committed bytes
      // (no checkout filters or line-ending conversion).
      let git = scratch.appendingPathComponent("git")
      try Process.runChecked("/usr/bin/git", ["init", "-q", "--bare", git.path], in: scratch)
      do {
        try Process.runChecked(
          "/usr/bin/git", ["-C", git.path, "fetch", "-q", "--depth", "1", repository.url, repository.commit],
          in: scratch)
      } catch {
        // Servers that refuse a fetch by commit id: fetch everything, then pick the commit.
        try Process.runChecked(
          "/usr/bin/git", ["-C", git.path, "fetch", "-q", repository.url, "+refs/heads/*:refs/heads/*"], in: scratch)
      }
      let tar = scratch.appendingPathComponent("tree.tar")
      try Process.runChecked(
        "/usr/bin/git", ["-C", git.path, "archive", "--format=tar", "-o", tar.path, repository.commit], in: scratch)
      try Process.runChecked("/bin/tar", ["-xf", tar.path, "-C", unpacked.path, "--no-same-owner"], in: scratch)
      origin = "\(repository.url) at \(repository.commit)"
    }
    // Verify the listed files and move only those into the tree.
    let staged = scratch.appendingPathComponent("verified")
    for file in repository.parsedFiles {
      let source = unpacked.appendingPathComponent(file.path)
      guard let data = fm.contents(atPath: source.path) else {
        throw CorpusError.missingFile(repository: repository.name, path: file.path, origin: origin)
      }
      let id = SHA1.gitBlobID([UInt8](data))
      guard id == file.blob else {
        throw CorpusError.blobMismatch(repository: repository.name, path: file.path, expected: file.blob, actual: id)
      }
      let target = staged.appendingPathComponent(file.path)
      try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
      try fm.moveItem(at: source, to: target)
    }
    if !fm.fileExists(atPath: staged.path) { try fm.createDirectory(at: staged, withIntermediateDirectories: true) }
    let marker = staged.appendingPathComponent(".codeintel-verified")
    guard fm.createFile(atPath: marker.path, contents: Data(Self.stamp(repository).utf8)) else {
      throw CorpusError.io(path: marker.path, reason: "cannot write the verification marker")
    }
    let target = tree(of: repository)
    try? fm.removeItem(at: target)
    try fm.moveItem(at: staged, to: target)
  }
}

extension Process {
  /// Runs a program to its end and returns its exit status and its output (stdout and stderr together);
  /// a program that cannot start is `CorpusError.commandFailed`.
  static func runCapturing(_ executable: String, _ arguments: [String], in directory: URL) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do {
      try process.run()
    } catch {
      throw CorpusError.commandFailed(
        command: ([executable] + arguments).joined(separator: " "), status: -1, output: "\(error)")
    }
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
  }

  /// Runs a program and throws `CorpusError.commandFailed` with its output when it fails.
  static func runChecked(_ executable: String, _ arguments: [String], in directory: URL) throws {
    let (status, output) = try runCapturing(executable, arguments, in: directory)
    guard status == 0 else {
      throw CorpusError.commandFailed(
        command: ([executable] + arguments).joined(separator: " "), status: status, output: output)
    }
  }
}
