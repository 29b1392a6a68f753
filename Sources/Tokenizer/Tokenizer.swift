import Foundation
@_exported import Randomness

// MARK: - Tokenizer

/// A subword tokenizer for JavaScript and TypeScript: JS-aware pre-tokenisation, a unigram language model over
/// subword pieces (SentencePiece's model, as ContraCode used), byte fallback, and subword regularisation.
///
/// Ids are laid out as: the special tokens (`<pad>` = 0, `<unk>`, `<s>`, `</s>`, `<mask>`, `<fn>`, then any
/// extra ones from the configuration), then 256 byte pieces `<0x00>`…`<0xFF>`, then the learned pieces in order
/// of decreasing score. Every input, even arbitrary bytes, encodes losslessly: a character with no piece of its
/// own becomes its UTF-8 bytes, so `decode(encode(x)) == x` always holds.
///
/// ```swift
/// let tokenizer = try Tokenizer.train(texts: trainSplit, configuration: .init(vocabSize: 8000))
/// try tokenizer.save(to: URL(fileURLWithPath: "tokenizer.json"))
/// let ids = tokenizer.encode("const x = 1;")                         // best segmentation
/// var rng = SplitMix64(seed: 7)
/// let noisy = tokenizer.encode("const x = 1;", sampling: 0.1, using: &rng)   // subword regularisation
/// ```
public struct Tokenizer: Sendable {
  /// Learned pieces (UTF-8 bytes), in id order starting at `pieceOffset`.
  let pieces: [[UInt8]]
  /// Log-probability of each learned piece.
  let scores: [Double]
  /// Texts of the special tokens, in id order starting at 0.
  public let specialTokens: [String]
  /// The configuration the vocabulary was trained with.
  public let configuration: Configuration
  /// Corpus statistics recorded at training time (written to `tokenizer.json` for provenance).
  public let trainingSummary: TrainingSummary
  let trie: PieceTrie
  let fallbackScore: Double
  let preTokenizer: PreTokenizer

  /// Builds a tokenizer from its parts; `train` and `load` are the ways in.
  init(
    pieces: [[UInt8]], scores: [Double], specialTokens: [String], configuration: Configuration,
    trainingSummary: TrainingSummary
  ) {
    self.pieces = pieces
    self.scores = scores
    self.specialTokens = specialTokens
    self.configuration = configuration
    self.trainingSummary = trainingSummary
    self.trie = PieceTrie(pieces: pieces)
    self.fallbackScore = (scores.min() ?? 0) - 10
    var pre = PreTokenizer()
    // Literal special-token text (`<fn>`, `<mask>`, …) in the input is recognised when asked, longest first.
    pre.specials = specialTokens.enumerated()
      .filter { $0.offset >= Tokenizer.firstRecognisedSpecial && !$0.element.isEmpty }
      .map { (Array($0.element.utf8), Int32($0.offset)) }
      .sorted { $0.0.count > $1.0.count }
    self.preTokenizer = pre
  }

  // MARK: Ids

  /// Number of ids: special tokens, 256 byte pieces and the learned pieces.
  public var vocabSize: Int { specialTokens.count + 256 + pieces.count }
  /// Padding, always 0.
  public var padID: Int32 { 0 }
  /// Unknown token (unused by `encode`, which falls back to bytes; kept for heads that need one).
  public var unkID: Int32 { 1 }
  /// Sequence start / classification token `<s>`.
  public var clsID: Int32 { 2 }
  /// Sequence end `</s>`.
  public var eosID: Int32 { 3 }
  /// `<mask>`, for masked-token objectives.
  public var maskID: Int32 { 4 }
  /// `<fn>`, the placeholder for a method's own name in the method-name task.
  public var fnID: Int32 { 5 }
  /// Id of the first byte piece `<0x00>`; byte `b` is `byteOffset + b`.
  public var byteOffset: Int32 { Int32(specialTokens.count) }
  /// Id of the first learned piece.
  var pieceOffset: Int32 { Int32(specialTokens.count + 256) }

  /// The fixed special tokens every tokenizer starts with, in id order.
  public static let builtInSpecialTokens = ["<pad>", "<unk>", "<s>", "</s>", "<mask>", "<fn>"]
  /// Specials from this index on (`<mask>`, `<fn>`, extras) are recognised in text when asked.
  static let firstRecognisedSpecial = 4

