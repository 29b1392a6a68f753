import Foundation

// MARK: - Segmenter

/// The unigram lattice over one pre-token: best (Viterbi) segmentation, sampled segmentation, and the
/// expected piece counts that training needs. Shared by `Tokenizer` and the trainer.
///
/// Positions are byte offsets into the pre-token; edges go from a character boundary to a later one, either
/// through a vocabulary piece or, for a character with no single-character piece, through a *fallback* edge
/// (the character's bytes, reported as piece -1) with a fixed low score.
///
/// One segmenter serves one thread: it owns scratch buffers that grow to the longest pre-token seen.
final class Segmenter {
  let trie: PieceTrie
  /// Log-probability of each piece (trie index); must outlive the segmenter.
  let scores: UnsafeBufferPointer<Double>
  /// Score of a fallback edge over one unknown character.
  let fallbackScore: Double

  private var capacity = 0
  private var best: UnsafeMutablePointer<Double>
  private var beta: UnsafeMutablePointer<Double>
  private var back: UnsafeMutablePointer<Int32>
  private var backPiece: UnsafeMutablePointer<Int32>
  private var link: UnsafeMutablePointer<Int32>

  init(trie: PieceTrie, scores: UnsafeBufferPointer<Double>, fallbackScore: Double) {
    self.trie = trie
    self.scores = scores
    self.fallbackScore = fallbackScore
    best = .allocate(capacity: 0)
    beta = .allocate(capacity: 0)
    back = .allocate(capacity: 0)
    backPiece = .allocate(capacity: 0)
    link = .allocate(capacity: 0)
    reserve(256)
  }

  deinit {
    best.deallocate()
    beta.deallocate()
    back.deallocate()
    backPiece.deallocate()
    link.deallocate()
  }

  @inline(__always)
  private func reserve(_ m: Int) {
    guard capacity < m + 1 else { return }
    let size = max(m + 1, capacity * 2)
    best.deallocate()
    beta.deallocate()
    back.deallocate()
    backPiece.deallocate()
    link.deallocate()
    link = .allocate(capacity: size)
    best = .allocate(capacity: size)
    beta = .allocate(capacity: size)
    back = .allocate(capacity: size)
    backPiece = .allocate(capacity: size)
    capacity = size
  }

  // MARK: Viterbi

  /// Best segmentation of `bytes[s..<e]`: calls `emit(piece or -1, start, end)` for each segment in order. A
  /// piece index equal to `excluded` is never used (for the trainer's "best alternative" query).
  @inline(__always)
  func viterbi(
    _ bytes: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, excluded: Int32 = -1,
    _ emit: (Int32, Int, Int) -> Void
  ) {
    let m = e - s
    guard m > 0 else { return }
    reserve(m)
    let scores = self.scores
    let best = self.best
    let back = self.back
    let backPiece = self.backPiece
    best[0] = 0
    for k in 1...m { best[k] = -.infinity }
    for i in 0..<m where best[i] > -.infinity {
      let base = best[i]
      let charEnd = i + UTF8Chars.length(bytes, at: s + i, end: e)
      var hasChar = false
      trie.forEachMatch(bytes, from: s + i, to: e) { j, piece in
        let jj = j - s
        if jj == charEnd { hasChar = true }
        if piece == excluded { return }
        let v = base + scores[Int(piece)]
        if v > best[jj] {
          best[jj] = v
          back[jj] = Int32(truncatingIfNeeded: i)
          backPiece[jj] = piece
        }
      }
      if !hasChar || (excluded >= 0 && best[charEnd] == -.infinity) {
        let v = base + fallbackScore
        if v > best[charEnd] {
          best[charEnd] = v
          back[charEnd] = Int32(truncatingIfNeeded: i)
          backPiece[charEnd] = -1
        }
      }
    }
    // Walk back, reversing the links so the segments come out in order.
    let next = self.link
    var j = m
    while j > 0 {
      let i = Int(back[j])
      next[i] = Int32(truncatingIfNeeded: j)
      j = i
    }
    var i = 0
    while i < m {
      let j = Int(next[i])
      emit(backPiece[j], s + i, s + j)
      i = j
    }
  }

  // MARK: Sampling

