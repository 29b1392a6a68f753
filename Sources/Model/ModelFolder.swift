import Foundation
import Tokenizer

// MARK: - A model folder on disk

/// A folder the package reads a model or a head from: `config.json` (a `format` name and a `version` this build
/// reads, then the folder's own fields), `tokenizer.json`, `*.safetensors` weights, `MODEL_CARD.md`, and a head's
/// sub-folder inside the pretrained model's (`names/`, `types/`). Every loader (`PretrainedModel`, `NameHead`,
/// `TypeHeadModel`) opens its folder through this type, so a missing or broken file reads the same for all of
/// them: `PretrainError.invalidModel`, "PATH is not a usable model folder: REASON".
public struct ModelFolder: Sendable, Equatable {
  /// The folder (`~` expanded).
  public let url: URL
  /// What the folder should hold, for error sentences ("model", "name head", "type head").
  public let kind: String

  /// The file every folder has.
  public static let configFile = "config.json"
  /// The human description of a shipped folder.
  public static let cardFile = "MODEL_CARD.md"

  public init(url: URL, kind: String = "model") {
    self.url = url
    self.kind = kind
  }

  public init(path: String, kind: String = "model") {
    self.init(url: URL(fileURLWithPath: expandPath(path)), kind: kind)
  }

  public var path: String { url.path }

  /// A file of the folder.
  public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

