import CKernels
import Foundation

// MARK: - Multi-head scaled dot-product attention

/// Multi-head self-attention over a packed (q | k | v) projection, with an optional key padding mask and
/// an optional causal mask. Each head's products are strided `sgemm` calls straight on the packed
/// buffers, so no head is ever copied or transposed.
public enum Attention {
  /// Runs `body(b, h, worker)` for every batch entry and head, split over `threads` workers. With more
  /// than one worker, OpenBLAS is set to one thread for the duration: many small products run better
  /// side by side than each split in two. Every (b, h) writes its own slice of the output, so the result
  /// does not depend on the thread count.
  static func forEachHead(_ b: Int, _ heads: Int, threads: Int, _ body: (Int, Int, Int) -> Void) {
    let n = b * heads
    let workers = min(threads, n)
    if workers <= 1 {
      for i in 0..<n { body(i / heads, i % heads, 0) }
      return
    }
    let blasThreads = BLAS.threads
    BLAS.setThreads(1)
    defer { BLAS.setThreads(blasThreads) }
    Parallel.forEachWorker(workers) { w in
      var i = w * n / workers
      let end = (w + 1) * n / workers
      while i < end {
        body(i / heads, i % heads, w)
        i += 1
      }
    }
  }

  /// out: (b, t, c) = softmax(q kᵀ / √hs + masks) v per head;  att: (b, heads, t, t) keeps the
  /// probabilities for backward.  qkv: (b, t, 3c);  keyMask: (b, t), 1 = real token, 0 = padding.
  /// A query that can see no key gets zeros. `threads` > 1 runs heads side by side.
  public static func forward(
    out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
    keyMask: UnsafePointer<Float>?, causal: Bool, b: Int, t: Int, c: Int, heads: Int, threads: Int = 1
  ) {
    let hs = c / heads
    let scale = 1 / Float(hs).squareRoot()
    let c3 = 3 * c
    forEachHead(b, heads, threads: threads) { i, h, _ in
      headForward(
        out: out + i * t * c + h * hs, a: att + (i * heads + h) * t * t, q: qkv + i * t * c3 + h * hs,
        mask: keyMask.map { $0 + i * t }, causal: causal, t: t, hs: hs, c: c, scale: scale)
    }
  }

  /// One head of one sequence of t rows: a (t, t) = softmax(scale · q kᵀ) (keys whose `mask` is 0 left out;
  /// with `causal`, row r sees keys 0...r), out (t, hs) = a · v. q points at the head's q columns of rows of
  /// 3c (k and v follow at +c and +2c); out at the head's columns of rows of c.
  @inline(__always)
  static func headForward(
    out: UnsafeMutablePointer<Float>, a: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>,
    mask: UnsafePointer<Float>?, causal: Bool, t: Int, hs: Int, c: Int, scale: Float
  ) {
    let c3 = 3 * c
    // a: (t, t) = scale · q kᵀ
    BLAS.gemm(
      transA: false, transB: true, m: t, n: t, k: hs, alpha: scale, a: q, lda: c3, b: q + c, ldb: c3,
      c: a, ldc: t)
    for r in 0..<t { ci_softmax_row(a + r * t, causal ? r + 1 : t, t, mask) }
    // out_h: (t, hs) = a · v
    BLAS.gemm(
      transA: false, transB: false, m: t, n: hs, k: t, a: a, lda: t, b: q + 2 * c, ldb: c3,
      c: out, ldc: c)
  }

  /// dqkv: (b, t, 3c) += the gradient through attention.  scratch: at least t·t·threads floats.
  public static func backward(
    dqkv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
    qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, b: Int, t: Int, c: Int, heads: Int, threads: Int = 1
  ) {
    let hs = c / heads
    let scale = 1 / Float(hs).squareRoot()
    let c3 = 3 * c
    forEachHead(b, heads, threads: threads) { i, h, w in
      headBackward(
        dq: dqkv + i * t * c3 + h * hs, da: scratch + w * t * t, dy: dout + i * t * c + h * hs,
        q: qkv + i * t * c3 + h * hs, a: att + (i * heads + h) * t * t, t: t, hs: hs, c: c, scale: scale)
    }
  }

