import Augment
import Foundation
import Syntax
import Tokenizer

// MARK: - Natural clone pairs

/// Natural positives for the natural-positive stage: solutions grouped by the problem they solve (two
/// solutions of one problem are a positive pair; solutions of different problems are negatives).
///
/// The JSON Lines reader is tolerant, so the corpus's pair files and similar formats read as they are.
/// Each line is a JSON object of one of two shapes:
/// - a pair: the code of two solutions in `a` and `b` (or `code_a`/`code_b`, `text_a`/`text_b`, `func1`/`func2`,
///   `left`/`right`) and the problem key in `problem` (or `problem_id`, `task`, `task_id`, `group`, `cluster`,
///   `key`). Without a key, `task_a`/`task_b` are used when both are present (a line whose two tasks differ is a
///   negative and is skipped); without any key the line is a problem of its own (its two solutions);
/// - a solution: its code in `text` (or `code`) and its problem key as above.
///
/// A line with `label` (or `positive`, `is_clone`) 0/false is a negative and is skipped. The language comes from
/// `language`/`lang` (and `language_a`/`language_b`, `a_language`/`b_language` per side): `javascript`/`js`,
/// `typescript`/`ts`, `tsx`; default JavaScript. A code field that is a single line ending in a JS/TS file
/// extension and names an existing file relative to the JSON Lines file's folder is read from that file.
/// Lines with no code are counted and skipped; a line that is not a JSON object is an error. Solutions are
/// deduplicated per problem by exact text; problems with fewer than two distinct solutions are dropped.
public struct NaturalPairs: Sendable {
  /// Problem keys, in order of first appearance.
  public private(set) var problems: [String] = []
  /// The distinct solutions of each problem (at least two each).
  public private(set) var solutions: [[FunctionUnit]] = []
  /// Lines read, lines skipped as negatives, lines skipped without code, problems dropped for having one
  /// solution.
  public private(set) var lines = 0, negatives = 0, withoutCode = 0, singletons = 0

  /// Solutions in all problems.
  public var solutionCount: Int { solutions.reduce(0) { $0 + $1.count } }

  static let codeA = ["a", "code_a", "text_a", "func1", "left", "source_a"]
  static let codeB = ["b", "code_b", "text_b", "func2", "right", "source_b"]
  static let codeOne = ["text", "code", "source", "func"]
  static let problemKeys = ["problem", "problem_id", "task", "task_id", "group", "cluster", "key"]
  static let labelKeys = ["label", "positive", "is_clone"]
  static let languageKeys = ["language", "lang"]

  /// Builds from problem → solutions directly (tests, other readers). Keeps problems with ≥ 2 distinct texts.
  public init(groups: [(problem: String, solutions: [FunctionUnit])]) {
    var index: [String: Int] = [:]
    var all: [[FunctionUnit]] = []
    var keys: [String] = []
    for (problem, units) in groups {
      let i: Int
      if let j = index[problem] {
        i = j
      } else {
        i = keys.count
        index[problem] = i
        keys.append(problem)
        all.append([])
      }
      for u in units where !all[i].contains(where: { $0.text == u.text }) { all[i].append(u) }
    }
    for (k, units) in zip(keys, all) {
      if units.count >= 2 {
        problems.append(k)
        solutions.append(units)
      } else {
        singletons += 1
      }
    }
  }

  /// Reads a JSON Lines file (see the type's documentation for the accepted fields).
  public static func read(path: String) throws -> NaturalPairs {
    let full = expandPath(path)
    guard let data = FileManager.default.contents(atPath: full) else {
      throw PretrainError.naturalPairs(path: path, reason: "cannot read the natural-pairs file")
    }
    return try parse(data, path: path, baseDirectory: URL(fileURLWithPath: full).deletingLastPathComponent())
  }

