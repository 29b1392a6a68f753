import Foundation

// MARK: - Multi-head scaled dot-product attention

/// Multi-head self-attention over a packed (q | k | v) projection, with an optional key padding mask and
/// an optional causal mask. Each head's products are strided `sgemm` calls straight on the packed
/// buffers, so no head is ever copied or transposed.
public enum Attention {
  /// Runs `body(b, h)` for every batch entry and head; split over `workers` threads when > 1.
  @inline(__always)
  static func forEachHead(_ b: Int, _ heads: Int, _ body: (Int, Int) -> Void) {
    for i in 0..<b { for h in 0..<heads { body(i, h) } }
  }

  /// out: (b, t, c) = softmax(q kᵀ / √hs + masks) v per head;  att: (b, heads, t, t) keeps the
  /// probabilities for backward.  qkv: (b, t, 3c);  keyMask: (b, t), 1 = real token, 0 = padding.
  /// A query that can see no key gets zeros.
  public static func forward(
    out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
    keyMask: UnsafePointer<Float>?, causal: Bool, b: Int, t: Int, c: Int, heads: Int
  ) {
    let hs = c / heads
    let scale = 1 / Float(hs).squareRoot()
    let c3 = 3 * c
    forEachHead(b, heads) { i, h in
      let q = qkv + i * t * c3 + h * hs
      let k = q + c
      let v = q + 2 * c
      let a = att + (i * heads + h) * t * t
      // a: (t, t) = scale · q kᵀ
      BLAS.gemm(transA: false, transB: true, m: t, n: t, k: hs, alpha: scale, a: q, lda: c3, b: k, ldb: c3,
        c: a, ldc: t)
      let mask = keyMask.map { $0 + i * t }
      for r in 0..<t {
        let row = a + r * t
        let limit = causal ? r + 1 : t
        var mx = -Float.infinity
        for j in 0..<limit where mask == nil || mask![j] != 0 { mx = max(mx, row[j]) }
        if mx == -Float.infinity {
          row.update(repeating: 0, count: t)
          continue
        }
        var sum: Float = 0
        for j in 0..<limit {
          if let mask, mask[j] == 0 { row[j] = 0; continue }
          let e = expf(row[j] - mx)
          row[j] = e
          sum += e
        }
        let inv = 1 / sum
        for j in 0..<limit { row[j] *= inv }
        if limit < t { (row + limit).update(repeating: 0, count: t - limit) }
      }
      // out_h: (t, hs) = a · v
      BLAS.gemm(transA: false, transB: false, m: t, n: hs, k: t, a: a, lda: t, b: v, ldb: c3,
        c: out + i * t * c + h * hs, ldc: c)
    }
  }

  /// dqkv: (b, t, 3c) += the gradient through attention.  scratch: at least t·t floats.
  public static func backward(
    dqkv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
    qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, b: Int, t: Int, c: Int, heads: Int
  ) {
    let hs = c / heads
    let scale = 1 / Float(hs).squareRoot()
    let c3 = 3 * c
    forEachHead(b, heads) { i, h in
      let q = qkv + i * t * c3 + h * hs
      let k = q + c
      let v = q + 2 * c
      let dq = dqkv + i * t * c3 + h * hs
      let dk = dq + c
      let dv = dq + 2 * c
      let a = att + (i * heads + h) * t * t
      let dy = dout + i * t * c + h * hs
      let da = scratch
      // da: (t, t) = dy · vᵀ
      BLAS.gemm(transA: false, transB: true, m: t, n: t, k: hs, a: dy, lda: c, b: v, ldb: c3, c: da, ldc: t)
      // dv += aᵀ · dy
      BLAS.gemm(transA: true, transB: false, m: t, n: hs, k: t, a: a, lda: t, b: dy, ldb: c, beta: 1,
        c: dv, ldc: c3)
      // softmax backward, with the 1/√hs folded in: ds = scale · a ⊙ (da - Σ da ⊙ a)
      for r in 0..<t {
        let p = a + r * t, g = da + r * t
        var dot: Float = 0
        for j in 0..<t { dot += p[j] * g[j] }
        for j in 0..<t { g[j] = scale * p[j] * (g[j] - dot) }
      }
      // dq += ds · k;  dk += dsᵀ · q
      BLAS.gemm(transA: false, transB: false, m: t, n: hs, k: t, a: da, lda: t, b: k, ldb: c3, beta: 1,
        c: dq, ldc: c3)
      BLAS.gemm(transA: true, transB: false, m: t, n: hs, k: t, a: da, lda: t, b: q, ldb: c3, beta: 1,
        c: dk, ldc: c3)
    }
  }
}