  /// Whether the folder has `name`.
  public func has(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name).path) }

  /// A head's sub-folder (`names`, `types`).
  public func subfolder(_ name: String, kind: String) -> ModelFolder { ModelFolder(url: file(name), kind: kind) }

  /// The one error sentence for a folder that cannot be used ("PATH is not a usable model folder: REASON";
  /// the reason names the file at fault).
  public func unusable(_ reason: String) -> PretrainError { .invalidModel(path: path, reason: reason) }

  // MARK: Reading

  /// The bytes of `name`, or the folder's error sentence when it is missing.
  public func data(_ name: String) throws -> Data {
    guard let data = FileManager.default.contents(atPath: file(name).path) else {
      throw unusable(name == Self.configFile ? "it has no readable \(name) (not a \(kind))" : "\(name) is missing")
    }
    return data
  }

  /// `config.json` decoded as `T` after its `format` and `version` are checked against `format` and `version`.
  public func config<T: Decodable>(_ type: T.Type, format: String, version: Int) throws -> T {
    let data = try data(Self.configFile)
    let header = try? JSONDecoder().decode(ConfigHeader.self, from: data)
    if let found = header?.format, found != format {
      throw unusable("config.json format is '\(found)', not '\(format)' (not a \(kind))")
    }
    if let found = header?.version, header?.format == format, found != version {
      throw unusable(
        "config.json is \(kind) format version \(found) but this codeintel reads \(version); use a matching \(kind)")
    }
    do {
      return try JSONDecoder().decode(T.self, from: data)
    } catch {
      throw unusable("config.json is not a \(kind)'s: it \(DecodingSentence.describe(error))")
    }
  }

  /// Any other JSON file of the folder, decoded as `T`.
  public func json<T: Decodable>(_ type: T.Type, file name: String) throws -> T {
    let data = try data(name)
    do {
      return try JSONDecoder().decode(T.self, from: data)
    } catch {
      throw unusable("\(name) \(DecodingSentence.describe(error))")
    }
  }

  /// The tokenizer in `name`.
  public func tokenizer(_ name: String) throws -> Tokenizer {
    guard has(name) else { throw unusable("\(name) is missing") }
    do { return try Tokenizer.load(from: file(name)) } catch { throw unusable("\(name) does not load: \(error)") }
  }

  /// The encoder in `name` (inference mode).
  public func encoder(_ name: String) throws -> any SequenceEncoder {
    guard has(name) else { throw unusable("\(name) is missing") }
    let encoder: any SequenceEncoder
    do { encoder = try EncoderFactory.load(from: file(name).path) } catch {
      throw unusable("\(name) does not load: \(error)")
    }
    encoder.training = false
    return encoder
  }

  // MARK: Writing

  /// Creates the folder (and its parents).
  public func create() throws {
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  /// Writes `value` as pretty JSON with sorted keys (how every `config.json` is written).
  public func writeJSON<T: Encodable>(_ value: T, to name: String) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    try e.encode(value).write(to: file(name))
  }

  // MARK: Finding the default folders

  /// The folder name of the model shipped in `Models/`.
  public static let defaultModelName = "contracode-hybrid-small"
  /// The environment variable that names another model folder.
  public static let modelEnvironmentVariable = "CODEINTEL_MODEL"

  /// `Models/<defaultModelName>` in each folder from the running executable's up (found from its real path),
  /// then the same from the current directory up: where the default model is looked for after a flag and
  /// `$CODEINTEL_MODEL`.
  public static func defaultSearchPaths() -> [String] {
    var starts: [URL] = []
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      starts.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
    }
    if let first = CommandLine.arguments.first, first.contains("/") {
      starts.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
    }
    starts.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    var out: [String] = []
    for start in starts {
      var dir = start.standardizedFileURL
      for _ in 0..<10 {
        let candidate = dir.appendingPathComponent("Models").appendingPathComponent(defaultModelName).path
        if !out.contains(candidate) { out.append(candidate) }
        let parent = dir.deletingLastPathComponent()
        if parent.path == dir.path { break }
        dir = parent
      }
    }
    return out
  }

  /// Where `locate` looks, in order, when no flag or head variable names the folder: with `$CODEINTEL_MODEL`
  /// set, that folder (or its `subfolder`) only, so a wrong setting never falls back to the shipped model;
  /// otherwise each of `defaultSearchPaths()` (or its `subfolder`).
  public static func searchPaths(subfolder: String?) -> [String] {
    func inside(_ dir: String) -> String {
      subfolder.map { URL(fileURLWithPath: dir).appendingPathComponent($0).path } ?? dir
    }
    if let m = ProcessInfo.processInfo.environment[modelEnvironmentVariable], !m.isEmpty {
      return [inside(URL(fileURLWithPath: expandPath(m)).path)]
    }
    return defaultSearchPaths().map(inside)
  }

  /// The folder to load: `explicit` (a flag) if given, else the folder `$environmentVariable` names, else, when
  /// `$CODEINTEL_MODEL` is set, that folder (with `subfolder`, its sub-folder, and only there: a wrong setting
  /// must not fall back to the shipped model), else the first of the default search paths that has a
  /// `config.json`; nil when none has, with the places looked at (for `PretrainError.modelNotFound`). Throws
  /// when `$CODEINTEL_MODEL` names no existing folder.
  public static func locate(explicit: String?, environmentVariable: String?, subfolder: String?, kind: String) throws
    -> (folder: ModelFolder?, searched: [String])
  {
    if let explicit { return (ModelFolder(path: explicit, kind: kind), []) }
    let environment = ProcessInfo.processInfo.environment
    if let variable = environmentVariable, variable != modelEnvironmentVariable, let dir = environment[variable],
      !dir.isEmpty
    {
      return (ModelFolder(path: dir, kind: kind), [])
    }
    let named = environmentVariable.map { ["$" + $0] } ?? []
    // `$CODEINTEL_MODEL` must name an existing folder (this throws otherwise); the model itself is taken as
    // named, a head only from its sub-folder there.
    if let model = try PretrainedModel.environmentModelDirectory(), subfolder == nil {
      return (ModelFolder(path: model, kind: kind), [])
    }
    let candidates = searchPaths(subfolder: subfolder)
    for dir in candidates where FileManager.default.fileExists(atPath: dir + "/" + configFile) {
      return (ModelFolder(path: dir, kind: kind), [])
    }
    return (nil, named + candidates)
  }
}

/// The two fields every `config.json` starts with.
private struct ConfigHeader: Decodable {
  var format: String?
  var version: Int?
}
