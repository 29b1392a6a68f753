import Foundation
import JSON

// MARK: - tokenizer.json

/// Reading and writing `tokenizer.json`.
///
/// ```json
/// {
///   "format": "codeintel-tokenizer",
///   "version": 1,
///   "model": "unigram",
///   "pretokenizer": "javascript-1",
///   "config": { "vocab_size": 8000, ... },
///   "training": { "texts": 1234, ... },
///   "special_tokens": ["<pad>", "<unk>", "<s>", "</s>", "<mask>", "<fn>"],
///   "byte_offset": 6,
///   "piece_offset": 262,
///   "pieces": [
///     ["const", -6.1234],
///     ...
///   ]
/// }
/// ```
///
/// `pieces` holds the learned pieces only, in id order from `piece_offset`, each with its log-probability; the
/// specials and byte pieces are implied by `special_tokens`. The writer is hand-rolled so that the same tokenizer
/// always gives the same bytes (keys in a fixed order, one piece per line, shortest round-trip numbers).
extension Tokenizer {
  /// The format version this build writes and reads.
  public static let formatVersion = 1
  static let formatName = "codeintel-tokenizer"
  static let preTokenizerName = "javascript-1"

  /// The `tokenizer.json` text of this tokenizer.
  public func jsonData() -> Data {
    var s = "{\n"
    s += "  \"format\": \(jsonString(Tokenizer.formatName)),\n"
    s += "  \"version\": \(Tokenizer.formatVersion),\n"
    s += "  \"model\": \"unigram\",\n"
    s += "  \"pretokenizer\": \(jsonString(Tokenizer.preTokenizerName)),\n"
    let c = configuration
    s += "  \"config\": {\"vocab_size\": \(c.vocabSize), \"max_piece_length\": \(c.maxPieceLength), "
    s += "\"seed_size\": \(c.seedSize), \"character_coverage\": \(c.characterCoverage), "
    s += "\"shrinking_factor\": \(c.shrinkingFactor), \"em_iterations\": \(c.emIterations), "
    s += "\"extra_special_tokens\": [\(c.extraSpecialTokens.map(jsonString).joined(separator: ", "))]},\n"
    let t = trainingSummary
    s += "  \"training\": {\"texts\": \(t.texts), \"bytes\": \(t.bytes), \"pretokens\": \(t.preTokens), "
    s += "\"distinct_pretokens\": \(t.distinctPreTokens), \"required_characters\": \(t.requiredCharacters)},\n"
    s += "  \"special_tokens\": [\(specialTokens.map(jsonString).joined(separator: ", "))],\n"
    s += "  \"byte_offset\": \(byteOffset),\n"
    s += "  \"piece_offset\": \(pieceOffset),\n"
    s += "  \"pieces\": [\n"
    for (k, piece) in pieces.enumerated() {
      s += "    [\(jsonString(String(decoding: piece, as: UTF8.self))), \(scores[k])]"
      s += k + 1 < pieces.count ? ",\n" : "\n"
    }
    s += "  ]\n}\n"
    return Data(s.utf8)
  }

  /// Writes `tokenizer.json` to `url`.
  public func save(to url: URL) throws {
    do {
      try jsonData().write(to: url, options: .atomic)
    } catch {
      throw TokenizerError.io("could not write the tokenizer to \(url.path): \(error.localizedDescription)")
    }
  }

