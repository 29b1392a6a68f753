import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The LSP base protocol over a pair of file descriptors (stdin and stdout by default).
/// Reading happens on a dedicated thread; writes are serialised by a lock.
public final class StdioConnection: Connection, @unchecked Sendable {
  private let input: Int32
  private let output: Int32
  private let writeLock = NSLock()
  private let maxBodyBytes: Int

  public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, maxBodyBytes: Int = 256 << 20) {
    self.input = input
    self.output = output
    self.maxBodyBytes = maxBodyBytes
  }

  public func start(
    receive: @escaping @Sendable (MessageFramer.Frame) -> FrameDisposition,
    closed: @escaping @Sendable () -> Void
  ) {
    let input = self.input
    let maxBodyBytes = self.maxBodyBytes
    let thread = Thread {
      let reader = FrameReader(maxBodyBytes: maxBodyBytes, receive: receive)
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      while true {
        let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        reader.consume(chunk[0..<n])
      }
      if reader.pendingByteCount > 0 {
        Log.warning("input ended inside a message: \(reader.pendingByteCount) bytes were not a complete message")
      }
      closed()
    }
    thread.name = "codeintel-lsp.reader"
    thread.stackSize = 8 << 20
    thread.start()
  }

  public func send(_ body: [UInt8]) {
    let bytes = MessageFramer.frame(body)
    writeLock.lock()
    defer { writeLock.unlock() }
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { write(output, $0.baseAddress! + offset, $0.count - offset) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 {
        Log.error("could not write to the editor (errno \(errno)); dropping a message")
        return
      }
      offset += n
    }
  }
}
