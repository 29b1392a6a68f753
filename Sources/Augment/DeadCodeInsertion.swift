import Syntax

/// Inserts one to three pieces of code that never run or never matter, at statement boundaries: a branch
/// that is never taken (`if (false) { … }`, `if (0) { … }`, `while (false) { … }`) whose body is a
/// statement copied from the same program or a plausible made-up one, an unused declaration of a fresh
/// name initialised with a literal (`let count = 0;`), or a no-op (`void 0;`).
///
/// Why behaviour is preserved: a never-taken branch does nothing. Its body may not contain anything that
/// would change the program merely by being there: no `var` or function declarations (they hoist out of
/// blocks), no `return`/`break`/`continue`/`yield`/`await`/`super`/private names (syntax errors out of
/// context), no imports or exports. A fresh name appears nowhere in the program, is declared with `let`
/// (no property on the global object), and is initialised with a literal, so declaring it has no effect.
/// Nothing is placed before a directive (`"use strict"`), and an inserted statement never starts with a
/// token that could continue an ASI-terminated statement before it.
public struct DeadCodeInsertion: Transform {
  public let name = "deadcode"

  public init() {}

  private static let statementLists = NodeTypes(["statement_block", "program"])
  /// Every type `isDonor` looks at inside a candidate statement (named nodes and keyword tokens).
  private static let forbiddenInDonor = AnyNodeTypes([
    "return_statement", "break_statement", "continue_statement", "yield_expression", "await_expression",
    "super", "private_property_identifier", "function_declaration", "generator_function_declaration",
    "class_declaration", "variable_declaration", "import", "meta_property", "yield", "await", "arguments",
    "new.target", "template_string", "regex", "jsx_element", "jsx_self_closing_element", "comment", "identifier",
  ])

  /// Plausible names for inserted declarations (a suffix makes them fresh).
  public static let words = [
    "tmp", "temp", "result", "count", "value", "index", "data", "item", "flag", "offset", "len", "cache",
    "buffer", "node", "key", "state", "total", "acc", "prev", "next", "current", "entry", "options", "config",
    "size", "pos", "ret", "out", "res", "elem", "target", "source", "list", "map", "seen", "done", "ready",
  ]

  public func edits(for input: TransformInput, rng: inout SeededRandom) throws -> [ByteEdit] {
    let focus = input.focus
    // Insertion points: (offset, previous statement) inside statement blocks and the program.
    var points: [(offset: Int, previous: Node?, indent: String)] = []
    var donors: [Node] = []
    JSSyntax.walk(input) { node in
      guard Self.statementLists.contains(node) else { return true }
      let t = node.type
      if t == "statement_block" || t == "program" {
        guard node.startByte >= focus.lowerBound else { return true }
        let items = node.namedChildren.filter { $0.type != "comment" }
        // A program that is one declaration or expression is a function unit: stay inside it.
        if t == "program" && items.count <= 1 { return true }
        var directives = true
        var previous: Node? = nil
        for item in items {
          if directives, item.type == "expression_statement", item.namedChild(0)?.type == "string" {
            previous = item
            continue
          }
          directives = false
          points.append((item.startByte, previous, indentation(before: item.startByte, in: input.bytes)))
          previous = item
          if isDonor(item) { donors.append(item) }
        }
        // The end of the list: before the block's `}` token (a block's node can end after it, over a
        // trailing comment that tree-sitter's automatic-semicolon scan consumed, so `endByte - 1` may lie
        // inside that comment).
        let close = t == "program" ? nil : node.child(node.childCount - 1).flatMap { $0.type == "}" ? $0 : nil }
        let end = t == "program" ? node.endByte : close.map(\.startByte) ?? -1
        if end >= focus.lowerBound && end <= focus.upperBound {
          points.append((end, previous, previous.map { indentation(before: $0.startByte, in: input.bytes) } ?? ""))
        }
      }
      return true
    }
    guard !points.isEmpty else { return [] }
    var taken = Set<String>(JSSyntax.identifiers(in: input.tree))
    var edits: [ByteEdit] = []
    var used = Set<Int>()
    let count = 1 + Int(rng.next() % 3)
    for _ in 0..<count {
      let p = points[Int(rng.next() % UInt64(points.count))]
      guard !used.contains(p.offset) else { continue }
      let statement = snippet(donors: donors, taken: &taken, rng: &rng)
      guard JSSyntax.canFollow(p.previous, with: statement.utf8) else { continue }
      used.insert(p.offset)
      let atLineStart = p.offset == 0 || input.bytes[p.offset - 1] == 0x0A
      let text = atLineStart ? statement + "\n" + p.indent : "\n" + statement + "\n"
      // At the end of a block, put it on its own line before the closing brace.
      edits.append(ByteEdit(start: p.offset, deletedLength: 0, inserted: text))
    }
    return edits
  }

