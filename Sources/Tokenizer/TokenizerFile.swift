import Foundation

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
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: data)
    } catch {
      throw TokenizerError.malformedFile("it is not JSON (\(error.localizedDescription))")
    }
    guard let root = object as? [String: Any] else {
      throw TokenizerError.malformedFile("the top level is not an object")
    }
    guard root["format"] as? String == formatName else {
      throw TokenizerError.malformedFile("the \"format\" field is not \"\(formatName)\"")
    }
    guard let version = int(root["version"]) else { throw TokenizerError.malformedFile("\"version\" is missing") }
    guard version == formatVersion else {
      throw TokenizerError.unsupportedVersion(found: version, supported: formatVersion)
    }
    guard root["model"] as? String == "unigram" else {
      throw TokenizerError.malformedFile("\"model\" must be \"unigram\"")
    }
    guard root["pretokenizer"] as? String == preTokenizerName else {
      throw TokenizerError.malformedFile("\"pretokenizer\" must be \"\(preTokenizerName)\"")
    }
    guard let specials = root["special_tokens"] as? [String],
      Array(specials.prefix(builtInSpecialTokens.count)) == builtInSpecialTokens
    else {
      throw TokenizerError.malformedFile("\"special_tokens\" must start with \(builtInSpecialTokens)")
    }
    guard int(root["byte_offset"]) == specials.count, int(root["piece_offset"]) == specials.count + 256 else {
      throw TokenizerError.malformedFile("\"byte_offset\" and \"piece_offset\" do not match \"special_tokens\"")
    }
    guard let rawPieces = root["pieces"] as? [Any] else { throw TokenizerError.malformedFile("\"pieces\" is missing") }
    var pieces: [[UInt8]] = []
    var scores: [Double] = []
    pieces.reserveCapacity(rawPieces.count)
    for (k, entry) in rawPieces.enumerated() {
      guard let pair = entry as? [Any], pair.count == 2, let text = pair[0] as? String, !text.isEmpty,
        let score = double(pair[1])
      else {
        throw TokenizerError.malformedFile("piece \(k) is not a [text, score] pair")
      }
      pieces.append(Array(text.utf8))
      scores.append(score)
    }
    let config = root["config"] as? [String: Any] ?? [:]
    let defaults = Configuration()
    let configuration = Configuration(
      vocabSize: int(config["vocab_size"]) ?? defaults.vocabSize,
      maxPieceLength: int(config["max_piece_length"]) ?? defaults.maxPieceLength,
      seedSize: int(config["seed_size"]) ?? defaults.seedSize,
      characterCoverage: double(config["character_coverage"]) ?? defaults.characterCoverage,
      shrinkingFactor: double(config["shrinking_factor"]) ?? defaults.shrinkingFactor,
      emIterations: int(config["em_iterations"]) ?? defaults.emIterations,
      extraSpecialTokens: Array(specials.dropFirst(builtInSpecialTokens.count)))
    let training = root["training"] as? [String: Any] ?? [:]
    let summary = TrainingSummary(
      texts: int(training["texts"]) ?? 0, bytes: int(training["bytes"]) ?? 0,
      preTokens: int(training["pretokens"]) ?? 0, distinctPreTokens: int(training["distinct_pretokens"]) ?? 0,
      requiredCharacters: int(training["required_characters"]) ?? 0)
    return Tokenizer(
      pieces: pieces, scores: scores, specialTokens: specials, configuration: configuration, trainingSummary: summary)
  }

  private static func int(_ value: Any?) -> Int? {
    if let n = value as? NSNumber { return n.intValue }
    return value as? Int
  }

  private static func double(_ value: Any?) -> Double? {
    if let n = value as? NSNumber { return n.doubleValue }
    return value as? Double
  }
}

// MARK: - JSON strings

/// `text` as a JSON string literal: quotes, backslashes and control characters escaped, everything else verbatim.
func jsonString(_ text: String) -> String {
  var out = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    default:
      if scalar.value < 0x20 || scalar.value == 0x7F {
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
  }
  return out + "\""
}
