import Augment
import Foundation
import Syntax

/// Natural functional-clone pairs: solutions of the same programming problem from different
/// repositories (different authors) or in different languages (JS↔TS, e.g. NeetCode's
/// `javascript/` and `typescript/` folders or the two Exercism tracks), with as many negatives (solutions of another problem in the same split).
///
/// Pairs never cross splits: the problems are split (`ProblemSplit`), and both sides of a pair,
/// positive or negative, come from one split. Only files the build kept (selected, not duplicated or
/// near-duplicated, parsed) are used, with their leading comment block (the problem statement
/// many authors paste) removed.
public enum NaturalPairs {
  /// A kept solution file.
  public struct Solution: Sendable {
    public var problem: String
    public var split: CorpusSplit
    public var repository: String
    public var path: String
    public var file: URL
  }

  /// Writes the pairs of one split: for each problem (in key order) solved in at least two
  /// repositories or languages, one solution per repository and language family (its first path)
  /// and up to `maxPairsPerProblem` positive pairs drawn with the seed, each followed by a negative.
  /// Returns the number of records and of problems used.
  public static func write(
    solutions: [Solution], seed: UInt64, maxPairsPerProblem: Int, to writer: JSONLinesWriter
  ) throws -> (pairs: Int, problems: Int) {
    // One side per repository and language family: two sides differ in author or in language.
    var byProblem: [String: [String: Solution]] = [:]
    for s in solutions.sorted(by: { ($0.problem, $0.repository, $0.path) < ($1.problem, $1.repository, $1.path) }) {
      let side = s.repository + (Language(path: s.path)?.isTypeScript == true ? " ts" : " js")
      if byProblem[s.problem]?[side] == nil { byProblem[s.problem, default: [:]][side] = s }
    }
    let problems = byProblem.keys.sorted().filter { byProblem[$0]!.count >= 2 }
    guard problems.count >= 2 else { return (0, 0) }
    let pool: [Solution] = problems.flatMap { key in byProblem[key]!.keys.sorted().map { byProblem[key]![$0]! } }
    var rng = SeededRandom(seed: seed ^ 0x4E47_5552_414C)
    var texts: [String: String] = [:]
    func text(_ s: Solution) -> String? {
      let id = s.repository + "\u{0}" + s.path
      if let t = texts[id] { return t }
      guard let data = FileManager.default.contents(atPath: s.file.path) else { return nil }
      let t = stripLeadingComments(String(decoding: data, as: UTF8.self))
      if texts.count > 4096 { texts.removeAll(keepingCapacity: true) }
      texts[id] = t
      return t
    }
    var written = 0
    var used = 0
    for key in problems {
      let sides = byProblem[key]!.keys.sorted().map { byProblem[key]![$0]! }
      var pairs: [(Int, Int)] = []
      for i in sides.indices { for j in (i + 1)..<sides.count { pairs.append((i, j)) } }
      for i in stride(from: pairs.count - 1, to: 0, by: -1) {
        pairs.swapAt(i, Int(rng.next() % UInt64(i + 1)))
      }
      var any = false
      for (i, j) in pairs.prefix(maxPairsPerProblem) {
        let a = sides[i]
        let b = sides[j]
        // A negative: a solution of another problem, drawn from the split's pool.
        var negative = pool[Int(rng.next() % UInt64(pool.count))]
        while negative.problem == key { negative = pool[Int(rng.next() % UInt64(pool.count))] }
        guard let ta = text(a), let tb = text(b), let tn = text(negative) else { continue }
        writer.write(record(label: 1, a: a, textA: ta, b: b, textB: tb))
        writer.write(record(label: 0, a: a, textA: ta, b: negative, textB: tn))
        written += 2
        any = true
      }
      if any { used += 1 }
    }
    return (written, used)
  }

  static func record(label: Int, a: Solution, textA: String, b: Solution, textB: String) -> JSONValue {
    .object([
      ("label", .int(label)), ("problem", .string(a.problem)), ("package", .string(a.repository)),
      ("path", .string(a.path)), ("language", .string(Language(path: a.path)?.rawValue ?? "javascript")),
      ("a", .string(textA)), ("b_problem", .string(b.problem)), ("b_package", .string(b.repository)),
      ("b_path", .string(b.path)), ("b_language", .string(Language(path: b.path)?.rawValue ?? "javascript")),
      ("b", .string(textB)),
    ])
  }

  /// The text without its leading comments and blank lines (problem statements, license headers).
  public static func stripLeadingComments(_ text: String) -> String {
    var s = Substring(text)
    while true {
      let trimmed = s.drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
      if trimmed.hasPrefix("//") {
        s = trimmed.drop { $0 != "\n" }
      } else if trimmed.hasPrefix("/*"), let end = trimmed.range(of: "*/") {
        s = trimmed[end.upperBound...]
      } else {
        s = trimmed
        break
      }
    }
    return String(s)
  }
}