  /// Parses JSON Lines; `baseDirectory` resolves code fields that name files (nil: never).
  public static func parse(_ data: Data, path: String, baseDirectory: URL?) throws -> NaturalPairs {
    var groups: [(problem: String, solutions: [FunctionUnit])] = []
    var lines = 0
    var negatives = 0
    var withoutCode = 0
    for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
      lines += 1
      if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
      guard let o = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
        throw PretrainError.naturalPairs(path: path, reason: "line \(lines) is not a JSON object")
      }
      if let label = first(o, labelKeys), isFalse(label) {
        negatives += 1
        continue
      }
      let language = languageOf(first(o, languageKeys)) ?? .javascript
      var problem = (first(o, problemKeys)).flatMap(keyString)
      if problem == nil, let ta = o["task_a"].flatMap(keyString), let tb = o["task_b"].flatMap(keyString) {
        if ta != tb {
          negatives += 1
          continue
        }
        problem = ta
      }
      let a = code(first(o, codeA), base: baseDirectory)
      let b = code(first(o, codeB), base: baseDirectory)
      if let a, let b {
        let la = languageOf(o["language_a"] ?? o["a_language"]) ?? language
        let lb = languageOf(o["language_b"] ?? o["b_language"]) ?? language
        groups.append(
          (problem ?? "line \(lines)", [FunctionUnit(text: a, language: la), FunctionUnit(text: b, language: lb)]))
      } else if let one = code(first(o, codeOne), base: baseDirectory), let problem {
        groups.append((problem, [FunctionUnit(text: one, language: language)]))
      } else {
        withoutCode += 1
      }
    }
    var out = NaturalPairs(groups: groups)
    out.lines = lines
    out.negatives = negatives
    out.withoutCode = withoutCode
    if out.problems.isEmpty {
      throw PretrainError.naturalPairs(
        path: path,
        reason:
          "no problem with two distinct solutions in \(lines) lines (\(negatives) negatives, \(withoutCode) without code)"
      )
    }
    return out
  }

  static func first(_ o: [String: Any], _ keys: [String]) -> Any? {
    for k in keys { if let v = o[k], !(v is NSNull) { return v } }
    return nil
  }

  static func keyString(_ v: Any) -> String? {
    if let s = v as? String { return s.isEmpty ? nil : s }
    if let n = v as? NSNumber { return n.stringValue }
    return nil
  }

  static func isFalse(_ v: Any) -> Bool {
    if let n = v as? NSNumber { return n.doubleValue == 0 }
    if let s = v as? String { return ["0", "false", "no", "negative"].contains(s.lowercased()) }
    return false
  }

  static func languageOf(_ v: Any?) -> Language? {
    guard let s = (v as? String)?.lowercased() else { return nil }
    switch s {
    case "javascript", "js", "jsx": return .javascript
    case "typescript", "ts": return .typescript
    case "tsx": return .tsx
    default: return nil
    }
  }

  static func code(_ v: Any?, base: URL?) -> String? {
    guard let s = v as? String, !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
    if let base, !s.contains("\n"), s.count < 400,
      [".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"].contains(where: { s.hasSuffix($0) })
    {
      let url = base.appendingPathComponent(s)
      if let data = FileManager.default.contents(atPath: url.path) { return String(decoding: data, as: UTF8.self) }
    }
    return s
  }
}

// MARK: - Batches of natural pairs

/// Draws the natural-positive stage's batches: each step takes `batchSize` distinct problems and two distinct
/// solutions of each, so the other rows of a batch — its in-batch negatives — never solve the same problem.
/// With hard negatives, each pair also gets the solution with the highest token-set Jaccard to its first
/// solution among `hardCandidates` random solutions of problems NOT in the batch.
///
/// With `blindProbability` p > 0, each sequence of a batch (every `a`, `b` and hard negative, independently)
/// is shown identifier-blind with probability p (`IdentifierBlind`: every declared name renamed `v0, v1, …`,
/// globals and property names kept), so a pair can only be matched by what its solutions do, not by the
/// function and parameter names a problem's solutions share. The problems, solutions and hard negatives are
/// drawn exactly as with p = 0 (the coins come from a stream of their own), so p = 0 is the old stage, bit
/// for bit. With `renameProbability` q > 0, each sequence left as written by that coin is then shown, with
/// probability q, with every declared name renamed to random words instead (`IdentifierBlind.randomNames`, one
/// of `renderings` renderings per solution made at start-up; a third stream of coins), so the stage learns to
/// ignore names in general rather than to read the `vN` rendering.
///
/// Stateless in the step: batch s depends only on (seed, s), so resuming needs no data cursor.
public struct NaturalBatchSampler: Sendable {
  /// One step's sequences: row i of `a` and of `b` solve `problems[i]`; `hard[i]` solves `hardProblems[i]`.
  public struct Batch: Sendable, Equatable {
    public var a: [[Int32]]
    public var b: [[Int32]]
    public var hard: [[Int32]]
    public var problems: [Int]
    public var hardProblems: [Int]
    /// Which sequences are shown identifier-blind, in the order a, b, hard (empty when p = 0).
    public var blinded: [Bool] = []
    /// Which sequences are shown with random-word names, in the same order (empty when q = 0).
    public var renamed: [Bool] = []
  }

