/// JavaScript number semantics that constant folding must reproduce exactly: printing a number the way
/// `Number.prototype.toString()` does (ECMA-262 Number::toString, radix 10), reading numeric literals, and
/// the integer conversions of the bitwise operators.
public enum JSNumber {
  // MARK: - Printing

  /// The string JavaScript prints for `value`: the shortest digit string that round-trips, placed per
  /// ECMA-262 Number::toString (plain digits up to 21 integer digits, `0.000001` down to 1e-6, exponent
  /// form `1.5e+21` / `1e-7` beyond), `NaN`, `Infinity`, `-Infinity`, and `0` for both zeros.
  public static func format(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value == 0 { return "0" }
    if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
    if value < 0 { return "-" + format(-value) }
    let (digits, n) = shortestDigits(value)
    let k = digits.count
    if k <= n && n <= 21 {
      return String(decoding: digits, as: UTF8.self) + String(repeating: "0", count: n - k)
    }
    if 0 < n && n <= 21 {
      var out = digits
      out.insert(UInt8(ascii: "."), at: n)
      return String(decoding: out, as: UTF8.self)
    }
    if -6 < n && n <= 0 {
      return "0." + String(repeating: "0", count: -n) + String(decoding: digits, as: UTF8.self)
    }
    let e = n - 1
    let exponent = e < 0 ? "-\(-e)" : "+\(e)"
    if k == 1 { return String(decoding: digits, as: UTF8.self) + "e" + exponent }
    var mantissa = digits
    mantissa.insert(UInt8(ascii: "."), at: 1)
    return String(decoding: mantissa, as: UTF8.self) + "e" + exponent
  }

  /// The shortest round-trip decimal digits of a positive finite double (no leading or trailing zeros)
  /// and the position `n` of the decimal point: value = 0.d1d2…dk × 10^n. Swift's own `description`
  /// already computes the shortest, closest digits; this reads them back out of it.
  static func shortestDigits(_ value: Double) -> (digits: [UInt8], n: Int) {
    let text = Array(value.description.utf8)
    var mantissa = text[...]
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
      mantissa = text[..<e]
      var sign = 1
      var i = e + 1
      if i < text.count && (text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-")) {
        if text[i] == UInt8(ascii: "-") { sign = -1 }
        i += 1
      }
      var magnitude = 0
      while i < text.count { magnitude = magnitude * 10 + Int(text[i] &- 48); i += 1 }
      exponent = sign * magnitude
    }
    var digits: [UInt8] = []
    var pointAt = -1
    for c in mantissa {
      if c == UInt8(ascii: ".") { pointAt = digits.count } else { digits.append(c) }
    }
    var n = (pointAt < 0 ? digits.count : pointAt) + exponent
    var lead = 0
    while lead < digits.count - 1 && digits[lead] == UInt8(ascii: "0") { lead += 1; n -= 1 }
    digits.removeFirst(lead)
    while digits.count > 1 && digits.last == UInt8(ascii: "0") { digits.removeLast() }
    return (digits, n)
  }

  /// A literal that evaluates to `value` in any expression position: plain digits for non-negative finite
  /// numbers, and parenthesised forms for the rest (`(-5)`, `(-0)`, `(0/0)`, `(1/0)`), which never depend on
  /// the globals `NaN`/`Infinity` (a local could shadow them).
  public static func literal(_ value: Double) -> String {
    if value.isNaN { return "(0/0)" }
    if value.isInfinite { return value < 0 ? "(-1/0)" : "(1/0)" }
    if value == 0 { return value.sign == .minus ? "(-0)" : "0" }
    if value < 0 { return "(" + format(value) + ")" }
    return format(value)
  }

  // MARK: - Reading literals

  /// The value of a JavaScript numeric literal (`12`, `1.5e3`, `.5`, `0x1F`, `0o17`, `0b101`, `1_000`), or nil
  /// for forms constant folding leaves alone: BigInt (`1n`), legacy octal (`017`, `08`) and malformed text.
  public static func parseLiteral(_ text: String) -> Double? {
    var chars = Array(text.utf8).filter { $0 != UInt8(ascii: "_") }
    guard let first = chars.first else { return nil }
    if chars.last == UInt8(ascii: "n") { return nil }
    if first == UInt8(ascii: "0") && chars.count > 1 {
      let radix: Int
      switch chars[1] | 0x20 {
      case UInt8(ascii: "x"): radix = 16
      case UInt8(ascii: "o"): radix = 8
      case UInt8(ascii: "b"): radix = 2
      case UInt8(ascii: "."), UInt8(ascii: "e"): radix = 10
      default: return nil  // legacy octal or decimal with a leading zero: leave alone
      }
      if radix != 10 {
        chars.removeFirst(2)
        return parseRadix(chars, radix: radix)
      }
    }
    for c in chars {
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"),
        UInt8(ascii: "+"), UInt8(ascii: "-"):
        continue
      default: return nil
      }
    }
    return Double(String(decoding: chars, as: UTF8.self))
  }

  /// Integers in radix 2/8/16, exactly rounded (values above 2^64 are left unfolded).
  private static func parseRadix(_ chars: [UInt8], radix: Int) -> Double? {
    guard !chars.isEmpty else { return nil }
    var value: UInt64 = 0
    for c in chars {
      let d: Int
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = Int(c - 48)
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = Int(c - 87)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = Int(c - 55)
      default: return nil
      }
      guard d < radix else { return nil }
      let (m, o1) = value.multipliedReportingOverflow(by: UInt64(radix))
      let (s, o2) = m.addingReportingOverflow(UInt64(d))
      if o1 || o2 { return nil }
      value = s
    }
    return Double(value)  // UInt64 → Double rounds to nearest, ties to even, like JS
  }

  // MARK: - Integer conversions (bitwise operators)

  /// ECMA-262 ToInt32.
  public static func toInt32(_ value: Double) -> Int32 { Int32(bitPattern: toUint32(value)) }

  /// ECMA-262 ToUint32: truncate, then reduce modulo 2^32; NaN and ±Infinity give 0.
  public static func toUint32(_ value: Double) -> UInt32 {
    guard value.isFinite else { return 0 }
    let t = value.rounded(.towardZero)
    let m = t.truncatingRemainder(dividingBy: 4_294_967_296)
    let positive = m < 0 ? m + 4_294_967_296 : m
    return UInt32(positive)
  }

  // MARK: - Arithmetic with JavaScript's edge cases

  /// `base ** exponent` as JavaScript defines it (differs from C `pow` for a NaN exponent and for ±1 ** ±Infinity).
  public static func power(_ base: Double, _ exponent: Double) -> Double {
    if exponent.isNaN { return .nan }
    if exponent == 0 { return 1 }
    if abs(base) == 1 && exponent.isInfinite { return .nan }
    return Foundation_pow(base, exponent)
  }

  /// `a % b` as JavaScript defines it: the sign of the dividend, like C `fmod`.
  public static func remainder(_ a: Double, _ b: Double) -> Double {
    if a.isNaN || b.isNaN || a.isInfinite || b == 0 { return .nan }
    if b.isInfinite { return a }
    if a == 0 { return a }
    return a.truncatingRemainder(dividingBy: b)
  }
}

#if canImport(Glibc)
  import Glibc
  @inline(__always) func Foundation_pow(_ a: Double, _ b: Double) -> Double { Glibc.pow(a, b) }
#elseif canImport(Darwin)
  import Darwin
  @inline(__always) func Foundation_pow(_ a: Double, _ b: Double) -> Double { Darwin.pow(a, b) }
#endif
