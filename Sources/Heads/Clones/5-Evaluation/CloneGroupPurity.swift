import CloneIndex
import CodeIntel
import Foundation
import Syntax

/// Group purity of `codeintel clones` on a set of solutions laid out as `<problem>/<author>.js` (the
/// LeetCode set): a group is pure when all its members solve the same problem. The solutions are copied
/// to a temporary folder (the index is written beside the code, and the data folder stays read-only),
/// indexed and grouped with the given options, and the copy is removed.
public struct CloneGroupPurity: Sendable {
  public struct Row: Sendable, Equatable {
    public var kind: CloneKind
    public var groups: Int
    public var pure: Int
    public var members: Int
    /// Pure groups among the first 20 of this kind, and how many there were.
    public var pureFirst20: Int
    public var first20: Int
    /// Pairs of solution files of one problem that some group of this kind links (recall's numerator), and
    /// pairs of files of different problems it links.
    public var linkedSameProblem: Int = 0
    public var linkedOtherProblem: Int = 0
    /// What the groups are (`Composition`): pure groups whose members lie in one file, pure groups of several
    /// files (authors), impure groups whose members are all one author's (the file name: `<author>.js`), and
    /// impure groups of several authors.
    public var composition = Composition()

    public var share: Double { groups == 0 ? .nan : Double(pure) / Double(groups) }
  }

  /// The groups of one kind by what their members are: the diagnosis of impure groups (session 7: most are
  /// one author's template reused for several problems, which a text scorer cannot tell from one task).
  public struct Composition: Sendable, Equatable {
    /// Pure, and every member in one file (functions of one solution: says nothing about two authors).
    public var pureOneFile = 0
    /// Pure, with members in two or more files (two or more authors' solutions of one problem).
    public var pureAcrossFiles = 0
    /// Impure, every member by one author (one author's code for two or more problems).
    public var impureOneAuthor = 0
    /// Impure, members by two or more authors.
    public var impureSeveralAuthors = 0

    public init(pureOneFile: Int = 0, pureAcrossFiles: Int = 0, impureOneAuthor: Int = 0, impureSeveralAuthors: Int = 0)
    {
      self.pureOneFile = pureOneFile
      self.pureAcrossFiles = pureAcrossFiles
      self.impureOneAuthor = impureOneAuthor
      self.impureSeveralAuthors = impureSeveralAuthors
    }

    /// Classifies one group from its members' paths, `<problem>/<author>.<ext>`.
    public mutating func add(paths: [String]) {
      let problems = Set(paths.map { $0.split(separator: "/").first.map(String.init) ?? "" })
      if problems.count == 1 {
        if Set(paths).count == 1 { pureOneFile += 1 } else { pureAcrossFiles += 1 }
      } else if Set(paths.map(Composition.author)).count == 1 {
        impureOneAuthor += 1
      } else {
        impureSeveralAuthors += 1
      }
    }

    /// The author of a solution: its file name without the extension.
    static func author(_ path: String) -> String {
      let file = path.split(separator: "/").last.map(String.init) ?? path
      guard let dot = file.lastIndex(of: ".") else { return file }
      return String(file[..<dot])
    }
  }

  public var rows: [Row]
  public var files: Int
  public var units: Int
  /// Pairs of solution files of one problem (recall's denominator).
  public var sameProblemFilePairs: Int = 0
  /// The report the rows count (paths relative to the solutions folder).
  public var report: CloneReport?

  /// The share of same-problem file pairs that `row`'s groups link.
  public func recall(_ row: Row) -> Double {
    sameProblemFilePairs == 0 ? .nan : Double(row.linkedSameProblem) / Double(sameProblemFilePairs)
  }

