/// What the receiver of a frame says about it, so the connection can re-synchronise the stream.
public enum FrameDisposition: Sendable {
  /// The body was a JSON message (valid or not as a request, it was understood as JSON).
  case accepted
  /// The body was not JSON. If it holds the start of another message (a truncated body ran into
  /// the next header), the connection re-reads from that header.
  case rejected
}

/// A two-way, message-framed channel to the editor. The server speaks only to this protocol, so
/// the tests talk to it in-process (`InMemoryConnection`) and the executable over stdio
/// (`StdioConnection`).
public protocol Connection: AnyObject, Sendable {
  /// Starts reading. `receive` gets each frame in order on one connection-owned thread;
  /// `closed` runs once when the input ends.
  func start(
    receive: @escaping @Sendable (MessageFramer.Frame) -> FrameDisposition,
    closed: @escaping @Sendable () -> Void)

  /// Sends one message body (the connection adds the framing). Safe from any thread.
  func send(_ body: [UInt8])
}

/// Feeds raw input through a `MessageFramer` and hands frames to a receiver, re-synchronising
/// after a rejected body. Shared by every `Connection`; not thread-safe (one reader thread).
final class FrameReader {
  private var framer: MessageFramer
  private let receive: @Sendable (MessageFramer.Frame) -> FrameDisposition

  init(maxBodyBytes: Int, receive: @escaping @Sendable (MessageFramer.Frame) -> FrameDisposition) {
    framer = MessageFramer(maxBodyBytes: maxBodyBytes)
    self.receive = receive
  }

  /// Consumes bytes and delivers every complete frame.
  func consume<C: Collection>(_ bytes: C) where C.Element == UInt8 {
    framer.append(bytes)
    while let frame = framer.next() {
      if receive(frame) == .rejected, case .body(let body) = frame {
        // The body was not JSON: it may have run into the next message (a declared length too long,
        // the rest arriving in the same read) or stopped short of its end (too short). Read on from
        // the first header inside it or after it, without a second error for the same message.
        framer.pushBack(body.dropFirst())
        framer.resynchronise()
      }
    }
  }

  /// Bytes received but not framed when the input ended (a truncated last message).
  var pendingByteCount: Int { framer.pendingByteCount }
}
