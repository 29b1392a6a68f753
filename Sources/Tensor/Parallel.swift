import Foundation

// MARK: - Splitting elementwise work

/// Splits elementwise work over a few threads. Each chunk touches its own elements only, so the result
/// is the same for every thread count.
public enum Parallel {
  /// Calls `body(start, end)` for `threads` contiguous chunks of 0..<count (rounded to multiples of 8),
  /// side by side; runs inline when one thread or fewer than `minCount` elements.
  public static func chunks(_ count: Int, threads: Int, minCount: Int = 1 << 16, _ body: (Int, Int) -> Void) {
    if threads <= 1 || count < minCount {
      body(0, count)
      return
    }
    forEachWorker(threads) { w in
      let start = (count * w / threads) & ~7
      let end = w == threads - 1 ? count : (count * (w + 1) / threads) & ~7
      body(start, end)
    }
  }

  /// Calls `body(start, end)` for up to `threads` contiguous ranges of rows 0..<rows, side by side; runs
  /// inline when one thread or fewer than `minWork` elements (rows · width) in all. For row-wise ops
  /// (layer norm, bias and residual adds): each row is computed the same way whatever the split.
  public static func rows(
    _ rows: Int, width: Int, threads: Int, minWork: Int = 1 << 15, _ body: (Int, Int) -> Void
  ) {
    let workers = min(threads, rows)
    if workers <= 1 || rows * width < minWork {
      body(0, rows)
      return
    }
    forEachWorker(workers) { w in body(rows * w / workers, rows * (w + 1) / workers) }
  }

  /// Splits columns 0..<width into up to `threads` ranges (multiples of 8) and calls `body(start, end)`
  /// for each side by side: for sums over rows (bias and scale gradients), where each worker walks all
  /// rows in order for its own columns, so every sum adds in the same order whatever the split.
  public static func columns(
    _ width: Int, rows: Int, threads: Int, minWork: Int = 1 << 15, _ body: (Int, Int) -> Void
  ) {
    let workers = min(threads, width / 8)
    if workers <= 1 || rows * width < minWork {
      body(0, width)
      return
    }
    forEachWorker(workers) { w in
      let start = (width * w / workers) & ~7
      let end = w == workers - 1 ? width : (width * (w + 1) / workers) & ~7
      body(start, end)
    }
  }

  /// Runs `body(worker)` for workers 0..<n side by side and returns when all are done.
  public static func forEachWorker(_ n: Int, _ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { escaping in
      let box = UncheckedSendable(escaping)
      DispatchQueue.concurrentPerform(iterations: n) { box.value($0) }
    }
  }
}

/// Carries a value the caller promises is safe to share (raw buffers whose workers touch disjoint parts).
struct UncheckedSendable<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
