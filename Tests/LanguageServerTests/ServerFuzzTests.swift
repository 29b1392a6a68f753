import Foundation
import Testing

@testable import LanguageServer

/// A bounded, seeded fuzz of the server (issue 20): thousands of mutations of valid sessions — frames cut,
/// headers corrupted, JSON mutated, positions and ranges out of bounds, huge and binary documents — each
/// followed by a well-formed probe request that must be answered within the mock editor's deadline. A crash
/// ends the test process; a wedged connection fails the probe's wait. Same seed, same bytes on every run.
struct ServerFuzzTests {
  static let mutations = 2000
  /// Mutations per server: a fresh server now and then, so that a state reached late is also reached early.
  static let perServer = 400

  @Test func everyMutationIsFollowedByAnAnsweredProbe() throws {
    var rng = SplitMix64(seed: 20)
    var kinds: [String: Int] = [:]
    var internalErrors = 0
    var done = 0
    while done < Self.mutations {
      // Diagnostics after a short quiet time, as an editor has them: most runs are superseded by the next edit.
      let editor = try MockEditor(options: ["codeintel": ["diagnostics": ["debounceMs": 20]]])
      var fuzz = SessionFuzzer()
      for _ in 0..<min(Self.perServer, Self.mutations - done) {
        let (kind, bytes) = fuzz.mutation(&rng)
        kinds[kind, default: 0] += 1
        let from = editor.messages.count
        editor.connection.deliver(bytes)
        let probe = "probe-\(done)"
        editor.connection.deliverMessage(
          MockEditor.encode(["jsonrpc": "2.0", "id": .string(probe), "method": "codeintel/probe"]))
        let answer = try editor.wait("answer to \(probe) after a \(kind) mutation", from: from) {
          $0["id"] == .string(probe)
        }
        #expect(answer["error"]?["code"] == -32601, "\(kind): \(answer)")
        done += 1
      }
      internalErrors += editor.messages.filter { $0["error"]?["code"] == -32603 }.count
      #expect(try editor.shutdown() == 0)
    }
    // Every kind of mutation was exercised.
    #expect(kinds.count == SessionFuzzer.kinds.count, "\(kinds)")
    #expect(kinds.values.allSatisfy { $0 >= Self.mutations / (4 * SessionFuzzer.kinds.count) }, "\(kinds)")
    #expect(internalErrors == 0)
  }
}

/// Produces valid session messages and mutations of them.
struct SessionFuzzer {
  static let kinds = ["valid", "cut", "header", "json", "params", "document"]
  private var nextID = 1000
  private var version = 1
  private let uris = ["file:///fuzz/a.ts", "file:///fuzz/b.js", "file:///fuzz/c.tsx"]

  static let sampleSource = """
    function scale(items: number[], k) { const out = []; for (const x of items) { out.push(x * k) } return out }
    const total = 12
    let label = "x"
    function isReady(state) { if (state.done) { return "yes" } return "no" }
    class Box { size = 3; grow(by) { return this.size + by } }

    """

  /// A random position, in range or wildly out of it.
  private func position(_ rng: inout SplitMix64) -> JSONValue {
    let big = [0, 1, 3, 5, 40, 1000, 1 << 20, Int(Int32.max)]
    return MockEditor.position(big[Int(rng.next() % UInt64(big.count))], big[Int(rng.next() % UInt64(big.count))])
  }

  /// A valid message of the session (never `shutdown` or `exit`).
  private mutating func validMessage(_ rng: inout SplitMix64) -> JSONValue {
    let uri = JSONValue.string(uris[Int(rng.next() % UInt64(uris.count))])
    let doc: JSONValue = ["uri": uri]
    nextID += 1
    let id = JSONValue.int(nextID)
    func request(_ method: String, _ params: JSONValue) -> JSONValue {
      ["jsonrpc": "2.0", "id": id, "method": .string(method), "params": params]
    }
    func notification(_ method: String, _ params: JSONValue) -> JSONValue {
      ["jsonrpc": "2.0", "method": .string(method), "params": params]
    }
    switch rng.next() % 9 {
    case 0:
      version += 1
      return notification(
        "textDocument/didOpen",
        [
          "textDocument": [
            "uri": uri, "languageId": "typescript", "version": .int(version), "text": .string(Self.sampleSource),
          ]
        ])
    case 1:
      version += 1
      return notification(
        "textDocument/didChange",
        [
          "textDocument": ["uri": uri, "version": .int(version)],
          "contentChanges": [["range": MockEditor.range(position(&rng), position(&rng)), "text": "x = 1;\n"]],
        ])
    case 2: return request("textDocument/hover", ["textDocument": doc, "position": position(&rng)])
    case 3:
      return request(
        "textDocument/inlayHint", ["textDocument": doc, "range": MockEditor.range(position(&rng), position(&rng))])
    case 4:
      return request(
        "textDocument/codeAction",
        [
          "textDocument": doc, "range": MockEditor.range(position(&rng), position(&rng)),
          "context": ["diagnostics": []],
        ])
    case 5:
      let p = position(&rng)
      return request(
        "workspace/executeCommand",
        ["command": "codeintel.findSimilar", "arguments": [uri, p["line"] ?? 0, p["character"] ?? 0]])
    case 6: return notification("textDocument/didSave", ["textDocument": doc])
    case 7: return notification("textDocument/didClose", ["textDocument": doc])
    default: return notification("$/cancelRequest", ["id": .int(nextID - Int(rng.next() % 3))])
    }
  }

