// MARK: - JSON value

/// A parsed JSON document, just enough for `tokenizer.json`.
///
/// A parser of its own because numbers must come back bit for bit: `Double(String)` rounds correctly, so a score
/// written with Swift's shortest round-trip formatting reads back as the same `Double` (Foundation's
/// `JSONSerialization` on Linux does not guarantee that, and a re-saved file would differ).
enum JSONValue: Equatable {
  case null
  case bool(Bool)
  /// The number's literal text, converted on demand.
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  subscript(key: String) -> JSONValue? {
    if case .object(let fields) = self { return fields[key] }
    return nil
  }

  var string: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  var array: [JSONValue]? {
    if case .array(let a) = self { return a }
    return nil
  }

  var double: Double? {
    if case .number(let text) = self { return Double(text) }
    return nil
  }

  var int: Int? {
    if case .number(let text) = self { return Int(text) }
    return nil
  }

  // MARK: Parsing

  /// Parses `bytes` as one JSON value; nil with a reason when it is not JSON.
  static func parse(_ bytes: [UInt8]) -> Result<JSONValue, JSONParseError> {
    var parser = JSONParser(bytes: bytes)
    do {
      parser.skipSpace()
      let value = try parser.value(depth: 0)
      parser.skipSpace()
      guard parser.position == bytes.count else { throw parser.error("unexpected text after the value") }
      return .success(value)
    } catch let error as JSONParseError {
      return .failure(error)
    } catch {
      return .failure(JSONParseError(message: "\(error)"))
    }
  }
}

/// Why a document is not JSON, with the byte offset.
struct JSONParseError: Error {
  var message: String
}

// MARK: - Parser

private struct JSONParser {
  let bytes: [UInt8]
  var position = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  func error(_ what: String) -> JSONParseError { JSONParseError(message: "\(what) at byte \(position)") }

  mutating func skipSpace() {
    while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
  }

  mutating func expect(_ literal: String) throws {
    let l = Array(literal.utf8)
    guard position + l.count <= bytes.count, Array(bytes[position..<position + l.count]) == l else {
      throw error("expected \(literal)")
    }
    position += l.count
  }

  mutating func value(depth: Int) throws -> JSONValue {
    guard depth < 64 else { throw error("nesting too deep") }
    guard position < bytes.count else { throw error("unexpected end") }
    switch bytes[position] {
    case UInt8(ascii: "{"):
      position += 1
      var fields: [String: JSONValue] = [:]
      skipSpace()
      if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
        position += 1
        return .object(fields)
      }
      while true {
        skipSpace()
        let key = try string()
        skipSpace()
        try expect(":")
        skipSpace()
        fields[key] = try value(depth: depth + 1)
        skipSpace()
        guard position < bytes.count else { throw error("unterminated object") }
        if bytes[position] == UInt8(ascii: ",") {
          position += 1
        } else {
          try expect("}")
          return .object(fields)
        }
      }
    case UInt8(ascii: "["):
      position += 1
      var items: [JSONValue] = []
      skipSpace()
      if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
        position += 1
        return .array(items)
      }
      while true {
        skipSpace()
        items.append(try value(depth: depth + 1))
        skipSpace()
        guard position < bytes.count else { throw error("unterminated array") }
        if bytes[position] == UInt8(ascii: ",") {
          position += 1
        } else {
          try expect("]")
          return .array(items)
        }
      }
    case UInt8(ascii: "\""):
      return .string(try string())
    case UInt8(ascii: "t"):
      try expect("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expect("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expect("null")
      return .null
    default:
      let start = position
      while position < bytes.count,
        bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+")
          || bytes[position] == UInt8(ascii: ".") || (bytes[position] | 0x20) == UInt8(ascii: "e")
          || (bytes[position] >= 0x30 && bytes[position] <= 0x39)
      {
        position += 1
      }
      let text = String(decoding: bytes[start..<position], as: UTF8.self)
      guard !text.isEmpty, Double(text) != nil else { throw error("expected a value") }
      return .number(text)
    }
  }

  mutating func string() throws -> String {
    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a string") }
    position += 1
    var out: [UInt8] = []
    while true {
      guard position < bytes.count else { throw error("unterminated string") }
      let c = bytes[position]
      position += 1
      if c == UInt8(ascii: "\"") { break }
      guard c == UInt8(ascii: "\\") else {
        out.append(c)
        continue
      }
      guard position < bytes.count else { throw error("unterminated escape") }
      let e = bytes[position]
      position += 1
      switch e {
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "u"):
        var scalar = try hex4()
        if scalar >= 0xD800 && scalar < 0xDC00 {
          try expect("\\u")
          let low = try hex4()
          guard low >= 0xDC00 && low < 0xE000 else { throw error("unpaired surrogate") }
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
        out.append(contentsOf: Array(String(Character(u)).utf8))
      default: out.append(e)
      }
    }
    guard let s = String(validating: out, as: UTF8.self) else { throw error("string is not UTF-8") }
    return s
  }

  mutating func hex4() throws -> UInt32 {
    guard position + 4 <= bytes.count else { throw error("short \\u escape") }
    guard let v = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
      throw error("bad \\u escape")
    }
    position += 4
    return v
  }
}
