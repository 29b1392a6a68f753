import Syntax

// MARK: - Canonical form and hashes

/// The canonical form of a program: the text every renaming, reformatting and comment change maps to the
/// same bytes, while a change of behaviour (another operator, literal, property, call or free name) gives
/// different bytes. The corpus deduplicates on `canonicalHash`, the clone index groups type-2 clones by it.
///
/// The form is the program's tokens joined by single spaces, with
/// - comments dropped, and statement terminators normalised (every statement ends in one `;` whether the
///   source wrote it or relied on automatic semicolon insertion);
/// - locally declared bindings written `@0, @1, …` in order of first occurrence (`@` cannot start an
///   identifier, so these never meet a real name); imports, exports and `arguments` keep their names, as
///   do free names (globals), property names and labels;
/// - shorthand properties spelled out (`{a}` → `a : @0`), as renaming writes them;
/// - string literals re-encoded from their value (`'a'`, `"a"` and `"\x61"` agree); template literal parts,
///   numbers and regular expressions as written.
public enum Canonicalizer {
  /// The canonical text of `tree` (see the type's doc comment).
  public static func form(of tree: Tree) -> String { String(decoding: bytes(of: tree), as: UTF8.self) }

  /// The canonical text as UTF-8 bytes.
  public static func bytes(of tree: Tree) -> [UInt8] {
    bytes(of: tree.root, in: ScopeAnalysis(tree: tree))
  }

  /// The canonical text of one subtree (a function unit), given the analysis of its whole file (computed
  /// once per file and shared by its units). Bindings declared inside the subtree (its own name included)
  /// get canonical names; names declared outside it are kept, like free names.
  public static func bytes(of node: Node, in analysis: ScopeAnalysis) -> [UInt8] {
    var writer = CanonicalWriter(root: node, analysis: analysis)
    writer.run()
    return writer.out
  }

  /// The canonical text of a subtree (see `bytes(of:in:)`).
  public static func form(of node: Node, in analysis: ScopeAnalysis) -> String {
    String(decoding: bytes(of: node, in: analysis), as: UTF8.self)
  }

  /// A 64-bit FNV-1a hash of the canonical form; stable across runs and machines.
  public static func hash(of tree: Tree) -> UInt64 { fnv1a64(bytes(of: tree)) }

  /// The canonical hash of one subtree (a function unit); see `bytes(of:in:)`.
  public static func hash(of node: Node, in analysis: ScopeAnalysis) -> UInt64 {
    fnv1a64(bytes(of: node, in: analysis))
  }

  /// A 64-bit FNV-1a hash of exact bytes (exact-duplicate detection).
  public static func exactHash<C: Collection<UInt8>>(_ bytes: C) -> UInt64 { fnv1a64(bytes) }

  /// FNV-1a, 64 bits. Written out here because Swift's `Hasher` is seeded per process.
  public static func fnv1a64<C: Collection<UInt8>>(_ bytes: C) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
      h ^= UInt64(b)
      h &*= 0x0000_0100_0000_01b3
    }
    return h
  }

  /// A hash as 16 lowercase hex digits.
  public static func hex(_ hash: UInt64) -> String {
    let s = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
  }
}

/// The canonical text of `tree` (see `Canonicalizer`).
public func canonicalForm(of tree: Tree) -> String { Canonicalizer.form(of: tree) }

/// The 64-bit hash of the canonical form of `tree` (see `Canonicalizer`).
public func canonicalHash(of tree: Tree) -> UInt64 { Canonicalizer.hash(of: tree) }

/// The 64-bit hash of the canonical form of one function unit (or any subtree) of a file whose scope
/// analysis is `analysis` (see `Canonicalizer.bytes(of:in:)`).
public func canonicalHash(of node: Node, in analysis: ScopeAnalysis) -> UInt64 {
  Canonicalizer.hash(of: node, in: analysis)
}

/// The 64-bit FNV-1a hash of `bytes`.
public func exactHash<C: Collection<UInt8>>(_ bytes: C) -> UInt64 { Canonicalizer.exactHash(bytes) }

