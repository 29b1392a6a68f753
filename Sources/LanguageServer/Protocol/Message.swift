/// A request type of the Language Server Protocol: its method name, parameters and result.
/// One small file per request, as sourcekit-lsp does (`HoverRequest.swift` …).
public protocol LSPRequest: Sendable {
  associatedtype Params: Codable & Sendable
  associatedtype Response: Codable & Sendable
  static var method: String { get }
}

/// A notification type of the Language Server Protocol: its method name and parameters.
public protocol LSPNotification: Sendable {
  associatedtype Params: Codable & Sendable
  static var method: String { get }
}

/// Parameters of a message that carries none (`shutdown`, `initialized`, `exit`).
public struct EmptyParams: Codable, Sendable, Equatable {
  public init() {}
}

/// The result of a request whose result is `null` (`shutdown`).
public struct NullResponse: Codable, Sendable, Equatable {
  public init() {}
  public init(from decoder: Decoder) throws {}
  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encodeNil()
  }
}
