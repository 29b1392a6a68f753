import Foundation

/// A connection inside one process, for tests and benchmarks: the other side writes raw bytes
/// (framed or deliberately malformed) with `deliver(_:)` and receives each message body the
/// server sends through `onSend`.
public final class InMemoryConnection: Connection, @unchecked Sendable {
  private let queue = DispatchQueue(label: "codeintel-lsp.in-memory-reader")
  private let lock = NSLock()
  private var reader: FrameReader?
  private var closedHandler: (@Sendable () -> Void)?
  private var sink: (@Sendable ([UInt8]) -> Void)?
  private let maxBodyBytes: Int

  public init(maxBodyBytes: Int = 256 << 20) {
    self.maxBodyBytes = maxBodyBytes
  }

  /// Called with every message body the server sends, on the server's thread.
  public func onSend(_ sink: @escaping @Sendable ([UInt8]) -> Void) {
    lock.lock()
    self.sink = sink
    lock.unlock()
  }

  public func start(
    receive: @escaping @Sendable (MessageFramer.Frame) -> FrameDisposition,
    closed: @escaping @Sendable () -> Void
  ) {
    let reader = FrameReader(maxBodyBytes: maxBodyBytes, receive: receive)
    queue.sync {
      self.reader = reader
      self.closedHandler = closed
    }
  }

  public func send(_ body: [UInt8]) {
    lock.lock()
    let sink = self.sink
    lock.unlock()
    sink?(body)
  }

  // MARK: - The editor's side

  /// Delivers raw bytes to the server, in order, as if they came from stdin.
  public func deliver(_ bytes: [UInt8]) {
    queue.async { self.reader?.consume(bytes) }
  }

  /// Frames and delivers a message body.
  public func deliverMessage(_ body: [UInt8]) { deliver(MessageFramer.frame(body)) }

  /// Ends the input, as when the editor closes stdin.
  public func closeInput() {
    queue.async {
      self.closedHandler?()
      self.closedHandler = nil
      self.reader = nil
    }
  }
}
