import CodeIntel
import Foundation
import Syntax

@testable import Heads
@testable import LanguageServer

/// Whether Debian's node-typescript and node are installed (the compiler check's tests need them).
let typeCompilerInstalled =
  FileManager.default.fileExists(atPath: "/usr/share/nodejs/typescript/package.json")
  && FileManager.default.isExecutableFile(atPath: "/usr/bin/node")

/// The repository's `scripts/typecheck/ts-check.js`.
let typeCheckScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent(TypeChecker.scriptPath).path

/// Proposes `string` (0.9), then `number` (0.85), for every parameter (`string` breaks `x * 2`), or with
/// `properties` for every unannotated class property instead; with `honorsRange`, only for the sites in the requested
/// byte range, as the real suggester answers a viewport.
struct PlantedTypes: TypeSuggester {
  var honorsRange = false
  var properties = false

  func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cancellation: CancellationToken) throws
    -> [TypeEvidence.Suggestion]
  {
    var sites: [(kind: TypeEvidence.Suggestion.Kind, name: String, nameRange: Range<Int>, anchor: Int)] = []
    if properties {
      tree.root.walk { node in
        if let (name, anchor) = TypeSites.unannotatedProperty(node) {
          sites.append((.property, name.text, name.byteRange, anchor))
        }
        return true
      }
    } else {
      sites = TypeSites.unannotated(in: tree).filter { $0.kind == .parameter }.map {
        (.parameter, $0.name, $0.nameRange, $0.anchor)
      }
    }
    let all = sites.map {
      TypeEvidence.Suggestion(
        kind: $0.kind, name: $0.name, nameRange: $0.nameRange, anchor: $0.anchor,
        candidates: [
          .init(type: "string", confidence: 0.9, reason: "planted", source: "model"),
          .init(type: "number", confidence: 0.85, reason: "planted", source: "model"),
        ])
    }
    return honorsRange ? all.overlapping(bytes) : all
  }
}
