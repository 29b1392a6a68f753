import Foundation

/// Per-repository settings for `codeintel clones`, read from `<repo>/.codeintel.json`:
///
/// ```json
/// {"clones": {"minLines": 8, "minTokens": 50, "threshold": 0.7, "maxGroup": 10, "model": "hashed",
///             "nearMiss": true, "functional": true, "includeTests": false,
///             "includeBuild": false, "includeExamples": false, "includeBenchmarks": false,
///             "include": ["src/**"], "exclude": ["src/generated/", "*.fixture.ts"], "allGroups": false,
///             "templateRule": true, "templateMinFunctions": 10, "templateMinRemainder": 0.02,
///             "inputRule": true, "outputRule": true}}
/// ```
///
/// Every key is optional; flags on the command line win over the file. An unknown key or a value of the
/// wrong type is an error naming it, so a typo does not pass silently.
public struct RepositorySettings: Sendable, Equatable {
  public static let fileName = ".codeintel.json"

  public var minLines: Int?
  public var minTokens: Int?
  public var threshold: Double?
  public var maxGroup: Int?
  public var model: String?
  public var nearMiss: Bool?
  public var functional: Bool?
  public var includeTests: Bool?
  public var includeBuild: Bool?
  public var includeExamples: Bool?
  public var includeBenchmarks: Bool?
  public var include: [String]?
  public var exclude: [String]?
  public var allGroups: Bool?
  /// The functional kind's template rule (`RepositoryTemplates`) and its two settings.
  public var templateRule: Bool?
  public var templateMinFunctions: Int?
  public var templateMinRemainder: Double?
  /// The functional kind's output rule (`OutputKinds`).
  public var outputRule: Bool?
  /// The functional kind's input rule (`FunctionInputs`).
  public var inputRule: Bool?

  public init() {}

  static let keys: Set<String> = [
    "minLines", "minTokens", "threshold", "maxGroup", "model", "nearMiss", "functional", "includeTests", "include",
    "exclude", "includeBuild", "includeExamples", "includeBenchmarks", "allGroups", "templateRule",
    "templateMinFunctions", "templateMinRemainder", "outputRule", "inputRule",
  ]

  /// The settings of the repository at `root`, or nil when it has no `.codeintel.json`.
  public static func load(root: String) throws -> RepositorySettings? {
    let path = root + "/" + fileName
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    return try parse(Data(try FileBytes.read(path, limit: 1 << 20)), path: path)
  }

  private struct File: Decodable {
    var clones: Clones?
  }

  private struct Clones: Decodable {
    var minLines: Int?
    var minTokens: Int?
    var threshold: Double?
    var maxGroup: Int?
    var model: String?
    var nearMiss: Bool?
    var functional: Bool?
    var includeTests: Bool?
    var includeBuild: Bool?
    var includeExamples: Bool?
    var includeBenchmarks: Bool?
    var include: [String]?
    var exclude: [String]?
    var allGroups: Bool?
    var templateRule: Bool?
    var templateMinFunctions: Int?
    var templateMinRemainder: Double?
    var outputRule: Bool?
    var inputRule: Bool?
  }

  /// Parses the file's bytes (`path` only names it in errors).
  public static func parse(_ data: Data, path: String) throws -> RepositorySettings {
    func fail(_ why: String) -> CloneIndexError { .io("\(path): \(why)") }
    guard let top = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw fail("not a JSON object")
    }
    if let c = top["clones"] as? [String: Any], let unknown = c.keys.sorted().first(where: { !keys.contains($0) }) {
      throw fail("unknown key \"clones.\(unknown)\" (known: \(keys.sorted().joined(separator: ", ")))")
    }
    let file: File
    do {
      file = try JSONDecoder().decode(File.self, from: data)
    } catch let DecodingError.typeMismatch(_, context) {
      let path = context.codingPath.map(\.stringValue)
      let key = path.prefix(2).joined(separator: ".")
      let expected: String
      switch path.dropFirst().first ?? "" {
      case "minLines", "minTokens", "maxGroup", "templateMinFunctions": expected = "a whole number"
      case "threshold", "templateMinRemainder": expected = "a number in 0...1"
      case "model": expected = "a string"
      case "nearMiss", "functional", "includeTests", "includeBuild", "includeExamples", "includeBenchmarks", "allGroups",
        "templateRule", "outputRule", "inputRule":
        expected = "true or false"
      case "include", "exclude": expected = "a list of strings"
      default: expected = "an object"
      }
      throw fail("\"\(key)\" must be \(expected)")
    } catch {
      throw fail("cannot read it (\(error))")
    }
    var out = RepositorySettings()
    guard let c = file.clones else { return out }
    out.minLines = c.minLines
    out.minTokens = c.minTokens
    out.threshold = c.threshold
    out.maxGroup = c.maxGroup
    out.model = c.model
    out.nearMiss = c.nearMiss
    out.functional = c.functional
    out.includeTests = c.includeTests
    out.includeBuild = c.includeBuild
    out.includeExamples = c.includeExamples
    out.includeBenchmarks = c.includeBenchmarks
    out.include = c.include
    out.exclude = c.exclude
    out.allGroups = c.allGroups
    out.templateRule = c.templateRule
    out.templateMinFunctions = c.templateMinFunctions
    out.templateMinRemainder = c.templateMinRemainder
    out.outputRule = c.outputRule
    out.inputRule = c.inputRule
    if let m = out.minLines, m < 1 { throw fail("\"clones.minLines\" must be at least 1") }
    if let m = out.minTokens, m < 0 { throw fail("\"clones.minTokens\" must be at least 0") }
    if let m = out.maxGroup, m < 2 { throw fail("\"clones.maxGroup\" must be at least 2") }
    if let t = out.threshold, !(0...1).contains(t) { throw fail("\"clones.threshold\" must be in 0...1") }
    if let m = out.templateMinFunctions, m < 2 { throw fail("\"clones.templateMinFunctions\" must be at least 2") }
    if let t = out.templateMinRemainder, !(0...1).contains(t) {
      throw fail("\"clones.templateMinRemainder\" must be in 0...1")
    }
    for g in (out.include ?? []) + (out.exclude ?? []) where PathGlob(g) == nil {
      throw fail("\"\(g)\" is not a path glob")
    }
    return out
  }

  /// `options` with this file's values applied.
  public func applied(to options: CloneOptions) -> CloneOptions {
    var o = options
    if let v = minLines { o.minLines = v }
    if let v = minTokens { o.minTokens = v }
    if let v = threshold { o.threshold = Float(v) }
    if let v = maxGroup { o.maxGroupSize = v }
    if let v = nearMiss { o.nearMiss = v }
    if let v = functional { o.functional = v }
    if let v = includeTests { o.includeTests = v }
    if let v = includeBuild { o.includeBuild = v }
    if let v = includeExamples { o.includeExamples = v }
    if let v = includeBenchmarks { o.includeBenchmarks = v }
    if let v = include { o.include = v }
    if let v = exclude { o.exclude = v }
    if let v = allGroups { o.allGroups = v }
    if let v = templateRule { o.templateRule = v }
    if let v = templateMinFunctions { o.templateMinFunctions = v }
    if let v = templateMinRemainder { o.templateMinRemainder = v }
    if let v = outputRule { o.outputRule = v }
    if let v = inputRule { o.inputRule = v }
    return o
  }
}
