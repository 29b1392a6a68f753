import CodeIntel
import Foundation
import Syntax

/// The codeintel language server. It reads messages from a `Connection`, answers requests on one
/// serial queue (so documents change in the order the editor sent the edits), and runs
/// workspace indexing on a second queue. `$/cancelRequest` is handled as soon as it is read, so a
/// long request sees its cancellation while it runs.
///
/// Every error on input (framing, JSON, unknown method, bad parameters, requests before
/// `initialize`) is answered with the JSON-RPC error it calls for, and the server keeps serving.
public final class LanguageServer: @unchecked Sendable {
  // MARK: - Lifecycle state

  enum Lifecycle {
    case uninitialized
    case running
    case shuttingDown
    case exited
  }

  let connection: Connection
  /// Set at start-up; `clones` may be wrapped at `initialize` (see `useWorkspaceCloneIndex`).
  var providers: AnalysisProviders
  let queue = DispatchQueue(label: "codeintel-lsp.server")
  let indexQueue = DispatchQueue(label: "codeintel-lsp.index", qos: .utility)
  /// Diagnostics runs (off the server queue, on snapshots); documents of `largeDocumentBytes` and more on
  /// a queue of their own so that one huge file does not hold up the others.
  let analysisQueue = DispatchQueue(label: "codeintel-lsp.analysis", qos: .utility)
  let largeAnalysisQueue = DispatchQueue(label: "codeintel-lsp.analysis.large", qos: .utility)
  /// Parses of large documents (`Document.backgroundParseBytes`), off the server queue.
  let parseQueue = DispatchQueue(label: "codeintel-lsp.parse", qos: .userInitiated)
  /// How a document's text becomes a tree on the parse queue (tests slow it down).
  var parse: @Sendable (Language, [UInt8]) throws -> Tree = { language, bytes in
    try Parser(language: language).parse(bytes: bytes)
  }
  private let onExit: @Sendable (Int32) -> Void

  // Owned by `queue`.
  var lifecycle = Lifecycle.uninitialized
  var configuration = ServerConfiguration()
  var documents: [String: Document] = [:]
  var rootPath: String?
  var clientSupportsWorkDoneProgress = false
  var indexToken: CancellationToken?
  var indexRuns = 0
  private var requestHandlers: [String: (LanguageServer, RequestID, [UInt8], CancellationToken) -> Void] = [:]
  private var notificationHandlers: [String: (LanguageServer, [UInt8]) -> Void] = [:]

  // Shared with the reader thread; guarded by `lock`.
  private let lock = NSLock()
  private var inFlight: [RequestID: CancellationToken] = [:]
  private var pendingOutgoing: [RequestID: @Sendable (Result<JSONValue, ResponseError>) -> Void] = [:]
  private var nextOutgoingID = 0
  private var openURIs: Set<String> = []

  /// The commands `workspace/executeCommand` accepts.
  public static let commands = ["codeintel.findSimilar", "codeintel.showClones", "codeintel.reindex"]

  /// - Parameters:
  ///   - connection: where messages come from and go to.
  ///   - providers: the analyses (see `AnalysisProviders.deterministic()`).
  ///   - onExit: called once with the process exit status (0 after `shutdown`, 1 otherwise) when
  ///     `exit` arrives or the input ends.
  public init(
    connection: Connection, providers: AnalysisProviders = .deterministic(),
    onExit: @escaping @Sendable (Int32) -> Void
  ) {
    self.connection = connection
    self.providers = providers
    self.onExit = onExit
    registerHandlers()
  }

  /// Starts reading from the connection.
  public func start() {
    connection.start(
      receive: { [self] frame in receive(frame) },
      closed: { [self] in
        queue.async { [self] in
          guard lifecycle != .exited else { return }
          Log.info("the editor closed the connection")
          finish(lifecycle == .shuttingDown ? 0 : 1)
        }
      })
  }

  // MARK: - Registration

