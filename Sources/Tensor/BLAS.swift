import COpenBLAS

// MARK: - BLAS

/// The one door to `cblas_sgemm`: every matrix product in codeintel goes through here.
public enum BLAS {
  /// Sets how many threads OpenBLAS uses for each product (both cores by default).
  public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }

  /// The number of threads OpenBLAS is set to use.
  public static var threads: Int { Int(openblas_get_num_threads()) }

  /// Row-major C = alpha · op(A) · op(B) + beta · C, with op(X) = Xᵀ when the flag is set.
  /// op(A) is (m, k), op(B) is (k, n), C is (m, n); lda/ldb/ldc are row strides of the stored matrices.
  @inline(__always)
  public static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
}
