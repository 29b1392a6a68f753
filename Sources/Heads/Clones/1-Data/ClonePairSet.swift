import Augment
import CodeIntel
import Foundation
import Syntax

/// A set of labelled pairs of code texts for clone evaluation: the distinct texts once each, and the
/// pairs as indices into them. Sources: the LeetCode functional-clone folder, the held-out
/// augmentation pairs (`clone-pairs/test.jsonl`), or augmentation pairs built on the fly from a split
/// of the pretraining functions (for calibration).
public struct ClonePairSet: Sendable {
  /// One labelled pair: `a` and `b` index `texts`. `groups` are what the pair is about (the LeetCode
  /// problem ids, the packages), so cross-validation can keep a group out of training.
  public struct Pair: Sendable, Equatable {
    public let a: Int
    public let b: Int
    public let positive: Bool
    public let groups: [String]

    public init(a: Int, b: Int, positive: Bool, groups: [String]) {
      self.a = a
      self.b = b
      self.positive = positive
      self.groups = groups
    }
  }

  public let name: String
  public private(set) var texts: [String]
  public private(set) var languages: [Language]
  public private(set) var pairs: [Pair]

  public var positives: Int { pairs.filter(\.positive).count }

  /// Builds a set from texts and pairs (`pairs` index `texts`).
  public init(name: String, texts: [String], languages: [Language], pairs: [Pair]) {
    precondition(texts.count == languages.count, "one language per text")
    self.name = name
    self.texts = texts
    self.languages = languages
    self.pairs = pairs
  }

  /// Builds a set from pairs of texts, storing each distinct (text, language) once.
  public init(
    name: String, textPairs: [(a: String, b: String, language: (Language, Language), positive: Bool, groups: [String])]
  ) {
    var index: [TextKey: Int] = [:]
    var texts: [String] = []
    var languages: [Language] = []
    func id(_ text: String, _ language: Language) -> Int {
      let key = TextKey(text: text, language: language)
      if let i = index[key] { return i }
      index[key] = texts.count
      texts.append(text)
      languages.append(language)
      return texts.count - 1
    }
    let pairs = textPairs.map {
      Pair(a: id($0.a, $0.language.0), b: id($0.b, $0.language.1), positive: $0.positive, groups: $0.groups)
    }
    self.init(name: name, texts: texts, languages: languages, pairs: pairs)
  }

  struct TextKey: Hashable {
    let text: String
    let language: Language
  }

  /// `count / 2` positive and `count - count / 2` negative pairs spread evenly over the file (every
  /// P/m-th of each class, in file order; deterministic), with only the texts they use: for runs that
  /// cannot afford every pair.
  public func limited(to count: Int) -> ClonePairSet {
    guard count < pairs.count else { return self }
    func spread(_ items: [Int], _ m: Int) -> [Int] {
      guard m < items.count else { return items }
      return (0..<m).map { items[$0 * items.count / m] }
    }
    let positive = pairs.indices.filter { pairs[$0].positive }
    let negative = pairs.indices.filter { !pairs[$0].positive }
    let kept = (spread(positive, count / 2) + spread(negative, count - count / 2)).sorted().map { pairs[$0] }
    var remap: [Int: Int] = [:]
    var texts: [String] = []
    var languages: [Language] = []
    func id(_ i: Int) -> Int {
      if let j = remap[i] { return j }
      remap[i] = texts.count
      texts.append(self.texts[i])
      languages.append(self.languages[i])
      return texts.count - 1
    }
    let remapped = kept.map { Pair(a: id($0.a), b: id($0.b), positive: $0.positive, groups: $0.groups) }
    return ClonePairSet(name: name, texts: texts, languages: languages, pairs: remapped)
  }

  // MARK: - Sources