  private func registerHandlers() {
    request(InitializeRequest.self) { s, p, _ in s.initialize(p) }
    request(ShutdownRequest.self) { s, _, _ in s.shutdown() }
    request(InlayHintRequest.self) { s, p, t in try s.inlayHints(p, cancellation: t) }
    request(HoverRequest.self) { s, p, t in try s.hover(p, cancellation: t) }
    request(CodeActionRequest.self) { s, p, t in try s.codeActions(p, cancellation: t) }
    request(ExecuteCommandRequest.self) { s, p, t in try s.executeCommand(p, cancellation: t) }
    notification(InitializedNotification.self) { s, _ in s.initialized() }
    notification(ExitNotification.self) { s, _ in s.finish(s.lifecycle == .shuttingDown ? 0 : 1) }
    notification(DidOpenTextDocumentNotification.self) { s, p in s.didOpen(p) }
    notification(DidChangeTextDocumentNotification.self) { s, p in s.didChange(p) }
    notification(DidSaveTextDocumentNotification.self) { s, p in s.didSave(p) }
    notification(DidCloseTextDocumentNotification.self) { s, p in s.didClose(p) }
    notification(DidChangeConfigurationNotification.self) { s, p in s.didChangeConfiguration(p) }
    notification(WorkDoneProgressCancelNotification.self) { s, _ in s.indexToken?.cancel() }
  }

  private func request<R: LSPRequest>(
    _ type: R.Type, _ body: @escaping (LanguageServer, R.Params, CancellationToken) throws -> R.Response
  ) {
    requestHandlers[R.method] = { server, id, bytes, token in
      let params: R.Params
      do {
        params = try JSONDecoder().decode(ParamsEnvelope<R.Params>.self, from: Data(bytes)).params
      } catch {
        server.reply(id, error: .invalidParams("invalid parameters for \(R.method): \(describe(error))"))
        return
      }
      do {
        let result = try body(server, params, token)
        if token.isCancelled {
          server.reply(id, error: .cancelled)
        } else {
          server.reply(id, result: result)
        }
      } catch let error as ResponseError {
        server.reply(id, error: error)
      } catch {
        server.reply(id, error: .internalError("\(R.method) failed: \(error)"))
      }
    }
  }

  private func notification<N: LSPNotification>(_ type: N.Type, _ body: @escaping (LanguageServer, N.Params) -> Void) {
    notificationHandlers[N.method] = { server, bytes in
      do {
        body(server, try JSONDecoder().decode(ParamsEnvelope<N.Params>.self, from: Data(bytes)).params)
      } catch {
        Log.warning("ignoring \(N.method) with invalid parameters: \(describe(error))")
      }
    }
  }

  // MARK: - Intake (reader thread)

  private func receive(_ frame: MessageFramer.Frame) -> FrameDisposition {
    switch frame {
    case .malformed(let why):
      Log.warning(why)
      sendError(id: nil, .parseError(why))
      return .accepted
    case .body(let bytes):
      return receive(body: bytes)
    }
  }

  private func receive(body bytes: [UInt8]) -> FrameDisposition {
    let json: JSONValue
    do {
      json = try JSONValue.parse(bytes)
    } catch {
      let why =
        String(validating: bytes, as: UTF8.self) == nil
        ? "the message body is not valid UTF-8" : "the message body is not valid JSON"
      Log.warning(why)
      sendError(id: nil, .parseError(why))
      return .rejected
    }
    guard case .object = json else {
      sendError(id: nil, .invalidRequest("a message must be a JSON object (batches are not used by LSP)"))
      return .accepted
    }
    let rawID = json["id"]
    let id = RequestID(rawID)
    guard json["jsonrpc"]?.stringValue == "2.0" else {
      sendError(id: id, .invalidRequest("the message lacks \"jsonrpc\": \"2.0\""))
      return .accepted
    }
    guard let methodValue = json["method"] else {
      if let id, json["result"] != nil || json["error"] != nil {
        handleResponse(id: id, json)
      } else {
        sendError(id: id, .invalidRequest("a message needs a \"method\" (or a \"result\"/\"error\" with an \"id\")"))
      }
      return .accepted
    }
    guard let method = methodValue.stringValue else {
      sendError(id: id, .invalidRequest("\"method\" must be a string"))
      return .accepted
    }
    if rawID != nil && id == nil {
      sendError(id: nil, .invalidRequest("the \"id\" of \(method) must be a number or a string"))
      return .accepted
    }
    if method == CancelRequestNotification.method {
      if let target = RequestID(json["params"]?["id"]) { cancel(target) }
      return .accepted
    }
    if let id {
      let token = CancellationToken()
      lock.lock()
      inFlight[id] = token
      lock.unlock()
      queue.async { [self] in handleRequest(method: method, id: id, bytes: bytes, token: token) }
    } else {
      queue.async { [self] in handleNotification(method: method, bytes: bytes) }
    }
    return .accepted
  }

