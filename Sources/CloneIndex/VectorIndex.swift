import COpenBLAS

/// One search hit: a vector's position in the index and its inner product with the query.
public struct Neighbor: Sendable, Equatable {
  public var id: Int
  public var score: Float
  public init(id: Int, score: Float) {
    self.id = id
    self.score = score
  }
}

/// Two indexed vectors whose inner product is at least a threshold (`a < b`).
public struct SimilarPair: Sendable, Equatable {
  public var a: Int
  public var b: Int
  public var score: Float
  public init(a: Int, b: Int, score: Float) {
    self.a = a
    self.b = b
    self.score = score
  }
}

/// A searchable set of L2-normalised vectors (so inner product = cosine similarity). The exact
/// `FlatVectorIndex` is the only conformer today; an approximate one (HNSW) can be added for very
/// large repositories without changing callers.
public protocol VectorIndex: Sendable {
  var dimension: Int { get }
  var count: Int { get }
  /// The `k` best matches of each query (`queries` is row-major, `queryCount × dimension`), best first.
  func search(_ queries: [Float], queryCount: Int, k: Int) -> [[Neighbor]]
  /// Every pair of indexed vectors with similarity ≥ `threshold`, sorted by (a, b).
  func pairs(atLeast threshold: Float) -> [SimilarPair]
}

/// Exact search by blocked `cblas_sgemm` over a contiguous `count × dimension` Float buffer.
public struct FlatVectorIndex: VectorIndex {
  public let dimension: Int
  public let count: Int
  /// Row-major vectors.
  public let vectors: [Float]
  /// Rows of the index multiplied per GEMM call (bounds the score buffer).
  public var blockRows: Int = 4096

  /// Wraps row-major `vectors`; they should already be L2-normalised.
  public init(vectors: [Float], dimension: Int) {
    precondition(dimension > 0 && vectors.count % dimension == 0, "vectors must be a whole number of rows")
    self.dimension = dimension
    self.count = vectors.count / dimension
    self.vectors = vectors
  }

  // MARK: - Top-k

  public func search(_ queries: [Float], queryCount: Int, k: Int) -> [[Neighbor]] {
    let k = min(k, count)
    guard queryCount > 0, k > 0 else { return Array(repeating: [], count: queryCount) }
    var heaps = [TopK](repeating: TopK(k: k), count: queryCount)
    let block = max(1, min(blockRows, count))
    var scores = [Float](repeating: 0, count: queryCount * block)
    var start = 0
    while start < count {
      let rows = min(block, count - start)
      // scores (queryCount × rows) = queries (queryCount × d) · vectors[start..<start+rows]ᵀ (d × rows)
      queries.withUnsafeBufferPointer { q in
        vectors.withUnsafeBufferPointer { x in
          scores.withUnsafeMutableBufferPointer { s in
            if queryCount == 1 {
              // One query: a matrix-vector product (sgemm with M = 1 is slower in OpenBLAS).
              cblas_sgemv(
                CblasRowMajor, CblasNoTrans, Int32(rows), Int32(dimension), 1, x.baseAddress! + start * dimension,
                Int32(dimension), q.baseAddress, 1, 0, s.baseAddress, 1)
              return
            }
            cblas_sgemm(
              CblasRowMajor, CblasNoTrans, CblasTrans, Int32(queryCount), Int32(rows), Int32(dimension), 1,
              q.baseAddress, Int32(dimension), x.baseAddress! + start * dimension, Int32(dimension), 0,
              s.baseAddress, Int32(rows))
          }
        }
      }
      scores.withUnsafeBufferPointer { s in
        for qi in 0..<queryCount {
          let row = s.baseAddress! + qi * rows
          heaps[qi].offer(row, count: rows, base: start)
        }
      }
      start += rows
    }
    return heaps.map { $0.sorted() }
  }

  // MARK: - All pairs

