/// How a clone group's members resemble each other.
public enum CloneKind: String, Sendable, Codable, CaseIterable {
  /// Type 1: the same tokens (whitespace, comments and the function's own name aside).
  case exact
  /// Type 2: the same after renaming locals and dropping type annotations.
  case renamed
  /// Type 3: copies with edits, by token-bag overlap of the tokens as written and identifier-blind
  /// (`NearMissIndex`).
  case nearMiss = "near-miss"
  /// Functional: embeddings at or above the similarity threshold.
  case functional
}

/// One function in a clone group.
public struct CloneLocation: Sendable, Codable, Equatable {
  /// Path relative to the repository root.
  public var path: String
  public var name: String?
  /// The unit kind (`function`, `method`, `arrow`, …).
  public var kind: String
  /// 1-based first and last lines.
  public var startLine: Int
  public var endLine: Int
  public var startByte: Int
  public var endByte: Int
  /// Near-miss and functional members: the body's top-level statements, its tokens (comments aside) and how many
  /// of its top-level statements are branches, loops, `switch`, `try` or blocks, as `CloneWorth` reads them; absent
  /// elsewhere and when the file could not be read back.
  public var statements: Int?
  public var bodyTokens: Int?
  public var compoundStatements: Int?

  public var lineCount: Int { endLine - startLine + 1 }

  /// `path:start-end`.
  public var label: String { "\(path):\(startLine)-\(endLine)" }
}

/// A set of functions that are clones of each other.
public struct CloneGroup: Sendable, Codable, Equatable {
  /// 1-based rank in the report (most removable code × similarity first).
  public var id: Int
  public var kind: CloneKind
  /// Mean pairwise similarity: cosine of the embeddings (functional), token-bag overlap (near-miss), 1
  /// for exact and renamed groups.
  public var similarity: Double
  /// The lowest pairwise similarity in the group.
  public var minSimilarity: Double
  /// Total lines over all members.
  public var lines: Int
  /// The lines a refactor that keeps one shared copy would remove: every member's but the longest.
  public var removableLines: Int
  /// `removableLines × similarity`, the sort key.
  public var score: Double
  public var members: [CloneLocation]
  /// Near-miss and functional groups: the lowest token-bag overlap of two members, tokens as written, as a share
  /// of the larger bag (`NearMissIndex.similarity`; absent without token streams).
  public var tokenOverlap: Double?
  /// Functional groups: the lowest share of runs of six consecutive tokens two members have in common, tokens as
  /// written (`CloneDetector.lowestRunOverlap`; absent without token streams). `CloneWorth`'s `unlike` reads it.
  public var runOverlap: Double?
  /// The same over the identifier-blind tokens (locals as `ID`, literals by class): high for a renamed copy.
  public var blindRunOverlap: Double?
  /// Near-miss and functional groups: the longest run of consecutive tokens as written that every two members have
  /// in common, in tokens (the lowest over pairs of each pair's longest shared run; `CloneDetector.lowestSharedRun`;
  /// absent without token streams in source order). A copy keeps long stretches of its text; parallel code of one
  /// shape shares short runs between its own names and conditions. A measure for readers and fits: no rule reads it
  /// (session 21 measured a rule on it and did not adopt it; docs/audits/clones-s21-shared-stretch.md).
  public var sharedRun: Int?
  /// The same over the identifier-blind tokens (locals as `ID`, literals by class): long for a renamed copy.
  public var blindSharedRun: Int?
  /// Near-miss and functional groups: whether the group is worth a refactor (`CloneWorth`); the text and SARIF
  /// reports show only these unless `--all`. Absent for exact and renamed groups (always shown).
  public var worth: Bool?
  /// The rule that judged the group not worth it (`thin`, `mirror`, `small`, `unlike`); absent when it is worth it.
  public var notWorth: CloneWorth.Reason?

  /// Whether the default text and SARIF reports show the group.
  public var shownByDefault: Bool { worth ?? true }
}

/// The result of `codeintel clones`.
public struct CloneReport: Sendable, Codable, Equatable {
  /// Version of this JSON shape (see docs/CLONES.md).
  public var schemaVersion: Int = 2
  /// The repository root as given.
  public var repository: String
  /// The embedder that produced the vectors.
  public var model: String
  /// The functional cosine threshold (used when no learned scorer judges the candidates).
  public var threshold: Double
  /// How functional edges were judged when the learned pair scorer did it (absent otherwise).
  public var functionalScorer: String?
  /// The template rule functional pairs passed (`RepositoryTemplates`; absent when it was off, and in reports
  /// written before session 13).
  public var templateRule: String?
  /// The output rule functional pairs passed (`OutputKinds`, `--output-rule`; absent when it was off).
  public var outputRule: String?
  /// The input rule functional pairs passed (`FunctionInputs`, `--input-rule`; absent when it was off).
  public var inputRule: String?
  public var minLines: Int
  public var minTokens: Int
  public var files: Int
  public var units: Int
  public var groups: [CloneGroup]
  /// How many functions long enough to report were left out as test code, build output, example apps and benchmark
  /// code (absent in reports written before session 7; `benchmarks` absent before session 14).
  public var leftOut: LeftOut?

  public struct LeftOut: Sendable, Codable, Equatable {
    public var tests: Int
    public var build: Int
    public var examples: Int
    public var benchmarks: Int?
    public init(tests: Int, build: Int, examples: Int, benchmarks: Int = 0) {
      self.tests = tests
      self.build = build
      self.examples = examples
      self.benchmarks = benchmarks
    }
  }

  /// Number of groups of each kind.
  public func count(_ kind: CloneKind) -> Int { groups.filter { $0.kind == kind }.count }
}