  private func cancel(_ id: RequestID) {
    lock.lock()
    let token = inFlight[id]
    lock.unlock()
    token?.cancel()
    Log.debug("cancel request \(id)\(token == nil ? " (already answered)" : "")")
  }

  private func handleResponse(id: RequestID, _ json: JSONValue) {
    lock.lock()
    let callback = pendingOutgoing.removeValue(forKey: id)
    lock.unlock()
    guard let callback else {
      Log.warning("a response to unknown request \(id)")
      return
    }
    let result: Result<JSONValue, ResponseError>
    if let error = json["error"] {
      let e = (try? error.decode(ResponseError.self)) ?? .internalError("the editor sent an unreadable error")
      result = .failure(e)
    } else {
      result = .success(json["result"] ?? .null)
    }
    queue.async { callback(result) }
  }

  // MARK: - Dispatch (server queue)

  private func handleRequest(method: String, id: RequestID, bytes: [UInt8], token: CancellationToken) {
    defer {
      lock.lock()
      inFlight[id] = nil
      lock.unlock()
    }
    if token.isCancelled { return reply(id, error: .cancelled) }
    switch lifecycle {
    case .uninitialized where method != InitializeRequest.method:
      return reply(id, error: .serverNotInitialized)
    case .running where method == InitializeRequest.method:
      return reply(id, error: .invalidRequest("the server is already initialized"))
    case .shuttingDown:
      return reply(id, error: .invalidRequest("the server is shutting down: only `exit` is accepted"))
    case .exited:
      return
    default:
      break
    }
    guard let handler = requestHandlers[method] else { return reply(id, error: .methodNotFound(method)) }
    let start = DispatchTime.now().uptimeNanoseconds
    handler(self, id, bytes, token)
    Log.debug("\(method) \(id): \((DispatchTime.now().uptimeNanoseconds - start) / 1_000_000) ms")
  }

  private func handleNotification(method: String, bytes: [UInt8]) {
    switch lifecycle {
    case .exited: return
    case .uninitialized, .shuttingDown:
      guard method == ExitNotification.method else {
        Log.debug("dropping \(method): the server is not running")
        return
      }
    case .running: break
    }
    guard let handler = notificationHandlers[method] else {
      Log.debug("ignoring unknown notification \(method)")
      return
    }
    handler(self, bytes)
  }

  // MARK: - Sending

  func reply<T: Encodable>(_ id: RequestID, result: T) {
    send(ResponseEnvelope(id: id, result: result))
  }

  func reply(_ id: RequestID, error: ResponseError) {
    sendError(id: id, error)
  }

  private func sendError(id: RequestID?, _ error: ResponseError) {
    send(ErrorEnvelope(id: id, error: error))
  }

  /// Sends a notification to the editor.
  func notify<N: LSPNotification>(_ type: N.Type, _ params: N.Params) {
    send(NotificationEnvelope(method: N.method, params: params))
  }

  /// Sends a request to the editor; `completion` runs on the server queue with its answer.
  func sendRequest<R: LSPRequest>(
    _ type: R.Type, _ params: R.Params, completion: @escaping @Sendable (Result<JSONValue, ResponseError>) -> Void
  ) {
    lock.lock()
    nextOutgoingID += 1
    let id = RequestID.string("codeintel-\(nextOutgoingID)")
    pendingOutgoing[id] = completion
    lock.unlock()
    send(OutgoingRequestEnvelope(id: id, method: R.method, params: params))
  }

