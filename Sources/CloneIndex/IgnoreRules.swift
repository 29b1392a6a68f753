/// One line of a `.gitignore` file, compiled.
///
/// Supported (the common subset of gitignore semantics): `#` comments and blank lines, `\#` and
/// `\!` escapes, trailing-space trimming, `!` negation, a trailing `/` for directories only,
/// anchoring (a pattern with a `/` at its start or middle matches from the `.gitignore`'s own
/// folder; one without matches a name at any depth), `*`, `?`, `[a-z]`/`[!a-z]` classes, and `**`
/// as a whole segment (`**/x`, `x/**`, `a/**/b`). Not supported: the `core.ignorecase` setting.
public struct IgnorePattern: Sendable, Equatable {
  /// The line as written.
  public let source: String
  public let isNegated: Bool
  public let isDirectoryOnly: Bool
  public let isAnchored: Bool
  /// The pattern split on `/`.
  let segments: [[UInt8]]

  /// Compiles one line; nil for blank lines and comments.
  public init?(line: String) {
    var text = Array(line.utf8)
    if text.last == UInt8(ascii: "\r") { text.removeLast() }
    // Trailing spaces are dropped unless escaped with a backslash.
    while text.last == UInt8(ascii: " ") && !(text.count >= 2 && text[text.count - 2] == UInt8(ascii: "\\")) {
      text.removeLast()
    }
    guard let first = text.first, first != UInt8(ascii: "#") else { return nil }
    var negated = false
    if first == UInt8(ascii: "!") {
      negated = true
      text.removeFirst()
    } else if first == UInt8(ascii: "\\"), text.count > 1, text[1] == UInt8(ascii: "#") || text[1] == UInt8(ascii: "!")
    {
      text.removeFirst()
    }
    var dirOnly = false
    if text.last == UInt8(ascii: "/") {
      dirOnly = true
      text.removeLast()
    }
    guard !text.isEmpty else { return nil }
    let slashIndex = text.firstIndex(of: UInt8(ascii: "/"))
    var anchored = slashIndex != nil
    if text.first == UInt8(ascii: "/") { text.removeFirst() }
    var segments = text.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map(Array.init)
    if !anchored {
      // A bare name matches at any depth: the same as `**/name`.
      segments.insert(Array("**".utf8), at: 0)
      anchored = false
    }
    guard !segments.isEmpty else { return nil }
    source = line
    isNegated = negated
    isDirectoryOnly = dirOnly
    isAnchored = slashIndex != nil
    self.segments = segments
  }

  /// Whether the pattern matches `path` (segments relative to the `.gitignore`'s folder).
  public func matches(_ path: [Substring], isDirectory: Bool) -> Bool {
    if isDirectoryOnly && !isDirectory { return false }
    let parts = path.map { Array($0.utf8) }
    return Self.match(segments[...], parts[...])
  }

  // MARK: - Matching

  private static let starStar = Array("**".utf8)

  private static func match(_ pattern: ArraySlice<[UInt8]>, _ path: ArraySlice<[UInt8]>) -> Bool {
    guard let head = pattern.first else { return path.isEmpty }
    if head == starStar {
      let rest = pattern.dropFirst()
      // `x/**` matches everything inside x, but not x itself.
      if rest.isEmpty { return !path.isEmpty }
      var p = path
      while true {
        if match(rest, p) { return true }
        guard !p.isEmpty else { return false }
        p = p.dropFirst()
      }
    }
    guard let segment = path.first, glob(head[...], segment[...]) else { return false }
    return match(pattern.dropFirst(), path.dropFirst())
  }

