import CloneIndex
import Foundation
import Model
import Syntax

/// Zero-shot functional-clone evaluation on a set of labelled pairs of JavaScript files (the
/// LeetCode set in `shared/data/clones-leetcode-js`): each scorer scores every pair, and the table
/// reports AUROC and average precision, on the files as written and identifier-blind.
///
/// Identifier-blind: every declared name (functions, parameters, variables, at any scope) is renamed
/// to `v0, v1, …` in order of first occurrence with scope analysis, so solutions that share LeetCode's
/// fixed names (`twoSum(nums, target)`) cannot win on the names alone. Globals (`Math`, `Map`) and
/// property names (`.length`) are kept: they are what the code does.
public struct CloneEvaluation {
  /// One labelled pair of files.
  public struct Pair: Sendable {
    public let a: String
    public let b: String
    public let positive: Bool
  }

  /// One row of the table.
  public struct Row: Sendable {
    public let scorer: String
    public let naturalAUROC: Double
    public let naturalAP: Double
    public let blindAUROC: Double
    public let blindAP: Double
  }

  public let directory: URL
  public let pairs: [Pair]
  /// File text as written and identifier-blind, by relative path.
  private var natural: [String: String] = [:]
  private var blind: [String: String] = [:]

  /// Loads `pairs.jsonl` and every file it names from `directory`.
  public init(directory: String) throws {
    self.directory = URL(fileURLWithPath: directory)
    let pairsURL = self.directory.appendingPathComponent("pairs.jsonl")
    guard let data = FileManager.default.contents(atPath: pairsURL.path) else {
      throw CodeIntelError("\(pairsURL.path): not found; pass the clone set's folder with --data")
    }
    var pairs: [Pair] = []
    for (n, line) in data.split(separator: 0x0A).enumerated() where !line.isEmpty {
      guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
        let a = object["a"] as? String, let b = object["b"] as? String, let label = object["label"] as? Int
      else { throw CodeIntelError("\(pairsURL.path):\(n + 1): expected {\"a\", \"b\", \"label\"}") }
      pairs.append(Pair(a: a, b: b, positive: label == 1))
    }
    self.pairs = pairs
    let parser = Parser(language: .javascript)
    for path in Set(pairs.flatMap { [$0.a, $0.b] }) {
      let file = try SourceFile.load(self.directory.appendingPathComponent(path).path)
      let tree = try parser.parse(bytes: file.bytes)
      natural[path] = tree.text
      blind[path] = try Self.identifierBlind(tree)
    }
  }

  // MARK: - Scorers

  /// Scores every pair with `score(textA, textB)`, on natural and on identifier-blind text.
  public func row(_ name: String, score: (String, String) throws -> Double) rethrows -> Row {
    let labels = pairs.map(\.positive)
    let n = try pairs.map { try score(natural[$0.a]!, natural[$0.b]!) }
    let b = try pairs.map { try score(blind[$0.a]!, blind[$0.b]!) }
    return Row(
      scorer: name, naturalAUROC: RankingMetrics.auroc(scores: n, labels: labels) ?? .nan,
      naturalAP: RankingMetrics.averagePrecision(scores: n, labels: labels) ?? .nan,
      blindAUROC: RankingMetrics.auroc(scores: b, labels: labels) ?? .nan,
      blindAP: RankingMetrics.averagePrecision(scores: b, labels: labels) ?? .nan)
  }

  /// Scores by the cosine of embeddings, computing each distinct text's vector once.
  public func embeddingRow(_ name: String, embed: ([String]) throws -> [[Float]]) throws -> Row {
    var cache: [String: [Float]] = [:]
    let texts = Array(Set(natural.values).union(blind.values))
    for (text, vector) in zip(texts, try embed(texts)) { cache[text] = vector }
    return row(name) { a, b in Double(zip(cache[a]!, cache[b]!).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
  }

  /// The rows codeintel reports: the token baselines, the hashed-feature embedder of the clone
  /// index, and the pretrained encoder when one is installed.
  public func standardRows(model: PretrainedModel?) throws -> [Row] {
    var rows = [row("token-set Jaccard (baseline)", score: Self.tokenSetJaccard)]
    let hashed = HashedFeatureEmbedder()
    rows.append(
      try embeddingRow("hashed syntax features (clone index default)") { texts in
        try hashed.embed(texts.map { UnitText(text: $0, language: .javascript) })
      })
    if let model {
      rows.append(try embeddingRow("ContraCode encoder `\(model.info.name)` (\(model.info.steps) steps)") { model.embed(functions: $0) })
    }
    return rows
  }

  // MARK: - Text helpers

  /// The set of leaf tokens (comments dropped, string literals whole).
  static func tokens(_ text: String) -> Set<String> {
    guard let tree = try? Parser(language: .javascript).parse(text) else { return [] }
    var out: Set<String> = []
    tree.root.walk { node in
      if node.type == "comment" { return false }
      if node.childCount == 0 || node.type == "string" || node.type == "template_string" || node.type == "regex" {
        out.insert(node.text)
        return false
      }
      return true
    }
    return out
  }

  /// |A ∩ B| / |A ∪ B| over leaf-token sets.
  public static func tokenSetJaccard(_ a: String, _ b: String) -> Double {
    let x = tokens(a)
    let y = tokens(b)
    let union = x.union(y).count
    return union == 0 ? 0 : Double(x.intersection(y).count) / Double(union)
  }

  /// Renames every declared name to `v0, v1, …` in order of first occurrence (see the type's doc).
  static func identifierBlind(_ tree: Tree) throws -> String {
    let analysis = ScopeAnalysis(tree: tree)
    var names: [Int: String] = [:]
    var edits: [ByteEdit] = []
    for reference in analysis.references {
      guard let binding = reference.binding, analysis.bindings[binding].kind != .arguments else { continue }
      let name = names[binding] ?? "v\(names.count)"
      names[binding] = name
      let text = reference.isShorthand ? "\(reference.name): \(name)" : name
      edits.append(ByteEdit(start: reference.range.lowerBound, deletedLength: reference.range.count, inserted: text))
    }
    return String(decoding: try edits.apply(to: tree.bytes), as: UTF8.self)
  }

  // MARK: - Report

  /// The Markdown table.
  public static func markdown(_ rows: [Row], pairs: Int, positives: Int) -> String {
    var out = "| scorer | AUROC | AP | AUROC, identifier-blind | AP, identifier-blind |\n|---|---|---|---|---|\n"
    for r in rows {
      out += "| \(r.scorer) | \(f(r.naturalAUROC)) | \(f(r.naturalAP)) | \(f(r.blindAUROC)) | \(f(r.blindAP)) |\n"
    }
    out += "\n\(pairs) pairs (\(positives) positive).\n"
    return out
  }

  static func f(_ x: Double) -> String { x.isNaN ? "–" : String(format: "%.3f", x) }
}
