import CodeIntel
import Corpus
import Foundation

/// The name prior of the type suggestions: for an identifier's name (a function's name for its return type),
/// the types the train split annotated it with, and how often. `TypeCombination.combine` ranks its candidates
/// together with the type head's, by confidence (docs/TYPES.md, "Confidence and the combined system").
///
/// Built from the train split only. A (name, type) pair is kept only when at least `minPackages` train
/// packages annotate that name with that type: the splits are by package, so a type that one package gives
/// its own names (`node: BabelNodePath`) never recurs in another and would only be memorised. It is stored
/// as `name-prior.json` in a type-head folder (`codeintel finetune types` writes it; `codeintel finetune
/// name-prior` adds it to an existing folder); a folder without the file gets no prior.
public struct TypeNamePrior: Codable, Sendable, Equatable {
  public static let formatName = "codeintel-type-name-prior"
  public static let formatVersion = 1
  /// The file name inside a type-head folder.
  public static let fileName = "name-prior.json"

  /// One type of a name.
  public struct TypeCount: Codable, Sendable, Equatable {
    /// Normalised (`TypeAccuracy.normalize`).
    public var type: String
    /// Train sites of the name annotated with this type.
    public var sites: Int
    /// Train packages among them.
    public var packages: Int
  }

  /// What train says about one name.
  public struct Entry: Codable, Sendable, Equatable {
    /// All train sites of the name with a type other than `any`, kept types or not (the denominator of
    /// the confidence).
    public var sites: Int
    /// The kept types, most sites first (then most packages, then text), at most `depth`.
    public var types: [TypeCount]
  }

  /// Where the table came from.
  public struct Provenance: Codable, Sendable, Equatable {
    /// The split it was counted on (always `train`).
    public var split: String
    /// SHA-256 of the split's `train.jsonl`.
    public var sha256: String
    /// The dataset build's hash (SHA-256 of its `SHA256SUMS`), when the folder has one.
    public var datasetHash: String?
    public var files: Int
    public var packages: Int

    public init(split: String = "train", sha256: String, datasetHash: String? = nil, files: Int, packages: Int) {
      self.split = split
      self.sha256 = sha256
      self.datasetHash = datasetHash
      self.files = files
      self.packages = packages
    }
  }

  /// A ranked candidate for a site.
  public struct Candidate: Sendable, Equatable {
    public var type: String
    public var confidence: Double
    public var reason: String
  }

  public var format: String
  public var version: Int
  public var dataset: Provenance
  /// The guard: a (name, type) pair is kept when at least this many train packages annotate it.
  public var minPackages: Int
  /// Types kept per name.
  public var depth: Int
  /// Names with at least one kept type.
  public var names: [String: Entry]
  /// Names the train labels apply to type arguments (`ComponentFixture<App>`, `Observable<T>`) at least
  /// `GenericUse.minApplied` times and write bare less than half as often: a name imported from a package is
  /// known to be generic only from here (its declaration is not in the file). Nil in a table written before
  /// session 12 (then no imported generic is expanded; `codeintel finetune name-prior` rewrites it).
  public var generics: [String: GenericUse]?

  /// How the train labels write one generic name.
  public struct GenericUse: Codable, Sendable, Equatable {
    /// The most frequent number of type arguments (the smaller on a tie).
    public var arity: Int
    /// Train label occurrences applied to type arguments, and written bare.
    public var applied: Int
    public var bare: Int
    /// Train packages among the applied occurrences.
    public var packages: Int
    /// The most frequent application whose arguments are all primitives or global lib types (never `any`):
    /// `Promise<void>`, `ElementRef<HTMLElement>`; nil when there is none.
    public var application: String?

    public init(arity: Int, applied: Int, bare: Int, packages: Int, application: String? = nil) {
      self.arity = arity
      self.applied = applied
      self.bare = bare
      self.packages = packages
      self.application = application
    }

    /// Applied at least this many times in train labels.
    public static let minApplied = 2
  }

  // MARK: - Building

