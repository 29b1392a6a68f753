// MARK: - Pre-tokenisation

/// Splits JavaScript/TypeScript source bytes into *pre-tokens*: contiguous byte ranges that the subword model
/// segments independently (a subword never crosses a pre-token boundary).
///
/// The split is lossless by construction: the pre-tokens are given by their start offsets, the first is 0 and
/// each one ends where the next starts, so concatenating them gives back the input byte for byte, whatever the
/// input is (unterminated strings, binary junk, invalid UTF-8).
///
/// What it recognises, in one left-to-right pass with no backtracking:
/// - identifiers and keywords (ASCII letters, digits, `_`, `$`, every non-ASCII byte, `#private`);
/// - numbers (`0x`/`0o`/`0b`, `_` separators, fractions, exponents, the BigInt suffix `n`);
/// - punctuators by longest match (`>>>=`, `**=`, `??=`, `?.`, `...`, `=>`, `!==`, …);
/// - string literals as quote, content pieces, quote; template literals as backtick, content pieces,
///   `${` … `}` (nested to any depth, braces inside substitutions counted), backtick;
/// - regular-expression literals, told apart from division by the previous significant token;
/// - comments as `//`, `/*`, `*/` and content pieces.
///
/// Whitespace: a newline (`\n`, `\r\n` or `\r`) starts a pre-token that also holds the indentation after it
/// (`"\n    "`), so a line's indentation is one piece. Within a line a single space before a token is attached to
/// that token (`" ="`, `" return"`), like SentencePiece's `▁`; longer runs keep their last space for the token
/// and the rest is a pre-token of its own. Content (strings, templates, comments, regex bodies) is split into
/// words, escapes (`\n`), single punctuation characters (runs of one repeated character stay together) and the
/// same whitespace pieces.
struct PreTokenizer {
  /// Special-token texts recognised in the input (e.g. `<fn>`), with the vocabulary id of each.
  var specials: [(bytes: [UInt8], id: Int32)] = []

  /// Splits `bytes`, appending the start offset of each pre-token to `starts` and, for each, the id of the
  /// special token it is (or -1) to `specialIDs`. Both arrays are cleared first.
  func split(_ bytes: UnsafeBufferPointer<UInt8>, starts: inout [Int32], specialIDs: inout [Int32]) {
    starts.removeAll(keepingCapacity: true)
    specialIDs.removeAll(keepingCapacity: true)
    // The scanner takes the buffers over (swap, so they stay uniquely referenced and keep their capacity) and
    // hands them back filled.
    var scanner = Scanner(bytes: bytes, specials: specials)
    swap(&scanner.starts, &starts)
    swap(&scanner.specialIDs, &specialIDs)
    scanner.run()
    swap(&scanner.starts, &starts)
    swap(&scanner.specialIDs, &specialIDs)
  }
}

// MARK: - Scanner

/// The state machine behind `PreTokenizer`.
private struct Scanner {
  let b: UnsafeBufferPointer<UInt8>
  let n: Int
  let specials: [(bytes: [UInt8], id: Int32)]
  var starts: [Int32] = []
  var specialIDs: [Int32] = []
  /// Position of a single space waiting to be attached to the next pre-token, or -1.
  var pendingSpace = -1
  /// For each open template substitution `${`, the brace depth at which it was opened.
  var templateStack: [Int] = []
  var braceDepth = 0
  /// What the previous significant token was, to tell a regex literal from a division.
  var regexAllowed = true

  init(bytes: UnsafeBufferPointer<UInt8>, specials: [(bytes: [UInt8], id: Int32)]) {
    self.b = bytes
    self.n = bytes.count
    self.specials = specials
  }

  // MARK: Emitting

  /// Starts a pre-token at `p` (or at the pending space just before it).
  @inline(__always)
  mutating func emit(_ p: Int, special: Int32 = -1) {
    var s = p
    if pendingSpace >= 0 {
      // A special token stays exactly its own text, so a space before it is a pre-token of its own.
      if pendingSpace == p - 1 && special < 0 { s = p - 1 } else { push(pendingSpace, -1) }
      pendingSpace = -1
    }
    push(s, special)
  }

