import Foundation

/// A flag that a long-running piece of work polls to stop early: set by `$/cancelRequest`, by
/// `window/workDoneProgress/cancel`, or by `shutdown`. Safe to share between threads.
public final class CancellationToken: @unchecked Sendable {
  private let lock = NSLock()
  private var cancelled = false

  public init() {}

  public var isCancelled: Bool {
    lock.lock()
    defer { lock.unlock() }
    return cancelled
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