  /// A segmentation of `bytes[s..<e]` drawn with probability proportional to the product of piece
  /// probabilities raised to `theta` (SentencePiece's unigram sampling with `alpha = theta` over all
  /// segmentations): backward filtering, then forward sampling. Calls `emit` for each segment in order.
  @inline(__always)
  func sample<R: RandomNumberGenerator>(
    _ bytes: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, theta: Double, rng: inout R,
    _ emit: (Int32, Int, Int) -> Void
  ) {
    let m = e - s
    guard m > 0 else { return }
    reserve(m)
    let scores = self.scores
    let fallback = fallbackScore * theta
    let beta = self.beta
    let isBoundary = self.back
    // Character boundaries, left to right.
    for k in 0...m { isBoundary[k] = 0 }
    var p = 0
    while p < m {
      isBoundary[p] = 1
      p += UTF8Chars.length(bytes, at: s + p, end: e)
    }
    isBoundary[m] = 1
    // beta[i] = log of the total weight of all segmentations of [i, m).
    beta[m] = 0
    var i = m - 1
    while i >= 0 {
      defer { i -= 1 }
      beta[i] = -.infinity
      guard isBoundary[i] != 0 else { continue }
      let charEnd = i + UTF8Chars.length(bytes, at: s + i, end: e)
      var hasChar = false
      var acc = -Double.infinity
      trie.forEachMatch(bytes, from: s + i, to: e) { j, piece in
        let jj = j - s
        if jj == charEnd { hasChar = true }
        acc = logAddExp(acc, theta * scores[Int(piece)] + beta[jj])
      }
      if !hasChar { acc = logAddExp(acc, fallback + beta[charEnd]) }
      beta[i] = acc
    }
    // Forward sampling: from i pick the edge (i, j) with probability exp(w + beta[j] - beta[i]).
    i = 0
    while i < m {
      let charEnd = i + UTF8Chars.length(bytes, at: s + i, end: e)
      let u = Double(rng.next() >> 11) * 0x1.0p-53
      var cumulative = 0.0
      var chosenEnd = -1
      var chosenPiece: Int32 = -1
      var lastEnd = -1
      var lastPiece: Int32 = -1
      var hasChar = false
      let total = beta[i]
      trie.forEachMatch(bytes, from: s + i, to: e) { j, piece in
        let jj = j - s
        if jj == charEnd { hasChar = true }
        guard chosenEnd < 0 else { return }
        cumulative += exp(theta * scores[Int(piece)] + beta[jj] - total)
        lastEnd = jj
        lastPiece = piece
        if u < cumulative {
          chosenEnd = jj
          chosenPiece = piece
        }
      }
      if chosenEnd < 0 && !hasChar {
        // The fallback edge is the last alternative.
        chosenEnd = charEnd
        chosenPiece = -1
      }
      if chosenEnd < 0 {
        // Rounding left u just above the cumulative sum: take the last edge seen.
        chosenEnd = lastEnd >= 0 ? lastEnd : charEnd
        chosenPiece = lastEnd >= 0 ? lastPiece : -1
      }
      emit(chosenPiece, s + i, s + chosenEnd)
      i = chosenEnd
    }
  }

  // MARK: Expected counts (training)

  /// Adds `weight` times the posterior count of each piece in the lattice of `bytes[s..<e]` to `expected`,
  /// and returns the log marginal likelihood of the pre-token.
  func accumulateExpectedCounts(
    _ bytes: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, weight: Double,
    edges: inout [(i: Int32, j: Int32, piece: Int32)], expected: UnsafeMutableBufferPointer<Double>
  ) -> Double {
    let m = e - s
    guard m > 0 else { return 0 }
    reserve(m)
    let scores = self.scores
    let fallback = fallbackScore
    let alpha = self.best
    let beta = self.beta
    edges.removeAll(keepingCapacity: true)
    alpha[0] = 0
    for k in 1...m { alpha[k] = -.infinity }
    for i in 0..<m where alpha[i] > -.infinity {
      let base = alpha[i]
      let charEnd = i + UTF8Chars.length(bytes, at: s + i, end: e)
      var hasChar = false
      trie.forEachMatch(bytes, from: s + i, to: e) { j, piece in
        let jj = j - s
        if jj == charEnd { hasChar = true }
        edges.append((Int32(i), Int32(jj), piece))
        alpha[jj] = logAddExp(alpha[jj], base + scores[Int(piece)])
      }
      if !hasChar {
        edges.append((Int32(i), Int32(charEnd), -1))
        alpha[charEnd] = logAddExp(alpha[charEnd], base + fallback)
      }
    }
    let z = alpha[m]
    for k in 0..<m { beta[k] = -.infinity }
    beta[m] = 0
    for edge in edges.reversed() {
      let w = edge.piece >= 0 ? scores[Int(edge.piece)] : fallback
      beta[Int(edge.i)] = logAddExp(beta[Int(edge.i)], w + beta[Int(edge.j)])
    }
    for edge in edges where edge.piece >= 0 {
      let posterior = exp(alpha[Int(edge.i)] + scores[Int(edge.piece)] + beta[Int(edge.j)] - z)
      expected[Int(edge.piece)] += weight * posterior
    }
    return z
  }
}

// MARK: - Log arithmetic

@inline(__always)
func logAddExp(_ a: Double, _ b: Double) -> Double {
  if a == -.infinity { return b }
  if b == -.infinity { return a }
  return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b))
}
