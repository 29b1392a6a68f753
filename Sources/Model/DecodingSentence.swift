import Foundation

/// A sentence for a JSON decoding failure, naming the field and what was wrong, instead of Swift's
/// `DecodingError.keyNotFound(CodingKeys(stringValue: …), Context(…))`.
public enum DecodingSentence {
  /// "lacks the field `format`", "has `dim` of the wrong type (expected a number)", "is not valid JSON", ….
  public static func describe(_ error: Error) -> String {
    guard let e = error as? DecodingError else { return "\(error)" }
    func path(_ c: DecodingError.Context, plus key: CodingKey? = nil) -> String {
      let keys = c.codingPath + (key.map { [$0] } ?? [])
      return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        .replacingOccurrences(of: ".[", with: "[")
    }
    func kind(_ t: Any.Type) -> String {
      switch "\(t)" {
      case "Int", "Int32", "Int64", "Double", "Float", "UInt64": return "a number"
      case "String": return "a string"
      case "Bool": return "true or false"
      case let s where s.hasPrefix("Array"): return "a list"
      case let s where s.hasPrefix("Dictionary"): return "an object"
      default: return "an object"
      }
    }
    switch e {
    case .keyNotFound(let key, let c):
      let inside = path(c)
      return "lacks the field `\(key.stringValue)`" + (inside.isEmpty ? "" : " in `\(inside)`")
    case .typeMismatch(let t, let c):
      return "has `\(path(c))` of the wrong type (expected \(kind(t)))"
    case .valueNotFound(let t, let c):
      return "has `\(path(c))` set to null (expected \(kind(t)))"
    case .dataCorrupted(let c):
      let p = path(c)
      return p.isEmpty ? "is not valid JSON" : "has an invalid value at `\(p)`"
    @unknown default:
      return "does not decode"
    }
  }
}

extension PretrainedModel {
  /// `$CODEINTEL_MODEL` when it is set: it must name an existing folder, or loading fails with a sentence
  /// (a typo must not silently fall back to the shipped model). Nil when it is not set.
  public static func environmentModelDirectory() throws -> String? {
    guard let value = ProcessInfo.processInfo.environment[environmentVariable], !value.isEmpty else { return nil }
    let path = (value as NSString).expandingTildeInPath
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw PretrainError.invalidModel(
        path: path,
        reason: "\(environmentVariable) names a folder that does not exist; point it at a model folder "
          + "(e.g. Models/\(defaultName)) or unset it to use the shipped model")
    }
    return path
  }
}
