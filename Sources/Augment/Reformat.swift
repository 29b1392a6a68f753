import Syntax

/// Re-prints a program's layout: whitespace, indentation (2 or 4 spaces, or tabs), brace placement,
/// optional semicolons, and the quote style of string literals, in a compact "minify" mode or a
/// readable "beautify" mode.
///
/// Why behaviour is preserved: the output is the input's own token sequence, in order, with only the
/// space between tokens changed. Every place where the parse relied on automatic semicolon insertion
/// gets an explicit `;` before newlines are dropped, newlines are kept after tokens that start a
/// restricted production (`return`, `throw`, `break`, `continue`, `yield`, `async`, `let`) and before
/// `++`/`--`, and a space is kept wherever two tokens would otherwise fuse into one (`a + +b`, `x / /re/`,
/// `1 .toFixed`). Strings, template literals, regular expressions, numbers, comments and JSX are copied
/// byte for byte, except that a string may switch between `'` and `"` with its quotes re-escaped, which
/// leaves its value unchanged. In beautify mode a `;` is omitted only at the end of a line whose next
/// line starts with a token that cannot continue the statement, which is exactly where ASI puts it back.
public struct Reformat: Transform {
  public enum Mode: String, Sendable, CaseIterable { case minify, beautify }
  public enum Indent: String, Sendable, CaseIterable { case twoSpaces, fourSpaces, tab }
  public enum Braces: String, Sendable, CaseIterable { case sameLine, nextLine }
  public enum Quotes: String, Sendable, CaseIterable { case keep, single, double }

  /// One layout.
  public struct Style: Sendable, Equatable {
    public var mode: Mode
    public var indent: Indent
    public var braces: Braces
    public var quotes: Quotes
    /// Beautify only: drop `;` at line ends where ASI restores it.
    public var omitSemicolons: Bool

    public init(
      mode: Mode, indent: Indent = .twoSpaces, braces: Braces = .sameLine, quotes: Quotes = .keep,
      omitSemicolons: Bool = false
    ) {
      self.mode = mode
      self.indent = indent
      self.braces = braces
      self.quotes = quotes
      self.omitSemicolons = omitSemicolons
    }

    /// A random layout.
    public static func random(_ rng: inout SeededRandom) -> Style {
      Style(
        mode: rng.chance(0.5) ? .minify : .beautify,
        indent: Indent.allCases[Int(rng.next() % 3)],
        braces: rng.chance(0.75) ? .sameLine : .nextLine,
        quotes: Quotes.allCases[Int(rng.next() % 3)],
        omitSemicolons: rng.chance(0.3))
    }
  }

  public let name = "reformat"
  /// A fixed layout, or nil to draw one from the generator on every call.
  public var style: Style?

  public init(style: Style? = nil) { self.style = style }

  public func edits(for input: TransformInput, rng: inout SeededRandom) throws -> [ByteEdit] {
    let style = self.style ?? Style.random(&rng)
    guard let printed = Printer(input: input, style: style)?.print() else { return [] }
    let focus = input.focus
    if input.bytes[focus].elementsEqual(printed) { return [] }
    return [ByteEdit(start: focus.lowerBound, deletedLength: focus.count, inserted: printed)]
  }
}

// MARK: - Tokens

/// One token of the input (or an inserted semicolon) with what the printer needs to know about it.
private struct Token {
  enum Kind { case word, punct, string, number, regex, template, lineComment, blockComment, verbatim, semicolon }
  var start: Int
  var end: Int
  var kind: Kind
}

private let blockTypes: Set<String> = [
  "statement_block", "class_body", "switch_body", "enum_body", "interface_body",
]
private let blockNodes = NodeTypes(blockTypes)

/// How the printer treats a node of each type name: strings, templates, regular expressions, numbers,
/// comments and JSX elements are printed as one token (copied byte for byte), even when they have children.
private enum TokenClass {
  case plain, string, number, regex, template, comment, otherComment, verbatim

  init(typeName: String) {
    switch typeName {
    case "string": self = .string
    case "number": self = .number
    case "regex": self = .regex
    case "template_string", "template_literal_type": self = .template
    case "comment": self = .comment
    case "html_comment", "hash_bang_line": self = .otherComment
    case "jsx_element", "jsx_self_closing_element", "jsx_fragment": self = .verbatim
    default: self = .plain
    }
  }

  /// Printed as one token even when the node has children.
  var isAtomic: Bool { self != .plain }
}

