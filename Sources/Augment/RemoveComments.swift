import Syntax

/// Deletes every comment (line, block and HTML-style), and the line a comment stood alone on.
///
/// Why behaviour is preserved: comments carry no meaning to the engine except as white space. A block
/// comment that spans lines counts as a line terminator for automatic semicolon insertion and the
/// restricted productions (`return`, `throw`, `x\n++y`), so it is replaced by a newline; every other
/// comment is replaced by a space where its neighbours would otherwise touch. A `#!` line is not a
/// comment and stays.
public struct RemoveComments: Transform {
  public let name = "comments"

  public init() {}

  public func edits(for input: TransformInput, rng: inout SeededRandom) throws -> [ByteEdit] {
    let bytes = input.bytes
    // Every comment starts with `//`, `/*` or (HTML-like) `<!--` / `-->`: without those bytes in the focus
    // there is nothing to remove, and the tree walk is skipped.
    guard mayHoldComment(bytes[input.focus]) else { return [] }
    var edits: [ByteEdit] = []
    JSSyntax.walk(input) { node in
      let t = node.type
      guard t == "comment" || t == "html_comment" else { return true }
      var start = node.startByte
      var end = node.endByte
      let multiline = bytes[start..<end].contains(0x0A) || bytes[start..<end].contains(0x0D)
      if t == "comment" && bytes[start + 1] == UInt8(ascii: "*") && multiline {
        edits.append(ByteEdit(start: start, deletedLength: end - start, inserted: "\n"))
        return false
      }
      // Alone on its line: take the indentation and the line break too.
      var ls = start
      while ls > input.focus.lowerBound && (bytes[ls - 1] == 0x20 || bytes[ls - 1] == 0x09) { ls -= 1 }
      var le = end
      while le < input.focus.upperBound && (bytes[le] == 0x20 || bytes[le] == 0x09 || bytes[le] == 0x0D) { le += 1 }
      let atLineStart = ls == input.focus.lowerBound || bytes[ls - 1] == 0x0A
      if atLineStart && le < input.focus.upperBound && bytes[le] == 0x0A {
        start = ls
        end = le + 1
        edits.append(ByteEdit(start: start, deletedLength: end - start, inserted: []))
      } else {
        let before = start > 0 ? bytes[start - 1] : 0x20
        let after = end < bytes.count ? bytes[end] : 0x20
        let touch = (isWord(before) && isWord(after)) || (before == after && !isSpace(before))
          || (before == UInt8(ascii: "/") && (after == UInt8(ascii: "/") || after == UInt8(ascii: "*")))
        edits.append(ByteEdit(start: start, deletedLength: end - start, inserted: touch ? " " : ""))
      }
      return false
    }
    return edits
  }

  private func mayHoldComment(_ text: ArraySlice<UInt8>) -> Bool {
    var i = text.startIndex
    while i + 1 < text.endIndex {
      let c = text[i]
      let d = text[i + 1]
      if (c == UInt8(ascii: "/") && (d == UInt8(ascii: "/") || d == UInt8(ascii: "*")))
        || (c == UInt8(ascii: "<") && d == UInt8(ascii: "!")) || (c == UInt8(ascii: "-") && d == UInt8(ascii: "-"))
      {
        return true
      }
      i += 1
    }
    return false
  }

  private func isWord(_ c: UInt8) -> Bool {
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x24
      || c >= 0x80 || c == 0x5C || c == 0x23
  }

  private func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D }
}
