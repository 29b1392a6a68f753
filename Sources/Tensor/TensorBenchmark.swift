import Foundation

// MARK: - Measuring the machine

/// Small measurements the benchmark reports build on.
public enum TensorBenchmark {
  /// Seconds since an arbitrary start, monotonic.
  public static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }

  /// CPU seconds used by this process (all threads), for timing on a loaded machine.
  public static func cpuTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }

  /// CPU seconds used by the calling thread: for a benchmark on a busy machine, the main thread's CPU time is
  /// its critical path (its own serial work plus its share of each split), which other load hardly changes.
  public static func threadCPUTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }

  /// The best sgemm rate in GFLOP/s for square products of `size` with `threads` OpenBLAS threads
  /// (best of `repeats`), the ceiling any encoder here works against.
  public static func sgemmPeak(size: Int = 1024, threads: Int = 2, repeats: Int = 10) -> Double {
    let before = BLAS.threads
    BLAS.setThreads(threads)
    defer { BLAS.setThreads(before) }
    var rng = TensorRandom(seed: 1)
    let a = Tensor(normal: [size, size], std: 1, rng: &rng)
    let b = Tensor(normal: [size, size], std: 1, rng: &rng)
    let c = Tensor(zeros: [size, size])
    var best = Double.infinity
    for _ in 0..<(repeats + 1) {
      let t0 = now()
      BLAS.gemm(
        transA: false, transB: false, m: size, n: size, k: size, a: a.data, lda: size, b: b.data, ldb: size,
        c: c.data, ldc: size)
      best = min(best, now() - t0)
    }
    return 2 * Double(size * size * size) / best / 1e9
  }
}