/// `TokenClass` of every grammar symbol (named or not: TypeScript's `number` and `string` type keywords
/// are tokens of those kinds too), per language in `Language.allCases` order.
private let tokenClasses: [[TokenClass]] = Language.allCases.map { $0.symbolNames.map(TokenClass.init(typeName:)) }

/// The node types `Printer.noteStructure` acts on; other inner nodes are only walked through.
private let structuralNodes = NodeTypes(
  JSSyntax.semicolonStatements.union(JSSyntax.memberTerminated).union(JSSyntax.statementLists)
    .union(blockTypes).union(spacedOperatorParents).union([
      "class_body", "interface_body", "object_type", "switch_case", "switch_default", "unary_expression",
      "update_expression", "spread_element", "rest_pattern", "type_assertion", "for_statement",
    ]))

extension Language {
  /// Index in `Language.allCases`.
  var ordinalInAllCases: Int {
    switch self {
    case .javascript: return 0
    case .typescript: return 1
    case .tsx: return 2
    }
  }
}

private let spacedOperatorParents: Set<String> = [
  "binary_expression", "assignment_expression", "augmented_assignment_expression", "ternary_expression",
  "arrow_function", "variable_declarator", "assignment_pattern", "object_assignment_pattern",
  "public_field_definition", "field_definition", "as_expression", "satisfies_expression", "type_alias_declaration",
  "union_type", "intersection_type", "conditional_type", "default_type", "optional_parameter", "required_parameter",
]

private let keywordsBeforeParen: Set<String> = [
  "if", "for", "while", "switch", "catch", "with", "return", "typeof", "void", "delete", "await", "yield", "in",
  "of", "new", "instanceof", "case", "do", "else", "function", "throw", "async",
]

private let restrictedBefore: Set<String> = [
  "return", "throw", "break", "continue", "yield", "async", "let", "get", "set", "static", "await", "readonly",
  "declare", "abstract", "type", "namespace", "module", "interface", "enum", "accessor", "public", "private",
  "protected", "override",
]

@inline(__always) private func isWordByte(_ c: UInt8) -> Bool {
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x24
    || c >= 0x80 || c == 0x5C || c == 0x23
}

// MARK: - Printer

private struct Printer {
  let bytes: [UInt8]
  let focus: Range<Int>
  let style: Style
  typealias Style = Reformat.Style

  var tokens: [Token] = []
  /// Ends of statements that need an inserted `;` (their parse used ASI).
  var semicolonAfter = Set<Int>()
  /// Ends of statements (and class members) that are items of a list: a line break follows in beautify.
  var breakAfter = Set<Int>()
  /// Ends of statements whose `;` may be omitted in beautify mode.
  var omittable = Set<Int>()
  var openBlock = Set<Int>()
  var closeBlock = Set<Int>()
  var spacedOperator = Set<Int>()
  var prefixOperator = Set<Int>()
  var headerSemicolon = Set<Int>()
  var caseColon = Set<Int>()
  var caseEnd = Set<Int>()
  var jsxStrings = Set<Int>()
  /// Block nesting of the focus itself inside its wrapper (subtracted from indentation).
  var baseDepth = 0

  init?(input: TransformInput, style: Style) {
    bytes = input.bytes
    focus = input.focus
    self.style = style
    let root = input.tree.root
    guard !root.hasError else { return nil }
    collect(root)
    guard !tokens.isEmpty else { return nil }
    tokens.sort { $0.start < $1.start }
    if !fillGaps() { return nil }
  }

  private mutating func collect(_ root: Node) {
    let focus = self.focus
    let classes = tokenClasses[root.tree.language.ordinalInAllCases]
    root.walk { node in
      if node.endByte <= focus.lowerBound || node.startByte >= focus.upperBound {
        if node.startByte < focus.lowerBound && node.endByte >= focus.upperBound && blockNodes.contains(node) {
          baseDepth += 1
        }
        return node.startByte < focus.upperBound && node.endByte > focus.lowerBound
      }
      let inside = node.startByte >= focus.lowerBound && node.endByte <= focus.upperBound
      if !inside {
        if blockNodes.contains(node) { baseDepth += 1 }
        return true
      }
      if node.startByte == node.endByte { return false }
      let symbol = Int(node.symbol)
      let tokenClass = symbol < classes.count ? classes[symbol] : .plain
      if tokenClass.isAtomic || node.childCount == 0 {
        let kind: Token.Kind
        switch tokenClass {
        case .string: kind = .string
        case .number: kind = .number
        case .regex: kind = .regex
        case .template: kind = .template
        case .comment: kind = bytes[node.startByte + 1] == UInt8(ascii: "*") ? .blockComment : .lineComment
        case .otherComment: kind = .lineComment
        case .verbatim: kind = .verbatim
        case .plain: kind = isWordByte(bytes[node.startByte]) ? .word : .punct
        }
        tokens.append(Token(start: node.startByte, end: node.endByte, kind: kind))
        return false
      }
      if structuralNodes.contains(node) { noteStructure(node, type: node.type) }
      return true
    }
  }

