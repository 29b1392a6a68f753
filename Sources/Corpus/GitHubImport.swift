import Foundation

/// Adds the pinned GitHub repositories of a corpus folder (laid out like
/// `../shared/data/github-corpus`: `sources.tsv` and `repos/OWNER+NAME.files.tsv`) to a manifest,
/// with a seeded split draw.
public enum GitHubImport {
  /// One row of `sources.tsv`.
  public struct Source: Sendable, Equatable {
    public var name: String
    public var commit: String
    public var license: String
    public var role: String
    public var typeScriptFiles: Int
    public var javaScriptFiles: Int

    public init(name: String, commit: String, license: String, role: String, typeScriptFiles: Int, javaScriptFiles: Int)
    {
      self.name = name
      self.commit = commit
      self.license = license
      self.role = role
      self.typeScriptFiles = typeScriptFiles
      self.javaScriptFiles = javaScriptFiles
    }

    public var language: String { typeScriptFiles > javaScriptFiles ? "typescript" : "javascript" }
  }

  /// The split draw for projects: projects are ranked by a seeded hash of their name; github-test
  /// takes the first `testPercent` % of them, extended until it holds `minimumTestTypeScript`
  /// TypeScript repositories; github-valid the next `validPercent` %; train the rest. Adding or
  /// removing one repository moves no other repository (each one's rank depends only on its name).
  public static func drawSplits(
    _ sources: [Source], seed: UInt64, testPercent: Int = 15, validPercent: Int = 8, minimumTestTypeScript: Int = 20
  ) -> [String: CorpusSplit] {
    let projects = sources.filter { $0.role == "project" }.sorted {
      (SeededDraw.hash($0.name, seed: seed), $0.name) < (SeededDraw.hash($1.name, seed: seed), $1.name)
    }
    var out: [String: CorpusSplit] = [:]
    let testCount = (projects.count * testPercent + 99) / 100
    let validCount = (projects.count * validPercent + 99) / 100
    var i = 0
    var ts = 0
    while i < projects.count && (i < testCount || ts < minimumTestTypeScript) {
      out[projects[i].name] = .githubTest
      if projects[i].language == "typescript" { ts += 1 }
      i += 1
    }
    let validEnd = min(projects.count, i + validCount)
    while i < validEnd {
      out[projects[i].name] = .githubValid
      i += 1
    }
    while i < projects.count {
      out[projects[i].name] = .train
      i += 1
    }
    return out
  }

  /// Reads `sources.tsv`.
  public static func readSources(_ folder: URL) throws -> [Source] {
    let path = folder.appendingPathComponent("sources.tsv").path
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CorpusError.io(path: path, reason: "cannot read the list of repositories")
    }
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.split(separator: "\t") }
    guard let header = lines.first?.map(String.init) else { throw CorpusError.io(path: path, reason: "empty") }
    func column(_ name: String) throws -> Int {
      guard let i = header.firstIndex(of: name) else { throw CorpusError.io(path: path, reason: "no column \(name)") }
      return i
    }
    let (repo, commit, license, role, ts, js) = (
      try column("repo"), try column("commit"), try column("license"), try column("role"), try column("ts_files"),
      try column("js_files")
    )
    return try lines.dropFirst().map { row in
      guard row.count == header.count else {
        throw CorpusError.io(path: path, reason: "malformed row \(row.joined(separator: " "))")
      }
      return Source(
        name: String(row[repo]), commit: String(row[commit]), license: String(row[license]), role: String(row[role]),
        typeScriptFiles: Int(row[ts]) ?? 0, javaScriptFiles: Int(row[js]) ?? 0)
    }
  }

  /// Reads `repos/OWNER+NAME.files.tsv` (path, blob id, size), sorted by path.
  public static func readFiles(_ folder: URL, repository: String) throws -> [RepositoryFile] {
    let path = folder.appendingPathComponent("repos/\(repository.replacingOccurrences(of: "/", with: "+")).files.tsv")
      .path
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CorpusError.io(path: path, reason: "cannot read the file list of \(repository)")
    }
    return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
      let f = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard f.count == 3, let size = Int(f[2]) else {
        throw CorpusError.io(path: path, reason: "malformed line \(line)")
      }
      return RepositoryFile(path: String(f[0]), blob: String(f[1]), size: size)
    }.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
  }

  /// LeetCode problem keys of an evaluation set laid out like `../shared/data/clones-leetcode-js`
  /// (`manifest.tsv` with a `problem` column of LeetCode numbers).
  public static func readHeldOutProblems(_ folder: URL) throws -> [String] {
    let path = folder.appendingPathComponent("manifest.tsv").path
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CorpusError.io(path: path, reason: "cannot read the evaluation set's problem list")
    }
    var keys = Set<String>()
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst() {
      guard let first = line.split(separator: "\t").first, let n = Int(first) else { continue }
      keys.insert(ProblemKeys.leetcodeKey(n))
    }
    return keys.sorted()
  }

  /// The manifest with the folder's repositories (replacing any listed before) and the problem split.
  public static func apply(
    to manifest: CorpusManifest, corpus folder: URL, heldOut: [String], heldOutSource: String, seed: UInt64
  ) throws -> CorpusManifest {
    let sources = try readSources(folder)
    let splits = drawSplits(sources, seed: seed)
    var repositories: [ManifestRepository] = []
    for s in sources.sorted(by: { $0.name < $1.name }) {
      repositories.append(
        ManifestRepository(
          name: s.name, url: "https://github.com/\(s.name).git", commit: s.commit, license: s.license, role: s.role,
          language: s.language, split: s.role == "solutions" ? nil : splits[s.name],
          files: try readFiles(folder, repository: s.name)))
    }
    var out = manifest
    out.format = 2
    out.repositories = repositories
    out.problemSplit = ProblemSplit(
      seed: seed, testPercent: 10, validPercent: 5, heldOut: heldOut, heldOutSource: heldOutSource)
    try out.validate()
    return out
  }
}
