import CodeIntel
import Foundation

// MARK: - Examples

/// One line of `method-names/{train,valid,test}.jsonl`.
public struct MethodNameRecord: Codable, Sendable, Equatable {
  public var package: String
  public var path: String
  public var name: String
  public var target: [String]
  public var input: String
  /// Where the function starts in its file (the dataset's `start_byte`; nil where a line has none).
  public var startByte: Int?
  /// The names of other functions of the same file, nearest first (`withSiblings`; never read from a line).
  public var siblings: [String]?
  /// The names (`nameKey`) the other records of the same file hold, this record's own name left out (`withTakenNames`;
  /// never read from a line): the part of the product's taken-names rule (`NameAnalysis.takenNames`) a split can see.
  public var takenNames: Set<String>?

  enum CodingKeys: String, CodingKey {
    case package, path, name, target, input
    case startByte = "start_byte"
  }

  public init(
    package: String, path: String, name: String, target: [String], input: String, startByte: Int? = nil,
    siblings: [String]? = nil
  ) {
    self.package = package
    self.path = path
    self.name = name
    self.target = target
    self.input = input
    self.startByte = startByte
    self.siblings = siblings
  }

  /// The file a record's function lives in (package and path): what `withSiblings` and `withTakenNames` group by.
  var fileKey: String { package + "\u{0}" + path }

  /// How many sibling names `withSiblings` keeps per function.
  public static let maxSiblings = 8

  /// `records` with `siblings` set: for each, the names of the other records of the same package and path (its own
  /// name left out, each name once), nearest by `startByte` first, at most `maxSiblings`. Compute it on a whole
  /// split before sampling, so that a sampled function still sees its file's others.
  public static func withSiblings(_ records: [MethodNameRecord]) -> [MethodNameRecord] {
    var byFile: [String: [Int]] = [:]
    for (i, r) in records.enumerated() { byFile[r.fileKey, default: []].append(i) }
    var out = records
    for file in byFile.values {
      let functions = file.map { (name: records[$0].name, start: records[$0].startByte ?? 0) }
      for (k, i) in file.enumerated() { out[i].siblings = NameInputContext.siblings(of: k, among: functions) }
    }
    return out
  }

  /// A name as the taken-names filter and the retrieval datastore compare it: its subtokens, lower-cased,
  /// space-separated.
  public static func nameKey(_ subtokens: [String]) -> String {
    subtokens.map { $0.lowercased() }.joined(separator: " ")
  }

  /// `records` with `takenNames` set: for each, the names of the other records of the same package and path, less
  /// its own (an overload keeps its name, as the product's rule does). Compute it on a whole split before sampling.
  public static func withTakenNames(_ records: [MethodNameRecord]) -> [MethodNameRecord] {
    var byFile: [String: Set<String>] = [:]
    for r in records { byFile[r.fileKey, default: []].insert(nameKey(r.target)) }
    return records.map { r in
      var out = r
      var taken = byFile[r.fileKey] ?? []
      taken.remove(nameKey(r.target))
      out.takenNames = taken
      return out
    }
  }

  /// Whether the product would leave out `subtokens` as a suggestion for this record because another function of
  /// its file holds that name (false where `takenNames` was never set).
  public func nameIsTaken(_ subtokens: [String]) -> Bool {
    takenNames?.contains(Self.nameKey(subtokens)) ?? false
  }

  /// `read(path:limit:)` with `siblings` set (`withSiblings`, on the whole split) when `context` is `path+siblings`.
  public static func read(path: String, limit: Int = 0, for context: NameInputContext?) throws -> [MethodNameRecord] {
    let records = try read(path: path, limit: limit)
    return context == .pathAndSiblings ? withSiblings(records) : records
  }

  /// Reads a JSON-lines split; a line that does not decode is an error naming the line.
  public static func read(path: String, limit: Int = 0) throws -> [MethodNameRecord] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CodeIntelError.at(path, "cannot read it (build the datasets with `codeintel corpus`)")
    }
    var out: [MethodNameRecord] = []
    let decoder = JSONDecoder()
    var line = 0
    for slice in data.split(separator: UInt8(ascii: "\n")) {
      line += 1
      if slice.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { continue }
      do {
        out.append(try decoder.decode(MethodNameRecord.self, from: Data(slice)))
      } catch {
        throw CodeIntelError.at(path, "line \(line) is not a method-name example")
      }
      if limit > 0, out.count >= limit { break }
    }
    return out
  }

  /// `count` records spread evenly over `records` (indices ⌊i · n / count⌋, in order), all of them when there are no
  /// more than `count`. The splits are written repository by repository, so a prefix would cover few of them.
  public static func spread(_ records: [MethodNameRecord], count: Int) -> [MethodNameRecord] {
    guard count > 0, records.count > count else { return records }
    return (0..<count).map { records[$0 * records.count / count] }
  }

  /// `a` and `b` alternated (a₀ b₀ a₁ b₁ …, the longer one's rest at the end), so any prefix has both.
  public static func interleaved<T>(_ a: [T], _ b: [T]) -> [T] {
    var out: [T] = []
    out.reserveCapacity(a.count + b.count)
    for i in 0..<max(a.count, b.count) {
      if i < a.count { out.append(a[i]) }
      if i < b.count { out.append(b[i]) }
    }
    return out
  }
}