  private mutating func noteStructure(_ node: Node, type: String) {
    let count = node.childCount
    if JSSyntax.semicolonStatements.contains(type) {
      if let last = node.child(count - 1), last.type != ";" {
        let lastNamed = last.isNamed ? last.type : ""
        let declares = type == "export_statement" && (lastNamed.hasSuffix("declaration") || lastNamed == "class")
        if !declares && !(last.type == ";" ) { semicolonAfter.insert(node.endByte) }
      }
    } else if JSSyntax.memberTerminated.contains(type) {
      let next = node.nextSibling?.type
      if next != ";" && next != "," { semicolonAfter.insert(node.endByte) }
    }
    if JSSyntax.statementLists.contains(type) || type == "class_body" || type == "interface_body"
      || type == "object_type"
    {
      let omitOK = type != "class_body" && type != "interface_body" && type != "object_type"
      var afterColon = type != "switch_case" && type != "switch_default"
      for child in node.children {
        if !afterColon {
          afterColon = child.type == ":"
          continue
        }
        guard child.isNamed && child.type != "comment" else { continue }
        if let next = child.nextSibling, next.type == ";" || next.type == "," {
          breakAfter.insert(next.endByte)
        } else {
          breakAfter.insert(child.endByte)
        }
        let ct = child.type
        if omitOK && JSSyntax.semicolonStatements.contains(ct) && ct != "do_statement" { omittable.insert(child.endByte) }
      }
    }
    if blockTypes.contains(type) {
      if let first = node.child(0), first.type == "{" { openBlock.insert(first.startByte) }
      if let last = node.child(count - 1), last.type == "}" { closeBlock.insert(last.startByte) }
    }
    if type == "switch_case" || type == "switch_default" {
      for child in node.children where child.type == ":" {
        caseColon.insert(child.startByte)
        break
      }
      caseEnd.insert(node.endByte)
    }
    if spacedOperatorParents.contains(type) {
      for child in node.children where !child.isNamed {
        let t = child.type
        if t != "(" && t != ")" && t != "," && t != ";" && t != "[" && t != "]" && t != "{" && t != "}"
          && !(t == "?" && (type == "optional_parameter" || type == "public_field_definition"))
          && !(t == ":" && type != "ternary_expression" && type != "conditional_type")
          && isOperatorText(child)
        {
          spacedOperator.insert(child.startByte)
        }
      }
    } else if type == "unary_expression" || type == "update_expression" || type == "spread_element"
      || type == "rest_pattern" || type == "type_assertion"
    {
      if let first = node.child(0), !first.isNamed { prefixOperator.insert(first.startByte) }
    } else if type == "for_statement" {
      for child in node.children where child.type == ";" { headerSemicolon.insert(child.startByte) }
      // In tree-sitter 0.23 the header's first `;` belongs to the initializer statement.
      if let initializer = node.child(field: "initializer") {
        let leaf = JSSyntax.lastLeaf(initializer)
        if leaf.type == ";" { headerSemicolon.insert(leaf.startByte) }
        semicolonAfter.remove(initializer.endByte)
      }
      if let condition = node.child(field: "condition") {
        let leaf = JSSyntax.lastLeaf(condition)
        if leaf.type == ";" { headerSemicolon.insert(leaf.startByte) }
        semicolonAfter.remove(condition.endByte)
      }
    }
  }

  private func isOperatorText(_ node: Node) -> Bool {
    let c = bytes[node.startByte]
    return !isWordByte(c) || node.type == "in" || node.type == "instanceof" || node.type == "as"
      || node.type == "satisfies" || node.type == "of" || node.type == "extends" || node.type == "keyof"
  }

