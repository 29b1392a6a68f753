import Foundation

// MARK: - Unigram trainer

/// Trains a unigram language model over subword pieces the way SentencePiece does (Kudo 2018):
///
/// 1. Count the distinct pre-tokens of the corpus.
/// 2. Seed: every substring of up to `maxPieceLength` characters that occurs at least twice, ranked by
///    frequency × length, plus the required single characters (those covering `characterCoverage`).
/// 3. Repeat: a few EM iterations (E: posterior piece counts by forward–backward over each pre-token's lattice;
///    M: log-probabilities from digamma-smoothed counts, dropping pieces expected less than half a time), then
///    prune to `shrinkingFactor` of the pieces, dropping those whose removal costs the corpus likelihood least
///    (the cost of re-segmenting a piece's Viterbi uses with its best alternative segmentation).
/// 4. Stop once within 10 % of the target; keep the best-scoring pieces and every required character.
///
/// Everything runs over the distinct pre-tokens sorted by bytes, with ties always broken by bytes, so the same
/// input gives the same vocabulary and scores bit for bit.
struct UnigramTrainer {
  let configuration: Tokenizer.Configuration
  let specialTokens: [String]
  private var counts: [[UInt8]: Int] = [:]
  private var summary = Tokenizer.TrainingSummary()
  private let preTokenizer = PreTokenizer()
  private var starts: [Int32] = []
  private var specialIDs: [Int32] = []

  init(configuration: Tokenizer.Configuration) throws {
    let specials = Tokenizer.builtInSpecialTokens + configuration.extraSpecialTokens
    guard Set(specials).count == specials.count, !specials.contains("") else {
      throw TokenizerError.invalidConfiguration(
        "extra special tokens must be non-empty and differ from each other and from \(Tokenizer.builtInSpecialTokens)")
    }
    guard configuration.vocabSize > specials.count + 256 else {
      throw TokenizerError.invalidConfiguration(
        "vocabSize \(configuration.vocabSize) leaves no room for learned pieces after \(specials.count) special "
          + "tokens and 256 byte pieces; use at least \(specials.count + 256 + 100)")
    }
    guard configuration.maxPieceLength >= 1, configuration.emIterations >= 1, configuration.seedSize >= 1,
      configuration.characterCoverage > 0, configuration.characterCoverage <= 1,
      configuration.shrinkingFactor > 0, configuration.shrinkingFactor < 1
    else {
      throw TokenizerError.invalidConfiguration(
        "need maxPieceLength ≥ 1, emIterations ≥ 1, seedSize ≥ 1, 0 < characterCoverage ≤ 1 and "
          + "0 < shrinkingFactor < 1")
    }
    self.configuration = configuration
    self.specialTokens = specials
  }

  // MARK: Counting

  /// Adds one text's pre-tokens to the counts.
  mutating func add(_ text: String) {
    var text = text
    text.makeContiguousUTF8()
    text.utf8.withContiguousStorageIfAvailable { add(bytes: $0) }
  }

  mutating func add(bytes: UnsafeBufferPointer<UInt8>) {
    summary.texts += 1
    summary.bytes += bytes.count
    preTokenizer.split(bytes, starts: &starts, specialIDs: &specialIDs)
    summary.preTokens += starts.count
    for k in 0..<starts.count {
      let s = Int(starts[k])
      let e = k + 1 < starts.count ? Int(starts[k + 1]) : bytes.count
      counts[Array(bytes[s..<e]), default: 0] += 1
    }
  }

  // MARK: Training

  /// Runs seeding, EM and pruning; returns the finished tokenizer.
  mutating func train() throws -> Tokenizer {
    guard summary.bytes > 0 else { throw TokenizerError.emptyCorpus }
    let words = WordTable(counts: counts)
    counts = [:]
    summary.distinctPreTokens = words.count
    let normalTarget = configuration.vocabSize - specialTokens.count - 256

    // Required characters.
    let required = words.requiredCharacters(coverage: configuration.characterCoverage, limit: normalTarget)
    summary.requiredCharacters = required.count
    var model = seed(words: words, required: required)

    // EM and pruning.
    let desired = Int(Double(normalTarget) * 1.1)
    while true {
      for _ in 0..<configuration.emIterations {
        model = em(model, words: words)
      }
      if model.pieces.count <= desired { break }
      model = prune(
        model, words: words, target: max(desired, Int(configuration.shrinkingFactor * Double(model.pieces.count))))
    }
    model = finalize(model, target: normalTarget)
    return Tokenizer(
      pieces: model.pieces, scores: model.scores, specialTokens: specialTokens, configuration: configuration,
      trainingSummary: summary)
  }