  /// Measures purity of every kind on the `.js` files under `solutions`.
  public static func measure(
    solutions: String, options: CloneOptions, embedder: any Embedder = HashedFeatureEmbedder(),
    gate: (any FunctionalPairGate)? = nil
  ) throws -> CloneGroupPurity {
    let fm = FileManager.default
    let scratch = fm.temporaryDirectory.appendingPathComponent("codeintel-purity-\(UUID().uuidString)").path
    try fm.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? fm.removeItem(atPath: scratch) }
    guard let problems = try? fm.contentsOfDirectory(atPath: solutions) else {
      throw CodeIntelError("\(solutions): not found; pass the clone set's folder with --data")
    }
    var sameProblemFilePairs = 0
    for problem in problems.sorted() {
      let dir = solutions + "/" + problem
      guard let files = try? fm.contentsOfDirectory(atPath: dir) else { continue }
      try fm.createDirectory(atPath: scratch + "/" + problem, withIntermediateDirectories: true)
      let n = files.filter { $0.hasSuffix(".js") }.count
      sameProblemFilePairs += n * (n - 1) / 2
      for f in files where f.hasSuffix(".js") {
        try fm.copyItem(atPath: dir + "/" + f, toPath: scratch + "/" + problem + "/" + f)
      }
    }
    let report = try CloneFinder(embedder: embedder, options: options, gate: gate).report(root: scratch)
    var rows: [Row] = []
    for kind in CloneKind.allCases {
      let groups = report.groups.filter { $0.kind == kind }
      let pure = groups.map { g in Set(g.members.map { $0.path.split(separator: "/").first ?? "" }).count == 1 }
      var same: Set<String> = []
      var other: Set<String> = []
      var composition = Composition()
      for g in groups {
        composition.add(paths: g.members.map(\.path))
        let files = Set(g.members.map(\.path)).sorted()
        for i in files.indices {
          for j in (i + 1)..<files.count {
            let key = files[i] + "\u{0}" + files[j]
            if files[i].split(separator: "/").first == files[j].split(separator: "/").first {
              same.insert(key)
            } else {
              other.insert(key)
            }
          }
        }
      }
      rows.append(
        Row(
          kind: kind, groups: groups.count, pure: pure.filter { $0 }.count,
          members: groups.reduce(0) { $0 + $1.members.count }, pureFirst20: pure.prefix(20).filter { $0 }.count,
          first20: min(20, groups.count), linkedSameProblem: same.count, linkedOtherProblem: other.count,
          composition: composition))
    }
    return CloneGroupPurity(
      rows: rows, files: report.files, units: report.units, sameProblemFilePairs: sameProblemFilePairs,
      report: report)
  }

  /// A Markdown table, one row per kind.
  public func markdown() -> String {
    var out = "| kind | groups | pure | purity | first 20 pure | members | same-problem file pairs linked (recall) |"
    out += " other-problem file pairs linked |\n|---|---|---|---|---|---|---|---|\n"
    for r in rows {
      let share = r.groups == 0 ? "–" : String(format: "%.1f %%", 100 * r.share)
      out +=
        "| \(r.kind.rawValue) | \(r.groups) | \(r.pure) | \(share) | \(r.pureFirst20)/\(r.first20) | \(r.members) | "
      out += String(format: "%d (%.2f %%) | %d |\n", r.linkedSameProblem, 100 * recall(r), r.linkedOtherProblem)
    }
    return out
  }

  /// A Markdown table of what each kind's groups are (`Composition`), one row per kind that has groups.
  public func compositionMarkdown() -> String {
    var out =
      "| kind | groups | pure, one file | pure, several files | impure, one author | impure, several authors |\n"
    out += "|---|---|---|---|---|---|\n"
    for r in rows where r.groups > 0 {
      let c = r.composition
      out += "| \(r.kind.rawValue) | \(r.groups) | \(c.pureOneFile) | \(c.pureAcrossFiles) | \(c.impureOneAuthor) | "
      out += "\(c.impureSeveralAuthors) |\n"
    }
    return out
  }

  // MARK: - Pair decisions

  /// One kind's decision rule on labelled pairs.
  public struct Decision: Sendable, Equatable {
    public var name: String
    public var truePositives: Int
    public var falsePositives: Int
    public var positives: Int
    public var negatives: Int

    public var precision: Double {
      truePositives + falsePositives == 0 ? .nan : Double(truePositives) / Double(truePositives + falsePositives)
    }
    public var recall: Double { positives == 0 ? .nan : Double(truePositives) / Double(positives) }
  }

  /// The clone index's near-miss and functional rules at `options`' thresholds applied to the labelled
  /// pairs of `directory/pairs.jsonl` (whole solution files: the tokens of the file, the hashed-feature
  /// embedding of the file).
  public static func pairDecisions(directory: String, options: CloneOptions = CloneOptions()) throws -> [Decision] {
    let dir = URL(fileURLWithPath: directory)
    guard let data = FileManager.default.contents(atPath: dir.appendingPathComponent("pairs.jsonl").path) else {
      throw CodeIntelError("\(directory)/pairs.jsonl: not found; pass the clone set's folder with --data")
    }
    var pairs: [(a: String, b: String, positive: Bool)] = []
    for line in data.split(separator: 0x0A) where !line.isEmpty {
      guard let o = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], let a = o["a"] as? String,
        let b = o["b"] as? String, let label = o["label"] as? Int
      else { throw CodeIntelError("\(directory)/pairs.jsonl: expected {\"a\", \"b\", \"label\"}") }
      pairs.append((a, b, label == 1))
    }
    struct Features {
      var raw: [UInt32]
      var blind: [UInt32]
      var vector: [Float]
    }
    let parser = Parser(language: .javascript)
    let embedder = HashedFeatureEmbedder()
    var features: [String: Features] = [:]
    for path in Set(pairs.flatMap { [$0.a, $0.b] }).sorted() {
      let bytes = try SourceFile.load(dir.appendingPathComponent(path).path).bytes
      let tree = try parser.parse(bytes: bytes)
      let tokens = UnitTokens(node: tree.root)
      let text = UnitText(text: String(decoding: bytes, as: UTF8.self), language: .javascript, tokens: tokens)
      features[path] = Features(
        raw: TokenHash.hashes(tokens.exact).sorted(), blind: TokenHash.hashes(tokens.features).sorted(),
        vector: try embedder.embed([text])[0])
    }
    func needed(_ t: Float, _ n: Int) -> Int { max(1, Int((t * Float(n)).rounded(.up))) }
    func nearMiss(_ x: Features, _ y: Features) -> Bool {
      NearMissIndex.overlap(x.raw, y.raw) >= needed(options.nearMissRawOverlap, max(x.raw.count, y.raw.count))
        && NearMissIndex.overlap(x.blind, y.blind)
          >= needed(options.nearMissBlindOverlap, max(x.blind.count, y.blind.count))
    }
    func functional(_ x: Features, _ y: Features) -> Bool {
      zip(x.vector, y.vector).reduce(Float(0)) { $0 + $1.0 * $1.1 } >= options.threshold
    }
    let rules: [(String, (Features, Features) -> Bool)] = [
      ("near-miss (raw ≥ \(options.nearMissRawOverlap), blind ≥ \(options.nearMissBlindOverlap))", nearMiss),
      (String(format: "functional (hashed cosine ≥ %.2f)", options.threshold), functional),
      ("either (what `clones` reports as near-miss or functional)", { nearMiss($0, $1) || functional($0, $1) }),
    ]
    let positives = pairs.filter(\.positive).count
    return rules.map { name, rule in
      var tp = 0
      var fp = 0
      for p in pairs where rule(features[p.a]!, features[p.b]!) {
        if p.positive { tp += 1 } else { fp += 1 }
      }
      return Decision(
        name: name, truePositives: tp, falsePositives: fp, positives: positives, negatives: pairs.count - positives)
    }
  }
}