  /// Turns any non-whitespace text between tokens (hidden grammar tokens) into tokens of its own.
  private mutating func fillGaps() -> Bool {
    var extra: [Token] = []
    var cursor = focus.lowerBound
    for t in tokens {
      if t.start < cursor { return false }
      if let gap = gapToken(cursor, t.start) { extra.append(gap) }
      cursor = t.end
    }
    if let gap = gapToken(cursor, focus.upperBound) { extra.append(gap) }
    if !extra.isEmpty {
      tokens += extra
      tokens.sort { $0.start < $1.start }
    }
    return true
  }

  private func gapToken(_ a: Int, _ b: Int) -> Token? {
    var s = a
    var e = b
    while s < e && isSpace(bytes[s]) { s += 1 }
    while e > s && isSpace(bytes[e - 1]) { e -= 1 }
    guard s < e else { return nil }
    return Token(start: s, end: e, kind: isWordByte(bytes[s]) ? .word : .punct)
  }

  @inline(__always) private func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D || c == 0x0C || c == 0x0B }

  private func gapHasNewline(_ a: Int, _ b: Int) -> Bool {
    guard a < b else { return false }
    for i in a..<b where bytes[i] == 0x0A || bytes[i] == 0x0D { return true }
    return false
  }

  private func text(_ t: Token) -> ArraySlice<UInt8> { bytes[t.start..<t.end] }

  private func equals(_ t: Token, _ s: String) -> Bool {
    t.kind != .semicolon && text(t).elementsEqual(s.utf8)
  }

  // MARK: Printing

  func print() -> [UInt8]? {
    var out: [UInt8] = []
    out.reserveCapacity(focus.count + focus.count / 4)
    var level = 0
    var pendingDedent = 0
    let beautify = style.mode == .beautify
    let indentUnit: [UInt8] =
      switch style.indent {
      case .twoSpaces: Array("  ".utf8)
      case .fourSpaces: Array("    ".utf8)
      case .tab: [0x09]
      }
    // Expand with inserted semicolons.
    var seq: [Token] = []
    seq.reserveCapacity(tokens.count + semicolonAfter.count)
    for t in tokens {
      seq.append(t)
      if semicolonAfter.contains(t.end) && t.kind != .lineComment && t.kind != .blockComment {
        seq.append(Token(start: t.end, end: t.end, kind: .semicolon))
      }
    }
    func newline(_ out: inout [UInt8]) {
      while let last = out.last, last == 0x20 || last == 0x09 { out.removeLast() }
      out.append(0x0A)
      level -= pendingDedent
      pendingDedent = 0
      if level < 0 { level = 0 }
      if beautify { for _ in 0..<(level + baseDepth) { out += indentUnit } }
    }
    var prev: Token? = nil
    var prevEnd = focus.lowerBound
    var i = 0
    while i < seq.count {
      let t = seq[i]
      var skip = false
      if let p = prev {
        let hadNewline = gapHasNewline(prevEnd, t.start)
        var sep = 0  // 0 none, 1 space, 2 newline
        if p.kind == .lineComment {
          sep = 2
        } else if t.kind == .semicolon {
          sep = 0
        } else if beautify {
          sep = beautifySeparator(p, t, hadNewline: hadNewline)
        } else {
          if hadNewline && (keepNewline(p, t) || t.kind == .lineComment || p.kind == .blockComment || t.kind == .blockComment) {
            sep = 2
          } else if needsSpace(p, t) {
            sep = 1
          }
        }
        if beautify && closeBlock.contains(t.start) && t.kind == .punct {
          level -= 1
          if !(openBlock.contains(p.start) && p.kind == .punct) { sep = 2 }
        }
        if beautify && style.omitSemicolons && isTerminator(t) && omittable.contains(t.end == t.start ? t.start : t.end)
          && canOmit(after: i, in: seq)
        {
          skip = true
        }
        if sep == 2 { newline(&out) } else if sep == 1 { out.append(0x20) }
      }
      if !skip { emit(t, into: &out) }
      if beautify && t.kind == .punct {
        if openBlock.contains(t.start) { level += 1 }
        if caseColon.contains(t.start) { level += 1 }
      }
      if beautify && caseEnd.contains(t.end) && t.kind != .lineComment {
        if i + 1 < seq.count && seq[i + 1].kind == .semicolon && seq[i + 1].start == t.end {
          // the inserted `;` still belongs to the case
        } else {
          pendingDedent += 1
        }
      }
      if t.kind == .semicolon && beautify && caseEnd.contains(t.end) { pendingDedent += 1 }
      prev = t
      prevEnd = max(prevEnd, t.end)
      i += 1
    }
    if prev?.kind == .lineComment, focus.upperBound < bytes.count { out.append(0x0A) }
    return out
  }

  private func isTerminator(_ t: Token) -> Bool {
    t.kind == .semicolon || (t.kind == .punct && t.end - t.start == 1 && bytes[t.start] == UInt8(ascii: ";"))
  }

  /// The `;` at seq[index] may go when the next real token cannot continue the statement.
  private func canOmit(after index: Int, in seq: [Token]) -> Bool {
    var j = index + 1
    while j < seq.count && (seq[j].kind == .lineComment || seq[j].kind == .blockComment) { j += 1 }
    guard j < seq.count else { return focus.upperBound == bytes.count }
    let n = seq[j]
    switch n.kind {
    case .word:
      return true
    case .string:
      return true
    case .punct:
      return n.end - n.start == 1 && (bytes[n.start] == UInt8(ascii: "}") || bytes[n.start] == UInt8(ascii: "{"))
    default:
      return false
    }
  }

  private func emit(_ t: Token, into out: inout [UInt8]) {
    switch t.kind {
    case .semicolon:
      out.append(UInt8(ascii: ";"))
    case .string where style.quotes != .keep:
      let q = style.quotes == .single ? UInt8(ascii: "'") : UInt8(ascii: "\"")
      if let s = JSString.requote(text(t), to: q) { out += Array(s.utf8) } else { out += text(t) }
    default:
      out += text(t)
    }
  }

  private func firstByte(_ t: Token) -> UInt8 { t.kind == .semicolon ? UInt8(ascii: ";") : bytes[t.start] }
  private func lastByte(_ t: Token) -> UInt8 { t.kind == .semicolon ? UInt8(ascii: ";") : bytes[t.end - 1] }

  /// A newline in the input that must survive in minify mode.
  private func keepNewline(_ p: Token, _ t: Token) -> Bool {
    if p.kind == .word {
      for w in restrictedBefore where equals(p, w) { return true }
    }
    if equals(t, "++") || equals(t, "--") || equals(t, "=>") { return true }
    return false
  }

  /// Whether two tokens printed with nothing between them would read differently.
  private func needsSpace(_ p: Token, _ t: Token) -> Bool {
    if t.kind == .semicolon { return false }
    let a = lastByte(p)
    let b = firstByte(t)
    if isWordByte(a) && isWordByte(b) { return true }
    if p.kind == .regex && isWordByte(b) { return true }
    if t.kind == .regex && (isWordByte(a) || a == UInt8(ascii: "/")) { return true }
    if p.kind == .number && b == UInt8(ascii: ".") { return true }
    if p.kind == .blockComment || t.kind == .blockComment { return true }
    switch (a, b) {
    case (UInt8(ascii: "+"), UInt8(ascii: "+")), (UInt8(ascii: "-"), UInt8(ascii: "-")),
      (UInt8(ascii: "/"), UInt8(ascii: "/")), (UInt8(ascii: "/"), UInt8(ascii: "*")),
      (UInt8(ascii: "*"), UInt8(ascii: "*")), (UInt8(ascii: "*"), UInt8(ascii: "/")),
      (UInt8(ascii: "="), UInt8(ascii: ">")), (UInt8(ascii: "="), UInt8(ascii: "=")),
      (UInt8(ascii: "<"), UInt8(ascii: "=")), (UInt8(ascii: ">"), UInt8(ascii: "=")),
      (UInt8(ascii: "!"), UInt8(ascii: "=")), (UInt8(ascii: "&"), UInt8(ascii: "&")),
      (UInt8(ascii: "|"), UInt8(ascii: "|")), (UInt8(ascii: "?"), UInt8(ascii: "?")),
      (UInt8(ascii: "?"), UInt8(ascii: ".")), (UInt8(ascii: "."), UInt8(ascii: ".")),
      (UInt8(ascii: ">"), UInt8(ascii: ">")), (UInt8(ascii: "<"), UInt8(ascii: "<")),
      (UInt8(ascii: "+"), UInt8(ascii: "=")), (UInt8(ascii: "-"), UInt8(ascii: "=")),
      (UInt8(ascii: "*"), UInt8(ascii: "=")), (UInt8(ascii: "/"), UInt8(ascii: "=")),
      (UInt8(ascii: "%"), UInt8(ascii: "=")), (UInt8(ascii: "&"), UInt8(ascii: "=")),
      (UInt8(ascii: "|"), UInt8(ascii: "=")), (UInt8(ascii: "^"), UInt8(ascii: "=")),
      (UInt8(ascii: "<"), UInt8(ascii: "!")), (UInt8(ascii: "-"), UInt8(ascii: ">")),
      (UInt8(ascii: "="), UInt8(ascii: "<")), (UInt8(ascii: "<"), UInt8(ascii: "<")):
      return true
    default:
      return false
    }
  }

  private func beautifySeparator(_ p: Token, _ t: Token, hadNewline: Bool) -> Int {
    let pOpen = p.kind == .punct && openBlock.contains(p.start)
    let tClose = t.kind == .punct && closeBlock.contains(t.start)
    if pOpen && tClose { return 0 }
    if pOpen || tClose { return 2 }
    if p.kind == .punct && caseColon.contains(p.start) { return 2 }
    if t.kind == .lineComment || t.kind == .blockComment { return hadNewline ? 2 : 1 }
    if p.kind == .blockComment && hadNewline { return 2 }
    if breakAfter.contains(p.end) && !(isTerminator(t) && t.kind == .semicolon) {
      // `} else`, `} while (…)`, `} catch`, `} finally` stay on one line in the same-line style.
      if p.kind == .punct && closeBlock.contains(p.start) && style.braces == .sameLine
        && (equals(t, "else") || equals(t, "catch") || equals(t, "finally") || equals(t, "while"))
      {
        return 1
      }
      if isTerminator(t) { return 0 }
      return 2
    }
    if p.kind == .punct && closeBlock.contains(p.start) {
      if equals(t, "else") || equals(t, "catch") || equals(t, "finally") {
        return style.braces == .sameLine ? 1 : 2
      }
    }
    if t.kind == .punct && openBlock.contains(t.start) && style.braces == .nextLine
      && (equals(p, ")") || p.kind == .word || equals(p, "=>"))
    {
      return 2
    }
    if hadNewline && keepNewline(p, t) { return 2 }
    return beautifySpace(p, t) ? 1 : 0
  }

  private func beautifySpace(_ p: Token, _ t: Token) -> Bool {
    if needsSpace(p, t) { return true }
    if t.kind == .semicolon { return false }
    let b = firstByte(t)
    let a = lastByte(p)
    let tOne = t.end - t.start == 1 && t.kind == .punct
    let pOne = (p.end - p.start == 1 && p.kind == .punct) || p.kind == .semicolon
    if (equals(t, "++") || equals(t, "--")) && !prefixOperator.contains(t.start) { return false }
    if t.kind == .punct && spacedOperator.contains(t.start) { return true }
    if p.kind == .punct && spacedOperator.contains(p.start) { return true }
    if p.kind == .punct && prefixOperator.contains(p.start) { return false }
    if tOne && (b == UInt8(ascii: ")") || b == UInt8(ascii: "]") || b == UInt8(ascii: ",") || b == UInt8(ascii: ";")
      || b == UInt8(ascii: ".") || b == UInt8(ascii: ":"))
    {
      return false
    }
    if equals(t, "?.") || equals(p, "?.") || equals(p, "...") { return false }
    if pOne && (a == UInt8(ascii: "(") || a == UInt8(ascii: "[") || a == UInt8(ascii: ".") || a == UInt8(ascii: "@")
      || a == UInt8(ascii: "!") || a == UInt8(ascii: "~"))
    {
      return false
    }
    if p.kind == .punct && headerSemicolon.contains(p.start) { return true }
    if pOne && (a == UInt8(ascii: ",") || a == UInt8(ascii: ":") || a == UInt8(ascii: ";")) { return true }
    if tOne && b == UInt8(ascii: "(") {
      if p.kind == .word { return keywordsBeforeParen.contains(String(decoding: text(p), as: UTF8.self)) }
      return false
    }
    if tOne && b == UInt8(ascii: "[") { return !(p.kind == .word || a == UInt8(ascii: ")") || a == UInt8(ascii: "]")) }
    if tOne && b == UInt8(ascii: "{") { return true }
    if pOne && a == UInt8(ascii: "{") { return true }
    if tOne && b == UInt8(ascii: "}") { return !(pOne && a == UInt8(ascii: "{")) }
    if p.kind == .word && (t.kind == .word || t.kind == .string || t.kind == .number || t.kind == .template
      || t.kind == .regex || t.kind == .punct)
    {
      return p.kind == .word && t.kind == .template ? false : (t.kind != .punct || b != UInt8(ascii: "<"))
    }
    if (a == UInt8(ascii: ")") || a == UInt8(ascii: "}")) && (t.kind == .word || t.kind == .string) { return true }
    return false
  }
}
