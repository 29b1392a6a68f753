/// Names the programming problem a file of a solution collection solves, so that solutions by
/// different authors (and in different languages) of the same problem can be paired, and so that
/// problems, not files, are split.
///
/// How the collections name their problems (all seen in the shared corpus):
/// - LeetCode collections put the problem number first, in the file or its folder:
///   `0001-two-sum.js`, `1. Two Sum/index.js`, `[0001] Two Sum.js`, `s0015_3sum.js`,
///   `0216.combination-sum-3/x.js`, `845_longest_mountain.js`, `src/0035-Search Insert Position/…`.
///   Key: `leetcode:NNNN` (the number, four digits). Only in repositories whose name says
///   `leetcode`, because elsewhere a leading number is a chapter (`src/10-tree/avl-tree.ts`).
/// - Some LeetCode collections use the title alone (`src/add-two-numbers/index.js`,
///   `Majority_Element.js`, `word_ladder.js`): the title is normalised (`add-two-numbers`) and looked
///   up in the titles the numbered collections give (`0002-add-two-numbers`), else `slug:TITLE`.
/// - Exercism tracks: `exercises/practice/SLUG/.meta/proof.ci.js` (the reference solution):
///   `exercism:SLUG`, the same key in the JavaScript and TypeScript tracks (JS↔TS pairs).
/// - Algorithm collections: the file's (or, for `index`-like names, its folder's) name,
///   normalised: `slug:binary-search`.
public struct ProblemKeys: Sendable {
  /// Normalised LeetCode title → number, learnt from the numbered file names.
  public private(set) var titles: [String: Int] = [:]

  /// Learns the numbered titles from every solution collection's file list (deterministic: the
  /// smallest number wins when two disagree).
  public init(repositories: [ManifestRepository]) {
    for r in repositories where r.isSolutions && Self.isLeetCode(r.name) {
      for line in r.files {
        guard let file = RepositoryFile(line: line) else { continue }
        for component in Self.candidates(file.path) {
          if let (number, title) = Self.numbered(component), !title.isEmpty, title.count >= 3 {
            if let known = titles[title], known <= number { continue }
            titles[title] = number
          }
        }
      }
    }
  }

  static func isLeetCode(_ repository: String) -> Bool { repository.lowercased().contains("leetcode") }

  /// A solution file's problem: its key, and whether the file is a test or a stub rather than a
  /// solution (those follow the problem's split but are never paired).
  public struct Problem: Sendable, Equatable {
    public var key: String
    public var isSolution: Bool
  }

  /// The problem of a path in a solution collection, nil when none can be named.
  public func problem(path: String, repository: String) -> Problem? {
    let parts = path.split(separator: "/").map(String.init)
    guard let file = parts.last else { return nil }
    let lowerPath = path.lowercased()
    let test = Self.isTestPath(parts)
    // Exercism: exercises/{practice,concept}/SLUG/…; the solution is under .meta/.
    if let e = parts.firstIndex(of: "exercises"), parts.count > e + 3,
      ["practice", "concept"].contains(parts[e + 1])
    {
      let isProof = parts[e + 3] == ".meta" && !test && !lowerPath.contains("/test")
      return Problem(key: "exercism:" + parts[e + 2], isSolution: isProof)
    }
    let leetcode = Self.isLeetCode(repository)
    if leetcode {
      for component in Self.candidates(path) {
        if let (number, _) = Self.numbered(component) {
          return Problem(key: Self.leetcodeKey(number), isSolution: !test)
        }
      }
    }
    // Title only: the file name, or its folder's for generic names.
    var stem = Self.stem(file)
    var index = parts.count - 1
    while Self.isGenericName(stem) && index > 0 {
      index -= 1
      stem = parts[index]
      if Self.isGenericFolder(stem) { return nil }
    }
    let title = Self.normalise(Self.stripTestSuffix(stem))
    guard title.count >= 3 else { return nil }
    if leetcode, let number = titles[title] { return Problem(key: Self.leetcodeKey(number), isSolution: !test) }
    return Problem(key: "slug:" + title, isSolution: !test)
  }