  @inline(__always)
  mutating func push(_ s: Int, _ special: Int32) {
    // Starts are strictly increasing; anything else would be a scanner bug, and skipping it keeps the split
    // lossless anyway (the bytes simply join the previous pre-token).
    if let last = starts.last, Int(last) >= s { return }
    starts.append(Int32(truncatingIfNeeded: s))
    specialIDs.append(special)
  }

  // MARK: Main loop

  mutating func run() {
    var i = 0
    // A `#!` line at the very start is a comment.
    if n >= 2 && b[0] == 0x23 && b[1] == 0x21 {
      emit(0)
      i = 2
      i = text(from: i, to: lineEnd(from: i))
    }
    while i < n {
      i = codeToken(at: i)
    }
    if pendingSpace >= 0 { push(pendingSpace, -1) }
  }

  func lineEnd(from p: Int) -> Int {
    var j = p
    while j < n && b[j] != 0x0A && b[j] != 0x0D { j += 1 }
    return j
  }

  /// Scans one token in code mode starting at `i`; returns the position after it.
  mutating func codeToken(at i: Int) -> Int {
    let c = b[i]
    if isSpace(c) { return whitespace(from: i, to: n) }
    if !specials.isEmpty {
      if let (len, id) = special(at: i) {
        emit(i, special: id)
        regexAllowed = false
        return i + len
      }
      // `#` before a special (a private method named by the placeholder): the `#` on its own.
      if c == 0x23 && i + 1 < n && special(at: i + 1) != nil {
        emit(i)
        return i + 1
      }
    }
    if isIdentStart(c) || (c == 0x23 && i + 1 < n && isIdentStart(b[i + 1])) {
      var j = i + 1
      while j < n && isIdentPart(b[j]) { j += 1 }
      emit(i)
      regexAllowed = keywordAllowsRegex(i, j)
      return j
    }
    if isDigit(c) || (c == 0x2E && i + 1 < n && isDigit(b[i + 1])) {
      emit(i)
      regexAllowed = false
      return number(at: i)
    }
    switch c {
    case 0x22, 0x27:  // " '
      emit(i)
      let (end, closed) = stringEnd(from: i + 1, quote: c)
      let contentEnd = closed ? end - 1 : end
      _ = text(from: i + 1, to: contentEnd)
      if closed { emit(contentEnd) }
      regexAllowed = false
      return end
    case 0x60:  // `
      emit(i)
      return template(from: i + 1)
    case 0x2F:  // /
      if i + 1 < n && b[i + 1] == 0x2F {
        emit(i)
        return text(from: i + 2, to: lineEnd(from: i + 2))
      }
      if i + 1 < n && b[i + 1] == 0x2A {
        emit(i)
        var j = i + 2
        while j + 1 < n && !(b[j] == 0x2A && b[j + 1] == 0x2F) { j += 1 }
        let close = j + 1 < n ? j : n
        _ = text(from: i + 2, to: close)
        if close < n {
          emit(close)
          return close + 2
        }
        return n
      }
      if regexAllowed, let end = regexEnd(from: i + 1) {
        emit(i)
        _ = text(from: i + 1, to: end)
        emit(end)
        var j = end + 1
        if j < n && isIdentPart(b[j]) {
          emit(j)
          while j < n && isIdentPart(b[j]) { j += 1 }
        }
        regexAllowed = false
        return j
      }
    case 0x7B:  // {
      braceDepth += 1
      emit(i)
      regexAllowed = true
      return i + 1
    case 0x7D:  // }
      emit(i)
      if let open = templateStack.last, open == braceDepth {
        templateStack.removeLast()
        return template(from: i + 1)
      }
      braceDepth = max(0, braceDepth - 1)
      regexAllowed = true
      return i + 1
    default:
      break
    }
    let len = punctuatorLength(at: i)
    emit(i)
    // After `)` `]` a slash divides; after any other punctuator it starts a regex.
    regexAllowed = !(c == 0x29 || c == 0x5D || (len == 2 && (c == 0x2B || c == 0x2D) && b[i + 1] == c))
    return i + len
  }