  /// The current pieces, their log-probabilities and whether each is a required character.
  struct Model {
    var pieces: [[UInt8]]
    var scores: [Double]
    var required: [Bool]

    func keeping(_ indices: [Int]) -> Model {
      Model(
        pieces: indices.map { pieces[$0] }, scores: indices.map { scores[$0] },
        required: indices.map { required[$0] })
    }
  }

  // MARK: Seeding

  func seed(words: WordTable, required: [[UInt8]]) -> Model {
    let requiredKeys = Set(required.map(charKey))
    var index: [UInt64: Int32] = [:]
    var freq: [Double] = []
    var repr: [(word: Int32, start: Int32, end: Int32, chars: Int32)] = []
    var charStarts: [Int] = []
    var charOK: [Bool] = []
    let maxChars = configuration.maxPieceLength
    words.bytes.withUnsafeBufferPointer { b in
      for w in 0..<words.count {
        let ws = words.starts[w]
        let we = words.starts[w + 1]
        let c = words.counts[w]
        charStarts.removeAll(keepingCapacity: true)
        charOK.removeAll(keepingCapacity: true)
        var p = ws
        while p < we {
          let l = UTF8Chars.length(b, at: p, end: we)
          charStarts.append(p)
          charOK.append(requiredKeys.contains(charKey(b, p, l)))
          p += l
        }
        charStarts.append(we)
        let nChars = charOK.count
        for a in 0..<nChars where charOK[a] {
          var h: UInt64 = 0xCBF2_9CE4_8422_2325
          for x in charStarts[a]..<charStarts[a + 1] { h = (h ^ UInt64(b[x])) &* 0x100_0000_01B3 }
          var z = a + 1
          while z < nChars && z - a < maxChars && charOK[z] {
            for x in charStarts[z]..<charStarts[z + 1] { h = (h ^ UInt64(b[x])) &* 0x100_0000_01B3 }
            z += 1
            if let k = index[h] {
              freq[Int(k)] += c
            } else {
              index[h] = Int32(freq.count)
              freq.append(c)
              repr.append((Int32(w), Int32(charStarts[a]), Int32(charStarts[z]), Int32(z - a)))
            }
          }
        }
      }
    }
    index = [:]
    // Rank multi-character candidates seen at least twice by frequency × length.
    var candidates: [(score: Double, bytes: [UInt8])] = []
    for k in 0..<freq.count where freq[k] >= 2 {
      let r = repr[k]
      candidates.append((freq[k] * Double(r.chars), Array(words.bytes[Int(r.start)..<Int(r.end)])))
    }
    candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.bytes.lexicographicallyPrecedes($1.bytes) }
    let keep = max(0, configuration.seedSize - required.count)
    if candidates.count > keep { candidates.removeLast(candidates.count - keep) }

