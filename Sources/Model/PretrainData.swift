import Augment
import Foundation
import Syntax
import Tokenizer

// MARK: - Function units

/// One function's source and language: what pretraining augments and the retrieval metric looks up.
public struct FunctionUnit: Sendable, Equatable {
  public var text: String
  public var language: Language

  public init(text: String, language: Language) {
    self.text = text
    self.language = language
  }

  /// Reads JSON Lines with a `text` field and an optional `language` (`javascript`, `typescript`, `tsx`;
  /// default javascript), as `codeintel corpus build` writes to `pretrain/{train,valid,test}.jsonl`.
  /// Lines whose text is shorter than `minBytes` are skipped.
  public static func readJSONLines(path: String, minBytes: Int = 1) throws -> [FunctionUnit] {
    let full = expandPath(path)
    guard let data = FileManager.default.contents(atPath: full) else {
      throw PretrainError.noData(path: path, reason: "cannot read the file")
    }
    var out: [FunctionUnit] = []
    var lineNumber = 0
    for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
      lineNumber += 1
      guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
        throw PretrainError.noData(path: path, reason: "line \(lineNumber) is not a JSON object")
      }
      guard let text = object["text"] as? String else {
        throw PretrainError.noData(path: path, reason: "line \(lineNumber) has no string field `text`")
      }
      let language = (object["language"] as? String).flatMap(Language.init(rawValue:)) ?? .javascript
      if text.utf8.count >= minBytes { out.append(FunctionUnit(text: text, language: language)) }
    }
    if out.isEmpty { throw PretrainError.noData(path: path, reason: "the file holds no function units") }
    return out
  }

  /// `count` units chosen by a seeded shuffle (all of them, shuffled, when there are fewer).
  public static func sample(_ units: [FunctionUnit], count: Int, seed: UInt64) -> [FunctionUnit] {
    var order = Array(units.indices)
    var rng = SeededRandom(seed: seed)
    order.shuffle(using: &rng)
    return order.prefix(count).map { units[$0] }
  }
}

// MARK: - Views

/// Turns a function into a training view: one augmented variant, tokenised with subword regularisation.
/// Deterministic: the same unit and generator state give the same ids.
struct ViewMaker {
  let augmenter: Augmenter
  let tokenizer: Tokenizer
  let maxLength: Int
  let alpha: Double
  /// Whether steps also carry the unaugmented view (the MLM's, with `mlmView` = `original`).
  let original: Bool

  init(config: PretrainConfig, tokenizer: Tokenizer) {
    augmenter = Augmenter(config: config.augment == "semantics-preserving" ? .semanticsPreserving : .contraCode)
    self.tokenizer = tokenizer
    maxLength = config.maxLength
    alpha = config.samplingAlpha
    original = config.mlmWeight > 0 && config.mlmView == "original"
  }

  /// The function as written (no augmentation), tokenised with subword regularisation.
  func plain(of unit: FunctionUnit, seed: UInt64) -> [Int32] {
    var rng = SeededRandom(seed: seed)
    let options = EncodeOptions(maxLength: maxLength)
    if alpha > 0 { return tokenizer.encode(unit.text, sampling: alpha, using: &rng, options: options).ids }
    return tokenizer.encode(unit.text, options: options).ids
  }

  func view(of unit: FunctionUnit, seed: UInt64) -> [Int32] {
    var rng = SeededRandom(seed: seed)
    let variant = augmenter.variant(of: unit.text, language: unit.language, rng: &rng)
    let options = EncodeOptions(maxLength: maxLength)
    if alpha > 0 { return tokenizer.encode(variant.text, sampling: alpha, using: &rng, options: options).ids }
    return tokenizer.encode(variant.text, options: options).ids
  }
}

// MARK: - Batch order

/// Which function fills position j of step s: epochs are seeded permutations of all units, read in order,
/// so the data cursor of a run is just its step number.
struct BatchOrder {
  let count: Int
  let batchSize: Int
  let seed: UInt64
  private var epoch = -1
  private var permutation: [Int] = []

  init(count: Int, batchSize: Int, seed: UInt64) {
    self.count = count
    self.batchSize = batchSize
    self.seed = seed
  }

  mutating func indices(step: Int) -> [Int] {
    (0..<batchSize).map { j in
      let position = step * batchSize + j
      let e = position / count
      if e != epoch {
        epoch = e
        permutation = Array(0..<count)
        var rng = SeededRandom(seed: mixSeed(seed, 5, UInt64(e)))
        permutation.shuffle(using: &rng)
      }
      return permutation[position % count]
    }
  }
}
