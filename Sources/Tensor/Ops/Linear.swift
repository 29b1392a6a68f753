// MARK: - Linear and matrix products
//
// Convention for every op in Tensor: `forward` overwrites its outputs; `backward` ADDS into the
// gradients it is given (so gradients from several uses accumulate; the caller zeroes them once a step).

/// A fully connected layer, `out = inp · Wᵀ + bias`, with the weight stored (out, in) as in PyTorch.
public enum Linear {
  /// out: (n, oc) = inp: (n, c) · weight: (oc, c)ᵀ + bias: (oc)
  public static func forward(
    out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, n: Int, c: Int, oc: Int, threads: Int = 1
  ) {
    if let bias {
      Parallel.rows(n, width: oc, threads: threads) { r0, r1 in
        for r in r0..<r1 { (out + r * oc).update(from: bias, count: oc) }
      }
    }
    BLAS.gemm(
      transA: false, transB: true, m: n, n: oc, k: c, a: inp, lda: c, b: weight, ldb: c,
      beta: bias == nil ? 0 : 1, c: out, ldc: oc)
  }

  /// dinp: (n, c) += dout · W;  dweight: (oc, c) += doutᵀ · inp;  dbias: (oc) += Σ rows of dout.
  /// With `overwriteInput`, dinp is overwritten instead (saves zeroing a scratch buffer first). `threads`
  /// splits the bias sum by columns (the same sums in the same order).
  public static func backward(
    dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
    dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, n: Int, c: Int, oc: Int,
    overwriteInput: Bool = false, threads: Int = 1
  ) {
    if let dinp {
      BLAS.gemm(
        transA: false, transB: false, m: n, n: c, k: oc, a: dout, lda: oc, b: weight, ldb: c,
        beta: overwriteInput ? 0 : 1, c: dinp, ldc: c)
    }
    if let dweight {
      BLAS.gemm(
        transA: true, transB: false, m: oc, n: c, k: n, a: dout, lda: oc, b: inp, ldb: c,
        beta: 1, c: dweight, ldc: c)
    }
    if let dbias {
      Parallel.columns(oc, rows: n, threads: threads) { j0, j1 in
        for r in 0..<n {
          let row = dout + r * oc
          for j in j0..<j1 { dbias[j] += row[j] }
        }
      }
    }
  }
}

/// A plain (batched) matrix product, `c[i] = a[i] · b[i]` for each of `batch` pairs.
public enum MatMul {
  /// c: (batch, m, n) = a: (batch, m, k) · b: (batch, k, n)
  public static func forward(
    c: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    batch: Int = 1, m: Int, k: Int, n: Int
  ) {
    for i in 0..<batch {
      BLAS.gemm(
        transA: false, transB: false, m: m, n: n, k: k, a: a + i * m * k, lda: k,
        b: b + i * k * n, ldb: n, c: c + i * m * n, ldc: n)
    }
  }

  /// da += dc · bᵀ;  db += aᵀ · dc  (per batch entry)
  public static func backward(
    da: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?, dc: UnsafePointer<Float>,
    a: UnsafePointer<Float>, b: UnsafePointer<Float>, batch: Int = 1, m: Int, k: Int, n: Int
  ) {
    for i in 0..<batch {
      if let da {
        BLAS.gemm(
          transA: false, transB: true, m: m, n: k, k: n, a: dc + i * m * n, lda: n,
          b: b + i * k * n, ldb: n, beta: 1, c: da + i * m * k, ldc: k)
      }
      if let db {
        BLAS.gemm(
          transA: true, transB: false, m: k, n: n, k: m, a: a + i * m * k, lda: k,
          b: dc + i * m * n, ldb: n, beta: 1, c: db + i * k * n, ldc: n)
      }
    }
  }
}