// MARK: - Writer

private struct CanonicalWriter {
  let root: Node
  let analysis: ScopeAnalysis
  let references: [Reference]
  var out: [UInt8] = []
  var nextReference = 0
  var canonicalNames: [Int: [UInt8]] = [:]

  init(root: Node, analysis: ScopeAnalysis) {
    self.root = root
    self.analysis = analysis
    references = analysis.references
    out.reserveCapacity(root.byteRange.count)
    // First reference at or after the subtree's start.
    var lo = 0
    var hi = references.count
    let start = root.startByte
    while lo < hi {
      let mid = (lo + hi) / 2
      if references[mid].range.lowerBound < start { lo = mid + 1 } else { hi = mid }
    }
    nextReference = lo
  }

  mutating func token<C: Collection<UInt8>>(_ t: C) {
    if !out.isEmpty { out.append(UInt8(ascii: " ")) }
    out.append(contentsOf: t)
  }

  mutating func run() {
    let cursor = TreeCursor(root)
    while true {
      let node = cursor.node
      if enter(node) && cursor.gotoFirstChild() { continue }
      leave(node)
      while !cursor.gotoNextSibling() {
        guard cursor.gotoParent() else { return }
        leave(cursor.node)
      }
    }
  }

  /// Emits what the node contributes before its children; returns whether to descend.
  mutating func enter(_ node: Node) -> Bool {
    let kind = node.syntaxKind
    switch kind {
    case .comment:
      return false
    case .string:
      if node.parent?.syntaxKind == .jsxAttribute {
        token(node.bytes)
      } else {
        token(canonicalString(node.bytes))
      }
      return false
    case .regex:
      token(node.bytes)
      return false
    default:
      break
    }
    guard node.childCount == 0 else { return true }
    let range = node.byteRange
    if range.isEmpty { return false }
    if kind == .semicolon, let parent = node.parent, isStatement(parent.syntaxKind) { return false }
    if let r = referenceStarting(at: range.lowerBound), r.range == range {
      let name = canonicalName(r)
      if r.isShorthand {
        token(node.bytes)
        token([UInt8(ascii: ":")])
      }
      token(name)
    } else {
      token(node.bytes)
    }
    return false
  }

  mutating func leave(_ node: Node) {
    if node.childCount > 0 || node.syntaxKind == .emptyStatement, isStatement(node.syntaxKind) {
      token([UInt8(ascii: ";")])
    }
  }

  func isStatement(_ kind: SyntaxKind) -> Bool {
    switch kind {
    case .expressionStatement, .variableDeclaration, .lexicalDeclaration, .returnStatement, .throwStatement,
      .breakStatement, .continueStatement, .doStatement, .debuggerStatement, .emptyStatement, .importStatement,
      .exportStatement, .typeAliasDeclaration, .fieldDefinition, .publicFieldDefinition:
      return true
    default:
      return false
    }
  }

  mutating func referenceStarting(at offset: Int) -> Reference? {
    let refs = references
    while nextReference < refs.count && refs[nextReference].range.lowerBound < offset { nextReference += 1 }
    return nextReference < refs.count && refs[nextReference].range.lowerBound == offset ? refs[nextReference] : nil
  }

  mutating func canonicalName(_ r: Reference) -> [UInt8] {
    guard let id = r.binding else { return Array(r.name.utf8) }
    let b = analysis.bindings[id]
    if b.kind == .import || b.kind == .arguments || b.isExported { return Array(r.name.utf8) }
    guard root.byteRange.contains(b.declarationRange.lowerBound) else { return Array(r.name.utf8) }
    if let name = canonicalNames[id] { return name }
    let name = Array("@\(canonicalNames.count)".utf8)
    canonicalNames[id] = name
    return name
  }
}

// MARK: - String literals

