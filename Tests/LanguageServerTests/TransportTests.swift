import Foundation
import Testing

@testable import LanguageServer

/// The base protocol: framing, JSON-RPC envelopes and every kind of malformed input.
struct TransportTests {
  private func frame(_ s: String) -> [UInt8] { MessageFramer.frame(Array(s.utf8)) }

  private func drain(_ f: inout MessageFramer) -> [MessageFramer.Frame] {
    var out: [MessageFramer.Frame] = []
    while let x = f.next() { out.append(x) }
    return out
  }

  // MARK: - Framer

  @Test func framesArriveByteByByte() {
    var f = MessageFramer()
    var frames: [MessageFramer.Frame] = []
    for b in frame("{\"a\":1}") + frame("{}") {
      f.append([b])
      frames += drain(&f)
    }
    #expect(frames == [.body(Array("{\"a\":1}".utf8)), .body(Array("{}".utf8))])
  }

  @Test func extraHeadersAndCaseAreAccepted() {
    var f = MessageFramer()
    f.append(Array("content-length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}".utf8))
    #expect(drain(&f) == [.body(Array("{}".utf8))])
  }

  @Test func badHeadersAreReportedAndSkipped() {
    for bad in ["Content-Type: x\r\n\r\n", "Content-Length: twelve\r\n\r\n", "garbage without colon\r\n\r\n"] {
      var f = MessageFramer()
      f.append(Array(bad.utf8) + frame("{}"))
      let frames = drain(&f)
      #expect(frames.count == 2, "\(bad.debugDescription)")
      if case .malformed = frames.first {
      } else {
        Issue.record("expected a malformed frame for \(bad.debugDescription)")
      }
      #expect(frames.last == .body(Array("{}".utf8)))
    }
  }