  public func pairs(atLeast threshold: Float) -> [SimilarPair] {
    guard count > 1 else { return [] }
    let block = max(1, min(blockRows, count))
    var scores = [Float](repeating: 0, count: block * block)
    var out: [SimilarPair] = []
    var i0 = 0
    while i0 < count {
      let ni = min(block, count - i0)
      var j0 = i0
      while j0 < count {
        let nj = min(block, count - j0)
        vectors.withUnsafeBufferPointer { x in
          scores.withUnsafeMutableBufferPointer { s in
            cblas_sgemm(
              CblasRowMajor, CblasNoTrans, CblasTrans, Int32(ni), Int32(nj), Int32(dimension), 1,
              x.baseAddress! + i0 * dimension, Int32(dimension), x.baseAddress! + j0 * dimension,
              Int32(dimension), 0, s.baseAddress, Int32(nj))
          }
        }
        scores.withUnsafeBufferPointer { s in
          for r in 0..<ni {
            let row = s.baseAddress! + r * nj
            // Same block: only the upper triangle (b > a).
            var c = j0 == i0 ? r + 1 : 0
            // 16 lanes at a time; almost every chunk has nothing above the threshold.
            let limit = SIMD16<Float>(repeating: threshold)
            while c + 16 <= nj {
              let v = UnsafeRawPointer(row + c).loadUnaligned(as: SIMD16<Float>.self)
              if any(v .>= limit) {
                for q in c..<(c + 16) where row[q] >= threshold {
                  out.append(SimilarPair(a: i0 + r, b: j0 + q, score: row[q]))
                }
              }
              c += 16
            }
            while c < nj {
              if row[c] >= threshold { out.append(SimilarPair(a: i0 + r, b: j0 + c, score: row[c])) }
              c += 1
            }
          }
        }
        j0 += nj
      }
      i0 += ni
    }
    return out
  }
}

/// A bounded min-heap keeping the k largest scores seen.
struct TopK: Sendable {
  let k: Int
  private(set) var ids: [Int] = []
  private(set) var scores: [Float] = []

  init(k: Int) {
    self.k = k
    ids.reserveCapacity(k)
    scores.reserveCapacity(k)
  }

  /// Offers `count` scores of consecutive ids starting at `base`.
  mutating func offer(_ row: UnsafePointer<Float>, count: Int, base: Int) {
    var i = 0
    while i < count && scores.count < k {
      push(base + i, row[i])
      i += 1
    }
    guard scores.count == k else { return }
    // Skip 16-score chunks that cannot beat the current k-th best.
    while i + 16 <= count {
      let v = UnsafeRawPointer(row + i).loadUnaligned(as: SIMD16<Float>.self)
      if any(v .> SIMD16<Float>(repeating: scores[0])) {
        for j in i..<(i + 16) where row[j] > scores[0] { replaceTop(base + j, row[j]) }
      }
      i += 16
    }
    while i < count {
      if row[i] > scores[0] { replaceTop(base + i, row[i]) }
      i += 1
    }
  }

  /// Best first; ties by smaller id.
  func sorted() -> [Neighbor] {
    zip(ids, scores).map { Neighbor(id: $0.0, score: $0.1) }.sorted {
      $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id
    }
  }

  private mutating func push(_ id: Int, _ s: Float) {
    ids.append(id)
    scores.append(s)
    var c = scores.count - 1
    while c > 0 {
      let p = (c - 1) / 2
      guard scores[c] < scores[p] else { break }
      scores.swapAt(c, p)
      ids.swapAt(c, p)
      c = p
    }
  }

  private mutating func replaceTop(_ id: Int, _ s: Float) {
    scores[0] = s
    ids[0] = id
    var p = 0
    let n = scores.count
    while true {
      let l = 2 * p + 1
      let r = l + 1
      var m = p
      if l < n && scores[l] < scores[m] { m = l }
      if r < n && scores[r] < scores[m] { m = r }
      if m == p { break }
      scores.swapAt(p, m)
      ids.swapAt(p, m)
      p = m
    }
  }
}
