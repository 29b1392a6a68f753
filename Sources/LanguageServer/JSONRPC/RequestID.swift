/// The `id` of a JSON-RPC request: a number or a string.
public enum RequestID: Sendable, Hashable, Codable, CustomStringConvertible {
  case number(Int)
  case string(String)

  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let n = try? c.decode(Int.self) {
      self = .number(n)
    } else {
      self = .string(try c.decode(String.self))
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .number(let n): try c.encode(n)
    case .string(let s): try c.encode(s)
    }
  }

  /// The id inside a raw message's `id` member, if it is a valid one.
  init?(_ json: JSONValue?) {
    switch json {
    case .int(let n): self = .number(n)
    case .string(let s): self = .string(s)
    case .double(let d) where d.rounded() == d && abs(d) < 1e15: self = .number(Int(d))
    default: return nil
    }
  }

  public var description: String {
    switch self {
    case .number(let n): return String(n)
    case .string(let s): return "\"\(s)\""
    }
  }
}
