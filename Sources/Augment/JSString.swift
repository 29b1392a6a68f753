/// JavaScript string values (sequences of UTF-16 code units, lone surrogates included) read from and written
/// back to string literals, so transforms can change a literal's quotes or compute a concatenation without
/// changing the value.
public enum JSString {
  // MARK: - Reading

  /// The value of a string literal's source text (including its quotes), or nil for forms left alone:
  /// legacy octal escapes (`\01`, `\8`), malformed escapes, or text that is not a quoted literal.
  public static func decode(_ literal: ArraySlice<UInt8>) -> [UInt16]? {
    guard literal.count >= 2, let q = literal.first, q == literal.last,
      q == UInt8(ascii: "\"") || q == UInt8(ascii: "'")
    else { return nil }
    let body = Array(literal.dropFirst().dropLast())
    var out: [UInt16] = []
    out.reserveCapacity(body.count)
    var i = 0
    while i < body.count {
      let c = body[i]
      if c == UInt8(ascii: "\\") {
        guard i + 1 < body.count else { return nil }
        let e = body[i + 1]
        i += 2
        switch e {
        case UInt8(ascii: "n"): out.append(10)
        case UInt8(ascii: "t"): out.append(9)
        case UInt8(ascii: "r"): out.append(13)
        case UInt8(ascii: "b"): out.append(8)
        case UInt8(ascii: "f"): out.append(12)
        case UInt8(ascii: "v"): out.append(11)
        case UInt8(ascii: "0"):
          if i < body.count && body[i] >= 48 && body[i] <= 57 { return nil }
          out.append(0)
        case UInt8(ascii: "1")...UInt8(ascii: "9"): return nil
        case UInt8(ascii: "x"):
          guard i + 2 <= body.count, let v = hex(body[i..<(i + 2)]) else { return nil }
          out.append(UInt16(v))
          i += 2
        case UInt8(ascii: "u"):
          if i < body.count && body[i] == UInt8(ascii: "{") {
            guard let close = body[i...].firstIndex(of: UInt8(ascii: "}")), close > i + 1,
              let v = hex(body[(i + 1)..<close]), v <= 0x10FFFF
            else { return nil }
            appendScalar(v, to: &out)
            i = close + 1
          } else {
            guard i + 4 <= body.count, let v = hex(body[i..<(i + 4)]) else { return nil }
            out.append(UInt16(v))
            i += 4
          }
        case 0x0D:  // line continuation \ CR LF or \ CR
          if i < body.count && body[i] == 0x0A { i += 1 }
        case 0x0A: break  // line continuation
        case 0xE2 where i + 1 < body.count && body[i] == 0x80 && (body[i + 1] == 0xA8 || body[i + 1] == 0xA9):
          i += 2  // \ followed by U+2028/U+2029: line continuation
        default:
          // An escaped ordinary character stands for itself (decode the full UTF-8 sequence).
          i -= 1
          guard let (scalar, len) = utf8Scalar(body, at: i) else { return nil }
          appendScalar(scalar, to: &out)
          i += len
        }
      } else if c == 0x0A || c == 0x0D {
        return nil
      } else {
        guard let (scalar, len) = utf8Scalar(body, at: i) else { return nil }
        appendScalar(scalar, to: &out)
        i += len
      }
    }
    return out
  }

  // MARK: - Writing

