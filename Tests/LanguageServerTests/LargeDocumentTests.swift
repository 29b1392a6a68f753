import CodeIntel
import Foundation
import LanguageServer
import Syntax
import Testing

/// A name model stand-in whose answer for functions named `slow` never comes: it waits until its run is
/// cancelled (a new version, `didClose`, `shutdown`, the time budget). It stands for the analysis of a huge
/// or minified document; every other function gets `renamed` (confidence 0.9) at once.
final class GatedNameSuggester: NameSuggester, @unchecked Sendable {
  let entered = DispatchSemaphore(value: 0)
  private let lock = NSLock()
  private var cancellations = 0

  var sawCancellation: Bool { lock.withLock { cancellations > 0 } }

  func suggestNames(for unit: FunctionUnit, in tree: Tree, cancellation: CancellationToken) throws -> [NameSuggestion] {
    guard unit.name == "slow" else { return [NameSuggestion(name: "renamed", confidence: 0.9)] }
    entered.signal()
    let deadline = Date().addingTimeInterval(60)
    while !cancellation.isCancelled && Date() < deadline { usleep(1000) }
    if cancellation.isCancelled { lock.withLock { cancellations += 1 } }
    try cancellation.check()
    return []
  }

  /// Polls until the run was seen cancelled (or the mock editor's timeout passes).
  func waitForCancellation() -> Bool {
    let deadline = Date().addingTimeInterval(MockEditor.timeout)
    while !sawCancellation && Date() < deadline { usleep(1000) }
    return sawCancellation
  }
}

/// Issue 20: a document whose analysis takes long (a 3.9 MB minified file) must not block the server.
struct LargeDocumentTests {
  let bigURI = "file:///work/big.js"
  let smallURI = "file:///work/small.ts"
  let slowSource = "function first(a) { return a + 1 }\nfunction slow(b) { return b * 2 }\n"

  private func providers(_ names: GatedNameSuggester, clones: (any CloneLookup)? = nil) -> AnalysisProviders {
    AnalysisProviders(types: EvidenceTypeSuggester(), names: names, clones: clones, useWorkspaceCloneIndex: false)
  }

  @Test func requestsOnOtherDocumentsAreAnsweredWhileOneIsAnalysed() throws {
    let names = GatedNameSuggester()
    let editor = try MockEditor(providers: providers(names))
    editor.open(slowSource, uri: bigURI)
    #expect(names.entered.wait(timeout: .now() + MockEditor.timeout) == .success)
    // The big document's run is stuck in `slow`; a hover on another document is answered all the same.
    editor.open("export function total() { return 12 }\n", uri: smallURI)
    let hover = try editor.request(
      "textDocument/hover", ["textDocument": ["uri": .string(smallURI)], "position": MockEditor.position(0, 16)])
    #expect(hover["error"] == nil)
    let hints = try editor.result(
      "textDocument/inlayHint", ["textDocument": ["uri": .string(smallURI)], "range": MockEditor.everything])
    #expect(hints.items.map { $0["label"] } == [": number"])
    // `shutdown` answers and stops the run.
    #expect(try editor.shutdown() == 0)
    #expect(names.waitForCancellation())
  }

  @Test func anAnalysisOverItsBudgetPublishesWhatItFoundAndSaysSo() throws {
    let names = GatedNameSuggester()
    let editor = try MockEditor(
      providers: providers(names), options: ["codeintel": ["diagnostics": ["debounceMs": 0, "budgetMs": 200]]])
    editor.open(slowSource, uri: bigURI)
    let diagnostics = try editor.diagnostics(for: bigURI)
    #expect(diagnostics.map { $0["code"] } == ["name-mismatch"])
    #expect(diagnostics.first?["message"]?.stringValue?.hasPrefix("name `first`") == true)
    let log = try editor.wait("budget message") {
      $0["method"] == "window/logMessage" && $0["params"]?["message"]?.stringValue?.contains("budgetMs") == true
    }
    #expect(log["params"]?["message"]?.stringValue?.contains("1 of 2 functions") == true)
    #expect(names.sawCancellation)
    #expect(try editor.shutdown() == 0)
  }

  @Test func anEditCancelsTheRunOfTheOldVersion() throws {
    let names = GatedNameSuggester()
    let editor = try MockEditor(providers: providers(names))
    editor.open(slowSource, uri: bigURI)
    #expect(names.entered.wait(timeout: .now() + MockEditor.timeout) == .success)
    let from = editor.messages.count
    editor.notify(
      "textDocument/didChange",
      [
        "textDocument": ["uri": .string(bigURI), "version": 2],
        "contentChanges": [["text": "function first(a) { return a }\n"]],
      ])
    #expect(names.waitForCancellation())
    let diagnostics = try editor.diagnostics(for: bigURI, from: from)
    #expect(diagnostics.count == 1)
    let published = editor.messages.filter {
      $0["method"] == "textDocument/publishDiagnostics" && $0["params"]?["uri"] == .string(bigURI)
    }
    #expect(published.map { $0["params"]?["version"] } == [2])
    #expect(try editor.shutdown() == 0)
  }

  @Test func closingADocumentStopsItsRunAndForgetsItsFunctions() throws {
    let names = GatedNameSuggester()
    let finder = CanonicalCloneFinder()
    let editor = try MockEditor(providers: providers(names, clones: finder))
    let clonable =
      "function scale(items, k) { const out = []; for (const x of items) { out.push(x * k) } return out }\n"
    editor.open(clonable + slowSource, uri: bigURI)
    #expect(names.entered.wait(timeout: .now() + MockEditor.timeout) == .success)
    #expect(finder.indexedFunctionCount > 0)
    editor.notify("textDocument/didClose", ["textDocument": ["uri": .string(bigURI)]])
    #expect(names.waitForCancellation())
    let deadline = Date().addingTimeInterval(MockEditor.timeout)
    while finder.indexedFunctionCount > 0 && Date() < deadline { usleep(1000) }
    #expect(finder.indexedFunctionCount == 0)
    #expect(try editor.shutdown() == 0)
  }
}
