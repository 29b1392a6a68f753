import Syntax

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A JavaScript/TypeScript file found by a walk.
public struct WalkedFile: Sendable, Equatable {
  /// Path relative to the repository root, with `/` separators.
  public var path: String
  /// Absolute (or root-joined) path to read the file from.
  public var fullPath: String
  public var size: Int
  /// Modification time in nanoseconds since the epoch (a fast check before hashing contents).
  public var modifiedNanoseconds: Int64
  public var language: Language
}

/// Why a path was left out of the index.
public enum SkipReason: Sendable, Equatable, CustomStringConvertible {
  case ignored(pattern: String, file: String)
  case vendored(String)
  case declarationFile
  case tooLarge(bytes: Int, limit: Int)
  case symlinkLoop(target: String)
  case unreadable(String)
  case binary
  case minified(String)

  public var description: String {
    switch self {
    case .ignored(let pattern, let file): return "ignored by \(file) (\(pattern))"
    case .vendored(let name): return "vendored or tool folder (\(name))"
    case .declarationFile: return "TypeScript declaration file (.d.ts)"
    case .tooLarge(let bytes, let limit): return "too large (\(bytes) bytes > \(limit))"
    case .symlinkLoop(let target): return "symbolic link loop (points back to \(target))"
    case .unreadable(let why): return "unreadable (\(why))"
    case .binary: return "binary content"
    case .minified(let why): return "minified (\(why))"
    }
  }
}

/// A path that was left out, and why.
public struct SkippedPath: Sendable, Equatable {
  public var path: String
  public var reason: SkipReason
}

/// Walks a repository for JavaScript and TypeScript sources, honouring `.gitignore` files (see
/// `IgnorePattern` for the supported subset), always skipping `node_modules` and VCS folders,
/// `.d.ts` files, files over a size limit and symbolic-link loops. Content checks (binary,
/// minified) are made by `SourceFilter` once a file is read; generated files are indexed and flagged
/// (`GeneratedCode`).
public struct RepositoryWalker: Sendable {
  /// Folders never entered.
  public static let alwaysSkipped: Set<String> = [
    "node_modules", ".git", ".hg", ".svn", ".codeintel", "bower_components", "jspm_packages",
  ]

  public var maxFileBytes: Int

  public init(maxFileBytes: Int = 4 << 20) {
    self.maxFileBytes = maxFileBytes
  }

  /// The result of a walk: the files to index, sorted by path, and what was skipped.
  public struct Result: Sendable {
    public var files: [WalkedFile] = []
    public var skipped: [SkippedPath] = []
  }

  /// Walks `root`. Throws when `root` is not a readable directory.
  public func walk(_ root: String) throws -> Result {
    var st = stat()
    guard stat(root, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { throw CloneIndexError.notADirectory(root) }
    var result = Result()
    var visited: [DirKey: String] = [:]
    visited[DirKey(st)] = ""
    walkDirectory(root: root, relative: "", rules: IgnoreRules(), visited: &visited, into: &result)
    result.files.sort { $0.path < $1.path }
    result.skipped.sort { $0.path < $1.path }
    return result
  }

  // MARK: - Internals

  struct DirKey: Hashable {
    let device: UInt64
    let inode: UInt64
    init(_ st: stat) {
      device = UInt64(st.st_dev)
      inode = UInt64(st.st_ino)
    }
  }

  private func walkDirectory(
    root: String, relative: String, rules: IgnoreRules, visited: inout [DirKey: String], into result: inout Result
  ) {
    let dirPath = relative.isEmpty ? root : root + "/" + relative
    var rules = rules
    if let text = Self.readSmallText(dirPath + "/.gitignore") {
      rules = rules.adding(IgnoreFile(base: relative, text: text))
    }
    guard let dir = opendir(dirPath) else {
      result.skipped.append(SkippedPath(path: relative, reason: .unreadable(String(cString: strerror(errno)))))
      return
    }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    closedir(dir)
    names.sort()
    for name in names {
      let rel = relative.isEmpty ? name : relative + "/" + name
      let full = dirPath + "/" + name
      var lst = stat()
      guard lstat(full, &lst) == 0 else { continue }
      var st = lst
      let isLink = (lst.st_mode & S_IFMT) == S_IFLNK
      if isLink && stat(full, &st) != 0 { continue }  // dangling link
      let isDir = (st.st_mode & S_IFMT) == S_IFDIR
      let isFile = (st.st_mode & S_IFMT) == S_IFREG
      guard isDir || isFile else { continue }
      if isDir && Self.alwaysSkipped.contains(name) {
        if name != ".git" && name != ".codeintel" {
          result.skipped.append(SkippedPath(path: rel, reason: .vendored(name)))
        }
        continue
      }
      if let pattern = rules.decision(for: rel, isDirectory: isDir), !pattern.isNegated {
        let file = rules.files.last { f in f.patterns.contains(pattern) }
        let where_ = (file.map { $0.base.isEmpty ? "" : $0.base + "/" } ?? "") + ".gitignore"
        if isDir || Language(path: name) != nil {
          result.skipped.append(SkippedPath(path: rel, reason: .ignored(pattern: pattern.source, file: where_)))
        }
        continue
      }
      if isDir {
        let key = DirKey(st)
        if let earlier = visited[key] {
          result.skipped.append(SkippedPath(path: rel, reason: .symlinkLoop(target: earlier.isEmpty ? "." : earlier)))
          continue
        }
        visited[key] = rel
        walkDirectory(root: root, relative: rel, rules: rules, visited: &visited, into: &result)
        continue
      }
      guard let language = Language(path: name) else { continue }
      if name.hasSuffix(".d.ts") || name.hasSuffix(".d.mts") || name.hasSuffix(".d.cts") {
        result.skipped.append(SkippedPath(path: rel, reason: .declarationFile))
        continue
      }
      if name.hasSuffix(".min.js") || name.hasSuffix("-min.js") {
        result.skipped.append(SkippedPath(path: rel, reason: .minified("file name")))
        continue
      }
      let size = Int(st.st_size)
      if size > maxFileBytes {
        result.skipped.append(SkippedPath(path: rel, reason: .tooLarge(bytes: size, limit: maxFileBytes)))
        continue
      }
      let mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
      result.files.append(
        WalkedFile(path: rel, fullPath: full, size: size, modifiedNanoseconds: mtime, language: language))
    }
  }

  /// Reads a small text file (a `.gitignore`), nil if absent or unreadable.
  static func readSmallText(_ path: String) -> String? {
    guard let bytes = try? FileBytes.read(path, limit: 1 << 20) else { return nil }
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// Reading whole files without Foundation.
public enum FileBytes {
  /// Reads the file at `path`; throws `CloneIndexError.io` when it cannot be read or exceeds `limit`.
  public static func read(_ path: String, limit: Int = Int.max) throws -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw CloneIndexError.io("\(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw CloneIndexError.io("\(path): \(String(cString: strerror(errno)))")
      }
      if n == 0 { break }
      out.append(contentsOf: chunk[0..<n])
      if out.count > limit { throw CloneIndexError.io("\(path): larger than \(limit) bytes") }
    }
    return out
  }

  /// Writes `bytes` to `path`, replacing it.
  public static func write(_ bytes: [UInt8], to path: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw CloneIndexError.io("cannot write \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
      if n < 0 {
        if errno == EINTR { continue }
        throw CloneIndexError.io("cannot write \(path): \(String(cString: strerror(errno)))")
      }
      offset += n
    }
  }
}
