import CodeIntel
import Foundation
import Syntax

/// The types dataset as `codeintel corpus` writes it (schema in docs/DATASETS.md): de-annotated files with
/// their annotation sites, one JSON object a line, and the training vocabulary.
extension TypeEvaluation {
  // MARK: - Dataset

  /// One annotation site: `offset` is the UTF-8 byte offset in the de-annotated text where `: T` went.
  public struct Site: Sendable, Codable, Equatable {
    public var kind: String
    public var name: String
    public var offset: Int
    public var label: String
    public var any: Bool
    /// The type parameters of the declarations around the site, innermost first (datasets-v2; nil in older
    /// datasets): the generics in scope.
    public var typeParameters: [String]?

    enum CodingKeys: String, CodingKey {
      case kind, name, offset, label, any
      case typeParameters = "type_parameters"
    }

    public init(
      kind: String, name: String, offset: Int, label: String, any: Bool? = nil, typeParameters: [String]? = nil
    ) {
      self.kind = kind
      self.name = name
      self.offset = offset
      self.label = label
      self.any = any ?? (TypeAccuracy.normalize(label) == "any")
      self.typeParameters = typeParameters
    }
  }

  /// One de-annotated file with its sites.
  public struct File: Sendable, Codable, Equatable {
    public var package: String
    public var path: String
    public var language: String
    public var text: String
    public var sites: [Site]
    /// The names the file declares as types and the local names its imports bind (datasets-v2; nil before).
    public var declaredTypes: [String]?
    public var importedNames: [String]?

    enum CodingKeys: String, CodingKey {
      case package, path, language, text, sites
      case declaredTypes = "declared_types"
      case importedNames = "imported_names"
    }

    public init(package: String, path: String, language: String = "typescript", text: String, sites: [Site]) {
      self.package = package
      self.path = path
      self.language = language
      self.text = text
      self.sites = sites
    }

    /// The grammar its text is parsed with: TSX for a `tsx` file or a `.tsx` path, else TypeScript.
    public var syntaxLanguage: Language {
      language == "tsx" || path.hasSuffix(".tsx") ? .tsx : .typescript
    }

    /// The head's view of the sites (kind, name, offset, type parameters in scope).
    public var headSites: [TypeHeadSite] {
      sites.map { TypeHeadSite(kind: $0.kind, name: $0.name, offset: $0.offset, typeParameters: $0.typeParameters ?? []) }
    }
  }

  /// Reads a JSON-lines file of `File` objects.
  public static func loadFiles(_ path: String) throws -> [File] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CodeIntelError("\(path): not found; build the types dataset with `codeintel corpus` or pass --datasets DIR")
    }
    let decoder = JSONDecoder()
    var out: [File] = []
    for (n, line) in data.split(separator: 0x0A).enumerated() where !line.isEmpty {
      do {
        out.append(try decoder.decode(File.self, from: Data(line)))
      } catch {
        throw CodeIntelError("\(path):\(n + 1): not a types-dataset record (\(error))")
      }
    }
    return out
  }

  /// Reads `count<TAB>type` lines (a header line is skipped); returns the types in file order.
  public static func loadVocabulary(_ path: String) throws -> [String] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw CodeIntelError("\(path): not found; the types dataset folder needs vocabulary-train.tsv")
    }
    var out: [String] = []
    for line in text.split(separator: "\n") {
      guard let tab = line.firstIndex(of: "\t"), Int(line[..<tab]) != nil else { continue }
      out.append(String(line[line.index(after: tab)...]))
    }
    return out
  }
}

/// Where a dataset package's own sources lie in the corpus cache (`codeintel corpus --cache`, default
/// `~/.cache/codeintel/corpus`, or `$CODEINTEL_CORPUS_CACHE`): a Debian package unpacked as `src/<package>_<version>`,
/// a GitHub repository as `github/<owner>+<name>`. `eval types` reads a file's relative imports there, as
/// `suggest-types` reads them beside the file on disk (a dataset file is de-annotated, and modules that hold only
/// declarations are not in the dataset at all); only declarations are read, never an annotation.
public enum PackageSources {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var known: [String: String?] = [:]

  /// The cache folder.
  public static var cache: String {
    ProcessInfo.processInfo.environment["CODEINTEL_CORPUS_CACHE"]
      ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/codeintel/corpus").path
  }

  /// The root folder of `package`'s sources, or nil when the cache does not hold them.
  public static func root(of package: String) -> String? {
    lock.lock()
    defer { lock.unlock() }
    if let r = known[package] { return r }
    var found: String?
    let github = cache + "/github/" + package.replacingOccurrences(of: "/", with: "+")
    var isDirectory: ObjCBool = false
    if package.contains("/"), FileManager.default.fileExists(atPath: github, isDirectory: &isDirectory),
      isDirectory.boolValue
    {
      found = github
    } else if let names = try? FileManager.default.contentsOfDirectory(atPath: cache + "/src") {
      found = names.sorted().first { $0.hasPrefix(package + "_") }.map { cache + "/src/" + $0 }
    }
    known[package] = .some(found)
    return found
  }
}
