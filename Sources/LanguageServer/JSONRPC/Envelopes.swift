/// The `params` of an incoming message, decoded as `P` (absent or null params are accepted when `P`
/// is `EmptyParams`).
struct ParamsEnvelope<P: Decodable>: Decodable {
  let params: P

  private enum Keys: String, CodingKey { case params }

  init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: Keys.self)
    if let p = try c.decodeIfPresent(P.self, forKey: .params) {
      params = p
    } else if let empty = EmptyParams() as? P {
      params = empty
    } else {
      throw DecodingError.keyNotFound(
        Keys.params, .init(codingPath: [], debugDescription: "the message has no `params`"))
    }
  }
}

/// `{"jsonrpc":"2.0","id":…,"result":…}`; a nil result is written as `null`.
struct ResponseEnvelope<R: Encodable>: Encodable {
  let id: RequestID
  let result: R

  private enum Keys: String, CodingKey { case jsonrpc, id, result }

  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: Keys.self)
    try c.encode("2.0", forKey: .jsonrpc)
    try c.encode(id, forKey: .id)
    try c.encode(result, forKey: .result)
  }
}

/// `{"jsonrpc":"2.0","id":…|null,"error":{…}}`.
struct ErrorEnvelope: Encodable {
  let id: RequestID?
  let error: ResponseError

  private enum Keys: String, CodingKey { case jsonrpc, id, error }

  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: Keys.self)
    try c.encode("2.0", forKey: .jsonrpc)
    if let id { try c.encode(id, forKey: .id) } else { try c.encodeNil(forKey: .id) }
    try c.encode(error, forKey: .error)
  }
}

/// A notification the server sends.
struct NotificationEnvelope<P: Encodable>: Encodable {
  let jsonrpc = "2.0"
  let method: String
  let params: P
}

/// A request the server sends to the editor.
struct OutgoingRequestEnvelope<P: Encodable>: Encodable {
  let jsonrpc = "2.0"
  let id: RequestID
  let method: String
  let params: P
}