    let charFreq = words.characterCounts()
    var pieces: [[UInt8]] = []
    var scores: [Double] = []
    var isRequired: [Bool] = []
    for ch in required {
      pieces.append(ch)
      scores.append(max(charFreq[charKey(ch)] ?? 1, 1))
      isRequired.append(true)
    }
    for cand in candidates {
      pieces.append(cand.bytes)
      scores.append(cand.score)
      isRequired.append(false)
    }
    let logSum = log(scores.reduce(0, +))
    return Model(pieces: pieces, scores: scores.map { log($0) - logSum }, required: isRequired)
  }

  // MARK: EM

  /// One EM iteration: expected counts under the current model, then digamma-smoothed log-probabilities.
  /// Pieces expected less than half a time are dropped (required characters never are).
  func em(_ model: Model, words: WordTable) -> Model {
    let trie = PieceTrie(pieces: model.pieces)
    var expected = [Double](repeating: 0, count: model.pieces.count)
    var edges: [(i: Int32, j: Int32, piece: Int32)] = []
    edges.reserveCapacity(1024)
    let fallback = (model.scores.min() ?? 0) - 10
    model.scores.withUnsafeBufferPointer { scores in
      words.bytes.withUnsafeBufferPointer { b in
        expected.withUnsafeMutableBufferPointer { expected in
          let segmenter = Segmenter(trie: trie, scores: scores, fallbackScore: fallback)
          for w in 0..<words.count {
            _ = segmenter.accumulateExpectedCounts(
              b, words.starts[w], words.starts[w + 1], weight: words.counts[w], edges: &edges, expected: expected)
          }
        }
      }
    }
    var kept: [Int] = []
    for k in 0..<model.pieces.count where model.required[k] || expected[k] >= 0.5 { kept.append(k) }
    var next = model.keeping(kept)
    let freqs = kept.map { model.required[$0] ? max(expected[$0], 1) : expected[$0] }
    let logSum = digamma(freqs.reduce(0, +))
    next.scores = freqs.map { digamma($0) - logSum }
    return next
  }

  // MARK: Pruning

  /// Keeps the required characters and the `target` − required pieces whose removal would cost the corpus
  /// likelihood most.
  func prune(_ model: Model, words: WordTable, target: Int) -> Model {
    let n = model.pieces.count
    let trie = PieceTrie(pieces: model.pieces)
    let fallback = (model.scores.min() ?? 0) - 10
    var alternatives = [[Int32]](repeating: [], count: n)
    var freq = [Double](repeating: 0, count: n)
    var share = [Double](repeating: 0, count: n)
    var lastWord = [Int](repeating: -1, count: n)
    var segments: [Int32] = []
    model.scores.withUnsafeBufferPointer { scores in
      let segmenter = Segmenter(trie: trie, scores: scores, fallbackScore: fallback)
      // The best segmentation of each piece without the piece itself.
      for k in 0..<n where !model.required[k] {
        model.pieces[k].withUnsafeBufferPointer { p in
          segments.removeAll(keepingCapacity: true)
          segmenter.viterbi(p, 0, p.count, excluded: Int32(k)) { piece, _, _ in segments.append(piece) }
          alternatives[k] = segments
        }
      }
      // How often the Viterbi segmentation of the corpus uses each piece, and in how many pre-tokens.
      words.bytes.withUnsafeBufferPointer { b in
        for w in 0..<words.count {
          let c = words.counts[w]
          segmenter.viterbi(b, words.starts[w], words.starts[w + 1]) { piece, _, _ in
            guard piece >= 0 else { return }
            let p = Int(piece)
            freq[p] += c
            if lastWord[p] != w {
              lastWord[p] = w
              share[p] += c
            }
          }
        }
      }
    }
    let sum = freq.reduce(0, +)
    let logSum = log(sum)
    let totalWeight = words.counts.reduce(0, +)
    var candidates: [(k: Int, loss: Double)] = []
    var kept: [Int] = []
    for k in 0..<n {
      if model.required[k] {
        kept.append(k)
        continue
      }
      guard freq[k] > 0 else { continue }  // never on a best path: drop
      let alts = alternatives[k]
      if alts.isEmpty || alts.contains(where: { $0 < 0 }) {
        candidates.append((k, .infinity))
        continue
      }
      let f = share[k] / totalWeight
      let logProbPiece = log(freq[k]) - logSum
      let logSumAlt = log(sum + freq[k] * Double(alts.count - 1))
      var logProbAlt = 0.0
      for a in alts { logProbAlt += log(freq[Int(a)] + freq[k]) - logSumAlt }
      candidates.append((k, f * (logProbPiece - logProbAlt)))
    }
    candidates.sort {
      $0.loss != $1.loss ? $0.loss > $1.loss : model.pieces[$0.k].lexicographicallyPrecedes(model.pieces[$1.k])
    }
    let room = max(0, target - kept.count)
    kept.append(contentsOf: candidates.prefix(room).map(\.k))
    kept.sort()
    return model.keeping(kept)
  }

  // MARK: Finalising

  /// The required characters plus the best-scoring other pieces up to `target`, ordered by score.
  func finalize(_ model: Model, target: Int) -> Model {
    let order = (0..<model.pieces.count).sorted {
      model.scores[$0] != model.scores[$1]
        ? model.scores[$0] > model.scores[$1] : model.pieces[$0].lexicographicallyPrecedes(model.pieces[$1])
    }
    let requiredCount = model.required.filter { $0 }.count
    var room = max(0, target - requiredCount)
    var kept: [Int] = []
    for k in order {
      if model.required[k] {
        kept.append(k)
      } else if room > 0 {
        kept.append(k)
        room -= 1
      }
    }
    return model.keeping(kept)
  }
}