  private func send<T: Encodable>(_ message: T) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    do {
      connection.send(Array(try encoder.encode(message)))
    } catch {
      Log.error("could not encode a message: \(error)")
    }
  }

  /// A line in the editor's log (`window/logMessage`) and on stderr.
  func logToEditor(_ message: String, type: Int = 3) {
    Log.info(message)
    notify(LogMessageNotification.self, .init(type: type, message: message))
  }

  // MARK: - Lifecycle

  private func initialize(_ params: InitializeRequest.Params) -> InitializeRequest.Response {
    lifecycle = .running
    if let options = params.initializationOptions {
      let ignored = configuration.apply(options)
      if !ignored.isEmpty { Log.warning("ignored settings with the wrong type: \(ignored.joined(separator: ", "))") }
    }
    clientSupportsWorkDoneProgress = params.capabilities?["window"]?["workDoneProgress"]?.boolValue ?? false
    let root = params.rootUri ?? params.workspaceFolders?.first?.uri
    rootPath = root.flatMap(Self.path(fromURI:)) ?? params.rootPath
    Log.info("initialized for \(rootPath ?? "no workspace folder")")
    openWorkspaceCloneIndex()
    return .init(
      capabilities: ServerCapabilities(commands: Self.commands),
      serverInfo: .init(name: "codeintel-lsp", version: "0.1.0"))
  }

  /// Wraps the clone lookup in the workspace's `.codeintel/index.sqlite` when there is one.
  func openWorkspaceCloneIndex() {
    guard providers.useWorkspaceCloneIndex, let root = rootPath, let local = providers.clones else { return }
    let base = (local as? IndexedCloneLookup)?.local ?? local
    // How functional clones are decided is said in the editor's log (once, and once more on a fallback).
    if let indexed = IndexedCloneLookup(
      root: root, local: base, gate: providers.cloneGate, gateNotice: providers.cloneGateNotice,
      notice: { Log.info($0) }, decisionNotice: { [weak self] in self?.logToEditor($0) })
    {
      providers.clones = indexed
    }
  }

  private func initialized() {
    startIndexing()
  }

  private func shutdown() -> NullResponse {
    lifecycle = .shuttingDown
    indexToken?.cancel()
    for doc in documents.values { doc.analysis?.cancel() }
    return NullResponse()
  }

  private func finish(_ code: Int32) {
    guard lifecycle != .exited else { return }
    lifecycle = .exited
    indexToken?.cancel()
    for doc in documents.values { doc.analysis?.cancel() }
    Log.info("exit with status \(code)")
    onExit(code)
  }

  // MARK: - Shared state for the index queue

  func isOpen(_ uri: String) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return openURIs.contains(uri)
  }

  func setOpen(_ uri: String, _ open: Bool) {
    lock.lock()
    if open { openURIs.insert(uri) } else { openURIs.remove(uri) }
    lock.unlock()
  }

  // MARK: - URIs

  /// The file path of a `file://` URI, or nil for other schemes.
  public static func path(fromURI uri: String) -> String? {
    guard uri.hasPrefix("file://") else { return nil }
    let rest = String(uri.dropFirst("file://".count))
    let path = rest.removingPercentEncoding ?? rest
    return path.hasPrefix("/") ? path : nil
  }

  /// The `file://` URI of an absolute path, encoded the way editors encode it.
  public static func uri(fromPath path: String) -> String {
    URL(fileURLWithPath: path).absoluteString
  }
}

/// A short description of a decoding error (the path to the bad member and what was wrong).
func describe(_ error: Error) -> String {
  guard let e = error as? DecodingError else { return "\(error)" }
  func path(_ c: DecodingError.Context) -> String {
    let p = c.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    return p.isEmpty ? "the message" : "`\(p)`"
  }
  switch e {
  case .keyNotFound(let key, let c): return "\(path(c)) lacks `\(key.stringValue)`"
  case .typeMismatch(let t, let c): return "\(path(c)) should be \(t)"
  case .valueNotFound(let t, let c): return "\(path(c)) should be \(t), not null"
  case .dataCorrupted(let c): return "\(path(c)): \(c.debugDescription)"
  @unknown default: return "\(error)"
  }
}
