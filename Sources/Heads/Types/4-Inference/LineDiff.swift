/// A line diff for files of any length: Myers' O((N + M) · D) algorithm (Myers 1986, "An O(ND) difference
/// algorithm and its variations") after trimming the common prefix and suffix, with O(D²) memory for the
/// path. The annotation writer changes a few lines of a file, so D is small even where N is in the tens of
/// thousands, where the quadratic LCS table of `unifiedDiff` would not fit.
public enum LineDiff {
  /// More changed lines than this, and the diff is refused (its path alone would take D² memory).
  public static let maxEdits = 4_000

  /// One line of the diff: `op` is " " (both), "-" (old only) or "+" (new only), with the line's text and the
  /// 0-based line numbers in the old and the new text where it stands.
  public struct Line: Equatable, Sendable {
    public var op: Character
    public var text: String
    public var old: Int
    public var new: Int
  }

  /// The shortest edit script from `a` to `b`, or nil when it needs more than `maxEdits` changed lines.
  public static func lines(_ a: [String], _ b: [String], maxEdits: Int = maxEdits) -> [Line]? {
    var prefix = 0
    while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
      suffix += 1
    }
    let x0 = Array(a[prefix..<(a.count - suffix)])
    let y0 = Array(b[prefix..<(b.count - suffix)])
    guard let middle = myers(x0, y0, maxEdits: maxEdits) else { return nil }
    var out: [Line] = []
    out.reserveCapacity(prefix + middle.count + suffix)
    for i in 0..<prefix { out.append(Line(op: " ", text: a[i], old: i, new: i)) }
    for l in middle { out.append(Line(op: l.op, text: l.text, old: l.old + prefix, new: l.new + prefix)) }
    for s in 0..<suffix {
      let i = a.count - suffix + s
      let j = b.count - suffix + s
      out.append(Line(op: " ", text: a[i], old: i, new: j))
    }
    return out
  }

  private static func myers(_ a: [String], _ b: [String], maxEdits: Int) -> [Line]? {
    let n = a.count
    let m = b.count
    if n == 0 && m == 0 { return [] }
    let limit = min(n + m, maxEdits)
    let offset = limit + 1
    var v = [Int](repeating: 0, count: 2 * limit + 3)
    var trace: [[Int]] = []  // trace[d][k + d]: the furthest x on diagonal k after d edits
    var found = -1
    search: for d in 0...limit {
      for k in stride(from: -d, through: d, by: 2) {
        var x =
          (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1] : v[offset + k - 1] + 1
        var y = x - k
        while x < n, y < m, a[x] == b[y] {
          x += 1
          y += 1
        }
        v[offset + k] = x
        if x >= n && y >= m {
          trace.append(Array(v[(offset - d)...(offset + d)]))
          found = d
          break search
        }
      }
      trace.append(Array(v[(offset - d)...(offset + d)]))
    }
    guard found >= 0 else { return nil }
    var out: [Line] = []
    var x = n
    var y = m
    for d in stride(from: found, to: 0, by: -1) {
      let previous = trace[d - 1]  // covers k in -(d-1)...(d-1)
      let k = x - y
      let down = k == -d || (k != d && previous[k - 1 + d - 1] < previous[k + 1 + d - 1])
      let previousK = down ? k + 1 : k - 1
      let previousX = previous[previousK + d - 1]
      let previousY = previousX - previousK
      let startX = down ? previousX : previousX + 1
      let startY = startX - k
      while x > startX && y > startY {
        out.append(Line(op: " ", text: a[x - 1], old: x - 1, new: y - 1))
        x -= 1
        y -= 1
      }
      if down {
        out.append(Line(op: "+", text: b[previousY], old: previousX, new: previousY))
      } else {
        out.append(Line(op: "-", text: a[previousX], old: previousX, new: previousY))
      }
      x = previousX
      y = previousY
    }
    while x > 0 && y > 0 {
      out.append(Line(op: " ", text: a[x - 1], old: x - 1, new: y - 1))
      x -= 1
      y -= 1
    }
    return out.reversed()
  }

  /// The lines of a text split at its `\n` bytes, a `\r` before one kept at the end of its line. Swift's `String`
  /// treats `\r\n` as one character, so splitting a `String` at `"\n"` would leave a CRLF file as one line.
  public static func textLines(_ bytes: [UInt8]) -> [String] {
    bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
  }

  /// A unified diff of two texts in `unifiedDiff`'s format (two lines of context, hunks merged when changes
  /// lie within five lines), or nil when more than `maxEdits` lines change.
  public static func unified(path: String, old: [UInt8], new: [UInt8], maxEdits: Int = maxEdits) -> String? {
    let a = textLines(old)
    let b = textLines(new)
    guard let ops = lines(a, b, maxEdits: maxEdits) else { return nil }
    var out = "--- \(path)\n+++ \(path) (annotated)\n"
    var k = 0
    while k < ops.count {
      guard ops[k].op != " " else {
        k += 1
        continue
      }
      let from = max(0, k - 2)
      var to = k
      while to < ops.count, ops[to..<min(ops.count, to + 5)].contains(where: { $0.op != " " }) { to += 1 }
      to = min(ops.count, to + 2)
      let oldCount = ops[from..<to].filter { $0.op != "+" }.count
      let newCount = ops[from..<to].filter { $0.op != "-" }.count
      out += "@@ -\(ops[from].old + 1),\(oldCount) +\(ops[from].new + 1),\(newCount) @@\n"
      for op in ops[from..<to] { out += "\(op.op)\(op.text)\n" }
      k = to
    }
    return out
  }
}