  /// A literal whose value is `value`, in the given quote character. Printable ASCII and well-formed
  /// non-ASCII characters are written as themselves; the quote, backslash, control characters, U+2028/9
  /// and lone surrogates are escaped.
  public static func encode(_ value: [UInt16], quote: UInt8 = UInt8(ascii: "\"")) -> String {
    var out: [UInt8] = [quote]
    out.reserveCapacity(value.count + 2)
    var i = 0
    while i < value.count {
      let u = value[i]
      switch u {
      case UInt16(quote): out += [UInt8(ascii: "\\"), quote]
      case 0x5C: out += Array("\\\\".utf8)
      case 0x0A: out += Array("\\n".utf8)
      case 0x0D: out += Array("\\r".utf8)
      case 0x09: out += Array("\\t".utf8)
      case 0x08: out += Array("\\b".utf8)
      case 0x0C: out += Array("\\f".utf8)
      case 0x0B: out += Array("\\v".utf8)
      case 0x00..<0x20, 0x7F, 0x2028, 0x2029: out += Array(unicodeEscape(u).utf8)
      case 0x20..<0x7F: out.append(UInt8(u))
      case 0xD800..<0xDC00:
        if i + 1 < value.count, (0xDC00..<0xE000).contains(value[i + 1]) {
          let scalar = 0x10000 + ((UInt32(u) - 0xD800) << 10) + (UInt32(value[i + 1]) - 0xDC00)
          out += Array(String(Character(Unicode.Scalar(scalar)!)).utf8)
          i += 1
        } else {
          out += Array(unicodeEscape(u).utf8)
        }
      case 0xDC00..<0xE000: out += Array(unicodeEscape(u).utf8)
      default:
        if let s = Unicode.Scalar(UInt32(u)) { out += Array(String(Character(s)).utf8) } else {
          out += Array(unicodeEscape(u).utf8)
        }
      }
      i += 1
    }
    out.append(quote)
    return String(decoding: out, as: UTF8.self)
  }

  /// The literal rewritten with the other quote character and the same value, or nil when it cannot be
  /// read. Escapes other than the quotes are kept as written.
  public static func requote(_ literal: ArraySlice<UInt8>, to quote: UInt8) -> String? {
    guard literal.count >= 2, let q = literal.first, q == literal.last,
      q == UInt8(ascii: "\"") || q == UInt8(ascii: "'")
    else { return nil }
    if q == quote { return String(decoding: literal, as: UTF8.self) }
    let body = Array(literal.dropFirst().dropLast())
    var out: [UInt8] = [quote]
    var i = 0
    while i < body.count {
      let c = body[i]
      if c == UInt8(ascii: "\\") && i + 1 < body.count {
        if body[i + 1] == q {
          out.append(q)  // \' inside "…" is just '
        } else {
          out += [c, body[i + 1]]
        }
        i += 2
      } else if c == quote {
        out += [UInt8(ascii: "\\"), quote]
        i += 1
      } else {
        out.append(c)
        i += 1
      }
    }
    out.append(quote)
    return String(decoding: out, as: UTF8.self)
  }

  /// The UTF-16 units of a Swift string.
  public static func units(_ s: String) -> [UInt16] { Array(s.utf16) }

  // MARK: - Helpers

  private static func unicodeEscape(_ u: UInt16) -> String {
    let h = String(u, radix: 16, uppercase: false)
    return "\\u" + String(repeating: "0", count: 4 - h.count) + h
  }

  private static func hex(_ s: ArraySlice<UInt8>) -> UInt32? {
    var v: UInt32 = 0
    guard !s.isEmpty, s.count <= 6 else { return nil }
    for c in s {
      let d: UInt32
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - 48)
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - 87)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - 55)
      default: return nil
      }
      v = v * 16 + d
    }
    return v
  }

  private static func appendScalar(_ v: UInt32, to out: inout [UInt16]) {
    if v < 0x10000 {
      out.append(UInt16(v))
    } else {
      let w = v - 0x10000
      out.append(UInt16(0xD800 + (w >> 10)))
      out.append(UInt16(0xDC00 + (w & 0x3FF)))
    }
  }

  private static func utf8Scalar(_ b: [UInt8], at i: Int) -> (UInt32, Int)? {
    let c = b[i]
    switch c {
    case 0..<0x80: return (UInt32(c), 1)
    case 0xC0..<0xE0:
      guard i + 1 < b.count else { return nil }
      return ((UInt32(c & 0x1F) << 6) | UInt32(b[i + 1] & 0x3F), 2)
    case 0xE0..<0xF0:
      guard i + 2 < b.count else { return nil }
      return ((UInt32(c & 0x0F) << 12) | (UInt32(b[i + 1] & 0x3F) << 6) | UInt32(b[i + 2] & 0x3F), 3)
    case 0xF0..<0xF8:
      guard i + 3 < b.count else { return nil }
      let v = (UInt32(c & 0x07) << 18) | (UInt32(b[i + 1] & 0x3F) << 12) | (UInt32(b[i + 2] & 0x3F) << 6)
      return (v | UInt32(b[i + 3] & 0x3F), 4)
    default: return nil
    }
  }
}