/// Re-encodes a quoted JavaScript string literal from its value: `"` quotes, printable ASCII as is, `"` and
/// `\` and everything else as `\uXXXX` (UTF-16 code units). A literal it cannot decode (legacy octal
/// escapes) is returned as written.
func canonicalString(_ raw: ArraySlice<UInt8>) -> [UInt8] {
  guard raw.count >= 2, let quote = raw.first, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
    return Array(raw)
  }
  var units: [UInt16] = []
  var i = raw.startIndex + 1
  let end = raw.endIndex - 1
  var plainStart = i
  func flushPlain(_ upTo: Int) {
    if plainStart < upTo { units.append(contentsOf: String(decoding: raw[plainStart..<upTo], as: UTF8.self).utf16) }
  }
  func hexValue(_ from: Int, _ count: Int) -> UInt32? {
    guard from + count <= end else { return nil }
    var v: UInt32 = 0
    for j in from..<(from + count) {
      guard let d = hexDigit(raw[j]) else { return nil }
      v = v * 16 + d
    }
    return v
  }
  while i < end {
    guard raw[i] == UInt8(ascii: "\\") else {
      i += 1
      continue
    }
    flushPlain(i)
    guard i + 1 < end else { return Array(raw) }
    let c = raw[i + 1]
    var next = i + 2
    switch c {
    case UInt8(ascii: "n"): units.append(10)
    case UInt8(ascii: "r"): units.append(13)
    case UInt8(ascii: "t"): units.append(9)
    case UInt8(ascii: "b"): units.append(8)
    case UInt8(ascii: "f"): units.append(12)
    case UInt8(ascii: "v"): units.append(11)
    case UInt8(ascii: "0"):
      if next < end, raw[next] >= UInt8(ascii: "0"), raw[next] <= UInt8(ascii: "9") { return Array(raw) }
      units.append(0)
    case UInt8(ascii: "1")...UInt8(ascii: "9"):
      return Array(raw)  // legacy octal (or \8 \9): keep as written
    case UInt8(ascii: "x"):
      guard let v = hexValue(next, 2) else { return Array(raw) }
      units.append(UInt16(v))
      next += 2
    case UInt8(ascii: "u"):
      if next < end, raw[next] == UInt8(ascii: "{") {
        guard let close = raw[next..<end].firstIndex(of: UInt8(ascii: "}")),
          let v = hexValue(next + 1, close - next - 1), let scalar = Unicode.Scalar(v)
        else { return Array(raw) }
        units.append(contentsOf: String(Character(scalar)).utf16)
        next = close + 1
      } else {
        guard let v = hexValue(next, 4) else { return Array(raw) }
        units.append(UInt16(v))
        next += 4
      }
    case UInt8(ascii: "\r"):
      if next < end, raw[next] == UInt8(ascii: "\n") { next += 1 }
    case UInt8(ascii: "\n"):
      break
    case 0xE2 where i + 3 < end && raw[i + 2] == 0x80 && (raw[i + 3] == 0xA8 || raw[i + 3] == 0xA9):
      next = i + 4  // line continuation with U+2028 / U+2029
    default:
      // Identity escape: the character itself (which may be multi-byte UTF-8).
      var len = 1
      if c >= 0xF0 { len = 4 } else if c >= 0xE0 { len = 3 } else if c >= 0xC0 { len = 2 }
      let stop = min(i + 1 + len, end)
      units.append(contentsOf: String(decoding: raw[(i + 1)..<stop], as: UTF8.self).utf16)
      next = stop
    }
    i = next
    plainStart = i
  }
  flushPlain(end)
  var out: [UInt8] = [UInt8(ascii: "\"")]
  out.reserveCapacity(units.count + 2)
  let hex = Array("0123456789abcdef".utf8)
  for u in units {
    if u >= 0x20 && u < 0x7F && u != 0x22 && u != 0x5C {
      out.append(UInt8(u))
    } else {
      out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u")])
      for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int((u >> UInt16(shift)) & 0xF)]) }
    }
  }
  out.append(UInt8(ascii: "\""))
  return out
}

private func hexDigit(_ c: UInt8) -> UInt32? {
  switch c {
  case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0"))
  case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(c - UInt8(ascii: "a") + 10)
  case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(c - UInt8(ascii: "A") + 10)
  default: return nil
  }
}
