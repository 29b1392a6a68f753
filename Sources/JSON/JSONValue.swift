import Foundation

// MARK: - JSON value

/// Any JSON value: the one JSON type of the package. The language server reads and writes messages with it
/// (through `Codable`), the tokenizer reads `tokenizer.json` with `parse`, and the corpus writes its JSON-lines
/// datasets with `serialized()`.
///
/// Objects keep their members in order, so a record is written with its keys in a fixed order and the same
/// bytes on every run (what the dataset hashes rely on); two objects are equal when they have the same members,
/// in any order, and a repeated key reads as its last value.
public enum JSONValue: Sendable {
  case null
  case bool(Bool)
  case int(Int)
  case double(Double)
  case string(String)
  case array([JSONValue])
  /// Members in order.
  case object([(String, JSONValue)])

  /// An object from a dictionary (members sorted by key, so the order does not depend on hashing).
  public static func object(_ members: [String: JSONValue]) -> JSONValue {
    .object(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
  }

  // MARK: - Access

  /// The member `key` of an object (its last value if repeated), or nil.
  public subscript(key: String) -> JSONValue? {
    if case .object(let members) = self { return members.last { $0.0 == key }?.1 }
    return nil
  }

  /// The element at `index` of an array, or nil.
  public subscript(index: Int) -> JSONValue? {
    if case .array(let items) = self, items.indices.contains(index) { return items[index] }
    return nil
  }

  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  public var boolValue: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  /// An integer, or a double with an integral value.
  public var intValue: Int? {
    switch self {
    case .int(let i): return i
    case .double(let d) where d.rounded() == d && abs(d) < 1e15: return Int(d)
    default: return nil
    }
  }

  public var doubleValue: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .double(let d): return d
    default: return nil
    }
  }

  public var arrayValue: [JSONValue]? {
    if case .array(let a) = self { return a }
    return nil
  }

  /// The members of an object as a dictionary (a repeated key keeps its last value), or nil.
  public var objectValue: [String: JSONValue]? {
    if case .object(let members) = self { return Dictionary(members, uniquingKeysWith: { _, last in last }) }
    return nil
  }

  public var isNull: Bool { if case .null = self { return true } else { return false } }

  // MARK: - Reading

  /// Parses UTF-8 JSON text as one value; throws, with the byte offset, for anything else (invalid JSON, invalid
  /// UTF-8 in a string, nesting deeper than `maxDepth`).
  ///
  /// A parser of its own because numbers must come back bit for bit: an integer literal becomes `.int`, any
  /// other number `.double(Double(text))`, which rounds correctly, so a score written with Swift's shortest
  /// round-trip formatting reads back as the same `Double` (Foundation's `JSONSerialization` on Linux does not
  /// guarantee that, and a re-saved file would differ).
  public static func parse(_ bytes: [UInt8], maxDepth: Int = 512) throws(JSONParseError) -> JSONValue {
    var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
    parser.skipSpace()
    let value = try parser.value(depth: 0)
    parser.skipSpace()
    guard parser.position == bytes.count else { throw parser.error("unexpected text after the value") }
    return value
  }

  /// Re-decodes this value as a `Decodable` type.
  public func decode<T: Decodable>(_ type: T.Type) throws -> T {
    try JSONDecoder().decode(T.self, from: JSONEncoder().encode(self))
  }

  // MARK: - Writing

  /// The compact JSON text: members in order, doubles with six significant digits (`%.6g`; not finite:
  /// `null`), strings with quotes, backslashes and control characters escaped and everything else as UTF-8.
  public func serialized() -> String {
    var out = ""
    write(into: &out)
    return out
  }

  func write(into out: inout String) {
    switch self {
    case .string(let s): JSONValue.appendQuoted(s, to: &out)
    case .int(let i): out += String(i)
    case .double(let d): out += d.isFinite ? String(format: "%.6g", d) : "null"
    case .bool(let b): out += b ? "true" : "false"
    case .null: out += "null"
    case .array(let items):
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += "," }
        item.write(into: &out)
      }
      out += "]"
    case .object(let fields):
      out += "{"
      for (i, (key, value)) in fields.enumerated() {
        if i > 0 { out += "," }
        JSONValue.appendQuoted(key, to: &out)
        out += ":"
        value.write(into: &out)
      }
      out += "}"
    }
  }

  /// `s` as a JSON string literal: quotes, backslashes and control characters escaped, other characters as
  /// UTF-8; U+2028 and U+2029 escaped too unless `escapingLineSeparators` is false, and DEL (U+007F) when
  /// `escapingDelete` (`tokenizer.json` writes its pieces that way, the datasets the default way).
  public static func quoted(_ s: String, escapingLineSeparators: Bool = true, escapingDelete: Bool = false) -> String {
    var out = ""
    appendQuoted(s, to: &out, escapingLineSeparators: escapingLineSeparators, escapingDelete: escapingDelete)
    return out
  }

  static func appendQuoted(
    _ s: String, to out: inout String, escapingLineSeparators: Bool = true, escapingDelete: Bool = false
  ) {
    out += "\""
    var plainStart = s.unicodeScalars.startIndex
    var i = plainStart
    let scalars = s.unicodeScalars
    while i != scalars.endIndex {
      let c = scalars[i]
      let escape: String?
      switch c {
      case "\"": escape = "\\\""
      case "\\": escape = "\\\\"
      case "\n": escape = "\\n"
      case "\r": escape = "\\r"
      case "\t": escape = "\\t"
      case "\u{2028}" where escapingLineSeparators: escape = "\\u2028"
      case "\u{2029}" where escapingLineSeparators: escape = "\\u2029"
      default:
        if c.value < 0x20 || (escapingDelete && c.value == 0x7F) {
          let hex = String(c.value, radix: 16)
          escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          escape = nil
        }
      }
      if let escape {
        out.unicodeScalars.append(contentsOf: scalars[plainStart..<i])
        out += escape
        plainStart = scalars.index(after: i)
      }
      i = scalars.index(after: i)
    }
    out.unicodeScalars.append(contentsOf: scalars[plainStart..<scalars.endIndex])
    out += "\""
  }
}

