/// A JSON-RPC error object, sent back in place of a result.
public struct ResponseError: Error, Codable, Sendable, Equatable, CustomStringConvertible {
  public var code: Int
  public var message: String
  public var data: JSONValue?

  public init(code: Int, message: String, data: JSONValue? = nil) {
    self.code = code
    self.message = message
    self.data = data
  }

  public var description: String { "error \(code): \(message)" }

  // MARK: - Codes (JSON-RPC 2.0 and LSP 3.17)

  /// The body is not valid JSON (or not valid UTF-8), or the framing is broken.
  public static let parseErrorCode = -32700
  /// The JSON is not a valid request object.
  public static let invalidRequestCode = -32600
  public static let methodNotFoundCode = -32601
  public static let invalidParamsCode = -32602
  public static let internalErrorCode = -32603
  /// A request arrived before `initialize`.
  public static let serverNotInitializedCode = -32002
  public static let requestFailedCode = -32803
  public static let requestCancelledCode = -32800

  public static func parseError(_ message: String) -> ResponseError { .init(code: parseErrorCode, message: message) }
  public static func invalidRequest(_ message: String) -> ResponseError {
    .init(code: invalidRequestCode, message: message)
  }
  public static func methodNotFound(_ method: String) -> ResponseError {
    .init(code: methodNotFoundCode, message: "method not found: \(method) (codeintel-lsp does not implement it)")
  }
  public static func invalidParams(_ message: String) -> ResponseError {
    .init(code: invalidParamsCode, message: message)
  }
  public static func internalError(_ message: String) -> ResponseError {
    .init(code: internalErrorCode, message: message)
  }
  public static let serverNotInitialized = ResponseError(
    code: serverNotInitializedCode, message: "the server is not initialized yet: send `initialize` first")
  public static let cancelled = ResponseError(code: requestCancelledCode, message: "the request was cancelled")
}
