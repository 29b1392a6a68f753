import Foundation

// MARK: - Subtoken vocabulary

/// The method-name decoder's output vocabulary: four specials, then the most frequent name subtokens of the
/// training split's targets (ties broken alphabetically, so the vocabulary is a function of the data).
public struct SubtokenVocabulary: Codable, Sendable, Equatable {
  public static let pad: Int32 = 0
  public static let unk: Int32 = 1
  public static let bos: Int32 = 2
  public static let eos: Int32 = 3
  public static let specials = ["<pad>", "<unk>", "<bos>", "<eos>"]

  /// id → subtoken (lower case); the first four are the specials.
  public private(set) var tokens: [String]
  private var index: [String: Int32]

  enum CodingKeys: String, CodingKey { case tokens }

  public init(tokens: [String]) {
    self.tokens = tokens
    var index = [String: Int32]()
    for (i, t) in tokens.enumerated() where i >= Self.specials.count { index[t] = Int32(i) }
    self.index = index
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let tokens = try c.decode([String].self, forKey: .tokens)
    guard Array(tokens.prefix(Self.specials.count)) == Self.specials else {
      throw DecodingError.dataCorruptedError(
        forKey: .tokens, in: c, debugDescription: "a subtoken vocabulary starts with \(Self.specials)")
    }
    self.init(tokens: tokens)
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(tokens, forKey: .tokens)
  }

  /// The `size - 4` most frequent subtokens seen at least `minCount` times in `targets`, after the specials.
  public static func build(targets: [[String]], size: Int, minCount: Int = 2) -> SubtokenVocabulary {
    var counts = [String: Int]()
    for t in targets { for s in t { counts[s.lowercased(), default: 0] += 1 } }
    let ranked = counts.filter { $0.value >= minCount }.sorted {
      $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key
    }
    return SubtokenVocabulary(tokens: specials + ranked.prefix(max(size - specials.count, 0)).map(\.key))
  }

  public var count: Int { tokens.count }

  /// The id of a subtoken (`unk` when it is not in the vocabulary).
  public func id(_ subtoken: String) -> Int32 { index[subtoken.lowercased()] ?? Self.unk }

  /// Target ids: the subtokens (at most `maxSubtokens`) followed by `eos`.
  public func target(_ subtokens: [String], maxSubtokens: Int) -> [Int32] {
    subtokens.prefix(maxSubtokens).map(id) + [Self.eos]
  }

  /// A subtoken sequence joined in camelCase: `["get", "user", "id"]` → `getUserId`.
  public static func camelCase(_ subtokens: [String]) -> String {
    var out = ""
    for (i, s) in subtokens.enumerated() {
      let lower = s.lowercased()
      if i == 0 { out += lower } else { out += lower.prefix(1).uppercased() + lower.dropFirst() }
    }
    return out
  }
}
