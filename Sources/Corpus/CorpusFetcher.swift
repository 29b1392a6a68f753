import Foundation

/// Downloads the manifest's Debian source packages into a cache folder and extracts them.
///
/// Layout of the cache: `debian/` holds what `apt-get source --download-only` fetched (`.dsc`, orig
/// tarballs), `src/NAME_VERSION/` the extracted tree (the main orig tarball at the top, each
/// `orig-COMPONENT` tarball in a `COMPONENT/` folder, as `dpkg-source` lays them out; Debian's own
/// patches are not applied). Every tarball is checked against the SHA-256 in the manifest.
public struct CorpusFetcher {
  /// What a fetch did.
  public struct Report: Sendable {
    /// Packages whose tarballs are all present, verified and extracted.
    public var ready: [String] = []
    /// Packages with tarballs that could not be downloaded: name → missing file names.
    public var missing: [(package: String, files: [String])] = []
  }

  public let cache: URL
  public var downloads: URL { cache.appendingPathComponent("debian") }
  public var sources: URL { cache.appendingPathComponent("src") }

  /// - Parameter cache: the corpus cache folder, e.g. `~/.cache/codeintel/corpus`.
  public init(cache: URL) { self.cache = cache }

  /// The default cache: `$XDG_CACHE_HOME/codeintel/corpus` or `~/.cache/codeintel/corpus`.
  public static var defaultCache: URL {
    let env = ProcessInfo.processInfo.environment
    let base =
      env["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
      ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
    return base.appendingPathComponent("codeintel/corpus")
  }

  /// The extracted source tree of a package.
  public func sourceTree(of package: ManifestPackage) -> URL {
    sources.appendingPathComponent(package.directoryName)
  }

  // MARK: - Fetch

  /// Makes sure deb-src is configured, downloads the tarballs the manifest lists (skipping those
  /// already present with the right checksum), verifies them and extracts each package. Packages
  /// whose tarballs cannot be had are reported, not fatal.
  public func fetch(manifest: CorpusManifest, progress: (String) -> Void = { _ in }) throws -> Report {
    let fm = FileManager.default
    try fm.createDirectory(at: downloads, withIntermediateDirectories: true)
    try fm.createDirectory(at: sources, withIntermediateDirectories: true)
    var report = Report()
    var updated = false
    var checkedRepositories = false
    let packages = manifest.orderedPackages
    for (i, package) in packages.enumerated() {
      let tag = "[\(i + 1)/\(packages.count)] \(package.name) \(package.version)"
      var absent = try absentTarballs(package)
      if !absent.isEmpty {
        if !checkedRepositories {
          updated = try ensureSourceRepositories(progress: progress) || updated
          checkedRepositories = true
        }
        progress("\(tag): downloading \(absent.count) tarball(s)")
        try download(package)
        absent = try absentTarballs(package)
        if !absent.isEmpty && !updated {
          progress("\(tag): not found; refreshing the package lists (apt-get update)")
          try runChecked("/usr/bin/apt-get", ["update"], in: downloads)
          updated = true
          try download(package)
          absent = try absentTarballs(package)
        }
      }
      if !absent.isEmpty {
        progress("\(tag): MISSING \(absent.joined(separator: ", "))")
        report.missing.append((package.name, absent))
        continue
      }
      if try extract(package) { progress("\(tag): extracted") } else { progress("\(tag): ready") }
      report.ready.append(package.name)
    }
    return report
  }

  /// The manifest tarballs of a package that are not in the cache; throws if one is present with
  /// a different checksum.
  func absentTarballs(_ package: ManifestPackage) throws -> [String] {
    var absent: [String] = []
    for tarball in package.tarballs {
      let path = downloads.appendingPathComponent(tarball.file).path
      guard let data = FileManager.default.contents(atPath: path) else {
        absent.append(tarball.file)
        continue
      }
      let actual = SHA256.hex(data)
      guard actual == tarball.sha256 else {
        throw CorpusError.checksumMismatch(file: path, expected: tarball.sha256, actual: actual)
      }
    }
    return absent
  }

  private func download(_ package: ManifestPackage) throws {
    // apt-get exits non-zero when any file of the source package (often a component tarball or the
    // Debian diff) is missing upstream, even when the tarballs we need arrived: the caller checks files.
    _ = try run(
      "/usr/bin/apt-get", ["source", "--download-only", "-q", "\(package.name)=\(package.version)"], in: downloads)
  }

  // MARK: - deb-src

  /// Whether an apt source of type deb-src exists; if not, adds one beside `debian.sources` and runs
  /// `apt-get update`. Returns whether it ran the update.
  func ensureSourceRepositories(progress: (String) -> Void) throws -> Bool {
    let fm = FileManager.default
    var files = ["/etc/apt/sources.list"]
    if let entries = try? fm.contentsOfDirectory(atPath: "/etc/apt/sources.list.d") {
      files += entries.sorted().filter { $0.hasSuffix(".list") || $0.hasSuffix(".sources") }
        .map { "/etc/apt/sources.list.d/" + $0 }
    }
    for file in files {
      guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
      for line in text.split(separator: "\n") {
        let t = line.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("deb-src ") || (t.hasPrefix("Types:") && t.contains("deb-src")) { return false }
      }
    }
    let template = "/etc/apt/sources.list.d/debian.sources"
    guard let text = try? String(contentsOfFile: template, encoding: .utf8) else {
      throw CorpusError.noSourceRepositories("\(template) does not exist")
    }
    let copy = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      line.hasPrefix("Types:") ? "Types: deb-src" : String(line)
    }.joined(separator: "\n")
    let target = "/etc/apt/sources.list.d/debian-src.sources"
    guard fm.createFile(atPath: target, contents: Data(copy.utf8)) else {
      throw CorpusError.noSourceRepositories("cannot write \(target) (run as root)")
    }
    progress("added \(target); running apt-get update")
    try runChecked("/usr/bin/apt-get", ["update"], in: downloads)
    return true
  }

