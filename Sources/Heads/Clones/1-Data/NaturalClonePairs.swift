import CloneIndex
import CodeIntel
import Foundation
import Syntax
import Tensor

/// Natural functional-clone pairs (`clone-pairs/natural-*.jsonl`, docs/DATASETS.md): solutions of one
/// problem by different authors or in different languages (label 1), each followed by the same `a` with a
/// solution of another problem (label 0), plus **hard negatives** made here: pairs of solutions of
/// *different* problems that the clone index's embedder finds most alike (what the learned scorer must
/// reject inside a repository, where one author's templates recur across problems).
///
/// Texts are stored once; every text knows its problem and repository, so pairs can be grouped and hard
/// negatives drawn from the texts of the same file.
public struct NaturalClonePairs: Sendable {
  public struct Text: Sendable {
    public let text: String
    public let language: Language
    public let problem: String
    public let package: String
  }

  public struct Pair: Sendable, Equatable {
    public let a: Int
    public let b: Int
    public let positive: Bool
    /// Whether the pair was made here as a hard negative (not in the file).
    public let hard: Bool
  }

  public let name: String
  public private(set) var texts: [Text]
  public private(set) var pairs: [Pair]

  public var positives: Int { pairs.filter(\.positive).count }

  public init(name: String, texts: [Text], pairs: [Pair]) {
    self.name = name
    self.texts = texts
    self.pairs = pairs
  }

  /// Reads a `natural-*.jsonl` file; a line that is not a pair object is an error naming the line.
  public static func load(path: String) throws -> NaturalClonePairs {
    let expanded = (path as NSString).expandingTildeInPath
    guard let data = FileManager.default.contents(atPath: expanded) else {
      throw CodeIntelError(
        "\(path): not found; the natural clone pairs come from `codeintel corpus build` (datasets-v2/clone-pairs)")
    }
    var index: [String: Int] = [:]
    var texts: [Text] = []
    var pairs: [Pair] = []
    func id(_ t: Text) -> Int {
      let key = t.language.rawValue + "\u{0}" + t.text
      if let i = index[key] { return i }
      index[key] = texts.count
      texts.append(t)
      return texts.count - 1
    }
    for (n, line) in data.split(separator: 0x0A).enumerated() where !line.isEmpty {
      guard let o = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
        let a = o["a"] as? String, let b = o["b"] as? String, let label = o["label"] as? Int,
        let problem = o["problem"] as? String, let bProblem = o["b_problem"] as? String
      else {
        throw CodeIntelError("\(path):\(n + 1): expected {\"label\", \"problem\", \"a\", \"b_problem\", \"b\", …}")
      }
      func language(_ key: String, _ pathKey: String) -> Language {
        (o[key] as? String).flatMap(Language.init(rawValue:))
          ?? (o[pathKey] as? String).flatMap { Language(path: $0) } ?? .javascript
      }
      let ta = Text(
        text: a, language: language("language", "path"), problem: problem, package: o["package"] as? String ?? "")
      let tb = Text(
        text: b, language: language("b_language", "b_path"), problem: bProblem,
        package: o["b_package"] as? String ?? "")
      pairs.append(Pair(a: id(ta), b: id(tb), positive: label == 1, hard: false))
    }
    guard !pairs.isEmpty else { throw CodeIntelError("\(path): holds no pairs") }
    return NaturalClonePairs(name: (path as NSString).lastPathComponent, texts: texts, pairs: pairs)
  }

  /// Adds, for every text, the `perText` most similar texts of another problem by embedding cosine
  /// (`vectors`, one unit row per text) and the most similar text of another problem in the same
  /// repository, as negatives (each unordered pair once, never one already in the set).
  public mutating func addHardNegatives(vectors: [Float], dimension: Int, perText: Int = 2) {
    precondition(vectors.count == texts.count * dimension, "one vector per text")
    let index = FlatVectorIndex(vectors: vectors, dimension: dimension)
    let neighbours = index.search(vectors, queryCount: texts.count, k: min(texts.count, 64))
    var seen = Set(pairs.map { Self.key($0.a, $0.b) })
    var added: [Pair] = []
    for i in texts.indices {
      let others = neighbours[i].filter { $0.id != i && texts[$0.id].problem != texts[i].problem }
      var chosen = others.prefix(perText).map(\.id)
      if let same = others.first(where: { texts[$0.id].package == texts[i].package }), !chosen.contains(same.id) {
        chosen.append(same.id)
      }
      for j in chosen where seen.insert(Self.key(i, j)).inserted {
        added.append(Pair(a: i, b: j, positive: false, hard: true))
      }
    }
    pairs += added
  }

  static func key(_ a: Int, _ b: Int) -> UInt64 { UInt64(min(a, b)) << 32 | UInt64(max(a, b)) }
}