  public static func leetcodeKey(_ number: Int) -> String {
    let digits = String(number)
    return "leetcode:" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
  }

  /// The file stem and up to two folders above it, nearest first.
  static func candidates(_ path: String) -> [String] {
    let parts = path.split(separator: "/").map(String.init)
    guard let file = parts.last else { return [] }
    return [stem(file)] + parts.dropLast().suffix(2).reversed()
  }

  /// `0001-two-sum` → (1, "two-sum"); `[0001] Two Sum` → (1, "two-sum"); `s0015_3sum` → (15, "3sum").
  static func numbered(_ component: String) -> (Int, String)? {
    var s = Substring(component)
    if s.hasPrefix("[") { s = s.dropFirst() }
    if let f = s.first, f == "s" || f == "S", s.dropFirst().first?.isNumber == true { s = s.dropFirst() }
    let digits = s.prefix { $0.isASCII && $0.isNumber }
    guard !digits.isEmpty, digits.count <= 4, let n = Int(digits), n > 0, n < 4000 else { return nil }
    var rest = s.dropFirst(digits.count)
    if rest.hasPrefix("]") { rest = rest.dropFirst() }
    // The number must be followed by a separator (or be the whole name): `3sum` is a title.
    guard rest.isEmpty || [".", "-", "_", " "].contains(rest.first!) else { return nil }
    return (n, normalise(String(rest)))
  }

  /// Lowercase words joined by `-`: camelCase humps, `_`, spaces and punctuation separate words.
  public static func normalise(_ s: String) -> String {
    var words: [String] = []
    var current = ""
    var previousLower = false
    for ch in s {
      if ch.isLetter || ch.isNumber {
        if ch.isUppercase && previousLower && !current.isEmpty {
          words.append(current)
          current = ""
        }
        current += ch.lowercased()
        previousLower = ch.isLowercase || ch.isNumber
      } else {
        if !current.isEmpty { words.append(current) }
        current = ""
        previousLower = false
      }
    }
    if !current.isEmpty { words.append(current) }
    return words.joined(separator: "-")
  }

  static func stem(_ file: String) -> String {
    var s = file
    for ext in [".tsx", ".jsx", ".mts", ".cts", ".mjs", ".cjs", ".ts", ".js"] where s.hasSuffix(ext) {
      s.removeLast(ext.count)
      break
    }
    return s
  }

  static func stripTestSuffix(_ stem: String) -> String {
    var s = stem
    for suffix in [".test", ".spec", "_test", "_Test", "-test", ".ci"] where s.hasSuffix(suffix) {
      s.removeLast(suffix.count)
    }
    if s.hasSuffix("Test"), s.count > 4 { s.removeLast(4) }
    return s
  }

  static func isTestPath(_ parts: [String]) -> Bool {
    let folders: Set<String> = ["test", "tests", "__tests__", "__test__", "spec", "specs"]
    if parts.dropLast().contains(where: { folders.contains($0.lowercased()) || $0.hasSuffix("Tests") }) { return true }
    let file = parts.last!.lowercased()
    return file.contains(".test.") || file.contains(".spec.") || file.contains("_test.") || file.hasPrefix("test.")
      || file.hasPrefix("test-") || file.hasPrefix("tests.")
  }

  static func isGenericName(_ stem: String) -> Bool {
    let s = stripTestSuffix(stem).lowercased()
    if ["index", "solution", "script", "main", "answer", "code", "test", "spec", "proof", "example", "readme", "app"]
      .contains(s)
    {
      return true
    }
    return s.hasPrefix("solution") && s.dropFirst(8).allSatisfy { $0.isNumber || $0 == "-" || $0 == "_" }
  }

  static func isGenericFolder(_ s: String) -> Bool {
    ["src", "lib", "solutions", "problems", "test", "tests", "__tests__", "__test__", ".meta", "leetcode", "js", "ts"]
      .contains(s.lowercased())
  }
}