  /// The text of a piece as it appears in `tokenizer.json`: the piece itself, `<0xNN>` for a byte piece, or the
  /// special token's name. Nil for an id outside the vocabulary.
  public func piece(for id: Int32) -> String? {
    let k = Int(id)
    if k < 0 || k >= vocabSize { return nil }
    if k < specialTokens.count { return specialTokens[k] }
    if k < Int(pieceOffset) { return Tokenizer.bytePieceName(UInt8(k - specialTokens.count)) }
    return String(decoding: pieces[k - Int(pieceOffset)], as: UTF8.self)
  }

  /// The id of a special token or learned piece with exactly this text, if any.
  public func id(for piece: String) -> Int32? {
    if let k = specialTokens.firstIndex(of: piece) { return Int32(k) }
    let bytes = Array(piece.utf8)
    var found: Int32?
    bytes.withUnsafeBufferPointer { p in
      guard !bytes.isEmpty else { return }
      trie.forEachMatch(p, from: 0, to: p.count) { end, index in
        if end == p.count { found = pieceOffset + index }
      }
    }
    return found
  }

  static func bytePieceName(_ byte: UInt8) -> String {
    let hex = String(byte, radix: 16, uppercase: true)
    return "<0x" + (hex.count == 1 ? "0" + hex : hex) + ">"
  }

  // MARK: Encoding

  /// The best (Viterbi) segmentation of `text`, as ids.
  public func encode(_ text: String) -> [Int32] {
    encode(text, options: EncodeOptions()).ids
  }

  /// The best (Viterbi) segmentation of `text`, with byte offsets, special tokens and truncation as asked.
  public func encode(_ text: String, options: EncodeOptions) -> Encoding {
    var rng = SplitMix64(seed: 0)
    return encodeUTF8(text, options: options, theta: nil, rng: &rng)
  }

  /// A sampled segmentation of `text` (subword regularisation): each segmentation is drawn with probability
  /// proportional to its unigram probability raised to `alpha` (ContraCode and SentencePiece: `alpha = 0.1`
  /// over all segmentations; smaller is more random, large approaches `encode`). Every draw decodes back to
  /// `text`. All randomness comes from `rng`.
  public func encode<R: RandomNumberGenerator>(
    _ text: String, sampling alpha: Double, using rng: inout R, options: EncodeOptions = EncodeOptions()
  ) -> Encoding {
    encodeUTF8(text, options: options, theta: alpha, rng: &rng)
  }

  /// Encodes raw bytes (which need not be valid UTF-8): the same as `encode(_:options:)` on text.
  public func encode(bytes: [UInt8], options: EncodeOptions = EncodeOptions()) -> Encoding {
    var rng = SplitMix64(seed: 0)
    return bytes.withUnsafeBufferPointer { encodeBuffer($0, options: options, theta: nil, rng: &rng) }
  }

  private func encodeUTF8<R: RandomNumberGenerator>(
    _ text: String, options: EncodeOptions, theta: Double?, rng: inout R
  ) -> Encoding {
    var text = text
    if let result = text.utf8.withContiguousStorageIfAvailable({
      encodeBuffer($0, options: options, theta: theta, rng: &rng)
    }) {
      return result
    }
    text.makeContiguousUTF8()
    return text.utf8.withContiguousStorageIfAvailable {
      encodeBuffer($0, options: options, theta: theta, rng: &rng)
    } ?? Array(text.utf8).withUnsafeBufferPointer { encodeBuffer($0, options: options, theta: theta, rng: &rng) }
  }