  // MARK: Whitespace

  /// Splits the whitespace run starting at `i` (stopping before `limit`) into newline-plus-indentation
  /// pre-tokens and in-line runs, leaving a final single space pending for the next token.
  mutating func whitespace(from i: Int, to limit: Int) -> Int {
    var k = i
    while k < limit && isSpace(b[k]) {
      if b[k] == 0x0A || b[k] == 0x0D {
        emit(k)
        k += (b[k] == 0x0D && k + 1 < limit && b[k + 1] == 0x0A) ? 2 : 1
        while k < limit && isSpace(b[k]) && b[k] != 0x0A && b[k] != 0x0D { k += 1 }
      } else {
        var e = k
        while e < limit && isSpace(b[e]) && b[e] != 0x0A && b[e] != 0x0D { e += 1 }
        let runEndsAtToken = e < limit && !isSpace(b[e])
        if runEndsAtToken && b[e - 1] == 0x20 {
          if e - 1 > k { emit(k) }
          // Only attach if nothing is pending already (a pending space must be flushed first).
          if pendingSpace >= 0 { push(pendingSpace, -1) }
          pendingSpace = e - 1
        } else {
          emit(k)
        }
        k = e
      }
    }
    return k
  }

  // MARK: Content (strings, templates, comments, regex bodies)

  /// Splits the content range `[i, end)` into words, escapes, punctuation and whitespace pre-tokens.
  mutating func text(from i: Int, to end: Int) -> Int {
    var k = i
    while k < end {
      let c = b[k]
      if isSpace(c) {
        k = whitespace(from: k, to: end)
        continue
      }
      emit(k)
      if isWordByte(c) {
        k += 1
        while k < end && isWordByte(b[k]) { k += 1 }
      } else if c == 0x5C {  // backslash escape: `\n`, `\\`, `\u`
        k += 1
        if k < end && b[k] < 0x80 { k += 1 }
      } else {
        k += 1
        while k < end && b[k] == c { k += 1 }
      }
    }
    return end
  }

  /// Returns the position after the closing quote, or the end of the line (or input) for an unterminated
  /// string, and whether the string was closed.
  func stringEnd(from i: Int, quote: UInt8) -> (Int, Bool) {
    var j = i
    while j < n {
      let c = b[j]
      if c == quote { return (j + 1, true) }
      if c == 0x5C {
        // An escaped line break continues the string; stop at the input's end either way.
        j = min(n, j + ((b[min(j + 1, n - 1)] == 0x0D && j + 2 < n && b[j + 2] == 0x0A) ? 3 : 2))
        continue
      }
      if c == 0x0A || c == 0x0D { return (j, false) }
      j += 1
    }
    return (n, false)
  }

  /// Scans template content from `i` up to a closing backtick (consumed) or a `${` (consumed, entering a
  /// substitution).
  mutating func template(from i: Int) -> Int {
    var j = i
    while j < n {
      let c = b[j]
      if c == 0x5C {
        j += 2
        continue
      }
      if c == 0x60 || (c == 0x24 && j + 1 < n && b[j + 1] == 0x7B) { break }
      j += 1
    }
    j = min(j, n)
    _ = text(from: i, to: j)
    if j >= n { return n }
    emit(j)
    if b[j] == 0x60 {
      regexAllowed = false
      return j + 1
    }
    templateStack.append(braceDepth)
    regexAllowed = true
    return j + 2
  }

