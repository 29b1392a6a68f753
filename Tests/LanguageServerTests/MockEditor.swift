import Foundation
import LanguageServer

/// A little editor for tests: talks to an in-process `LanguageServer` through an
/// `InMemoryConnection`, sends requests and notifications, collects everything the server sends,
/// and answers the server's own requests (progress tokens) with `null`.
final class MockEditor: @unchecked Sendable {
  let connection = InMemoryConnection()
  private(set) var server: LanguageServer!
  private let condition = NSCondition()
  private var received: [JSONValue] = []
  private var exitStatus: Int32?
  private var nextID = 0
  /// How long a wait lasts before the test fails (generous: the machine is shared).
  static let timeout: TimeInterval = 20

  /// Creates the server; with `initialize`, also runs `initialize` + `initialized`.
  init(
    providers: AnalysisProviders = .deterministic(), rootUri: String? = nil,
    options: JSONValue = ["codeintel": ["diagnostics": ["debounceMs": 0]]],
    capabilities: JSONValue = [:], initialize: Bool = true
  ) throws {
    connection.onSend { [weak self] body in self?.receive(body) }
    server = LanguageServer(connection: connection, providers: providers) { [weak self] code in
      guard let self else { return }
      self.condition.lock()
      self.exitStatus = code
      self.condition.broadcast()
      self.condition.unlock()
    }
    server.start()
    if initialize {
      let response = try request(
        "initialize",
        [
          "processId": nil, "rootUri": rootUri.map(JSONValue.string) ?? nil, "capabilities": capabilities,
          "initializationOptions": options,
        ])
      guard response["result"]?["capabilities"] != nil else { throw MockError.unexpected(response) }
      notify("initialized", [:])
    }
  }

  enum MockError: Error {
    case timeout(String)
    case unexpected(JSONValue)
  }

  // MARK: - Receiving

  private func receive(_ body: [UInt8]) {
    guard let json = try? JSONValue.parse(body) else { return }
    if json["method"] != nil, let id = json["id"] {
      // A request from the server: accept it.
      connection.deliverMessage(Self.encode(["jsonrpc": "2.0", "id": id, "result": nil]))
    }
    condition.lock()
    received.append(json)
    condition.broadcast()
    condition.unlock()
  }

  /// Waits for the first received message (after `from`) matching `predicate`.
  func wait(_ what: String, from: Int = 0, _ predicate: (JSONValue) -> Bool) throws -> JSONValue {
    let deadline = Date().addingTimeInterval(Self.timeout)
    condition.lock()
    defer { condition.unlock() }
    while true {
      if let m = received.dropFirst(from).first(where: predicate) { return m }
      if !condition.wait(until: deadline) { throw MockError.timeout(what) }
    }
  }

  /// All messages received so far.
  var messages: [JSONValue] {
    condition.lock()
    defer { condition.unlock() }
    return received
  }

  /// Waits for the server to call its exit handler and returns the status.
  func waitForExit() throws -> Int32 {
    let deadline = Date().addingTimeInterval(Self.timeout)
    condition.lock()
    defer { condition.unlock() }
    while exitStatus == nil {
      if !condition.wait(until: deadline) { throw MockError.timeout("exit") }
    }
    return exitStatus!
  }

  // MARK: - Sending

  static func encode(_ json: JSONValue) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return Array((try? encoder.encode(json)) ?? Data())
  }

  /// Sends a request and returns the whole response message (`result` or `error`).
  @discardableResult
  func request(_ method: String, _ params: JSONValue?) throws -> JSONValue {
    let id = sendRequest(method, params)
    return try response(to: id)
  }

  /// Sends a request without waiting; returns its id.
  func sendRequest(_ method: String, _ params: JSONValue?) -> Int {
    condition.lock()
    nextID += 1
    let id = nextID
    condition.unlock()
    var message: [String: JSONValue] = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method)]
    if let params { message["params"] = params }
    connection.deliverMessage(Self.encode(.object(message)))
    return id
  }

  func response(to id: Int) throws -> JSONValue {
    try wait("response to \(id)") { $0["id"] == .int(id) && $0["method"] == nil }
  }

  /// The `result` of a request, failing when the server answered with an error.
  func result(_ method: String, _ params: JSONValue?) throws -> JSONValue {
    let r = try request(method, params)
    guard let result = r["result"] else { throw MockError.unexpected(r) }
    return result
  }

  func notify(_ method: String, _ params: JSONValue) {
    connection.deliverMessage(Self.encode(["jsonrpc": "2.0", "method": .string(method), "params": params]))
  }

  // MARK: - Documents

  /// Opens a document whose text may carry cursor markers (1️⃣ 2️⃣ …); returns the markers'
  /// positions by number, with the markers removed from the text.
  @discardableResult
  func open(_ marked: String, uri: String = "file:///work/test.ts", version: Int = 1) -> [Int: JSONValue] {
    let (text, markers) = Self.extractMarkers(marked)
    let ext = uri.split(separator: ".").last.map(String.init) ?? ""
    let languageId =
      ["ts", "mts", "cts"].contains(ext)
      ? "typescript"
      : ext == "tsx" ? "typescriptreact" : ["js", "mjs", "cjs", "jsx"].contains(ext) ? "javascript" : "plaintext"
    notify(
      "textDocument/didOpen",
      [
        "textDocument": [
          "uri": .string(uri), "languageId": .string(languageId), "version": .int(version),
          "text": .string(text),
        ]
      ])
    return markers
  }

  static let markerGlyphs: [Character] = ["0️⃣", "1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]

  /// The text without markers and each marker's LSP position (UTF-16 columns).
  static func extractMarkers(_ marked: String) -> (String, [Int: JSONValue]) {
    var text = ""
    var markers: [Int: JSONValue] = [:]
    var line = 0
    var column = 0
    for ch in marked {
      if let n = markerGlyphs.firstIndex(of: ch) {
        markers[n] = position(line, column)
        continue
      }
      text.append(ch)
      if ch == "\n" {
        line += 1
        column = 0
      } else {
        column += ch.utf16.count
      }
    }
    return (text, markers)
  }

  static func position(_ line: Int, _ character: Int) -> JSONValue {
    ["line": .int(line), "character": .int(character)]
  }

  static func range(_ start: JSONValue, _ end: JSONValue) -> JSONValue { ["start": start, "end": end] }

  /// A range covering a whole small document.
  static let everything: JSONValue = range(position(0, 0), position(100_000, 0))

  /// Waits for the next `publishDiagnostics` for `uri` received after message index `from`.
  func diagnostics(for uri: String, from: Int = 0) throws -> [JSONValue] {
    let m = try wait("diagnostics for \(uri)", from: from) {
      $0["method"] == "textDocument/publishDiagnostics" && $0["params"]?["uri"] == .string(uri)
    }
    guard case .array(let items) = m["params"]?["diagnostics"] else { return [] }
    return items
  }

  /// Shuts the server down cleanly.
  func shutdown() throws -> Int32 {
    _ = try request("shutdown", nil)
    notify("exit", nil ?? [:])
    return try waitForExit()
  }
}

extension JSONValue {
  /// The elements of an array value (empty otherwise).
  var items: [JSONValue] {
    if case .array(let a) = self { return a }
    return []
  }
}
