import Foundation

#if canImport(Glibc)
  import Glibc
#endif
import Syntax

/// A JavaScript/TypeScript file read from disk and checked to be something codeintel can parse.
public struct SourceFile: Sendable {
  public let path: String
  public let language: Language
  public let bytes: [UInt8]

  /// Files larger than this are refused (generated bundles, data dumps).
  public static let defaultMaxBytes = 8 * 1024 * 1024

  /// Reads and checks a file: it must exist, be readable, be a JS/TS file by extension, be at most
  /// `maxBytes`, and be UTF-8 text (no NUL bytes).
  public static func load(_ path: String, maxBytes: Int = defaultMaxBytes) throws -> SourceFile {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw CodeIntelError(missing(path))
    }
    guard !isDirectory.boolValue else { throw CodeIntelError("\(path): is a directory, expected a file") }
    guard let language = Language(path: path) else {
      throw CodeIntelError("\(path): not a JavaScript or TypeScript file (expected .js .mjs .cjs .jsx .ts .mts .cts .tsx)")
    }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw CodeIntelError("\(path): cannot be read (check its permissions)")
    }
    defer { try? handle.close() }
    let data: Data
    do {
      data = try handle.read(upToCount: maxBytes + 1) ?? Data()
    } catch {
      throw CodeIntelError("\(path): cannot be read: \(error.localizedDescription)")
    }
    guard data.count <= maxBytes else {
      throw CodeIntelError("\(path): larger than \(maxBytes / 1024 / 1024) MiB; skipped as probably generated")
    }
    let bytes = [UInt8](data)
    try check(bytes, path: path)
    return SourceFile(path: path, language: language, bytes: bytes)
  }

  /// Why `path` cannot be opened when it does not exist as a file or folder: a symbolic link that loops
  /// (`a -> b -> a`), a link to nothing, or nothing at all.
  public static func missing(_ path: String) -> String {
    guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else {
      return "\(path): no such file or directory"
    }
    var info = stat()
    if stat(path, &info) != 0 && errno == ELOOP {
      return "\(path): a symbolic link loop (it leads back to itself through \(target))"
    }
    return "\(path): a symbolic link to \(target), which does not exist"
  }

  /// Checks that bytes are UTF-8 text without NUL bytes.
  public static func check(_ bytes: [UInt8], path: String) throws {
    if bytes.contains(0) { throw CodeIntelError("\(path): looks binary (contains NUL bytes)") }
    if String(validating: bytes, as: UTF8.self) == nil {
      throw CodeIntelError("\(path): is not valid UTF-8 text")
    }
  }

  public init(path: String, language: Language, bytes: [UInt8]) {
    self.path = path
    self.language = language
    self.bytes = bytes
  }

  /// The files to read under the given paths: files are taken as given (the caller's choice),
  /// directories are walked recursively for JS/TS files, skipping `node_modules`, hidden folders and
  /// `.d.ts` declaration files. Results are sorted for deterministic output. Paths that do not exist
  /// are passed through, so that `load` reports them in one line while the others are processed.
  public static func collect(_ paths: [String]) -> [String] {
    var out: [String] = []
    for path in paths {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
        out.append(path)
        continue
      }
      var found: [String] = []
      walk(path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path, into: &found, visited: [])
      out.append(contentsOf: found.sorted())
    }
    return out
  }

  /// Recursively collects JS/TS files under `dir`, keeping paths relative to how `dir` was given.
  private static func walk(_ dir: String, into found: inout [String], visited: Set<String>) {
    let fm = FileManager.default
    let real = URL(fileURLWithPath: dir).resolvingSymlinksInPath().path
    guard !visited.contains(real) else { return }  // symlink loop
    let visited = visited.union([real])
    guard let names = try? fm.contentsOfDirectory(atPath: dir) else { return }
    for name in names {
      if name.hasPrefix(".") || name == "node_modules" { continue }
      let path = dir == "." ? name : dir + "/" + name
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }  // dangling link
      if isDirectory.boolValue {
        walk(path, into: &found, visited: visited)
      } else if Language(path: name) != nil && !name.hasSuffix(".d.ts") {
        found.append(path)
      }
    }
  }
}