  private static func encode(_ json: JSONValue) -> [UInt8] { MockEditor.encode(json) }

  /// Random JSON values of the wrong kind for a parameter.
  private func junkValue(_ rng: inout SplitMix64) -> JSONValue {
    let values: [JSONValue] = [
      .null, true, -1, .int(Int.min), .double(1e300), .double(-0.5), "", .string(String(repeating: "é", count: 300)),
      [],
      [1, 2], [:], ["line": -5, "character": "x"], ["uri": 3],
    ]
    return values[Int(rng.next() % UInt64(values.count))]
  }

  /// Replaces a random member at any depth with junk.
  private func corrupt(_ value: JSONValue, _ rng: inout SplitMix64, depth: Int = 0) -> JSONValue {
    switch value {
    case .object(var members) where !members.isEmpty && depth < 4:
      let keys = members.map(\.0).sorted()
      let key = keys[Int(rng.next() % UInt64(keys.count))]
      if key == "jsonrpc" || key == "method" { return value }
      guard let i = members.firstIndex(where: { $0.0 == key }) else { return value }
      members[i].1 = rng.next() % 3 == 0 ? junkValue(&rng) : corrupt(members[i].1, &rng, depth: depth + 1)
      return .object(members)
    case .array(var items) where !items.isEmpty && depth < 4:
      let i = Int(rng.next() % UInt64(items.count))
      items[i] = corrupt(items[i], &rng, depth: depth + 1)
      return .array(items)
    default:
      return junkValue(&rng)
    }
  }

  /// One mutation: its kind and the raw bytes to deliver.
  mutating func mutation(_ rng: inout SplitMix64) -> (String, [UInt8]) {
    let kind = Self.kinds[Int(rng.next() % UInt64(Self.kinds.count))]
    let message = validMessage(&rng)
    var body = Self.encode(message)
    switch kind {
    case "cut":
      let framed = MessageFramer.frame(body)
      return (kind, Array(framed.prefix(Int(rng.next() % UInt64(framed.count)))))
    case "header":
      let headers = [
        "Content-Length: 999999999999\r\n\r\n", "Content-Length: \(body.count * 3)\r\n\r\n",
        "Content-Length: \(body.count / 2)\r\n\r\n", "Content-Length: -\(body.count)\r\n\r\n",
        "Content-Length: twelve\r\n\r\n", "Content-Type: text/plain\r\n\r\n", "content-length:\(body.count)\r\n\r\n",
        "Content-Length: \(body.count)\r\nContent-Length: 3\r\n\r\n", "Content-Length \(body.count)\r\n\r\n",
        "Content-Length: \(body.count)\n\n", "\r\n\r\n", "Content-Length: \(body.count)\r\nX-Junk\r\n\r\n",
      ]
      var header = Array(headers[Int(rng.next() % UInt64(headers.count))].utf8)
      if rng.next() % 4 == 0 {
        let i = Int(rng.next() % UInt64(header.count))
        header[i] = UInt8(truncatingIfNeeded: rng.next())
      }
      return (kind, header + body)
    case "json":
      let syntax = Array("{}[]\",:0\\".utf8)
      for _ in 0..<(1 + Int(rng.next() % 4)) where body.count > 1 {
        let i = Int(rng.next() % UInt64(body.count))
        switch rng.next() % 3 {
        case 0: body[i] = UInt8(truncatingIfNeeded: rng.next())
        case 1: body.remove(at: i)
        default: body.insert(syntax[Int(rng.next() % UInt64(syntax.count))], at: i)
        }
      }
      return (kind, MessageFramer.frame(body))
    case "params":
      return (kind, MessageFramer.frame(Self.encode(corrupt(message, &rng))))
    case "document":
      let uri = JSONValue.string(uris[Int(rng.next() % UInt64(uris.count))])
      let text: String
      if rng.next() % 2 == 0 {
        text = String(
          (0..<(1 + Int(rng.next() % 2000))).map { _ in
            Character(Unicode.Scalar(UInt8(truncatingIfNeeded: rng.next())))
          })
      } else {
        text = String(repeating: Self.sampleSource, count: 20 + Int(rng.next() % 60))
      }
      version += 1
      return (
        kind,
        MessageFramer.frame(
          Self.encode([
            "jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": [
              "textDocument": ["uri": uri, "languageId": "typescript", "version": .int(version), "text": .string(text)]
            ],
          ]))
      )
    default:
      return (kind, MessageFramer.frame(body))
    }
  }
}
