import Augment
import CloneIndex
import Foundation
import Model
import Syntax
import Tensor

/// Zero-shot clone evaluation on a `ClonePairSet`: every scorer scores every pair, natural and under
/// ContraCode's adversarial edits (`AdversarialEdits`), on the texts as written and identifier-blind,
/// and the table reports AUROC and average precision per column.
///
/// Identifier-blind: every declared name (functions, parameters, variables, at any scope) is renamed
/// to `v0, v1, …` in order of first occurrence with scope analysis, so solutions that share LeetCode's
/// fixed names (`twoSum(nums, target)`) cannot win on the names alone. Globals (`Math`, `Map`) and
/// property names (`.length`) are kept: they are what the code does. Adversarial variants are blinded
/// after their edits.
///
/// Work is shared: the variants and the blind texts are made once (on `threads` threads) and stored as
/// one table of distinct texts, and each scorer embeds or tokenises each distinct text once.
public final class CloneEvaluation {
  /// The two ways the texts are shown to the scorers.
  public enum View: Int, CaseIterable, Sendable {
    case natural = 0
    case blind = 1
  }

  public let set: ClonePairSet
  public let adversarial: AdversarialEdits?
  /// Distinct texts every scorer sees (originals, blind originals, variants, blind variants).
  public private(set) var table: [String] = []
  public private(set) var tableLanguages: [Language] = []
  /// base[view][i]: the table id of set text i in that view.
  private var base: [[Int]] = [[], []]
  /// variants[view][i]: for set text i that is a b-side, tries × edits table ids (try-major).
  private var variants: [[[Int]]] = [[], []]
  /// Mean number of edits actually applied, per reported k.
  public private(set) var meanApplied: [Double] = []
  let threads: Int

  /// Prepares the texts: blind versions and, with `adversarial`, the variants of every pair's `b` side.
  public init(set: ClonePairSet, adversarial: AdversarialEdits?, threads: Int = 2) {
    self.set = set
    self.adversarial = adversarial
    self.threads = max(threads, 1)
    prepare()
  }

  /// Columns: 0 is natural (no edits), then one per entry of `adversarial.edits`.
  public var columns: [Int] { [0] + (adversarial?.edits ?? []) }
  var tries: Int { adversarial?.tries ?? 1 }

  private func prepare() {
    let n = set.texts.count
    let bSides = Set(set.pairs.map(\.b))
    let e = adversarial?.edits.count ?? 0
    var blindBase = [String](repeating: "", count: n)
    var chainTexts = [[String]](repeating: [], count: n)
    var chainBlind = [[String]](repeating: [], count: n)
    var applied = [[Int]](repeating: [], count: n)
    blindBase.withUnsafeMutableBufferPointer { blindOut in
      chainTexts.withUnsafeMutableBufferPointer { chainOut in
        chainBlind.withUnsafeMutableBufferPointer { chainBlindOut in
          applied.withUnsafeMutableBufferPointer { appliedOut in
            Parallel.forEachWorker(threads) { w in
              var parsers: [Language: Parser] = [:]
              let workspace = adversarial.map { _ in AdversarialEdits.Workspace() }
              for i in stride(from: w, to: n, by: threads) {
                let language = set.languages[i]
                let parser = parsers[language] ?? Parser(language: language)
                parsers[language] = parser
                blindOut[i] = IdentifierBlind.text(set.texts[i], parser: parser)
                guard let adversarial, let workspace, bSides.contains(i) else { continue }
                let chains = adversarial.chains(of: set.texts[i], language: language, workspace: workspace)
                chainOut[i] = chains.flatMap(\.texts)
                chainBlindOut[i] = chainOut[i].map { IdentifierBlind.text($0, parser: parser) }
                appliedOut[i] = chains.flatMap(\.applied)
              }
            }
          }
        }
      }
    }
    var ids: [ClonePairSet.TextKey: Int] = [:]
    func id(_ text: String, _ language: Language) -> Int {
      let key = ClonePairSet.TextKey(text: text, language: language)
      if let i = ids[key] { return i }
      ids[key] = table.count
      table.append(text)
      tableLanguages.append(language)
      return table.count - 1
    }
    base[0] = (0..<n).map { id(set.texts[$0], set.languages[$0]) }
    base[1] = (0..<n).map { id(blindBase[$0], set.languages[$0]) }
    variants = [[[Int]]](repeating: [[Int]](repeating: [], count: n), count: 2)
    var appliedSum = [Double](repeating: 0, count: e)
    var chains = 0
    for i in 0..<n where !chainTexts[i].isEmpty {
      variants[0][i] = chainTexts[i].map { id($0, set.languages[i]) }
      variants[1][i] = chainBlind[i].map { id($0, set.languages[i]) }
      for (j, a) in applied[i].enumerated() { appliedSum[j % e] += Double(a) }
      chains += tries
    }
    meanApplied = appliedSum.map { chains == 0 ? 0 : $0 / Double(chains) }
  }

