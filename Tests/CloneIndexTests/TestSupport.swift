import Foundation
import Syntax

@testable import CloneIndex

/// A temporary folder removed when the value is deinitialised.
final class TemporaryRepository {
  let root: String

  init() throws {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("clone-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    root = base.path
  }

  deinit { try? FileManager.default.removeItem(atPath: root) }

  /// Writes `text` to `path` (relative), creating folders.
  func write(_ path: String, _ text: String) throws {
    let url = URL(fileURLWithPath: root + "/" + path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
  }

  func writeBytes(_ path: String, _ bytes: [UInt8]) throws {
    let url = URL(fileURLWithPath: root + "/" + path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
  }

  func remove(_ path: String) throws { try FileManager.default.removeItem(atPath: root + "/" + path) }

  /// Copies the bundled example repository into a new temporary folder.
  static func demo() throws -> TemporaryRepository {
    let repo = try TemporaryRepository()
    let source = packageRoot() + "/Examples/clones-demo"
    for item in try FileManager.default.contentsOfDirectory(atPath: source) where item != ".codeintel" {
      try FileManager.default.copyItem(atPath: source + "/" + item, toPath: repo.root + "/" + item)
    }
    return repo
  }
}

/// The package root, found from this source file's path.
func packageRoot(file: String = #filePath) -> String {
  URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}

/// Tokens of the first function unit in `source`.
func firstUnitTokens(_ source: String, _ language: Language = .typescript) throws -> UnitTokens {
  let tree = try Parser(language: language).parse(source)
  guard let unit = extractUnits(from: tree).first else {
    throw CloneIndexError.queryNotFound("no function in test source")
  }
  return UnitTokens(unit: unit, in: tree)
}

/// The exact and canonical hashes of the first function unit in `source`, as the indexer computes them.
func hashes(_ source: String, _ language: Language = .typescript) throws -> (exactHash: String, canonicalHash: String) {
  let tree = try Parser(language: language).parse(source)
  guard let unit = extractUnits(from: tree).first else {
    throw CloneIndexError.queryNotFound("no function in test source")
  }
  return (UnitTokens(unit: unit, in: tree).exactHash, UnitCanonicalizer().canonicalHash(of: unit, in: tree))
}

/// An embedder with another id, to check that a model change re-embeds.
struct RenamedEmbedder: Embedder {
  let base = HashedFeatureEmbedder()
  var modelID: String { "test-model-b" }
  var dimension: Int { base.dimension }
  func embed(_ units: [UnitText]) throws -> [[Float]] { try base.embed(units) }
}
