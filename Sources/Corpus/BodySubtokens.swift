/// The subtokens a function offers to copy into its name: every identifier, property name and parameter name
/// of a method-name example's `input`, and the words of its string and template literals, split by
/// `identifierSubtokens` (lower case), at least `minLength` characters, in order of first occurrence, without
/// repeats.
///
/// It reads the example's `input` (`MethodNames.example`), the same text the name head's encoder reads, so it
/// never sees more than the model is given: the function's own name is already `METHOD_NAME` there (its
/// declaration, recursive calls and `this.name(…)`), and `METHOD_NAME` itself is skipped. Unlike the encoder it
/// reads the whole input, not only its first `maxLength` tokens.
///
/// A lexer rather than a parse: an input such as a method (`METHOD_NAME(a) { … }`) is not a program on its
/// own. Comments and number literals are skipped; keywords (`return`, `this`, `get`, `async`, …) are skipped
/// unless they follow `.` (`map.get(k)`, `x.default`), where they are property names.
public enum BodySubtokens {
  /// Keywords and literals skipped outside property access: JavaScript's reserved words and the
  /// modifiers that precede a declaration (`get`, `set`, `async`, `static`, TypeScript's `readonly`, …).
  public static let keywords: Set<String> = [
    "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
    "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null",
    "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
    "let", "static", "implements", "interface", "package", "private", "protected", "public", "await", "async", "of",
    "get", "set", "undefined", "as", "declare", "abstract", "readonly", "keyof", "infer", "satisfies", "override",
  ]

  /// Shorter subtokens are left out: one-letter names (`i`, `x`, `e`) are everywhere in bodies and almost never
  /// in names (valid split: 7 of 1,725 name subtokens; with them the copy bias put one in 107 of 876 names).
  public static let minLength = 2

  /// The subtokens of `input` (see the type's comment); `placeholder` is the hidden name's stand-in.
  public static func of(_ input: String, placeholder: String = MethodNames.placeholder) -> [String] {
    counted(input, placeholder: placeholder).map(\.subtoken)
  }

  /// The same subtokens with how often each occurs (an identifier or string split into `get`, `user` counts
  /// once for each).
  public static func counted(_ input: String, placeholder: String = MethodNames.placeholder)
    -> [(subtoken: String, count: Int)]
  {
    var out: [(subtoken: String, count: Int)] = []
    var index: [String: Int] = [:]
    scan(input, placeholder: placeholder) { w, _ in
      if let k = index[w] {
        out[k].count += 1
      } else {
        index[w] = out.count
        out.append((w, 1))
      }
    }
    return out
  }

  /// Every occurrence of the same subtokens, in order, each with the UTF-8 byte offset in `input` where it
  /// starts (within its identifier or string: `getUser` at 10 gives `get` at 10 and `user` at 13), for tying
  /// a subtoken to the encoder token that covers it (the name head's copy mechanism). Offsets inside a string
  /// with escapes are those of the unescaped characters' source positions.
  public static func located(_ input: String, placeholder: String = MethodNames.placeholder)
    -> [(subtoken: String, byte: Int)]
  {
    var out: [(subtoken: String, byte: Int)] = []
    scan(input, placeholder: placeholder) { out.append(($0, $1)) }
    return out
  }

  /// The lexer behind `counted` and `located`: calls `emit(subtoken, byteOffset)` for each subtoken occurrence of
  /// at least `minLength` characters.
  static func scan(_ input: String, placeholder: String, _ emit: (String, Int) -> Void) {
    let s = Array(input.unicodeScalars)
    // byte[i]: the UTF-8 offset of scalar i
    var byte = [Int](repeating: 0, count: s.count + 1)
    for (i, c) in s.enumerated() { byte[i + 1] = byte[i] + UTF8.width(c) }
    /// Splits `text` (whose scalar k came from source scalar `source[k]`) and emits each subtoken where it starts.
    func add(_ text: [Unicode.Scalar], _ source: [Int]) {
      let words = identifierSubtokens(String(String.UnicodeScalarView(text)))
      guard !words.isEmpty else { return }
      let lowered = text.map { Character($0).lowercased().unicodeScalars.first ?? $0 }
      var cursor = 0
      for w in words {
        let ws = Array(w.unicodeScalars)
        var at = cursor
        var found = false
        while at + ws.count <= lowered.count {
          if lowered[at] == ws[0] && Array(lowered[at..<(at + ws.count)]) == ws {
            found = true
            break
          }
          at += 1
        }
        if !found { at = min(cursor, lowered.count - 1) }
        if w.count >= minLength { emit(w, byte[source[max(at, 0)]]) }
        if found { cursor = at + ws.count }
      }
    }
    func isStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c == "$" || c.properties.isAlphabetic }
    func isPart(_ c: Unicode.Scalar) -> Bool { isStart(c) || ("0"..."9").contains(c) }
    var lastSignificant: Unicode.Scalar = " "  // the last character outside whitespace and comments
    var i = 0
    while i < s.count {
      let c = s[i]
      let next: Unicode.Scalar? = i + 1 < s.count ? s[i + 1] : nil
      if c == "/" && next == "/" {  // line comment
        while i < s.count && s[i] != "\n" { i += 1 }
        continue
      }
      if c == "/" && next == "*" {  // block comment
        i += 2
        while i < s.count && !(s[i] == "*" && i + 1 < s.count && s[i + 1] == "/") { i += 1 }
        i += 2
        continue
      }
      if c == "\"" || c == "'" || c == "`" {  // string or template: its words
        var j = i + 1
        var text: [Unicode.Scalar] = []
        var source: [Int] = []
        while j < s.count && s[j] != c {
          if s[j] == "\\" {
            text.append(" ")
            source.append(j)
            j += 2
            continue
          }
          if s[j] == "\n" && c != "`" { break }
          text.append(s[j])
          source.append(j)
          j += 1
        }
        add(text, source)
        i = j + 1
        lastSignificant = c
        continue
      }
      if ("0"..."9").contains(c) {  // a number literal, with its letters (0x1f, 1e5, 10n)
        while i < s.count && (isPart(s[i]) || s[i] == ".") { i += 1 }
        lastSignificant = "0"
        continue
      }
      if isStart(c) {
        var j = i
        while j < s.count && isPart(s[j]) { j += 1 }
        let word = String(String.UnicodeScalarView(s[i..<j]))
        if word != placeholder && (lastSignificant == "." || !keywords.contains(word)) {
          add(Array(s[i..<j]), Array(i..<j))
        }
        i = j
        lastSignificant = "a"
        continue
      }
      if !c.properties.isWhitespace { lastSignificant = c }
      i += 1
    }
  }
}
