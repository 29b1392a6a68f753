import Foundation

/// One file of a pinned repository: its path at the commit, git blob id and size.
public struct RepositoryFile: Sendable, Equatable {
  public var path: String
  /// Git's blob id, `sha1("blob <size>\\0" + bytes)`, lowercase hex.
  public var blob: String
  public var size: Int

  public init(path: String, blob: String, size: Int) {
    self.path = path
    self.blob = blob
    self.size = size
  }

  /// The manifest form: `BLOB SIZE PATH` (the path last, so it may hold spaces).
  public var line: String { "\(blob) \(size) \(path)" }

  public init?(line: String) {
    let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 40, let size = Int(parts[1]), !parts[2].isEmpty else { return nil }
    self.init(path: String(parts[2]), blob: String(parts[0]), size: size)
  }
}

/// One pinned Git repository of the corpus: where it lives, the commit, its license and the files
/// taken from it, each with its git blob id.
public struct ManifestRepository: Sendable, Codable, Equatable {
  /// `OWNER/NAME` on GitHub.
  public var name: String
  /// Clone URL (`git`'s `url.<base>.insteadOf` may point it at a mirror).
  public var url: String
  /// The pinned commit (40 hex).
  public var commit: String
  /// SPDX-like license id as recorded by the corpus (`mit`, `apache-2.0`, …).
  public var license: String
  /// `project`, or `solutions` for collections of solutions to programming problems.
  public var role: String
  /// `typescript` when the repository holds more TypeScript than JavaScript files.
  public var language: String
  /// The repository's split: train, github-valid or github-test. Nil for solution collections,
  /// whose files follow their problem's split (`ProblemSplit`).
  public var split: CorpusSplit?
  /// The files taken, as `BLOB SIZE PATH` lines in path order.
  public var files: [String]

  public init(
    name: String, url: String, commit: String, license: String, role: String, language: String,
    split: CorpusSplit?, files: [RepositoryFile]
  ) {
    self.name = name
    self.url = url
    self.commit = commit
    self.license = license
    self.role = role
    self.language = language
    self.split = split
    self.files = files.map(\.line)
  }

  public var isSolutions: Bool { role == "solutions" }

  /// The folder and archive name: `OWNER+NAME`.
  public var directoryName: String { name.replacingOccurrences(of: "/", with: "+") }

  /// The parsed file list (the manifest is validated on load, so every line parses).
  public var parsedFiles: [RepositoryFile] { files.compactMap(RepositoryFile.init(line:)) }
}

/// How the solution collections are split: by problem, never by file. A problem listed in
/// `heldOut` (it also appears in an evaluation set) is always in github-test; any other problem
/// is drawn by a seeded hash of its key.
public struct ProblemSplit: Sendable, Codable, Equatable {
  /// Seed of the draw.
  public var seed: UInt64
  /// Percent of the other problems drawn into github-test and into github-valid.
  public var testPercent: Int
  public var validPercent: Int
  /// Problem keys that must never be trained on (e.g. `leetcode:0001`), sorted.
  public var heldOut: [String]
  /// Where `heldOut` comes from.
  public var heldOutSource: String

  enum CodingKeys: String, CodingKey {
    case seed
    case testPercent = "test_percent"
    case validPercent = "valid_percent"
    case heldOut = "held_out"
    case heldOutSource = "held_out_source"
  }

  public init(seed: UInt64, testPercent: Int, validPercent: Int, heldOut: [String], heldOutSource: String) {
    self.seed = seed
    self.testPercent = testPercent
    self.validPercent = validPercent
    self.heldOut = heldOut.sorted()
    self.heldOutSource = heldOutSource
  }

  /// The split of a problem.
  public func split(of key: String, heldOutSet: Set<String>? = nil) -> CorpusSplit {
    if let set = heldOutSet {
      if set.contains(key) { return .githubTest }
    } else if heldOut.contains(key) {
      return .githubTest
    }
    let bucket = Int(SeededDraw.hash(key, seed: seed) % 100)
    if bucket < testPercent { return .githubTest }
    if bucket < testPercent + validPercent { return .githubValid }
    return .train
  }
}

/// Stable hashing for seeded draws (FNV-1a 64 of the key, mixed with the seed by SplitMix64), so a
/// draw never depends on Swift's per-process `Hasher` seed.
public enum SeededDraw {
  public static func hash(_ key: String, seed: UInt64) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in key.utf8 {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01b3
    }
    return mix(h ^ seed)
  }

  public static func mix(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

extension CorpusManifest {
  /// Repositories in name order (empty for a Debian-only manifest).
  public var orderedRepositories: [ManifestRepository] {
    (repositories ?? []).sorted { $0.name < $1.name }
  }

  /// The rules of the GitHub part: unique names, 40-hex commits, well-formed file lines in path
  /// order, projects in train/github-valid/github-test, solution collections split by problem, and
  /// a github-test split with at least 20 TypeScript repositories (when there are repositories).
  func validateRepositories() throws {
    guard let repositories, !repositories.isEmpty else { return }
    guard problemSplit != nil || !repositories.contains(where: \.isSolutions) else {
      throw CorpusError.invalidManifest("solution collections are listed but the manifest has no problem_split")
    }
    var seen = Set<String>()
    let hex = Set("0123456789abcdef")
    for r in repositories {
      guard seen.insert(r.name).inserted else {
        throw CorpusError.invalidManifest("repository \(r.name) is listed twice")
      }
      guard r.commit.count == 40, r.commit.allSatisfy(hex.contains) else {
        throw CorpusError.invalidManifest("repository \(r.name) has commit \(r.commit) (expected 40 lowercase hex)")
      }
      guard ["project", "solutions"].contains(r.role) else {
        throw CorpusError.invalidManifest("repository \(r.name) has role \(r.role) (expected project or solutions)")
      }
      if r.isSolutions {
        guard r.split == nil else {
          throw CorpusError.invalidManifest("solution collection \(r.name) has a split; its problems are split instead")
        }
      } else {
        guard let split = r.split, [.train, .githubValid, .githubTest].contains(split) else {
          throw CorpusError.invalidManifest(
            "repository \(r.name) needs a split of train, github-valid or github-test")
        }
      }
      var previous: String?
      for line in r.files {
        guard let file = RepositoryFile(line: line), file.blob.allSatisfy(hex.contains) else {
          throw CorpusError.invalidManifest("repository \(r.name) has a malformed file line: \(line)")
        }
        if let previous, !previous.utf8.lexicographicallyPrecedes(file.path.utf8) {
          throw CorpusError.invalidManifest("repository \(r.name) lists \(file.path) out of order or twice")
        }
        previous = file.path
      }
    }
    let testTS = repositories.filter { $0.split == .githubTest && $0.language == "typescript" }.count
    guard testTS >= 20 else {
      throw CorpusError.invalidManifest("the github-test split holds \(testTS) TypeScript repositories (20 needed)")
    }
  }
}