// MARK: - Equality

extension JSONValue: Equatable, Hashable {
  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.int(let x), .int(let y)): return x == y
    case (.double(let x), .double(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.array(let x), .array(let y)): return x == y
    case (.object, .object): return a.objectValue == b.objectValue
    default: return false
    }
  }

  public func hash(into hasher: inout Hasher) {
    switch self {
    case .null: hasher.combine(0)
    case .bool(let b): hasher.combine(b)
    case .int(let i): hasher.combine(i)
    case .double(let d): hasher.combine(d)
    case .string(let s): hasher.combine(s)
    case .array(let a): hasher.combine(a)
    case .object: hasher.combine(objectValue)
    }
  }
}

/// Why a text is not JSON, with the byte offset.
public struct JSONParseError: Error, Sendable {
  public var message: String
}

// MARK: - Codable

extension JSONValue: Codable {
  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let i = try? c.decode(Int.self) {
      self = .int(i)
    } else if let d = try? c.decode(Double.self) {
      self = .double(d)
    } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let a = try? c.decode([JSONValue].self) {
      self = .array(a)
    } else {
      self = .object(try c.decode([String: JSONValue].self))
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .null: try c.encodeNil()
    case .bool(let b): try c.encode(b)
    case .int(let i): try c.encode(i)
    case .double(let d): try c.encode(d)
    case .string(let s): try c.encode(s)
    case .array(let a): try c.encode(a)
    case .object: try c.encode(objectValue ?? [:])
    }
  }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
  public init(stringLiteral value: String) { self = .string(value) }
  public init(integerLiteral value: Int) { self = .int(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral,
  ExpressibleByNilLiteral
{
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
  public init(floatLiteral value: Double) { self = .double(value) }
  public init(nilLiteral: ()) { self = .null }
}

// MARK: - Parser

private struct JSONParser {
  let bytes: [UInt8]
  let maxDepth: Int
  var position = 0

  init(bytes: [UInt8], maxDepth: Int) {
    self.bytes = bytes
    self.maxDepth = maxDepth
  }

  func error(_ what: String) -> JSONParseError { JSONParseError(message: "\(what) at byte \(position)") }

  mutating func skipSpace() {
    while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
  }

  mutating func expect(_ literal: String) throws(JSONParseError) {
    let l = Array(literal.utf8)
    guard position + l.count <= bytes.count, Array(bytes[position..<position + l.count]) == l else {
      throw error("expected \(literal)")
    }
    position += l.count
  }

  mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
    guard depth < maxDepth else { throw error("nesting too deep") }
    guard position < bytes.count else { throw error("unexpected end") }
    switch bytes[position] {
    case UInt8(ascii: "{"):
      position += 1
      var fields: [(String, JSONValue)] = []
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
        fields.append((key, try value(depth: depth + 1)))
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
      var integral = true
      while position < bytes.count,
        bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+")
          || bytes[position] == UInt8(ascii: ".") || (bytes[position] | 0x20) == UInt8(ascii: "e")
          || (bytes[position] >= 0x30 && bytes[position] <= 0x39)
      {
        if bytes[position] == UInt8(ascii: ".") || (bytes[position] | 0x20) == UInt8(ascii: "e") { integral = false }
        position += 1
      }
      let text = String(decoding: bytes[start..<position], as: UTF8.self)
      guard !text.isEmpty, let d = Double(text) else { throw error("expected a value") }
      if integral, let i = Int(text) { return .int(i) }
      return .double(d)
    }
  }

  mutating func string() throws(JSONParseError) -> String {
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

  mutating func hex4() throws(JSONParseError) -> UInt32 {
    guard position + 4 <= bytes.count else { throw error("short \\u escape") }
    guard let v = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
      throw error("bad \\u escape")
    }
    position += 4
    return v
  }
}