  /// `headForward`'s gradient: dq, dk, dv (at dq, dq + c, dq + 2c in rows of 3c) += the gradient of one head
  /// of one sequence, from dy (the head's columns of rows of c) and the probabilities a; da: t·t scratch.
  @inline(__always)
  static func headBackward(
    dq: UnsafeMutablePointer<Float>, da: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>,
    q: UnsafePointer<Float>, a: UnsafePointer<Float>, t: Int, hs: Int, c: Int, scale: Float
  ) {
    let c3 = 3 * c
    let (k, v) = (q + c, q + 2 * c)
    let (dk, dv) = (dq + c, dq + 2 * c)
    // da: (t, t) = dy · vᵀ
    BLAS.gemm(transA: false, transB: true, m: t, n: t, k: hs, a: dy, lda: c, b: v, ldb: c3, c: da, ldc: t)
    // dv += aᵀ · dy
    BLAS.gemm(
      transA: true, transB: false, m: t, n: hs, k: t, a: a, lda: t, b: dy, ldb: c, beta: 1,
      c: dv, ldc: c3)
    // softmax backward, with the 1/√hs folded in: ds = scale · a ⊙ (da - Σ da ⊙ a)
    for r in 0..<t { ci_softmax_backward_row(a + r * t, da + r * t, t, scale) }
    // dq += ds · k;  dk += dsᵀ · q
    BLAS.gemm(
      transA: false, transB: false, m: t, n: hs, k: t, a: da, lda: t, b: k, ldb: c3, beta: 1,
      c: dq, ldc: c3)
    BLAS.gemm(
      transA: true, transB: false, m: t, n: hs, k: t, a: da, lda: t, b: q, ldb: c3, beta: 1,
      c: dk, ldc: c3)
  }

  // MARK: - Packed sequences (no padding)

  /// `forward` over sequences packed back to back without padding: sequence s holds rows
  /// `offsets[s] ..< offsets[s] + lengths[s]` of qkv (rows of 3c) and of out (rows of c), and its
  /// probabilities (heads, L, L) start at `att + attOffsets[s]`. Every key is real. The same per-head work as
  /// `forward` with a key mask, without the padded rows and columns: equal to it at the real rows up to the
  /// summation blocking of the products.
  public static func forwardPacked(
    out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
    offsets: [Int], lengths: [Int], attOffsets: [Int], c: Int, heads: Int, threads: Int = 1
  ) {
    let hs = c / heads
    let scale = 1 / Float(hs).squareRoot()
    let c3 = 3 * c
    forEachHead(lengths.count, heads, threads: threads) { i, h, _ in
      let t = lengths[i]
      guard t > 0 else { return }
      headForward(
        out: out + offsets[i] * c + h * hs, a: att + attOffsets[i] + h * t * t, q: qkv + offsets[i] * c3 + h * hs,
        mask: nil, causal: false, t: t, hs: hs, c: c, scale: scale)
    }
  }

  /// `backward` for `forwardPacked`'s layout. scratch: at least (longest length)² · threads floats.
  public static func backwardPacked(
    dqkv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
    qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, offsets: [Int], lengths: [Int], attOffsets: [Int],
    c: Int, heads: Int, threads: Int = 1
  ) {
    let hs = c / heads
    let scale = 1 / Float(hs).squareRoot()
    let c3 = 3 * c
    let stride = (lengths.max() ?? 0) * (lengths.max() ?? 0)
    forEachHead(lengths.count, heads, threads: threads) { i, h, w in
      let t = lengths[i]
      guard t > 0 else { return }
      let o = offsets[i]
      headBackward(
        dq: dqkv + o * c3 + h * hs, da: scratch + w * stride, dy: dout + o * c + h * hs, q: qkv + o * c3 + h * hs,
        a: att + attOffsets[i] + h * t * t, t: t, hs: hs, c: c, scale: scale)
    }
  }

  /// `forwardPacked` for some query rows only (the keys and values of every row): sequence s's selected
  /// queries are rows `queryOffsets[s] ..< queryOffsets[s] + queryCounts[s]` of q (rows of c, the q parts
  /// gathered) and of out (rows of c); their probabilities (heads, m, L) start at `att + attOffsets[s]`.
  /// What a consumer that reads only some positions of the last layer needs.
  public static func forwardQueries(
    out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>,
    qkv: UnsafePointer<Float>, offsets: [Int], lengths: [Int], queryOffsets: [Int], queryCounts: [Int],
    attOffsets: [Int], c: Int, heads: Int, threads: Int = 1
  ) {
    let hs = c / heads
    let scale = 1 / Float(hs).squareRoot()
    let c3 = 3 * c
    forEachHead(lengths.count, heads, threads: threads) { i, h, _ in
      let (t, m) = (lengths[i], queryCounts[i])
      guard t > 0, m > 0 else { return }
      let qs = q + queryOffsets[i] * c + h * hs
      let k = qkv + offsets[i] * c3 + c + h * hs
      let v = k + c
      let a = att + attOffsets[i] + h * m * t
      BLAS.gemm(
        transA: false, transB: true, m: m, n: t, k: hs, alpha: scale, a: qs, lda: c, b: k, ldb: c3, c: a, ldc: t)
      for r in 0..<m { ci_softmax_row(a + r * t, t, t, nil) }
      BLAS.gemm(
        transA: false, transB: false, m: m, n: hs, k: t, a: a, lda: t, b: v, ldb: c3,
        c: out + queryOffsets[i] * c + h * hs, ldc: c)
    }
  }

