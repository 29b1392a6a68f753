import COpenBLAS
import Foundation

// MARK: - BLAS

/// The one door to `cblas_sgemm`: every matrix product in codeintel goes through here.
public enum BLAS {
  /// Sets how many threads OpenBLAS uses for each product (both cores by default).
  public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }

  private static let exclusiveLock = NSRecursiveLock()

  /// Runs `body` while no other `exclusive` block of this process runs. OpenBLAS's thread count is one setting for
  /// the whole process; code that sets it and must not see another caller change it meanwhile holds this: a type-head
  /// training, which promises the same bytes from the same seed (resumed or not), and the type head's per-window
  /// predictions, which set one thread for their small products and then restore the count. Re-entrant.
  public static func exclusive<T>(_ body: () throws -> T) rethrows -> T {
    exclusiveLock.lock()
    defer { exclusiveLock.unlock() }
    return try body()
  }

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