  @Test func oversizedBodiesAreSkipped() {
    var f = MessageFramer(maxBodyBytes: 10)
    f.append(Array("Content-Length: 20\r\n\r\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 12))
    let first = drain(&f)
    #expect(first.count == 1)
    f.append(Array(repeating: UInt8(ascii: "x"), count: 8) + frame("{}"))
    #expect(drain(&f) == [.body(Array("{}".utf8))])
  }

  @Test func endlessHeaderGarbageIsDropped() {
    var f = MessageFramer()
    f.append(Array(repeating: UInt8(ascii: "z"), count: 10_000) + frame("{}"))
    let frames = drain(&f)
    #expect(frames.last == .body(Array("{}".utf8)))
  }

  /// Every kind of broken header gives one malformed frame, and every message after it arrives, whether
  /// the input comes at once or byte by byte (issue 20: a huge declared length used to swallow the stream).
  @Test func everyBrokenHeaderResynchronisesOnTheNextMessage() {
    let broken = [
      "Content-Length: 999999999999\r\n\r\n", "Content-Length: 99999999999999999999999999\r\n\r\n",
      "Content-Length: twelve\r\n\r\n", "Content-Length: -5\r\n\r\n", "Content-Type: x\r\n\r\n",
      "garbage without colon\r\n\r\n", "Content-Length: 3\r\nContent-Type\r\n\r\n",
      "{\"jsonrpc\":\"2.0\"}\r\n\r\n", "Content-Length: 4\r\n",
    ]
    let after = frame("{\"a\":1}") + frame("{\"b\":2}")
    let bodies: [MessageFramer.Frame] = [.body(Array("{\"a\":1}".utf8)), .body(Array("{\"b\":2}".utf8))]
    for bad in broken {
      for byteByByte in [false, true] {
        var f = MessageFramer(maxBodyBytes: 1 << 20)
        var frames: [MessageFramer.Frame] = []
        let input = Array(bad.utf8) + after
        if byteByByte {
          for b in input {
            f.append([b])
            frames += drain(&f)
          }
        } else {
          f.append(input)
          frames = drain(&f)
        }
        let malformed = frames.filter { if case .malformed = $0 { true } else { false } }
        #expect(malformed.count == 1, "\(bad.debugDescription), byte by byte: \(byteByByte)")
        #expect(Array(frames.drop { if case .malformed = $0 { true } else { false } }) == bodies, "\(bad.debugDescription)")
      }
    }
  }

  /// A declared length longer than what came: the next message's header line proves the body was cut
  /// short, so the framer does not wait for bytes that belong to later messages.
  @Test func bodyCutShortByTheNextHeaderIsReportedAtOnce() {
    var f = MessageFramer()
    f.append(Array("Content-Length: 5000\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"me".utf8) + frame("{}"))
    let frames = drain(&f)
    #expect(frames.count == 2)
    if case .malformed = frames.first {} else { Issue.record("expected a malformed frame first") }
    #expect(frames.last == .body(Array("{}".utf8)))
    #expect(f.pendingByteCount == 0)
  }

  /// A header's text inside a JSON string (line breaks escaped, as JSON requires) is body, not framing.
  @Test func headerTextInsideABodyIsNotAHeader() {
    let body = "{\"text\":\"Content-Length: 2\\r\\n\\r\\n{}\"}"
    var f = MessageFramer()
    let framed = frame(body)
    f.append(framed.prefix(30))
    #expect(drain(&f).isEmpty)
    f.append(framed.dropFirst(30))
    #expect(drain(&f) == [.body(Array(body.utf8))])
  }

  /// An over-long body that really arrives is dropped as it comes, without holding it in memory.
  @Test func oversizedBodyIsDroppedAsItArrives() {
    var f = MessageFramer(maxBodyBytes: 1000)
    f.append(Array("Content-Length: 100000\r\n\r\n".utf8))
    #expect(drain(&f).count == 1)
    for _ in 0..<100 { f.append(Array(repeating: UInt8(ascii: "x"), count: 1000)); #expect(drain(&f).isEmpty) }
    #expect(f.pendingByteCount < 64)
    f.append(frame("{}"))
    #expect(drain(&f) == [.body(Array("{}".utf8))])
  }

  // MARK: - Through the server

  @Test func invalidJSONIsAParseErrorAndTheServerKeepsServing() throws {
    let editor = try MockEditor()
    editor.connection.deliver(frame("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": "))
    let error = try editor.wait("parse error") { $0["error"]?["code"] == -32700 }
    #expect(error["id"] == .null)
    #expect(try editor.result("shutdown", nil) == .null)
  }

  @Test func invalidUTF8IsAParseError() throws {
    let editor = try MockEditor()
    let body: [UInt8] =
      Array("{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":\"".utf8) + [0xFF, 0xFE, 0xC0] + Array("\"}".utf8)
    editor.connection.deliver(MessageFramer.frame(body))
    let error = try editor.wait("parse error") { $0["error"]?["code"] == -32700 }
    #expect(error["error"]?["message"]?.stringValue?.contains("UTF-8") == true)
    #expect(try editor.result("shutdown", nil) == .null)
  }

  @Test func truncatedBodyFollowedByAMessage() throws {
    let editor = try MockEditor()
    // Says 200 bytes, carries 30, then the next message begins.
    var bytes = Array("Content-Length: 200\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":77,\"me".utf8)
    bytes += frame("{\"jsonrpc\":\"2.0\",\"id\":78,\"method\":\"shutdown\"}")
    bytes += Array(repeating: UInt8(ascii: " "), count: 200)  // padding so the declared length is reached
    editor.connection.deliver(bytes)
    _ = try editor.wait("parse error") { $0["error"]?["code"] == -32700 }
    let answer = try editor.wait("shutdown answer") { $0["id"] == 78 }
    #expect(answer["result"] == .null)
  }

  @Test func badHeaderThroughTheServer() throws {
    let editor = try MockEditor()
    editor.connection.deliver(Array("Content-Length: -5\r\n\r\n".utf8))
    _ = try editor.wait("parse error") { $0["error"]?["code"] == -32700 }
    #expect(try editor.result("shutdown", nil) == .null)
  }

  /// The issue's scenario through the server: one -32700 for the bad header, then every later request
  /// is answered (it used to never answer again).
  @Test func hugeDeclaredLengthDoesNotWedgeTheServer() throws {
    for bad in ["Content-Length: 999999999999\r\n\r\n", "Content-Length: 5\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":3}"] {
      let editor = try MockEditor()
      editor.connection.deliver(Array(bad.utf8))
      let hover = try editor.request(
        "textDocument/hover", ["textDocument": ["uri": "file:///nope.ts"], "position": MockEditor.position(0, 0)])
      #expect(hover["error"]?["code"] == -32602)
      #expect(try editor.result("shutdown", nil) == .null)
      #expect(editor.messages.filter { $0["error"]?["code"] == -32700 }.count == 1, "\(bad.debugDescription)")
    }
  }

  @Test func nonRequestJSONIsAnInvalidRequest() throws {
    let editor = try MockEditor()
    let cases = [
      "[1,2]", "42", "{\"id\": 5, \"method\": \"shutdown\"}", "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":3}",
      "{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"shutdown\"}", "{\"jsonrpc\":\"2.0\",\"id\":9}",
    ]
    for c in cases { editor.connection.deliver(frame(c)) }
    var from = 0
    for c in cases {
      let m = try editor.wait("invalid request for \(c)", from: from) { $0["error"]?["code"] == -32600 }
      from = editor.messages.firstIndex(of: m)! + 1
    }
    #expect(try editor.result("shutdown", nil) == .null)
  }

  @Test func unknownMethodsAndNotifications() throws {
    let editor = try MockEditor()
    editor.notify("$/somethingNew", [:])
    editor.notify("custom/unknownNotification", ["x": 1])
    let r = try editor.request("textDocument/semanticTokens/full", ["textDocument": ["uri": "file:///a.ts"]])
    #expect(r["error"]?["code"] == -32601)
    #expect(r["id"] == 2)
    #expect(try editor.result("shutdown", nil) == .null)
  }

  @Test func stringIDsAreEchoed() throws {
    let editor = try MockEditor()
    editor.connection.deliverMessage(Array("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"shutdown\"}".utf8))
    let r = try editor.wait("answer") { $0["id"] == "abc" }
    #expect(r["result"] == .null)
  }
}