  /// For a `/` at `i - 1` where a regex may start, returns the position of the closing `/` if the literal ends
  /// on the same line.
  func regexEnd(from i: Int) -> Int? {
    var j = i
    var inClass = false
    if j < n && (b[j] == 0x2A || b[j] == 0x2F) { return nil }
    while j < n {
      let c = b[j]
      if c == 0x0A || c == 0x0D { return nil }
      if c == 0x5C {
        j += 2
        continue
      }
      if c == 0x5B {
        inClass = true
      } else if c == 0x5D {
        inClass = false
      } else if c == 0x2F && !inClass {
        return j
      }
      j += 1
    }
    return nil
  }

  // MARK: Numbers and punctuators

  func number(at i: Int) -> Int {
    var j = i
    if b[j] == 0x30 && j + 1 < n {
      let x = b[j + 1] | 0x20
      if x == 0x78 || x == 0x6F || x == 0x62 {  // 0x 0o 0b
        j += 2
        while j < n && (isHexDigit(b[j]) || b[j] == 0x5F) { j += 1 }
        if j < n && b[j] == 0x6E { j += 1 }
        return j
      }
    }
    while j < n && (isDigit(b[j]) || b[j] == 0x5F) { j += 1 }
    if j < n && b[j] == 0x6E { return j + 1 }  // BigInt
    if j < n && b[j] == 0x2E {
      j += 1
      while j < n && (isDigit(b[j]) || b[j] == 0x5F) { j += 1 }
    }
    if j < n && (b[j] | 0x20) == 0x65 {  // e E
      var k = j + 1
      if k < n && (b[k] == 0x2B || b[k] == 0x2D) { k += 1 }
      if k < n && isDigit(b[k]) {
        j = k
        while j < n && (isDigit(b[j]) || b[j] == 0x5F) { j += 1 }
      }
    }
    return j
  }

  /// Longest-match length of the punctuator at `i` (1 for any other single byte).
  func punctuatorLength(at i: Int) -> Int {
    @inline(__always) func at(_ k: Int) -> UInt8 { i + k < n ? b[i + k] : 0 }
    let c0 = b[i]
    let c1 = at(1)
    let c2 = at(2)
    let c3 = at(3)
    switch c0 {
    case 0x3D:  // = == === =>
      if c1 == 0x3D { return c2 == 0x3D ? 3 : 2 }
      return c1 == 0x3E ? 2 : 1
    case 0x21:  // ! != !==
      if c1 == 0x3D { return c2 == 0x3D ? 3 : 2 }
      return 1
    case 0x3C:  // < <= << <<=
      if c1 == 0x3C { return c2 == 0x3D ? 3 : 2 }
      return c1 == 0x3D ? 2 : 1
    case 0x3E:  // > >= >> >>= >>> >>>=
      if c1 == 0x3E {
        if c2 == 0x3E { return c3 == 0x3D ? 4 : 3 }
        return c2 == 0x3D ? 3 : 2
      }
      return c1 == 0x3D ? 2 : 1
    case 0x2A:  // * *= ** **=
      if c1 == 0x2A { return c2 == 0x3D ? 3 : 2 }
      return c1 == 0x3D ? 2 : 1
    case 0x26, 0x7C:  // & && &&= &= | || ||= |=
      if c1 == c0 { return c2 == 0x3D ? 3 : 2 }
      return c1 == 0x3D ? 2 : 1
    case 0x3F:  // ? ?? ??= ?. (not before a digit: `a?.5:b`)
      if c1 == 0x3F { return c2 == 0x3D ? 3 : 2 }
      if c1 == 0x2E && !isDigit(c2) { return 2 }
      return 1
    case 0x2E:  // . ...
      return (c1 == 0x2E && c2 == 0x2E) ? 3 : 1
    case 0x2B, 0x2D:  // + ++ += - -- -=
      return (c1 == c0 || c1 == 0x3D) ? 2 : 1
    case 0x2F, 0x25, 0x5E:  // /= %= ^=
      return c1 == 0x3D ? 2 : 1
    default:
      return c0 < 0x80 ? 1 : max(1, utf8Length(at: i))
    }
  }

  func utf8Length(at i: Int) -> Int { UTF8Chars.length(b, at: i) }

