import CodeIntel
import Heads
import Foundation
import LanguageServer
import Syntax
import Testing

/// Counts the analyses it is asked for, answering with the evidence.
final class CountingTypeSuggester: TypeSuggester, @unchecked Sendable {
  private let inner = EvidenceTypeSuggester()
  private let lock = NSLock()
  private var counts: [String: Int] = [:]

  func calls(_ kind: String) -> Int { lock.withLock { counts[kind, default: 0] } }

  func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cancellation: CancellationToken) throws
    -> [TypeEvidence.Suggestion]
  {
    lock.withLock { counts[bytes == nil ? "whole" : "range", default: 0] += 1 }
    return try inner.suggestTypes(in: tree, bytes: bytes, cancellation: cancellation)
  }
}

/// Issue 20: whole-file inlay hints come from a per-version cache (the head's encoding of a 3,000-line file
/// took seconds per request).
struct InlayHintCacheTests {
  let uri = "file:///work/cache.ts"

  @Test func wholeFileHintsAreComputedOncePerVersion() throws {
    let types = CountingTypeSuggester()
    let editor = try MockEditor(
      providers: AnalysisProviders(types: types, names: nil, clones: nil, useWorkspaceCloneIndex: false))
    editor.open("export function retries() { return 3 }\nexport function label() { return 'x' }\n", uri: uri)
    let params: JSONValue = ["textDocument": ["uri": .string(uri)], "range": MockEditor.everything]
    let first = try editor.result("textDocument/inlayHint", params)
    let second = try editor.result("textDocument/inlayHint", params)
    #expect(first == second)
    #expect(first.items.map { $0["label"] } == [": number", ": string"])
    // The visible lines asked twice: one analysis of that range.
    let visible: JSONValue = [
      "textDocument": ["uri": .string(uri)],
      "range": MockEditor.range(MockEditor.position(0, 0), MockEditor.position(0, 5)),
    ]
    _ = try editor.result("textDocument/inlayHint", visible)
    _ = try editor.result("textDocument/inlayHint", visible)
    #expect(types.calls("whole") == 1)
    #expect(types.calls("range") == 0)  // the whole file was known: a range is a filter of it
    // An edit makes a new version: analysed again, once.
    editor.notify(
      "textDocument/didChange",
      ["textDocument": ["uri": .string(uri), "version": 2], "contentChanges": [["text": "export function retries() { return 3 }\n"]]])
    let after = try editor.result("textDocument/inlayHint", params)
    _ = try editor.result("textDocument/inlayHint", params)
    #expect(after.items.map { $0["label"] } == [": number"])
    #expect(types.calls("whole") == 2)
    #expect(try editor.shutdown() == 0)
  }

  @Test func aRangeAskedAgainIsAnsweredFromTheCache() throws {
    let types = CountingTypeSuggester()
    let editor = try MockEditor(
      providers: AnalysisProviders(types: types, names: nil, clones: nil, useWorkspaceCloneIndex: false),
      options: ["codeintel": ["diagnostics": ["enabled": false]]])
    editor.open((0..<50).map { "export function v\($0)() { return \($0) }" }.joined(separator: "\n") + "\n", uri: uri)
    let visible: JSONValue = [
      "textDocument": ["uri": .string(uri)],
      "range": MockEditor.range(MockEditor.position(10, 0), MockEditor.position(20, 0)),
    ]
    let a = try editor.result("textDocument/inlayHint", visible)
    let b = try editor.result("textDocument/inlayHint", visible)
    #expect(a == b && a.items.count == 10)
    #expect(types.calls("range") == 1)
    #expect(try editor.shutdown() == 0)
  }
}