  func encodeBuffer<R: RandomNumberGenerator>(
    _ bytes: UnsafeBufferPointer<UInt8>, options: EncodeOptions, theta: Double?, rng: inout R
  ) -> Encoding {
    var result = Encoding()
    let limit = options.maxLength ?? Int.max
    let reserved = (options.addCLS ? 1 : 0) + (options.addEOS ? 1 : 0)
    let budget = max(0, limit - reserved)
    if options.addCLS && limit > 0 { result.append(clsID, 0, 0) }

    var pre = preTokenizer
    if !options.recognizeSpecialTokens { pre.specials = [] }
    if let placeholder = options.fnPlaceholder, !placeholder.isEmpty {
      pre.specials.append((Array(placeholder.utf8), fnID))
      pre.specials.sort { $0.bytes.count > $1.bytes.count }
    }
    var starts: [Int32] = []
    var specialIDs: [Int32] = []
    pre.split(bytes, starts: &starts, specialIDs: &specialIDs)

    let pieceOffset = self.pieceOffset
    let byteOffset = self.byteOffset
    result.reserveCapacity(min(budget, bytes.count / 2 + 8))
    var produced = 0
    var full = false
    scores.withUnsafeBufferPointer { scores in
      let segmenter = Segmenter(trie: trie, scores: scores, fallbackScore: fallbackScore)
      // Appends one segment's ids; a fallback segment (-1) becomes its bytes.
      func emit(_ piece: Int32, _ start: Int, _ end: Int) {
        if full { return }
        if piece >= 0 {
          guard produced < budget else {
            full = true
            return
          }
          result.append(pieceOffset + piece, Int32(truncatingIfNeeded: start), Int32(truncatingIfNeeded: end))
          produced += 1
        } else {
          for p in start..<end {
            guard produced < budget else {
              full = true
              return
            }
            result.append(byteOffset + Int32(bytes[p]), Int32(truncatingIfNeeded: p), Int32(truncatingIfNeeded: p + 1))
            produced += 1
          }
        }
      }
      var k = 0
      while k < starts.count && !full {
        let s = Int(starts[k])
        let e = k + 1 < starts.count ? Int(starts[k + 1]) : bytes.count
        if specialIDs[k] >= 0 {
          guard produced < budget else { break }
          result.append(specialIDs[k], Int32(s), Int32(e))
          produced += 1
        } else if let theta {
          segmenter.sample(bytes, s, e, theta: theta, rng: &rng, emit)
        } else {
          segmenter.viterbi(bytes, s, e, emit)
        }
        k += 1
      }
    }
    if options.addEOS && limit > (options.addCLS ? 1 : 0) {
      let end = Int32(result.ends.last ?? 0)
      result.append(eosID, end, end)
    }
    return result
  }

  // MARK: Decoding

  /// The text of `ids`: learned pieces and byte pieces concatenated. `<pad>`, `<s>` and `</s>` are skipped;
  /// `<unk>`, `<mask>`, `<fn>` and extra specials are written as their text. Ids outside the vocabulary are
  /// skipped. Bytes that do not form UTF-8 (only possible for id sequences `encode` did not produce, or after
  /// truncation inside a character) become U+FFFD.
  public func decode(_ ids: [Int32]) -> String {
    String(decoding: decodeBytes(ids), as: UTF8.self)
  }

  /// The bytes of `ids`, as `decode` would join them.
  public func decodeBytes(_ ids: [Int32]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(ids.count * 4)
    let pieceOffset = Int(self.pieceOffset)
    let byteOffset = Int(self.byteOffset)
    for id in ids {
      let k = Int(id)
      if k >= pieceOffset {
        if k - pieceOffset < pieces.count { out.append(contentsOf: pieces[k - pieceOffset]) }
      } else if k >= byteOffset {
        out.append(UInt8(k - byteOffset))
      } else if k >= 0 && k != Int(padID) && k != Int(clsID) && k != Int(eosID) {
        out.append(contentsOf: specialTokens[k].utf8)
      }
    }
    return out
  }

  // MARK: Training

  /// Trains a unigram vocabulary on `texts` (the train split only). Deterministic: the same texts in the same
  /// order and the same configuration give a byte-identical `tokenizer.json`.
  ///
  /// - Throws: `TokenizerError.invalidConfiguration` for a vocabulary too small to hold the special tokens,
  ///   the byte pieces and the corpus's required characters; `TokenizerError.emptyCorpus` when there is no text.
  public static func train(texts: some Sequence<String>, configuration: Configuration = Configuration()) throws
    -> Tokenizer
  {
    var trainer = try UnigramTrainer(configuration: configuration)
    for text in texts { trainer.add(text) }
    return try trainer.train()
  }
}

// MARK: - Options and results

extension Tokenizer {
  /// Knobs of vocabulary training; all are written to `tokenizer.json`.
  public struct Configuration: Sendable, Equatable {
    /// Total ids, specials and the 256 byte pieces included (ContraCode: 8,000).
    public var vocabSize: Int
    /// Longest learned piece, in characters (SentencePiece's default: 16).
    public var maxPieceLength: Int
    /// Candidate pieces kept from the corpus's frequent substrings before EM and pruning start.
    public var seedSize: Int
    /// Share of character occurrences the vocabulary must cover with single-character pieces; rarer characters
    /// are left to byte fallback (SentencePiece's default: 0.9995).
    public var characterCoverage: Double
    /// Share of pieces each pruning round keeps (SentencePiece: 0.75).
    public var shrinkingFactor: Double
    /// EM iterations between pruning rounds (SentencePiece: 2).
    public var emIterations: Int
    /// Special tokens after the built-in six (`<pad>`, `<unk>`, `<s>`, `</s>`, `<mask>`, `<fn>`).
    public var extraSpecialTokens: [String]

