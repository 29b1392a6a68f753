import Augment

/// Code a repository repeats in many of its functions — an author's union-find or grid search pasted into
/// each solution, a fetch-and-report-error wrapper, an input reader — and the functional-pair rule built on it
/// (issue 18, session 13).
///
/// A functional clone claims "the same behaviour". When two functions are alike because both hold code that
/// the repository repeats everywhere, their likeness says nothing about what each does. So a **template run**
/// is a run of `runLength` consecutive identifier-blind tokens (the index's `blindTokens`, in source order)
/// that occurs in at least `minFunctions` of the repository's outermost functions (a nested function counts
/// through the function it sits in, so one region of code is counted once; exact and renamed copies of one
/// function count once), and a function's **remainder** is
/// the set of its distinct runs that are not template. A functional pair is kept only when the Jaccard of the
/// two remainders reaches `minRemainder`: likeness that is all template (two empty or disjoint remainders)
/// is not a functional clone. Exact, renamed and near-miss copies are judged without it.
///
/// Built from the whole snapshot on every run (linear in the repository's tokens), so it follows the index as
/// files change; `restrictedTo` limits the counting to the runs of the functions that will be judged.
public struct RepositoryTemplates: Sendable {
  /// The defaults (`CloneOptions.templateMinFunctions`, `.templateMinRemainder`), chosen on the corpus's
  /// github-valid and natural-train sets laid out like the LeetCode set (docs/audits/clones-s13-template.md).
  public static let defaultMinFunctions = 5
  public static let defaultMinRemainder = 1e-9
  /// The run length (tokens), as `CloneDetector.runLength`.
  public static let runLength = CloneDetector.runLength
  /// The hashes of the template runs (only those in `restrictedTo` when the table was built with it).
  public let template: Set<UInt64>
  public let minFunctions: Int
  /// How many functions were counted (the repository's outermost functions in scope).
  public let counted: Int

  /// Counts the runs of `streams[i]` for every `i` in `counted` (each run once per function); a run in at least
  /// `minFunctions` of them is template. With `restrictedTo`, only those runs are counted (the others are never
  /// asked about).
  public init(streams: [[UInt32]], counted: [Int], minFunctions: Int, restrictedTo: Set<UInt64>? = nil) {
    self.minFunctions = minFunctions
    self.counted = counted.count
    var template: Set<UInt64> = []
    if let wanted = restrictedTo {
      var count: [UInt64: Int] = [:]
      count.reserveCapacity(wanted.count)
      for i in counted {
        for h in Self.distinctRuns(streams[i]) where wanted.contains(h) { count[h, default: 0] += 1 }
      }
      for (h, n) in count where n >= minFunctions { template.insert(h) }
    } else {
      // Every function's distinct runs in one sorted array: a run's count is the length of its stretch.
      var all: [UInt64] = []
      for i in counted { all += Self.distinctRuns(streams[i]) }
      all.sort()
      var start = 0
      while start < all.count {
        var end = start + 1
        while end < all.count && all[end] == all[start] { end += 1 }
        if end - start >= minFunctions { template.insert(all[start]) }
        start = end
      }
    }
    self.template = template
  }

  /// The outermost functions of `units` that `options` keep in scope (not test code, build output or an example
  /// app unless asked; any size, any path), one per canonical class: the functions whose repeated code is the
  /// repository's template. Exact and renamed copies of one function count once — they are one function copied,
  /// not code the repository repeats around other code (four copies of a fetch helper in build output and
  /// examples would otherwise make the helper a template and hide its real functional clone).
  public static func countedUnits(_ units: [StoredUnit], options: CloneOptions, scope: ReviewScope? = nil) -> [Int] {
    let reasons = CloneDetector.scoped(units, options: options, scope: scope)
    var seen: Set<String> = []
    return units.indices.filter {
      units[$0].parentOrdinal == nil && reasons[$0] == nil && seen.insert(units[$0].canonicalHash).inserted
    }
  }

  /// The distinct run hashes of a stream, sorted.
  public static func distinctRuns(_ stream: [UInt32]) -> [UInt64] {
    var runs = CloneDetector.runHashes(stream, length: runLength)
    runs.sort()
    var out: [UInt64] = []
    out.reserveCapacity(runs.count)
    for h in runs where out.last != h { out.append(h) }
    return out
  }

  /// A function's remainder: its distinct runs that are not template, sorted.
  public func remainder(_ stream: [UInt32]) -> [UInt64] {
    Self.distinctRuns(stream).filter { !template.contains($0) }
  }

  /// The Jaccard of two sorted remainders; 0 when both are empty (likeness that is all template).
  public static func similarity(_ a: [UInt64], _ b: [UInt64]) -> Double { SortedSets.jaccard(a, b) }

  /// Whether two functions' likeness reaches beyond the template: their remainders' Jaccard is at least
  /// `minRemainder`.
  public func keeps(_ a: [UInt32], _ b: [UInt32], minRemainder: Double) -> Bool {
    Self.similarity(remainder(a), remainder(b)) >= minRemainder
  }
}