  /// Counts the (name, type) pairs of `files` (`any` left out) and keeps those annotated in at least
  /// `minPackages` packages, at most `depth` per name.
  public static func build(
    files: [TypeEvaluation.File], provenance: Provenance, minPackages: Int = 2, depth: Int = 5
  ) -> TypeNamePrior {
    var total: [String: Int] = [:]
    var sites: [String: [String: Int]] = [:]
    var packages: [String: [String: Set<String>]] = [:]
    for file in files {
      for site in file.sites {
        let type = TypeAccuracy.normalize(site.label)
        guard type != "any", !type.isEmpty else { continue }
        total[site.name, default: 0] += 1
        sites[site.name, default: [:]][type, default: 0] += 1
        packages[site.name, default: [:]][type, default: []].insert(file.package)
      }
    }
    var names: [String: Entry] = [:]
    for (name, types) in sites {
      let kept =
        types
        .map { TypeCount(type: $0.key, sites: $0.value, packages: packages[name]?[$0.key]?.count ?? 0) }
        .filter { $0.packages >= minPackages }
        .sorted { a, b in
          if a.sites != b.sites { return a.sites > b.sites }
          if a.packages != b.packages { return a.packages > b.packages }
          return a.type < b.type
        }
      guard !kept.isEmpty else { continue }
      names[name] = Entry(sites: total[name] ?? 0, types: Array(kept.prefix(depth)))
    }
    return TypeNamePrior(
      format: formatName, version: formatVersion, dataset: provenance, minPackages: minPackages, depth: depth,
      names: names, generics: genericUses(files: files))
  }