  public let data: NaturalPairs
  public let batchSize: Int
  public let hardNegatives: Bool
  public let hardCandidates: Int
  public let seed: UInt64
  /// Probability that a sequence is shown identifier-blind (0: never, the old stage).
  public let blindProbability: Double
  /// Probability that a sequence not shown blind is shown with random-word names (0: never).
  public let renameProbability: Double
  /// Random-word renderings made per solution when `renameProbability` > 0.
  public static let renderings = 4
  /// Token ids of every solution (deterministic encoding, truncated), and their sorted distinct ids.
  let ids: [[[Int32]]]
  let sets: [[[Int32]]]
  /// Token ids of every solution's identifier-blind text (empty when `blindProbability` is 0).
  let blindIds: [[[Int32]]]
  /// Token ids of every solution's random-word renderings (empty when `renameProbability` is 0).
  let renamedIds: [[[[Int32]]]]

  /// Tokenises every solution once (and its identifier-blind text, when `blindProbability` > 0). Throws when
  /// there are fewer problems than a batch needs.
  public init(
    data: NaturalPairs, tokenizer: Tokenizer, maxLength: Int, batchSize: Int, hardNegatives: Bool,
    hardCandidates: Int, seed: UInt64, blindProbability: Double = 0, renameProbability: Double = 0,
    path: String = "naturalPairs"
  ) throws {
    let needed = batchSize + (hardNegatives ? 1 : 0)
    guard data.problems.count >= needed else {
      throw PretrainError.naturalPairs(
        path: path,
        reason:
          "\(data.problems.count) problems with two solutions, but a batch of \(batchSize) pairs needs at least \(needed)"
          + "; lower naturalBatchSize")
    }
    self.data = data
    self.batchSize = batchSize
    self.hardNegatives = hardNegatives
    self.hardCandidates = hardCandidates
    self.seed = seed
    let options = EncodeOptions(maxLength: maxLength)
    ids = data.solutions.map { group in group.map { tokenizer.encode($0.text, options: options).ids } }
    sets = ids.map { group in group.map { Array(Set($0)).sorted() } }
    self.blindProbability = blindProbability
    if blindProbability > 0 {
      var parsers: [Language: Parser] = [:]
      blindIds = data.solutions.map { group in
        group.map { unit in
          let parser = parsers[unit.language] ?? Parser(language: unit.language)
          parsers[unit.language] = parser
          return tokenizer.encode(IdentifierBlind.text(unit.text, parser: parser), options: options).ids
        }
      }
    } else {
      blindIds = []
    }
    self.renameProbability = renameProbability
    if renameProbability > 0 {
      var parsers: [Language: Parser] = [:]
      renamedIds = data.solutions.enumerated().map { problem, group in
        group.enumerated().map { solution, unit in
          let parser = parsers[unit.language] ?? Parser(language: unit.language)
          parsers[unit.language] = parser
          return (0..<Self.renderings).map { r in
            let text = IdentifierBlind.randomNames(
              unit.text, parser: parser, seed: mixSeed(seed, 17, UInt64(problem), UInt64(solution), UInt64(r)))
            return tokenizer.encode(text, options: options).ids
          }
        }
      }
    } else {
      renamedIds = []
    }
  }