  // MARK: - Snippets

  private func snippet(donors: [Node], taken: inout Set<String>, rng: inout SeededRandom) -> String {
    switch rng.next() % 6 {
    case 0, 1, 2:
      let guardText = ["false", "0", "!1", "null", "\"\"", "void 0"][Int(rng.next() % 6)]
      let body: String
      if !donors.isEmpty && rng.chance(0.7) {
        body = donors[Int(rng.next() % UInt64(donors.count))].text
      } else {
        body = madeUp(taken: &taken, rng: &rng)
      }
      return rng.chance(0.8) ? "if (\(guardText)) { \(body) }" : "while (\(guardText)) { \(body) }"
    case 3, 4:
      return "let \(fresh(&taken, &rng)) = \(literal(&rng));"
    default:
      return "void 0;"
    }
  }

  private func madeUp(taken: inout Set<String>, rng: inout SeededRandom) -> String {
    let a = fresh(&taken, &rng)
    switch rng.next() % 4 {
    case 0: return "let \(a) = \(literal(&rng)); \(a)++;"
    case 1: return "console.log(\(literal(&rng)));"
    case 2: return "let \(a) = []; \(a).push(\(literal(&rng)));"
    default: return "throw new Error(\(JSString.encode(Array("unreachable".utf16))));"
    }
  }

  private func literal(_ rng: inout SeededRandom) -> String {
    switch rng.next() % 6 {
    case 0: return String(rng.next() % 100)
    case 1: return "\"\(Self.words[Int(rng.next() % UInt64(Self.words.count))])\""
    case 2: return "null"
    case 3: return "[]"
    case 4: return "{}"
    default: return rng.chance(0.5) ? "true" : "false"
    }
  }

  private func fresh(_ taken: inout Set<String>, _ rng: inout SeededRandom) -> String {
    var name = Self.words[Int(rng.next() % UInt64(Self.words.count))]
    var n = 1
    while taken.contains(name) {
      n += 1
      name = Self.words[Int(rng.next() % UInt64(Self.words.count))] + String(n)
    }
    taken.insert(name)
    return name
  }

  /// A statement safe to copy into a never-taken branch anywhere in the program.
  private func isDonor(_ node: Node) -> Bool {
    let t = node.type
    guard t == "expression_statement" || (t == "lexical_declaration" && node.child(0)?.type == "let"),
      node.endByte - node.startByte < 200, !node.hasError
    else { return false }
    var ok = true
    node.walk { n in
      if !ok { return false }
      guard Self.forbiddenInDonor.contains(n) else { return true }
      switch n.type {
      case "return_statement", "break_statement", "continue_statement", "yield_expression", "await_expression",
        "super", "private_property_identifier", "function_declaration", "generator_function_declaration",
        "class_declaration", "variable_declaration", "import", "meta_property", "yield", "await", "arguments",
        "new.target", "template_string", "regex", "jsx_element", "jsx_self_closing_element", "comment":
        ok = false
      case "identifier":
        if n.text == "arguments" || n.text == "await" || n.text == "yield" || n.text == "eval" { ok = false }
      default: break
      }
      return ok
    }
    return ok
  }

  private func indentation(before offset: Int, in bytes: [UInt8]) -> String {
    var s = offset
    while s > 0 && (bytes[s - 1] == 0x20 || bytes[s - 1] == 0x09) { s -= 1 }
    guard s == 0 || bytes[s - 1] == 0x0A else { return "" }
    return String(decoding: bytes[s..<offset], as: UTF8.self)
  }
}