  /// The LeetCode functional-clone folder: `pairs.jsonl` (`a`, `b`, `label`, `task_a`, `task_b`) and the
  /// JavaScript files it names. Groups are the problem ids.
  public static func leetCode(directory: String) throws -> ClonePairSet {
    let dir = URL(fileURLWithPath: directory)
    let pairsURL = dir.appendingPathComponent("pairs.jsonl")
    guard let data = FileManager.default.contents(atPath: pairsURL.path) else {
      throw CodeIntelError("\(pairsURL.path): not found; pass the clone set's folder with --data")
    }
    var files: [String: String] = [:]
    var out: [(a: String, b: String, language: (Language, Language), positive: Bool, groups: [String])] = []
    for (n, line) in data.split(separator: 0x0A).enumerated() where !line.isEmpty {
      guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
        let a = object["a"] as? String, let b = object["b"] as? String, let label = object["label"] as? Int
      else { throw CodeIntelError("\(pairsURL.path):\(n + 1): expected {\"a\", \"b\", \"label\"}") }
      for path in [a, b] where files[path] == nil {
        files[path] = String(decoding: try SourceFile.load(dir.appendingPathComponent(path).path).bytes, as: UTF8.self)
      }
      let groups = [object["task_a"] as? String ?? a, object["task_b"] as? String ?? b]
      out.append((files[a]!, files[b]!, (.javascript, .javascript), label == 1, Array(Set(groups)).sorted()))
    }
    return ClonePairSet(name: "LeetCode functional clones", textPairs: out)
  }

  /// Augmentation pairs in `clone-pairs/*.jsonl` form (`label`, `a`, `b`, `language`, `b_path`,
  /// `package`, `b_package`). Groups are the packages.
  public static func augmentationPairs(path: String) throws -> ClonePairSet {
    guard let data = FileManager.default.contents(atPath: (path as NSString).expandingTildeInPath) else {
      throw CodeIntelError("\(path): not found; build the datasets first (codeintel corpus build)")
    }
    var out: [(a: String, b: String, language: (Language, Language), positive: Bool, groups: [String])] = []
    for (n, line) in data.split(separator: 0x0A).enumerated() where !line.isEmpty {
      guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
        let a = object["a"] as? String, let b = object["b"] as? String, let label = object["label"] as? Int
      else { throw CodeIntelError("\(path):\(n + 1): expected {\"label\", \"a\", \"b\"}") }
      let la = (object["language"] as? String).flatMap(Language.init(rawValue:)) ?? .javascript
      let lb = label == 1 ? la : (object["b_path"] as? String).flatMap { Language(path: $0) } ?? la
      let groups = Set([object["package"] as? String ?? "", object["b_package"] as? String ?? ""])
      out.append((a, b, (la, lb), label == 1, groups.sorted()))
    }
    return ClonePairSet(name: "held-out augmentation pairs", textPairs: out)
  }

  /// Augmentation pairs built like the held-out test pairs (`Corpus.ClonePairs`), from a JSON Lines file of
  /// functions (`text`, `language`, `package`; the pretraining split files): `anchors` functions drawn with
  /// `seed`, each paired with a semantics-preserving augmentation of itself (positive) and another
  /// function (negative).
  public static func augmentationPairs(functions path: String, anchors: Int, seed: UInt64) throws -> ClonePairSet {
    guard let data = FileManager.default.contents(atPath: (path as NSString).expandingTildeInPath) else {
      throw CodeIntelError("\(path): not found; build the datasets first (codeintel corpus build)")
    }
    var units: [(text: String, language: Language, package: String)] = []
    for (n, line) in data.split(separator: 0x0A).enumerated() where !line.isEmpty {
      guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
        let text = object["text"] as? String
      else { throw CodeIntelError("\(path):\(n + 1): expected {\"text\", \"language\"}") }
      let language = (object["language"] as? String).flatMap(Language.init(rawValue:)) ?? .javascript
      units.append((text, language, object["package"] as? String ?? ""))
    }
    guard units.count >= 2 else { throw CodeIntelError("\(path): needs at least two functions") }
    var rng = SeededRandom(seed: seed ^ 0xC10E_5EED)
    var order = Array(units.indices)
    for i in stride(from: order.count - 1, to: 0, by: -1) {
      order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
    }
    let augmenter = Augmenter(config: .semanticsPreserving)
    var out: [(a: String, b: String, language: (Language, Language), positive: Bool, groups: [String])] = []
    for a in order.prefix(anchors) {
      let anchor = units[a]
      var unitRNG = rng.split()
      let variant = augmenter.variant(of: anchor.text, language: anchor.language, rng: &unitRNG)
      guard variant.text != anchor.text else { continue }
      var b = Int(unitRNG.next() % UInt64(units.count - 1))
      if b >= a { b += 1 }
      let other = units[b]
      out.append((anchor.text, variant.text, (anchor.language, anchor.language), true, [anchor.package]))
      out.append(
        (
          anchor.text, other.text, (anchor.language, other.language), false,
          Set([anchor.package, other.package]).sorted()
        ))
    }
    return ClonePairSet(name: "augmentation pairs of \((path as NSString).lastPathComponent)", textPairs: out)
  }
}
