import Foundation
import Syntax

/// Decides which files of a source tree are real, hand-written JavaScript or TypeScript worth
/// learning from, and says why the others are left out.
public struct FileSelector: Sendable {
  /// Why a file is left out.
  public enum Reason: String, Sendable, CaseIterable, Codable {
    case notSource = "not-js-ts"
    case declaration = "d.ts"
    case excluded = "manifest-exclude"
    case vendored = "vendored-or-build-dir"
    case tooLarge = "too-large"
    case empty = "empty"
    case notUTF8 = "not-utf8"
    case minified = "minified"
    case bundled = "bundled"
    case generated = "generated"
  }

  /// The verdict on one file.
  public enum Decision: Sendable, Equatable {
    case keep(Language)
    case skip(Reason)
  }

  /// Files larger than this are skipped (generated tables, bundles, the odd giant checker).
  public var maxBytes = 1 << 20
  /// A file whose lines average more than this many bytes is minified.
  public var maxMeanLineLength = 200
  /// Lines longer than this count as "long"...
  public var longLine = 1000
  /// ...and a file whose long lines hold more than this share of its bytes is minified.
  public var maxLongLineShare = 0.3
  /// Folder names whose contents are vendored copies or build output.
  public var skippedDirectories: Set<String> = [
    "node_modules", "bower_components", "jspm_packages", "vendor", "vendors", "third_party", "third-party",
    "thirdparty", "dist", "build", "out", "coverage", "lib-cov", ".git", "min", "minified", "bundle", "bundles",
  ]

  public init() {}

  /// The language of a path if it is a JS/TS source file at all (`.d.ts` excluded), checking only
  /// the path: the cheap first filter before reading the file.
  public func decide(path: String, exclude: [String] = []) -> Decision {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    guard let language = Language(path: name) else { return .skip(.notSource) }
    let lower = name.lowercased()
    if lower.hasSuffix(".d.ts") || lower.hasSuffix(".d.mts") || lower.hasSuffix(".d.cts") { return .skip(.declaration) }
    if exclude.contains(where: { path.hasPrefix($0) }) { return .skip(.excluded) }
    let folders = path.split(separator: "/").dropLast()
    if folders.contains(where: { skippedDirectories.contains($0.lowercased()) }) { return .skip(.vendored) }
    if lower.hasSuffix(".min.js") || lower.hasSuffix("-min.js") || lower.contains(".min.") { return .skip(.minified) }
    if lower.contains(".bundle.") || lower.hasSuffix(".pack.js") { return .skip(.bundled) }
    return .keep(language)
  }

  /// The full verdict on a file: path rules, then size, encoding and content.
  public func decide(path: String, bytes: [UInt8], exclude: [String] = []) -> Decision {
    let byPath = decide(path: path, exclude: exclude)
    guard case .keep = byPath else { return byPath }
    if bytes.count > maxBytes { return .skip(.tooLarge) }
    if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) { return .skip(.empty) }
    if bytes.contains(0) || String(validating: bytes, as: UTF8.self) == nil { return .skip(.notUTF8) }
    if isMinified(bytes) { return .skip(.minified) }
    if isBundled(bytes) { return .skip(.bundled) }
    if isGenerated(bytes) { return .skip(.generated) }
    return byPath
  }

  // MARK: - Content rules

  /// Minified code: long lines holding much of the file, or a high mean line length.
  public func isMinified(_ bytes: [UInt8]) -> Bool {
    var lines = 0
    var nonEmpty = 0
    var longBytes = 0
    var current = 0
    var nonSpace = 0
    func endLine() {
      lines += 1
      if nonSpace > 0 { nonEmpty += 1 }
      if current > longLine { longBytes += current }
      current = 0
      nonSpace = 0
    }
    for b in bytes {
      if b == 0x0A {
        endLine()
      } else {
        current += 1
        if b != 0x20 && b != 0x09 && b != 0x0D { nonSpace += 1 }
      }
    }
    endLine()
    if Double(longBytes) > maxLongLineShare * Double(bytes.count) { return true }
    return nonEmpty > 0 && bytes.count / nonEmpty > maxMeanLineLength
  }

  /// Bundler output (webpack, browserify, rollup/r.js named-module bundles).
  public func isBundled(_ bytes: [UInt8]) -> Bool {
    let text = String(decoding: bytes, as: UTF8.self)
    if text.contains("__webpack_require__") && text.contains("/******/") { return true }
    if text.contains("(function e(t,n,r){function s(o,u)") || text.contains("require=(function e(t,n,r)") {
      return true
    }
    if text.contains("System.register(") && occurrences(of: "System.register(", in: text, atLeast: 3) { return true }
    return occurrences(of: "\ndefine(\"", in: text, atLeast: 3) || occurrences(of: "\ndefine('", in: text, atLeast: 3)
  }

  /// A header comment (first 1.5 kB) that says the file is generated.
  public func isGenerated(_ bytes: [UInt8]) -> Bool {
    let head = String(decoding: bytes.prefix(1500), as: UTF8.self).lowercased()
    let markers = [
      "do not edit", "@generated", "auto-generated", "autogenerated", "automatically generated",
      "this file is generated", "this file was generated", "code generated by", "generated by", "generated from",
    ]
    return markers.contains { head.contains($0) }
  }

  private func occurrences(of needle: String, in text: String, atLeast n: Int) -> Bool {
    var count = 0
    var rest = text[...]
    while let r = rest.range(of: needle) {
      count += 1
      if count >= n { return true }
      rest = rest[r.upperBound...]
    }
    return false
  }
}