    public init(
      vocabSize: Int = 8000, maxPieceLength: Int = 16, seedSize: Int = 200_000, characterCoverage: Double = 0.9995,
      shrinkingFactor: Double = 0.75, emIterations: Int = 2, extraSpecialTokens: [String] = []
    ) {
      self.vocabSize = vocabSize
      self.maxPieceLength = maxPieceLength
      self.seedSize = seedSize
      self.characterCoverage = characterCoverage
      self.shrinkingFactor = shrinkingFactor
      self.emIterations = emIterations
      self.extraSpecialTokens = extraSpecialTokens
    }
  }

  /// What training saw, for provenance.
  public struct TrainingSummary: Sendable, Equatable {
    /// Number of texts.
    public var texts: Int
    /// Total UTF-8 bytes.
    public var bytes: Int
    /// Number of pre-tokens and of distinct pre-tokens.
    public var preTokens: Int
    public var distinctPreTokens: Int
    /// Characters given single-character pieces.
    public var requiredCharacters: Int

    public init(
      texts: Int = 0, bytes: Int = 0, preTokens: Int = 0, distinctPreTokens: Int = 0, requiredCharacters: Int = 0
    ) {
      self.texts = texts
      self.bytes = bytes
      self.preTokens = preTokens
      self.distinctPreTokens = distinctPreTokens
      self.requiredCharacters = requiredCharacters
    }
  }
}

/// How `encode` frames and truncates its output.
public struct EncodeOptions: Sendable, Equatable {
  /// At most this many ids in all (including `<s>` and `</s>` when added); the text is cut after the last
  /// token that fits. Nil: no limit.
  public var maxLength: Int?
  /// Start with `<s>` (offsets 0..<0).
  public var addCLS: Bool
  /// End with `</s>` (an empty range at the end of the last token).
  public var addEOS: Bool
  /// Map literal `<mask>`, `<fn>` and extra special-token text in the input to their ids (in code, not inside
  /// strings or comments; an identifier-like special such as `__FN__` only as a whole identifier).
  public var recognizeSpecialTokens: Bool
  /// Text in the code that stands for `<fn>`, e.g. the method-name dataset's `METHOD_NAME` placeholder: each
  /// occurrence (as a whole identifier, also after `#`) becomes `fnID`, whatever `recognizeSpecialTokens` says.
  public var fnPlaceholder: String?

  public init(
    maxLength: Int? = nil, addCLS: Bool = false, addEOS: Bool = false, recognizeSpecialTokens: Bool = false,
    fnPlaceholder: String? = nil
  ) {
    self.maxLength = maxLength
    self.addCLS = addCLS
    self.addEOS = addEOS
    self.recognizeSpecialTokens = recognizeSpecialTokens
    self.fnPlaceholder = fnPlaceholder
  }
}

/// The ids of an encoded text and, for each, the byte range of the input it covers (UTF-8 offsets, end
/// exclusive). A byte-fallback id covers one byte; `<s>` and `</s>` cover empty ranges.
public struct Encoding: Sendable, Equatable {
  public private(set) var ids: [Int32] = []
  public private(set) var starts: [Int32] = []
  public private(set) var ends: [Int32] = []

  public init() {}

  public var count: Int { ids.count }

  mutating func reserveCapacity(_ n: Int) {
    ids.reserveCapacity(n)
    starts.reserveCapacity(n)
    ends.reserveCapacity(n)
  }

  @inline(__always)
  mutating func append(_ id: Int32, _ start: Int32, _ end: Int32) {
    ids.append(id)
    starts.append(start)
    ends.append(end)
  }

  /// The index of the token whose byte range contains `offset`, or nil (outside the encoded text, or cut off
  /// by truncation). Binary search over the token ends.
  public func tokenIndex(containingByteOffset offset: Int) -> Int? {
    var lo = 0
    var hi = ids.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if Int(ends[mid]) <= offset { lo = mid + 1 } else { hi = mid }
    }
    guard lo < ids.count, Int(starts[lo]) <= offset, offset < Int(ends[lo]) else { return nil }
    return lo
  }
}