  // MARK: - Extraction

  /// Extracts a package's tarballs unless the tree is already there for the same tarballs.
  /// Returns whether it extracted.
  @discardableResult
  func extract(_ package: ManifestPackage) throws -> Bool {
    let fm = FileManager.default
    let tree = sourceTree(of: package)
    let marker = tree.appendingPathComponent(".codeintel-extracted")
    let stamp = package.tarballs.map { "\($0.sha256)  \($0.file)\n" }.joined()
    if let existing = fm.contents(atPath: marker.path), String(decoding: existing, as: UTF8.self) == stamp {
      return false
    }
    try? fm.removeItem(at: tree)
    let main = package.tarballs.filter { $0.component == nil }
    let components = package.tarballs.filter { $0.component != nil }.sorted { $0.file < $1.file }
    for tarball in main + components {
      let target = tarball.component.map { tree.appendingPathComponent($0) } ?? tree
      try unpack(downloads.appendingPathComponent(tarball.file), into: target)
    }
    if !fm.fileExists(atPath: tree.path) { try fm.createDirectory(at: tree, withIntermediateDirectories: true) }
    guard fm.createFile(atPath: marker.path, contents: Data(stamp.utf8)) else {
      throw CorpusError.io(path: marker.path, reason: "cannot write the extraction marker")
    }
    return true
  }

  /// Unpacks a tarball so that its single top folder (if it has one) becomes `target`.
  private func unpack(_ tarball: URL, into target: URL) throws {
    let fm = FileManager.default
    let scratch = target.deletingLastPathComponent().appendingPathComponent(".unpack-\(target.lastPathComponent)")
    try? fm.removeItem(at: scratch)
    try fm.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? fm.removeItem(at: scratch) }
    try runChecked("/bin/tar", ["-xf", tarball.path, "-C", scratch.path, "--no-same-owner"], in: scratch)
    let entries = try fm.contentsOfDirectory(atPath: scratch.path)
    var isDirectory: ObjCBool = false
    var root = scratch
    if entries.count == 1,
      fm.fileExists(atPath: scratch.appendingPathComponent(entries[0]).path, isDirectory: &isDirectory),
      isDirectory.boolValue
    {
      root = scratch.appendingPathComponent(entries[0])
    }
    try? fm.removeItem(at: target)
    try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
    if root == scratch {
      try fm.createDirectory(at: target, withIntermediateDirectories: true)
      for entry in entries {
        try fm.moveItem(at: scratch.appendingPathComponent(entry), to: target.appendingPathComponent(entry))
      }
    } else {
      try fm.moveItem(at: root, to: target)
    }
  }

  // MARK: - Processes

  @discardableResult
  private func run(_ executable: String, _ arguments: [String], in directory: URL) throws -> (Int32, String) {
    try Process.runCapturing(executable, arguments, in: directory)
  }

  private func runChecked(_ executable: String, _ arguments: [String], in directory: URL) throws {
    let (status, output) = try run(executable, arguments, in: directory)
    guard status == 0 else {
      throw CorpusError.commandFailed(
        command: ([executable] + arguments).joined(separator: " "), status: status, output: output)
    }
  }
}
