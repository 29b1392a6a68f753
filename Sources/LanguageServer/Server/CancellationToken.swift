import Dispatch
import Foundation

/// A flag that a long-running piece of work polls to stop early: set by `$/cancelRequest`, by
/// `window/workDoneProgress/cancel`, by `shutdown`, or by a new version of the document under analysis;
/// with a budget, it also counts as cancelled once the budget has run out. Safe to share between threads.
public final class CancellationToken: @unchecked Sendable {
  private let lock = NSLock()
  private var cancelled = false
  private let deadline: UInt64?

  /// - Parameter budgetMs: when given, the token expires (reads as cancelled) this long after its creation.
  public init(budgetMs: Int? = nil) {
    deadline = budgetMs.map { DispatchTime.now().uptimeNanoseconds + UInt64(max(0, $0)) * 1_000_000 }
  }

  /// True once cancelled or out of budget.
  public var isCancelled: Bool { wasCancelled || isExpired }

  /// True once `cancel()` was called (whatever the budget).
  public var wasCancelled: Bool {
    lock.lock()
    defer { lock.unlock() }
    return cancelled
  }

  /// True once the budget has run out.
  public var isExpired: Bool {
    guard let deadline else { return false }
    return DispatchTime.now().uptimeNanoseconds >= deadline
  }

  public func cancel() {
    lock.lock()
    cancelled = true
    lock.unlock()
  }

  /// Throws `ResponseError.cancelled` when cancelled; call it between units of work.
  public func check() throws {
    if isCancelled { throw ResponseError.cancelled }
  }
}