  /// Reads a tokenizer written by `save(to:)`.
  ///
  /// - Throws: `TokenizerError.unsupportedVersion` for a format version this build does not read,
  ///   `TokenizerError.malformedFile` for anything else that is not a valid file, `TokenizerError.io` when the
  ///   file cannot be read.
  public static func load(from url: URL) throws -> Tokenizer {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw TokenizerError.io("could not read a tokenizer from \(url.path): \(error.localizedDescription)")
    }
    return try load(json: data)
  }

  /// Parses the text of a `tokenizer.json`.
  public static func load(json data: Data) throws -> Tokenizer {
    let root: JSONValue
    do {
      root = try JSONValue.parse(Array(data), maxDepth: 64)
    } catch {
      throw TokenizerError.malformedFile("it is not JSON (\(error.message))")
    }
    guard case .object = root else { throw TokenizerError.malformedFile("the top level is not an object") }
    guard root["format"]?.string == formatName else {
      throw TokenizerError.malformedFile("the \"format\" field is not \"\(formatName)\"")
    }
    guard let version = root["version"]?.int else { throw TokenizerError.malformedFile("\"version\" is missing") }
    guard version == formatVersion else {
      throw TokenizerError.unsupportedVersion(found: version, supported: formatVersion)
    }
    guard root["model"]?.string == "unigram" else {
      throw TokenizerError.malformedFile("\"model\" must be \"unigram\"")
    }
    guard root["pretokenizer"]?.string == preTokenizerName else {
      throw TokenizerError.malformedFile("\"pretokenizer\" must be \"\(preTokenizerName)\"")
    }
    let specials = root["special_tokens"]?.array?.compactMap(\.string) ?? []
    guard specials.count == root["special_tokens"]?.array?.count,
      Array(specials.prefix(builtInSpecialTokens.count)) == builtInSpecialTokens, Set(specials).count == specials.count
    else {
      throw TokenizerError.malformedFile("\"special_tokens\" must start with \(builtInSpecialTokens)")
    }
    guard root["byte_offset"]?.int == specials.count, root["piece_offset"]?.int == specials.count + 256 else {
      throw TokenizerError.malformedFile("\"byte_offset\" and \"piece_offset\" do not match \"special_tokens\"")
    }
    guard let rawPieces = root["pieces"]?.array else { throw TokenizerError.malformedFile("\"pieces\" is missing") }
    var pieces: [[UInt8]] = []
    var scores: [Double] = []
    pieces.reserveCapacity(rawPieces.count)
    scores.reserveCapacity(rawPieces.count)
    for (k, entry) in rawPieces.enumerated() {
      guard let pair = entry.array, pair.count == 2, let text = pair[0].string, !text.isEmpty,
        let score = pair[1].double, score.isFinite
      else {
        throw TokenizerError.malformedFile("piece \(k) is not a [text, score] pair")
      }
      pieces.append(Array(text.utf8))
      scores.append(score)
    }
    let config = root["config"]
    let defaults = Configuration()
    let configuration = Configuration(
      vocabSize: config?["vocab_size"]?.int ?? defaults.vocabSize,
      maxPieceLength: config?["max_piece_length"]?.int ?? defaults.maxPieceLength,
      seedSize: config?["seed_size"]?.int ?? defaults.seedSize,
      characterCoverage: config?["character_coverage"]?.double ?? defaults.characterCoverage,
      shrinkingFactor: config?["shrinking_factor"]?.double ?? defaults.shrinkingFactor,
      emIterations: config?["em_iterations"]?.int ?? defaults.emIterations,
      extraSpecialTokens: Array(specials.dropFirst(builtInSpecialTokens.count)))
    let training = root["training"]
    let summary = TrainingSummary(
      texts: training?["texts"]?.int ?? 0, bytes: training?["bytes"]?.int ?? 0,
      preTokens: training?["pretokens"]?.int ?? 0, distinctPreTokens: training?["distinct_pretokens"]?.int ?? 0,
      requiredCharacters: training?["required_characters"]?.int ?? 0)
    return Tokenizer(
      pieces: pieces, scores: scores, specialTokens: specials, configuration: configuration, trainingSummary: summary)
  }
}

// MARK: - JSON strings

/// `text` as a JSON string literal: quotes, backslashes, control characters and DEL escaped, everything else
/// verbatim.
func jsonString(_ text: String) -> String {
  JSONValue.quoted(text, escapingLineSeparators: false, escapingDelete: true)
}

// MARK: - Reading tokenizer.json fields

extension JSONValue {
  // `tokenizer.json` is strict: an integer field must be written as an integer literal.
  fileprivate var string: String? { stringValue }
  fileprivate var array: [JSONValue]? { arrayValue }
  fileprivate var double: Double? { doubleValue }
  fileprivate var int: Int? {
    if case .int(let i) = self { return i }
    return nil
  }
}
