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