  // MARK: Regex context

  /// After an identifier or keyword in `[s, e)`, may a `/` start a regex? Only after keywords that precede an
  /// expression (`return /x/`), never after a name (`a / b`).
  func keywordAllowsRegex(_ s: Int, _ e: Int) -> Bool {
    let len = e - s
    guard len >= 2 && len <= 10 else { return false }
    let c = b[s]
    guard c >= 0x61 && c <= 0x79 else { return false }
    for word in Scanner.regexKeywords where word.count == len && word[0] == c {
      var same = true
      for k in 1..<len where word[k] != b[s + k] {
        same = false
        break
      }
      if same { return true }
    }
    return false
  }

  static let regexKeywords: [[UInt8]] = [
    "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else",
    "yield", "await",
  ].map { Array($0.utf8) }

  // MARK: Special tokens

  /// The special token whose text starts at `i` (longest first, as `specials` is sorted). A special that ends
  /// in an identifier character must not run on into an identifier (`__FN__` matches in `__FN__(`, not in
  /// `__FN__x`).
  func special(at i: Int) -> (Int, Int32)? {
    for (text, id) in specials where i + text.count <= n && b[i] == text[0] {
      var same = true
      for k in 1..<text.count where b[i + k] != text[k] {
        same = false
        break
      }
      guard same else { continue }
      let end = i + text.count
      if let last = text.last, isIdentPart(last), end < n, isIdentPart(b[end]) { continue }
      return (text.count, id)
    }
    return nil
  }
}

// MARK: - Byte classes

@inline(__always) private func isSpace(_ c: UInt8) -> Bool {
  c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C
}

@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

@inline(__always) private func isHexDigit(_ c: UInt8) -> Bool {
  isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66)
}

@inline(__always) private func isIdentStart(_ c: UInt8) -> Bool {
  let l = c | 0x20
  return (l >= 0x61 && l <= 0x7A) || c == 0x5F || c == 0x24 || c >= 0x80
}

@inline(__always) private func isIdentPart(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }

/// Bytes that make up a word inside strings and comments.
@inline(__always) private func isWordByte(_ c: UInt8) -> Bool { isIdentPart(c) }

// MARK: - UTF-8 characters

/// UTF-8 character boundaries as the tokenizer sees them: a well-formed sequence is one character; any byte that
/// does not start one is a character of its own (so arbitrary bytes still split into characters).
enum UTF8Chars {
  /// Length in bytes of the character starting at `i` (1...4).
  @inline(__always)
  static func length(_ b: UnsafeBufferPointer<UInt8>, at i: Int, end: Int? = nil) -> Int {
    let n = end ?? b.count
    let c = b[i]
    if c < 0x80 { return 1 }
    @inline(__always) func cont(_ k: Int) -> Bool { k < n && (b[k] & 0xC0) == 0x80 }
    if c >= 0xC2 && c <= 0xDF { return cont(i + 1) ? 2 : 1 }
    if c >= 0xE0 && c <= 0xEF {
      guard cont(i + 1) && cont(i + 2) else { return 1 }
      let c1 = b[i + 1]
      if c == 0xE0 && c1 < 0xA0 { return 1 }  // overlong
      if c == 0xED && c1 >= 0xA0 { return 1 }  // surrogate
      return 3
    }
    if c >= 0xF0 && c <= 0xF4 {
      guard cont(i + 1) && cont(i + 2) && cont(i + 3) else { return 1 }
      let c1 = b[i + 1]
      if c == 0xF0 && c1 < 0x90 { return 1 }
      if c == 0xF4 && c1 >= 0x90 { return 1 }
      return 4
    }
    return 1
  }

  /// True when the bytes are well-formed UTF-8.
  static func isValid(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBufferPointer { p in
      var i = 0
      while i < p.count {
        let l = length(p, at: i)
        if l == 1 && p[i] >= 0x80 { return false }
        i += l
      }
      return true
    }
  }
}