  /// `backward` for `forwardQueries`: dq (rows of c, the selected queries) is overwritten; the keys' and
  /// values' gradients are added into dqkv. scratch: at least (longest length)² · threads floats.
  public static func backwardQueries(
    dq: UnsafeMutablePointer<Float>, dqkv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, q: UnsafePointer<Float>, qkv: UnsafePointer<Float>, att: UnsafePointer<Float>,
    offsets: [Int], lengths: [Int], queryOffsets: [Int], queryCounts: [Int], attOffsets: [Int], c: Int,
    heads: Int, threads: Int = 1
  ) {
    let hs = c / heads
    let scale = 1 / Float(hs).squareRoot()
    let c3 = 3 * c
    let longest = lengths.max() ?? 0
    forEachHead(lengths.count, heads, threads: threads) { i, h, w in
      let (t, m) = (lengths[i], queryCounts[i])
      guard t > 0, m > 0 else { return }
      let o = offsets[i]
      let qs = q + queryOffsets[i] * c + h * hs
      let k = qkv + o * c3 + c + h * hs
      let v = k + c
      let dqs = dq + queryOffsets[i] * c + h * hs
      let dk = dqkv + o * c3 + c + h * hs
      let dv = dk + c
      let a = att + attOffsets[i] + h * m * t
      let dy = dout + queryOffsets[i] * c + h * hs
      let da = scratch + w * longest * longest
      BLAS.gemm(transA: false, transB: true, m: m, n: t, k: hs, a: dy, lda: c, b: v, ldb: c3, c: da, ldc: t)
      BLAS.gemm(
        transA: true, transB: false, m: t, n: hs, k: m, a: a, lda: t, b: dy, ldb: c, beta: 1, c: dv, ldc: c3)
      for r in 0..<m { ci_softmax_backward_row(a + r * t, da + r * t, t, scale) }
      BLAS.gemm(transA: false, transB: false, m: m, n: hs, k: t, a: da, lda: t, b: k, ldb: c3, c: dqs, ldc: c)
      BLAS.gemm(
        transA: true, transB: false, m: t, n: hs, k: m, a: da, lda: t, b: qs, ldb: c, beta: 1, c: dk, ldc: c3)
    }
  }

  // MARK: - Row kernels

  // The rows run in CKernels (`ci_softmax_row`, `ci_softmax_backward_row`: sixteen lanes); these Swift forms
  // are the engine's kernels from before, kept as the reference the tests compare them with.

  /// Softmax of row[0..<limit] in place, entries whose mask is 0 and entries past `limit` set to 0 exactly.
  static func referenceSoftmaxRow(
    _ row: UnsafeMutablePointer<Float>, limit: Int, count: Int, mask: UnsafePointer<Float>?
  ) {
    typealias V = FastMath.V
    if let mask { for j in 0..<limit where mask[j] == 0 { row[j] = -.infinity } }
    var mv = V(repeating: -.infinity)
    var j = 0
    while j + 8 <= limit {
      let v = FastMath.load(row + j)
      mv.replace(with: v, where: v .> mv)
      j += 8
    }
    var mx = mv.max()
    while j < limit {
      mx = max(mx, row[j])
      j += 1
    }
    if mx == -.infinity {
      row.update(repeating: 0, count: count)
      return
    }
    let mxv = V(repeating: mx)
    var sv = V()
    j = 0
    while j + 8 <= limit {
      var e = FastMath.exp(FastMath.load(row + j) - mxv)
      if let mask { e *= FastMath.load(mask + j) }
      FastMath.store(e, row + j)
      sv += e
      j += 8
    }
    var sum = sv.sum()
    while j < limit {
      let e = (mask?[j] ?? 1) == 0 ? 0 : FastMath.exp(row[j] - mx)
      row[j] = e
      sum += e
      j += 1
    }
    let inv = V(repeating: 1 / sum)
    j = 0
    while j + 8 <= limit {
      FastMath.store(FastMath.load(row + j) * inv, row + j)
      j += 8
    }
    while j < limit {
      row[j] *= inv[0]
      j += 1
    }
    if limit < count { (row + limit).update(repeating: 0, count: count - limit) }
  }

  /// g = scale · p ⊙ (g - Σ p ⊙ g), in place on g.
  static func referenceSoftmaxBackwardRow(
    _ p: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, count: Int, scale: Float
  ) {
    typealias V = FastMath.V
    var dv = V()
    var j = 0
    while j + 8 <= count {
      dv += FastMath.load(p + j) * FastMath.load(g + j)
      j += 8
    }
    var dot = dv.sum()
    while j < count {
      dot += p[j] * g[j]
      j += 1
    }
    let dotv = V(repeating: dot)
    j = 0
    while j + 8 <= count {
      FastMath.store(scale * FastMath.load(p + j) * (FastMath.load(g + j) - dotv), g + j)
      j += 8
    }
    while j < count {
      g[j] = scale * p[j] * (g[j] - dot)
      j += 1
    }
  }
}
