import CodeIntel
import Foundation
import Syntax
import Testing

@testable import Heads
@testable import LanguageServer

/// Proposes `number` at 0.9 for every parameter, with a calibrated display threshold of `threshold`.
private struct CalibratedTypes: TypeSuggester {
  let threshold: Double?
  var displayThreshold: Double? { threshold }

  func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cancellation: CancellationToken) throws
    -> [TypeEvidence.Suggestion]
  {
    TypeSites.unannotated(in: tree).filter { $0.kind == .parameter }.map {
      TypeEvidence.Suggestion(
        kind: .parameter, name: $0.name, nameRange: $0.nameRange, anchor: $0.anchor,
        candidates: [.init(type: "number", confidence: 0.9, reason: "planted", source: "model")])
    }
  }
}

@Suite struct TypeThresholdHintTests {
  let doc: JSONValue = ["uri": "file:///work/bar.ts"]

  func labels(_ threshold: Double?, setting: Double? = nil) throws -> [JSONValue?] {
    let editor = try MockEditor(providers: AnalysisProviders(types: CalibratedTypes(threshold: threshold)))
    if let setting {
      editor.notify(
        "workspace/didChangeConfiguration", ["settings": ["codeintel": ["inlayHints": ["minConfidence": .double(setting)]]]])
    }
    editor.open("export function twice(x) { return x * 2 }\n", uri: "file:///work/bar.ts")
    return try editor.result("textDocument/inlayHint", ["textDocument": doc, "range": MockEditor.everything]).items
      .map { $0["label"] }
  }

  @Test func hintsObeyTheCalibratedThresholdUnlessTheUserSetsOne() throws {
    // The head's threshold is above the suggestion: no hint.
    #expect(try labels(0.95).isEmpty)
    // At or below it: shown.
    #expect(try labels(0.9) == [": number"])
    // No calibration: the server's default bar (0.5).
    #expect(try labels(nil) == [": number"])
    // The user's setting wins over the calibration.
    #expect(try labels(0.95, setting: 0.8) == [": number"])
  }
}
