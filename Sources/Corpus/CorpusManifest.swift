import Foundation

/// Which part of the corpus a package or repository belongs to. Packages and repositories, never
/// files or functions, are split (the solution collections are split by problem, see
/// `ProblemSplit`).
///
/// `train` is one pool (Debian and GitHub). The held-out sides stay apart by source: `valid` and
/// `test` are the Debian packages exactly as before (so earlier numbers stay comparable),
/// `github-valid` and `github-test` the held-out GitHub repositories and problems.
public enum CorpusSplit: String, Sendable, Codable, CaseIterable, Comparable {
  case train
  case valid
  case test
  case githubValid = "github-valid"
  case githubTest = "github-test"

  /// Processing order: train first, so that later splits can drop what train already holds; then
  /// the validation splits, then the test splits.
  public var rank: Int {
    switch self {
    case .train: return 0
    case .valid: return 1
    case .githubValid: return 2
    case .test: return 3
    case .githubTest: return 4
    }
  }

  /// Whether this is a test split (never used for training or model selection).
  public var isTest: Bool { self == .test || self == .githubTest }

  public static func < (a: CorpusSplit, b: CorpusSplit) -> Bool { a.rank < b.rank }
}

/// One orig tarball of a Debian source package, with the checksum from the package's `.dsc`.
public struct ManifestTarball: Sendable, Codable, Equatable {
  /// File name as in the Debian archive, e.g. `acorn_8.8.1+ds+~cs25.17.7.orig.tar.xz`.
  public var file: String
  /// The lowercase hex SHA-256 listed in the `.dsc`.
  public var sha256: String
  /// The component name for `orig-COMPONENT` tarballs (extracted into a folder of that name), nil
  /// for the main orig tarball.
  public var component: String?

  public init(file: String, sha256: String, component: String? = nil) {
    self.file = file
    self.sha256 = sha256
    self.component = component
  }
}

/// One Debian source package of the corpus.
public struct ManifestPackage: Sendable, Codable, Equatable {
  /// The source package name, e.g. `node-typescript`.
  public var name: String
  /// The exact Debian version, with epoch if any, e.g. `3:4.7.7+~4.1.0-1`.
  public var version: String
  public var split: CorpusSplit
  /// The package's main language (`javascript` or `typescript`), for reporting the split balance.
  public var language: String
  /// The tarballs the datasets are built from. Tarballs the archive lists but does not serve are
  /// left out, and the datasets never depend on them.
  public var tarballs: [ManifestTarball]
  /// Path prefixes (relative to the extracted source tree) to leave out, e.g. `tests/cases/`.
  public var exclude: [String]
  /// Why the package sits where it does, or what its exclusions are for.
  public var note: String?

  public init(
    name: String, version: String, split: CorpusSplit, language: String, tarballs: [ManifestTarball],
    exclude: [String] = [], note: String? = nil
  ) {
    self.name = name
    self.version = version
    self.split = split
    self.language = language
    self.tarballs = tarballs
    self.exclude = exclude
    self.note = note
  }

  /// The version without its epoch, as it appears in archive file names.
  public var fileVersion: String {
    guard let colon = version.firstIndex(of: ":") else { return version }
    return String(version[version.index(after: colon)...])
  }

  /// The folder name of the extracted tree in the cache.
  public var directoryName: String { "\(name)_\(fileVersion)" }
}

/// The committed list of source packages the corpus is built from, and the split of each.
///
/// The manifest lives beside the models (`Models/corpus-manifest.json`) so that a model's training
/// data is explicit: the same manifest always yields byte-identical datasets.
public struct CorpusManifest: Sendable, Codable, Equatable {
  /// Format version of this file.
  public var format: Int
  /// Where the packages come from (distribution and archive snapshot).
  public var archive: String
  /// Seed for every random choice the dataset build makes (clone-pair negatives, augmentations).
  public var seed: UInt64
  public var packages: [ManifestPackage]
  /// The pinned GitHub repositories (format 2), in name order.
  public var repositories: [ManifestRepository]?
  /// How the solution collections' problems are split (format 2).
  public var problemSplit: ProblemSplit?