  // MARK: - Scoring

  /// Scores every pair in every view and column with one scorer.
  public func scores(_ scorer: CloneScorer) throws -> CloneScores {
    let similarity = try scorer.similarity(texts: table, languages: tableLanguages, threads: threads)
    let e = adversarial?.edits.count ?? 0
    var values: [[[Double]]] = []
    for view in View.allCases {
      let v = view.rawValue
      var byColumn: [[Double]] = [set.pairs.map { similarity(base[v][$0.a], base[v][$0.b]) }]
      for c in 0..<e {
        var column: [Double] = []
        column.reserveCapacity(set.pairs.count * tries)
        for p in set.pairs {
          let a = base[v][p.a]
          for t in 0..<tries { column.append(similarity(a, variants[v][p.b][t * e + c])) }
        }
        byColumn.append(column)
      }
      values.append(byColumn)
    }
    return CloneScores(scorer: scorer.name, tries: tries, values: values)
  }

  /// AUROC and AP of one scorer's scores in every view and column.
  public func row(_ scores: CloneScores) -> CloneRow {
    let labels = set.pairs.map(\.positive)
    var metrics: [[CloneRow.Metric]] = []
    for view in View.allCases {
      metrics.append(
        columns.indices.map { c in
          let s = scores.pairScores(view: view, column: c, labels: labels)
          return CloneRow.Metric(
            auroc: RankingMetrics.auroc(scores: s, labels: labels) ?? .nan,
            ap: RankingMetrics.averagePrecision(scores: s, labels: labels) ?? .nan)
        })
    }
    return CloneRow(scorer: scores.scorer, metrics: metrics)
  }

  // MARK: - Text helpers

  /// Token hashes of a text's leaves (comments dropped; strings, templates and regexes whole), sorted and
  /// unique: the set token-set Jaccard compares.
  static func tokenHashes(_ text: String, parser: Parser) -> [UInt64] {
    guard let tree = try? parser.parse(text) else { return [] }
    var out: Set<UInt64> = []
    tree.root.walk { node in
      if node.type == "comment" { return false }
      if node.childCount == 0 || node.type == "string" || node.type == "template_string" || node.type == "regex" {
        out.insert(AdversarialEdits.fnv1a(node.text))
        return false
      }
      return true
    }
    return out.sorted()
  }

  /// |A ∩ B| / |A ∪ B| over leaf-token sets of two JavaScript texts.
  public static func tokenSetJaccard(_ a: String, _ b: String) -> Double {
    let parser = Parser(language: .javascript)
    return jaccard(tokenHashes(a, parser: parser), tokenHashes(b, parser: parser))
  }

  /// Jaccard index of two sorted unique arrays.
  static func jaccard(_ x: [UInt64], _ y: [UInt64]) -> Double {
    SortedSets.jaccard(x, y)
  }

  // MARK: - Report

  /// The Markdown table: one row per scorer, AUROC and AP per column, natural columns then
  /// identifier-blind columns.
  public func markdown(_ rows: [CloneRow]) -> String {
    func head(_ k: Int) -> String { k == 0 ? "natural" : "k=\(k)" }
    var out = ""
    for view in View.allCases {
      out += view == .natural ? "Texts as written:\n\n" : "\nIdentifier-blind (both sides):\n\n"
      out += "| scorer | " + columns.map { "AUROC \(head($0)) | AP \(head($0))" }.joined(separator: " | ") + " |\n"
      out += "|---|" + String(repeating: "---|---|", count: columns.count) + "\n"
      for r in rows {
        out +=
          "| \(r.scorer) | "
          + r.metrics[view.rawValue].map { "\(Self.f($0.auroc)) | \(Self.f($0.ap))" }.joined(separator: " | ") + " |\n"
      }
    }
    out += "\n\(set.pairs.count) pairs (\(set.positives) positive), \(set.texts.count) distinct texts"
    if let adversarial {
      let applied = zip(adversarial.edits, meanApplied).map { "\($0.0): \(String(format: "%.1f", $0.1))" }
      out +=
        "; adversarial: \(adversarial.tries) tries per pair (seed \(adversarial.seed)), edits applied on"
        + " average per k (\(applied.joined(separator: ", "))); \(table.count) distinct texts scored"
    }
    return out + ".\n"
  }

  static func f(_ x: Double) -> String { x.isNaN ? "–" : String(format: "%.3f", x) }
}
