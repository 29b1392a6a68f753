import CodeIntel
import Foundation
import Heads
import Syntax
import Testing

@testable import LanguageServer

/// Issue 20: a huge document is parsed off the request queue, and `didClose` leaves nothing of a document behind.
struct DocumentLifetimeTests {
  let bigURI = "file:///work/big.ts"
  let smallURI = "file:///work/small.ts"
  static let quiet: JSONValue = ["codeintel": ["diagnostics": ["enabled": false]]]

  /// Holds the first parse it is given until `release()`; later parses go through at once.
  final class HeldParse: @unchecked Sendable {
    let entered = DispatchSemaphore(value: 0)
    private let gate = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var calls = 0
    private(set) var finished = 0

    var parse: @Sendable (Language, [UInt8]) throws -> Tree {
      { [self] language, bytes in
        let first = lock.withLock {
          calls += 1
          return calls == 1
        }
        if first {
          entered.signal()
          _ = gate.wait(timeout: .now() + MockEditor.timeout)
        }
        let tree = try Parser(language: language).parse(bytes: bytes)
        lock.withLock { finished += 1 }
        return tree
      }
    }

    func release() { gate.signal() }
    var parsesFinished: Int { lock.withLock { finished } }
  }

  private func hints(_ editor: MockEditor, _ uri: String, lines: Int = 1) throws -> [JSONValue] {
    try editor.result(
      "textDocument/inlayHint",
      [
        "textDocument": ["uri": .string(uri)],
        "range": MockEditor.range(MockEditor.position(0, 0), MockEditor.position(lines, 0)),
      ]
    ).items
  }

  @Test func aLargeDocumentIsParsedOffTheRequestQueue() throws {
    let held = HeldParse()
    let editor = try MockEditor(options: Self.quiet)
    editor.server.queue.sync { editor.server.parse = held.parse }
    let big = String(repeating: "export function f(a) { return a + 1 }\n", count: 15_000)
    #expect(big.utf8.count >= Document.backgroundParseBytes)
    editor.open(big, uri: bigURI)
    #expect(held.entered.wait(timeout: .now() + MockEditor.timeout) == .success)
    // The big parse is held: another document opens and its requests are answered before the parse ends.
    editor.open("export function total() { return 12 }\n", uri: smallURI)
    #expect(try hints(editor, smallURI).map { $0["label"] } == [": number"])
    let hover = try editor.request(
      "textDocument/hover", ["textDocument": ["uri": .string(smallURI)], "position": MockEditor.position(0, 16)])
    #expect(hover["error"] == nil)
    // The big document answers too, with nothing until its tree lands, and takes an edit meanwhile.
    #expect(try hints(editor, bigURI).isEmpty)
    editor.notify(
      "textDocument/didChange",
      [
        "textDocument": ["uri": .string(bigURI), "version": 2],
        "contentChanges": [
          ["range": MockEditor.range(MockEditor.position(0, 0), MockEditor.position(0, 0)), "text": "export function g() { return 'x' }\n"]
        ],
      ])
    #expect(held.parsesFinished == 0)
    held.release()
    // The first parse was of the old text: the new text is parsed next, and its hints come.
    let deadline = Date().addingTimeInterval(MockEditor.timeout)
    var labels: [JSONValue?] = []
    while Date() < deadline {
      labels = try hints(editor, bigURI).map { $0["label"] }
      if !labels.isEmpty { break }
      usleep(10_000)
    }
    #expect(labels == [": string"])
    #expect(held.parsesFinished == 2)
    #expect(try editor.shutdown() == 0)
  }

  @Test func theFramerGivesBackTheRoomOfALargeMessage() {
    // A 3 MiB didOpen arrives in 64 KiB reads, as from a pipe; the small message after it must not leave the
    // framer holding megabytes for the rest of the session.
    var framer = MessageFramer()
    let big = MessageFramer.frame(Array(repeating: UInt8(ascii: "x"), count: 3 << 20))
    var frames: [MessageFramer.Frame] = []
    var i = 0
    while i < big.count {
      framer.append(big[i..<min(i + 65_536, big.count)])
      while let f = framer.next() { frames.append(f) }
      i += 65_536
    }
    framer.append(MessageFramer.frame(Array("{}".utf8)))
    while let f = framer.next() { frames.append(f) }
    #expect(frames.count == 2)
    #expect(frames.last == .body(Array("{}".utf8)))
    #expect(framer.capacity < MessageFramer.keptCapacity, "\(framer.capacity) bytes kept")
  }

  @Test func didCloseLetsGoOfTheDocumentAndEveryCacheOfIt() throws {
    // With the compiler installed, its verdicts for the file are one more cache that must go.
    let compiler =
      FileManager.default.fileExists(atPath: "/usr/share/nodejs/typescript/package.json")
      && FileManager.default.isExecutableFile(atPath: "/usr/bin/node")
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(TypeChecker.scriptPath).path
    let editor = try MockEditor(
      providers: AnalysisProviders(
        types: EvidenceTypeSuggester(), names: nil, clones: CanonicalCloneFinder(), useWorkspaceCloneIndex: false,
        typeCheck: TypeCheckFilter(start: {
          guard compiler else { throw CodeIntelError("node-typescript is not installed") }
          return try TypeChecker(script: script)
        })))
    editor.open("export function total() { return 12 }\nexport function label() { return 'x' }\n", uri: smallURI)
    #expect(try hints(editor, smallURI, lines: 3).count == 2)
    #expect(editor.server.providers.typeCheck?.rememberedFiles == (compiler ? 1 : 0))
    weak var document: Document?
    var cached = 0
    editor.server.queue.sync {
      document = editor.server.documents[smallURI]
      cached = document?.cachedAnalyses ?? 0
    }
    #expect(document != nil && cached > 0)
    editor.notify("textDocument/didClose", ["textDocument": ["uri": JSONValue.string(smallURI)]])
    // A round trip: the close has been handled.
    _ = try editor.request("textDocument/hover", ["textDocument": ["uri": .string(smallURI)], "position": MockEditor.position(0, 0)] as JSONValue)
    let deadline = Date().addingTimeInterval(MockEditor.timeout)
    while document != nil && Date() < deadline { usleep(10_000) }
    // The document, its text, tree, version caches and type-head cache are gone with it.
    #expect(document == nil)
    editor.server.queue.sync { #expect(editor.server.documents.isEmpty) }
    #expect(editor.server.providers.typeCheck?.rememberedFiles == 0)
    #expect(try editor.shutdown() == 0)
  }
}