  /// The batch of stage step `step` (0-based within the stage).
  public func batch(step: Int) -> Batch {
    var rng = SplitMix64(seed: mixSeed(seed, 13, UInt64(step)))
    let p = data.problems.count
    // batchSize distinct problems: a partial Fisher–Yates shuffle of the problem indices
    var order = Array(0..<p)
    for i in 0..<batchSize {
      let j = i + Int(rng.next() % UInt64(p - i))
      order.swapAt(i, j)
    }
    let chosen = Array(order[0..<batchSize])
    var a: [[Int32]] = []
    var b: [[Int32]] = []
    var firstSolution: [Int] = []
    var secondSolution: [Int] = []
    for problem in chosen {
      let n = ids[problem].count
      let i = Int(rng.next() % UInt64(n))
      let j = (i + 1 + Int(rng.next() % UInt64(n - 1))) % n
      a.append(ids[problem][i])
      b.append(ids[problem][j])
      firstSolution.append(i)
      secondSolution.append(j)
    }
    var hard: [[Int32]] = []
    var hardProblems: [Int] = []
    var hardSolution: [Int] = []
    if hardNegatives {
      // problems outside the batch: order[batchSize..<p]
      let outside = p - batchSize
      for (row, problem) in chosen.enumerated() {
        let anchor = sets[problem][firstSolution[row]]
        var best = (score: -1.0, problem: 0, solution: 0)
        for _ in 0..<hardCandidates {
          let q = order[batchSize + Int(rng.next() % UInt64(outside))]
          let s = Int(rng.next() % UInt64(ids[q].count))
          let score = Self.jaccard(anchor, sets[q][s])
          if score > best.score { best = (score, q, s) }
        }
        hard.append(ids[best.problem][best.solution])
        hardProblems.append(best.problem)
        hardSolution.append(best.solution)
      }
    }
    var batch = Batch(a: a, b: b, hard: hard, problems: chosen, hardProblems: hardProblems)
    if blindProbability > 0 {
      blind(&batch, step: step, solutions: (firstSolution, secondSolution, hardSolution))
    }
    if renameProbability > 0 {
      rename(&batch, step: step, solutions: (firstSolution, secondSolution, hardSolution))
    }
    return batch
  }

  /// Shows each sequence of `batch` identifier-blind with probability `blindProbability`, one coin per
  /// sequence (a, then b, then hard) from a stream of its own, so the draws of `batch(step:)` are untouched.
  /// `solutions` holds the index of each row's solution within its problem.
  func blind(_ batch: inout Batch, step: Int, solutions: (a: [Int], b: [Int], hard: [Int])) {
    var rng = SplitMix64(seed: mixSeed(seed, 16, UInt64(step)))
    var blinded: [Bool] = []
    func coin(_ sequence: inout [Int32], problem: Int, solution: Int) {
      let on = rng.chance(blindProbability)
      if on { sequence = blindIds[problem][solution] }
      blinded.append(on)
    }
    for row in batch.a.indices { coin(&batch.a[row], problem: batch.problems[row], solution: solutions.a[row]) }
    for row in batch.b.indices { coin(&batch.b[row], problem: batch.problems[row], solution: solutions.b[row]) }
    for row in batch.hard.indices {
      coin(&batch.hard[row], problem: batch.hardProblems[row], solution: solutions.hard[row])
    }
    batch.blinded = blinded
  }

  /// Shows each sequence not shown blind with random-word names with probability `renameProbability` (one
  /// coin and, when it lands, one rendering per sequence, in the order a, b, hard, from a stream of their own).
  func rename(_ batch: inout Batch, step: Int, solutions: (a: [Int], b: [Int], hard: [Int])) {
    var rng = SplitMix64(seed: mixSeed(seed, 18, UInt64(step)))
    var renamed: [Bool] = []
    var k = 0
    func coin(_ sequence: inout [Int32], problem: Int, solution: Int) {
      let on = rng.chance(renameProbability)
      let r = Int(rng.next() % UInt64(Self.renderings))
      let free = batch.blinded.isEmpty || !batch.blinded[k]
      if on && free { sequence = renamedIds[problem][solution][r] }
      renamed.append(on && free)
      k += 1
    }
    for row in batch.a.indices { coin(&batch.a[row], problem: batch.problems[row], solution: solutions.a[row]) }
    for row in batch.b.indices { coin(&batch.b[row], problem: batch.problems[row], solution: solutions.b[row]) }
    for row in batch.hard.indices {
      coin(&batch.hard[row], problem: batch.hardProblems[row], solution: solutions.hard[row])
    }
    batch.renamed = renamed
  }

  /// |x ∩ y| / |x ∪ y| of two sorted, distinct id lists (0 for two empty ones).
  static func jaccard(_ x: [Int32], _ y: [Int32]) -> Double {
    SortedSets.jaccard(x, y)
  }
}
