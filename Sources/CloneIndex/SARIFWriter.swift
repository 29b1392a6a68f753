import Foundation

/// Writes clone groups as SARIF 2.1.0 for GitHub code scanning: one rule per clone kind, one result
/// per member of a group, pointing at the member and listing the other members as related locations
/// (linked from the message). `partialFingerprints` keep alerts stable across runs.
public struct SARIFWriter: Sendable {
  public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
  public static let informationURI = "https://github.com/codeintel/codeintel"

  public init() {}

  /// The SARIF log as pretty-printed JSON.
  public func render(_ report: CloneReport) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(log(report)), as: UTF8.self) + "\n"
  }

  /// The SARIF object model of a report.
  public func log(_ report: CloneReport) -> Log {
    let rules = CloneKind.allCases.map(Self.rule)
    var results: [Result] = []
    for g in report.groups {
      for (i, m) in g.members.enumerated() {
        let others = g.members.enumerated().filter { $0.offset != i }
        let related = others.enumerated().map { (n, o) in
          Location(
            id: n + 1, physicalLocation: Self.physical(o.element),
            message: Message(text: o.element.name ?? o.element.kind))
        }
        let links = others.enumerated().map { (n, o) in "[\(o.element.label)](\(n + 1))" }.joined(separator: ", ")
        let what: String
        switch g.kind {
        case .exact: what = "is an exact copy of"
        case .renamed: what = "is a copy, up to renamed variables, of"
        case .nearMiss: what = String(format: "is a copy with edits (%.2f token overlap) of", g.similarity)
        case .functional: what = String(format: "is similar (%.2f) to", g.similarity)
        }
        let name = m.name.map { "`\($0)`" } ?? "This function"
        let text = "\(name) \(what) \(others.count) other function\(others.count == 1 ? "" : "s"): \(links)"
        let fingerprint = ContentHash.hex(
          ContentHash.hash(
            g.kind.rawValue + "|" + m.path + "|" + (m.name ?? "") + "|"
              + g.members.map { $0.path }.joined(separator: ",")))
        results.append(
          Result(
            ruleId: Self.ruleID(g.kind), ruleIndex: CloneKind.allCases.firstIndex(of: g.kind) ?? 0,
            level: g.kind == .functional ? "note" : "warning", message: Message(text: text),
            locations: [Location(id: nil, physicalLocation: Self.physical(m), message: nil)],
            relatedLocations: related, partialFingerprints: ["cloneGroup/v1": fingerprint],
            properties: ResultProperties(group: g.id, similarity: g.similarity, members: g.members.count)))
      }
    }
    let driver = Driver(
      name: "codeintel", informationUri: Self.informationURI, semanticVersion: "0.1.0", rules: rules)
    return Log(
      schema: Self.schemaURI, version: "2.1.0",
      runs: [Run(tool: Tool(driver: driver), results: results, columnKind: "utf16CodeUnits")])
  }

  static func ruleID(_ kind: CloneKind) -> String { "clone/\(kind.rawValue)" }

  static func rule(_ kind: CloneKind) -> Rule {
    let (short, full): (String, String)
    switch kind {
    case .exact:
      short = "Exact duplicate function"
      full = "The function's tokens are identical to another function's, apart from whitespace, comments and its name."
    case .renamed:
      short = "Duplicate function with renamed variables"
      full = "The function is identical to another once local names are renamed and type annotations dropped."
    case .nearMiss:
      short = "Copy of a function with edits"
      full =
        "The function's tokens, as written and with local names blinded, mostly match another function's (token-bag overlap)."
    case .functional:
      short = "Functionally similar function"
      full =
        "The function does what another function does: their embeddings are alike, and the learned pair scorer"
        + " (or, without it, the cosine threshold) judges them functional clones."
    }
    return Rule(
      id: ruleID(kind),
      name: "Clone" + String(describing: kind).prefix(1).uppercased() + String(describing: kind).dropFirst(),
      shortDescription: Message(text: short), fullDescription: Message(text: full),
      help: Message(text: "Extract the shared logic into one function and call it from each place."),
      defaultConfiguration: Configuration(level: kind == .functional ? "note" : "warning"),
      properties: RuleProperties(tags: ["maintainability", "duplicate-code"]))
  }

  static func physical(_ m: CloneLocation) -> PhysicalLocation {
    PhysicalLocation(
      artifactLocation: ArtifactLocation(
        uri: m.path.split(separator: "/").map(Self.percentEncode).joined(separator: "/"), uriBaseId: "%SRCROOT%"),
      region: Region(startLine: m.startLine, endLine: m.endLine))
  }

  /// Percent-encodes a path segment for a URI reference.
  static func percentEncode(_ segment: Substring) -> String {
    var out = ""
    for b in segment.utf8 {
      let c = Character(Unicode.Scalar(b))
      if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || "-._~@+".contains(c) {
        out.append(c)
      } else {
        out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
      }
    }
    return out
  }

  // MARK: - SARIF object model (the subset written)

  public struct Log: Codable, Sendable {
    public var schema: String
    public var version: String
    public var runs: [Run]
    enum CodingKeys: String, CodingKey {
      case schema = "$schema"
      case version, runs
    }
  }
  public struct Run: Codable, Sendable {
    public var tool: Tool
    public var results: [Result]
    public var columnKind: String
  }
  public struct Tool: Codable, Sendable { public var driver: Driver }
  public struct Driver: Codable, Sendable {
    public var name: String
    public var informationUri: String
    public var semanticVersion: String
    public var rules: [Rule]
  }
  public struct Rule: Codable, Sendable {
    public var id: String
    public var name: String
    public var shortDescription: Message
    public var fullDescription: Message
    public var help: Message
    public var defaultConfiguration: Configuration
    public var properties: RuleProperties
  }
  public struct RuleProperties: Codable, Sendable { public var tags: [String] }
  public struct Configuration: Codable, Sendable { public var level: String }
  public struct Message: Codable, Sendable { public var text: String }
  public struct Result: Codable, Sendable {
    public var ruleId: String
    public var ruleIndex: Int
    public var level: String
    public var message: Message
    public var locations: [Location]
    public var relatedLocations: [Location]
    public var partialFingerprints: [String: String]
    public var properties: ResultProperties
  }
  public struct ResultProperties: Codable, Sendable {
    public var group: Int
    public var similarity: Double
    public var members: Int
  }
  public struct Location: Codable, Sendable {
    public var id: Int?
    public var physicalLocation: PhysicalLocation
    public var message: Message?
  }
  public struct PhysicalLocation: Codable, Sendable {
    public var artifactLocation: ArtifactLocation
    public var region: Region
  }
  public struct ArtifactLocation: Codable, Sendable {
    public var uri: String
    public var uriBaseId: String
  }
  public struct Region: Codable, Sendable {
    public var startLine: Int
    public var endLine: Int
  }
}