  enum CodingKeys: String, CodingKey {
    case format, archive, seed, packages, repositories
    case problemSplit = "problem_split"
  }

  public init(
    format: Int = 1, archive: String, seed: UInt64, packages: [ManifestPackage],
    repositories: [ManifestRepository]? = nil, problemSplit: ProblemSplit? = nil
  ) {
    self.format = format
    self.archive = archive
    self.seed = seed
    self.packages = packages
    self.repositories = repositories
    self.problemSplit = problemSplit
  }

  /// Reads and validates a manifest file.
  public static func load(path: String) throws -> CorpusManifest {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CorpusError.unreadableManifest(path: path, reason: "the file does not exist or cannot be read")
    }
    let manifest: CorpusManifest
    do {
      manifest = try JSONDecoder().decode(CorpusManifest.self, from: data)
    } catch {
      throw CorpusError.unreadableManifest(path: path, reason: "not a corpus manifest (\(error))")
    }
    try manifest.validate()
    return manifest
  }

  /// The manifest as stable, pretty JSON (sorted keys), ending in a newline.
  public func encoded() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // Foundation writes `"key" : value`; the committed file uses `"key": value` (Python's json.dump,
    // which wrote the first manifest), so that rewriting it changes only what changed.
    let text = String(decoding: try encoder.encode(self), as: UTF8.self)
    var out = ""
    out.reserveCapacity(text.utf8.count)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    var i = 0
    while i < lines.count {
      var line = lines[i]
      // An empty array comes out as `[`, a blank line, `]`: write `[]`.
      if line.hasSuffix("["), i + 2 < lines.count, lines[i + 1].allSatisfy({ $0 == " " }),
        lines[i + 2].drop(while: { $0 == " " }).hasPrefix("]")
      {
        line = Substring(String(line) + lines[i + 2].drop(while: { $0 == " " }))
        i += 2
      }
      let indent = line.prefix { $0 == " " }
      let rest = line.dropFirst(indent.count)
      if rest.hasPrefix("\""), let close = rest.dropFirst().firstIndex(of: "\""),
        rest[rest.index(after: close)...].hasPrefix(" : ")
      {
        out += indent + rest[...close] + ": " + rest[rest.index(close, offsetBy: 4)...] + "\n"
      } else {
        out += line + "\n"
      }
      i += 1
    }
    while out.hasSuffix("\n\n") { out.removeLast() }
    return Data(out.utf8)
  }

  /// Checks the rules a usable manifest keeps: unique names, at least one tarball each, and a test
  /// split with at least 6 TypeScript and 6 JavaScript packages.
  public func validate() throws {
    guard format == 1 || format == 2 else {
      throw CorpusError.invalidManifest("format \(format) is not supported (expected 1 or 2)")
    }
    var seen = Set<String>()
    for p in packages {
      guard seen.insert(p.name).inserted else { throw CorpusError.invalidManifest("package \(p.name) is listed twice") }
      guard !p.tarballs.isEmpty else { throw CorpusError.invalidManifest("package \(p.name) lists no tarball") }
      guard ["javascript", "typescript"].contains(p.language) else {
        throw CorpusError.invalidManifest(
          "package \(p.name) has language \(p.language) (expected javascript or typescript)")
      }
    }
    for p in packages where ![.train, .valid, .test].contains(p.split) {
      throw CorpusError.invalidManifest(
        "package \(p.name) is in split \(p.split.rawValue) (Debian packages use train, valid, test)")
    }
    try validateRepositories()
    let test = packages.filter { $0.split == .test }
    let ts = test.filter { $0.language == "typescript" }.count
    let js = test.filter { $0.language == "javascript" }.count
    guard ts >= 6, js >= 6 else {
      throw CorpusError.invalidManifest(
        "the test split holds \(ts) TypeScript and \(js) JavaScript packages (6 of each needed)")
    }
  }

  /// Packages in processing order: by split (train, valid, test), then by name.
  public var orderedPackages: [ManifestPackage] {
    packages.sorted { ($0.split.rank, $0.name) < ($1.split.rank, $1.name) }
  }
}
