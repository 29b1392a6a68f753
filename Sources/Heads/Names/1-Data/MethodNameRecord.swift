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

  public init(package: String, path: String, name: String, target: [String], input: String) {
    self.package = package
    self.path = path
    self.name = name
    self.target = target
    self.input = input
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
}