  /// The generic names of the files' labels (`generics`): applied at least `GenericUse.minApplied` times and
  /// written bare fewer than half as often (`EventEmitter` is node's plain class as often as a generic).
  public static func genericUses(files: [TypeEvaluation.File]) -> [String: GenericUse] {
    var arities: [String: [Int: Int]] = [:]
    var bare: [String: Int] = [:]
    var packages: [String: Set<String>] = [:]
    var applications: [String: [String: Int]] = [:]
    for file in files {
      for site in file.sites {
        let type = TypeAccuracy.normalize(site.label)
        guard type != "any", !type.isEmpty else { continue }
        for use in nameUses(in: type) {
          if let arguments = use.arguments {
            arities[use.name, default: [:]][arguments.count, default: 0] += 1
            packages[use.name, default: []].insert(file.package)
            if arguments.allSatisfy(isLibArgument) {
              applications[use.name, default: [:]][use.name + "<" + arguments.joined(separator: ",") + ">", default: 0] += 1
            }
          } else {
            bare[use.name, default: 0] += 1
          }
        }
      }
    }
    var out: [String: GenericUse] = [:]
    for (name, counts) in arities {
      let applied = counts.values.reduce(0, +)
      let written = bare[name] ?? 0
      guard applied >= GenericUse.minApplied, written * 2 < applied else { continue }
      let arity = counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }!.key
      let application = applications[name]?.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }?.key
      out[name] = GenericUse(
        arity: arity, applied: applied, bare: written, packages: packages[name]?.count ?? 0, application: application)
    }
    return out
  }

  /// Primitives a lib application may take as arguments.
  static let primitives: Set<String> = [
    "string", "number", "boolean", "void", "unknown", "null", "undefined", "never", "object", "bigint", "symbol",
  ]

  /// An argument of a lib application: a primitive, a global lib type, or an array of one (`string[]`).
  static func isLibArgument(_ argument: String) -> Bool {
    var a = Substring(argument)
    while a.hasSuffix("[]") { a = a.dropLast(2) }
    return primitives.contains(String(a)) || TypeNames.globalTypes.contains(String(a))
      && !TypeNames.genericGlobals.contains(String(a))
  }

  /// Every name a normalised type writes (not a member after `.`, not an object key before `:`), with its
  /// top-level type arguments (normalised text each) when it is applied: `Map<string,Node[]>` gives `Map`
  /// with ["string", "Node[]"] and `Node` bare. A qualified name counts whole (`ts.Node`).
  static func nameUses(in type: String) -> [(name: String, arguments: [String]?)] {
    let chars = Array(type)
    var out: [(name: String, arguments: [String]?)] = []
    func isStart(_ c: Character) -> Bool { c.isLetter || c == "_" || c == "$" }
    func isPart(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "$" }
    var i = 0
    while i < chars.count {
      let c = chars[i]
      if c == "'" || c == "\"" || c == "`" {
        // A string literal type: skip to its closing quote.
        var j = i + 1
        while j < chars.count && chars[j] != c { j += chars[j] == "\\" ? 2 : 1 }
        i = j + 1
        continue
      }
      guard isStart(c), i == 0 || !(isPart(chars[i - 1]) || chars[i - 1] == ".") else {
        i += 1
        continue
      }
      var j = i
      while j < chars.count && (isPart(chars[j]) || (chars[j] == "." && j + 1 < chars.count && isStart(chars[j + 1]))) {
        j += 1
      }
      let name = String(chars[i..<j])
      if j < chars.count && (chars[j] == ":" || chars[j] == "?") {  // an object key or a parameter's name
        i = j
        continue
      }
      if j < chars.count && chars[j] == "<" {
        var depth = 0
        var arguments: [String] = []
        var current = ""
        var k = j
        var previous: Character = " "
        scan: while k < chars.count {
          let d = chars[k]
          switch d {
          case "<", "(", "[", "{": depth += 1
          case ">" where previous == "=": break
          case ">", ")", "]", "}": depth -= 1
          default: break
          }
          previous = d
          if depth == 0 {
            arguments.append(current)
            break scan
          }
          if depth == 1 && (d == "," || (d == "<" && k == j)) {
            if d == "," { arguments.append(current) }
            current = ""
          } else {
            current.append(d)
          }
          k += 1
        }
        out.append((name, arguments))
      } else {
        out.append((name, nil))
      }
      i = j
    }
    return out
  }

  /// Builds the table from a types dataset folder's `train.jsonl` (the folder `codeintel corpus` writes
  /// under `types/`); the provenance records its SHA-256 and, from the parent folder's `SHA256SUMS`, the
  /// dataset hash.
  public static func build(typesDirectory: String, minPackages: Int = 2, depth: Int = 5) throws -> TypeNamePrior {
    let dir = URL(fileURLWithPath: (typesDirectory as NSString).expandingTildeInPath)
    let trainPath = dir.appendingPathComponent("train.jsonl").path
    let files = try TypeEvaluation.loadFiles(trainPath)
    return build(
      files: files, provenance: try provenance(trainPath: trainPath, files: files), minPackages: minPackages,
      depth: depth)
  }

  /// The provenance of a table counted on `files`, read from `trainPath`.
  public static func provenance(trainPath: String, files: [TypeEvaluation.File]) throws -> Provenance {
    guard let bytes = FileManager.default.contents(atPath: trainPath) else {
      throw CodeIntelError("\(trainPath): cannot read the train split")
    }
    let sums = URL(fileURLWithPath: trainPath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("SHA256SUMS").path
    return Provenance(
      sha256: SHA256.hex(bytes), datasetHash: FileManager.default.contents(atPath: sums).map { SHA256.hex($0) },
      files: files.count, packages: Set(files.map(\.package)).count)
  }

  // MARK: - Using

  /// Add-one smoothing of a type's share of its name's train sites: a name seen twice with one type gets
  /// 2/3, not 1 (the confidence shown, and the rank against the type head's probabilities).
  public static func confidence(sites: Int, of total: Int) -> Double {
    Double(sites) / Double(total + 1)
  }

  /// The candidates for a name as the dataset spells it (empty for an unnamed function's return), best
  /// first; none for a name the table does not hold.
  public func candidates(for name: String) -> [Candidate] {
    guard let entry = names[name] else { return [] }
    let who = name.isEmpty ? "an unnamed function's return" : "`\(name)`"
    return entry.types.map {
      Candidate(
        type: $0.type, confidence: Self.confidence(sites: $0.sites, of: entry.sites),
        reason: "name prior: \(who) is `\($0.type)` at \($0.sites) of \(entry.sites) train sites "
          + "(\($0.packages) packages)")
    }
  }

  // MARK: - Files

  /// Reads `name-prior.json` from a type-head folder; nil when the folder has none.
  public static func load(directory: URL) throws -> TypeNamePrior? {
    let url = directory.appendingPathComponent(fileName)
    guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
    let prior: TypeNamePrior
    do { prior = try JSONDecoder().decode(TypeNamePrior.self, from: data) } catch {
      throw CodeIntelError(
        "\(url.path): not a name-prior table (\(error)); rebuild it with `codeintel finetune name-prior`")
    }
    guard prior.format == formatName, prior.version == formatVersion else {
      throw CodeIntelError(
        "\(url.path): format \(prior.format) v\(prior.version), expected \(formatName) v\(formatVersion); "
          + "rebuild it with `codeintel finetune name-prior`")
    }
    return prior
  }

  /// Writes `name-prior.json` into `directory` (sorted keys, so the same train split gives the same bytes).
  public func write(to directory: URL) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try e.encode(self).write(to: directory.appendingPathComponent(Self.fileName))
  }
}