  /// fnmatch for one path segment: `*`, `?`, `[...]`, `\x`.
  static func glob(_ p: ArraySlice<UInt8>, _ s: ArraySlice<UInt8>) -> Bool {
    var pi = p.startIndex
    var si = s.startIndex
    var starP = -1
    var starS = -1
    while si < s.endIndex {
      if pi < p.endIndex {
        let c = p[pi]
        if c == UInt8(ascii: "*") {
          starP = pi
          starS = si
          pi += 1
          continue
        }
        if c == UInt8(ascii: "?") {
          pi += 1
          si += 1
          continue
        }
        if c == UInt8(ascii: "["), let (matched, next) = matchClass(p, pi, s[si]) {
          if matched {
            pi = next
            si += 1
            continue
          }
        } else {
          var literal = c
          var next = pi + 1
          if c == UInt8(ascii: "\\"), pi + 1 < p.endIndex {
            literal = p[pi + 1]
            next = pi + 2
          }
          if literal == s[si] {
            pi = next
            si += 1
            continue
          }
        }
      }
      guard starP >= 0 else { return false }
      pi = starP + 1
      starS += 1
      si = starS
    }
    while pi < p.endIndex && p[pi] == UInt8(ascii: "*") { pi += 1 }
    return pi == p.endIndex
  }

  /// Matches a `[...]` class at `start`; nil when the bracket is not closed (then it is literal).
  private static func matchClass(_ p: ArraySlice<UInt8>, _ start: Int, _ ch: UInt8) -> (Bool, Int)? {
    var i = start + 1
    var negate = false
    if i < p.endIndex && (p[i] == UInt8(ascii: "!") || p[i] == UInt8(ascii: "^")) {
      negate = true
      i += 1
    }
    var matched = false
    var first = true
    while i < p.endIndex {
      let c = p[i]
      if c == UInt8(ascii: "]") && !first { return (matched != negate, i + 1) }
      first = false
      if i + 2 < p.endIndex && p[i + 1] == UInt8(ascii: "-") && p[i + 2] != UInt8(ascii: "]") {
        if ch >= c && ch <= p[i + 2] { matched = true }
        i += 3
      } else {
        if ch == c { matched = true }
        i += 1
      }
    }
    return nil
  }
}

/// The patterns of one `.gitignore` file and the folder they apply to.
public struct IgnoreFile: Sendable {
  /// The folder of the `.gitignore`, relative to the repository root ("" for the root).
  public let base: String
  public let patterns: [IgnorePattern]

  public init(base: String, text: String) {
    self.base = base
    // `"\r\n"` is one `Character` in Swift: split at it too, or a CRLF `.gitignore` is one long pattern.
    patterns = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).compactMap {
      IgnorePattern(line: String($0))
    }
  }
}

/// The stack of `.gitignore` files that apply to a folder during a walk. Deeper files take
/// precedence, and within a file the last matching line wins (as in git).
public struct IgnoreRules: Sendable {
  public private(set) var files: [IgnoreFile] = []

  public init(files: [IgnoreFile] = []) { self.files = files }

  /// Returns a copy with one more `.gitignore` on top.
  public func adding(_ file: IgnoreFile) -> IgnoreRules {
    var copy = self
    copy.files.append(file)
    return copy
  }

  /// The deciding pattern for a repository-relative path, if any pattern matches: ignored when the
  /// returned pattern is not a negation.
  public func decision(for relativePath: String, isDirectory: Bool) -> IgnorePattern? {
    for file in files.reversed() {
      let rest: Substring
      if file.base.isEmpty {
        rest = relativePath[...]
      } else if relativePath.hasPrefix(file.base + "/") {
        rest = relativePath.dropFirst(file.base.count + 1)
      } else {
        continue
      }
      let parts = rest.split(separator: "/")
      for pattern in file.patterns.reversed() where pattern.matches(parts, isDirectory: isDirectory) {
        return pattern
      }
    }
    return nil
  }

  /// Whether a path is ignored.
  public func isIgnored(_ relativePath: String, isDirectory: Bool) -> Bool {
    guard let p = decision(for: relativePath, isDirectory: isDirectory) else { return false }
    return !p.isNegated
  }
}