// MARK: - Word table

/// The distinct pre-tokens of the corpus, sorted by bytes, in one flat buffer, with their counts.
struct WordTable {
  var bytes: [UInt8] = []
  /// `starts[w]..<starts[w + 1]` are the bytes of word `w`.
  var starts: [Int] = [0]
  var counts: [Double] = []
  var count: Int { counts.count }

  init(counts table: [[UInt8]: Int]) {
    let sorted = table.sorted { $0.key.lexicographicallyPrecedes($1.key) }
    bytes.reserveCapacity(sorted.reduce(0) { $0 + $1.key.count })
    for (word, c) in sorted {
      bytes.append(contentsOf: word)
      starts.append(bytes.count)
      counts.append(Double(c))
    }
  }

  /// Occurrences of each character, weighted by word counts, keyed by `charKey`.
  func characterCounts() -> [UInt32: Double] {
    var result: [UInt32: Double] = [:]
    bytes.withUnsafeBufferPointer { b in
      for w in 0..<count {
        var p = starts[w]
        let e = starts[w + 1]
        while p < e {
          let l = UTF8Chars.length(b, at: p, end: e)
          result[charKey(b, p, l), default: 0] += counts[w]
          p += l
        }
      }
    }
    return result
  }

  /// The characters that get single-character pieces: every ASCII character seen, then the most frequent others
  /// until `coverage` of all occurrences is reached, at most `limit` in all. Ordered by frequency, then bytes.
  func requiredCharacters(coverage: Double, limit: Int) -> [[UInt8]] {
    let counts = characterCounts()
    let total = counts.values.reduce(0, +)
    let ranked = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
    var chosen: [UInt32] = []
    var covered = 0.0
    for (key, c) in ranked {
      let ascii = key < 0x80
      if ascii || covered < coverage * total {
        chosen.append(key)
        covered += c
      }
    }
    // A valid UTF-8 lead byte decides its length; a lone invalid byte is a character of its own.
    return chosen.prefix(limit).map { key in
      var out: [UInt8] = []
      var k = key
      repeat {
        out.append(UInt8(k & 0xFF))
        k >>= 8
      } while k != 0
      return out
    }
  }
}

/// A character's bytes packed little-endian into 32 bits (continuation bytes are non-zero, so keys of different
/// lengths never collide).
@inline(__always)
func charKey(_ b: UnsafeBufferPointer<UInt8>, _ p: Int, _ l: Int) -> UInt32 {
  var key: UInt32 = 0
  for x in 0..<l { key |= UInt32(b[p + x]) << (8 * x) }
  return key
}

func charKey(_ bytes: [UInt8]) -> UInt32 {
  bytes.withUnsafeBufferPointer { charKey($0, 0, $0.count) }
}

// MARK: - Digamma

/// The digamma function ψ(x) for x > 0 (recurrence up to 6, then the asymptotic series).
func digamma(_ x: Double) -> Double {
  var x = x
  var result = 0.0
  while x < 6 {
    result -= 1 / x
    x += 1
  }
  let f = 1 / (x * x)
  let tail = f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (-1.0 / 132)))))
  return result + log(x) - 0.5 / x + tail
}
