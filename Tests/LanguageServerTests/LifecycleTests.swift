import Foundation
import Testing

@testable import LanguageServer

/// initialize → initialized → shutdown → exit, and the errors around it.
struct LifecycleTests {
  @Test func requestsBeforeInitializeAreRefused() throws {
    let editor = try MockEditor(initialize: false)
    let r = try editor.request(
      "textDocument/hover", ["textDocument": ["uri": "file:///a.ts"], "position": MockEditor.position(0, 0)])
    #expect(r["error"]?["code"] == -32002)
    let shutdown = try editor.request("shutdown", nil)
    #expect(shutdown["error"]?["code"] == -32002)
    // Notifications before initialize are dropped, not answered.
    editor.open("const a = 1")
    let initialized = try editor.request("initialize", ["capabilities": [:]])
    #expect(initialized["result"]?["capabilities"]?["hoverProvider"] == true)
  }

  @Test func initializeAdvertisesWhatTheServerDoes() throws {
    let editor = try MockEditor(initialize: false)
    let caps = try editor.result("initialize", ["processId": 1, "rootUri": nil, "capabilities": [:]])["capabilities"]
    #expect(caps?["inlayHintProvider"] == true)
    #expect(caps?["textDocumentSync"]?["change"] == 2)
    #expect(caps?["positionEncoding"] == "utf-16")
    #expect(caps?["executeCommandProvider"]?["commands"]?.items.contains("codeintel.findSimilar") == true)
    let again = try editor.request("initialize", ["capabilities": [:]])
    #expect(again["error"]?["code"] == -32600)
  }

  @Test func exitAfterShutdownIsStatusZero() throws {
    let editor = try MockEditor()
    #expect(try editor.shutdown() == 0)
  }

  @Test func exitWithoutShutdownIsStatusOne() throws {
    let editor = try MockEditor()
    editor.notify("exit", [:])
    #expect(try editor.waitForExit() == 1)
  }

  @Test func closedInputWithoutShutdownIsStatusOne() throws {
    let editor = try MockEditor()
    editor.connection.closeInput()
    #expect(try editor.waitForExit() == 1)
  }

  @Test func requestsAfterShutdownAreInvalid() throws {
    let editor = try MockEditor()
    #expect(try editor.result("shutdown", nil) == .null)
    let r = try editor.request(
      "textDocument/inlayHint", ["textDocument": ["uri": "file:///a.ts"], "range": MockEditor.everything])
    #expect(r["error"]?["code"] == -32600)
    editor.notify("exit", [:])
    #expect(try editor.waitForExit() == 0)
  }

  @Test func invalidParamsAreReported() throws {
    let editor = try MockEditor()
    editor.open("const a = 1")
    let r = try editor.request(
      "textDocument/hover", ["textDocument": ["uri": "file:///work/test.ts"], "position": "top"])
    #expect(r["error"]?["code"] == -32602)
    #expect(r["error"]?["message"]?.stringValue?.contains("position") == true)
    let missing = try editor.request("textDocument/inlayHint", nil)
    #expect(missing["error"]?["code"] == -32602)
    let notOpen = try editor.request(
      "textDocument/hover", ["textDocument": ["uri": "file:///nope.ts"], "position": MockEditor.position(0, 0)])
    #expect(notOpen["error"]?["code"] == -32602)
    #expect(try editor.shutdown() == 0)
  }

  @Test func cancelledRequestAnswersRequestCancelled() throws {
    let blocking = BlockingTypeSuggester()
    let editor = try MockEditor(providers: AnalysisProviders(types: blocking))
    editor.open("const a = 1")
    let id = editor.sendRequest(
      "textDocument/inlayHint", ["textDocument": ["uri": "file:///work/test.ts"], "range": MockEditor.everything])
    #expect(blocking.entered.wait(timeout: .now() + MockEditor.timeout) == .success)
    editor.notify("$/cancelRequest", ["id": .int(id)])
    let r = try editor.response(to: id)
    #expect(r["error"]?["code"] == -32800)
    // Cancelling something already answered is harmless.
    editor.notify("$/cancelRequest", ["id": .int(id)])
    #expect(try editor.result("shutdown", nil) == .null)
  }
}
