/// Splits a byte stream into JSON-RPC message bodies using the LSP base protocol's headers
/// (`Content-Length: N\r\n` … `\r\n\r\n` then N bytes). It never throws: broken framing comes
/// out as a `.malformed` frame and the framer re-synchronises on the next `Content-Length` header.
public struct MessageFramer: Sendable {
  /// One unit the framer produced.
  public enum Frame: Sendable, Equatable {
    /// A complete message body (not yet checked to be JSON).
    case body([UInt8])
    /// Bytes that could not be framed, with the reason.
    case malformed(String)
  }

  /// Bodies larger than this are skipped and reported as malformed.
  public var maxBodyBytes: Int

  private var buffer: [UInt8] = []
  private var start = 0
  /// Bytes of an over-long body still to be dropped as they arrive.
  private var skipping = 0

  public init(maxBodyBytes: Int = 256 << 20) {
    self.maxBodyBytes = maxBodyBytes
  }

  // MARK: - Input

  /// Appends bytes read from the stream.
  public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
    buffer.append(contentsOf: bytes)
  }

  /// Puts bytes back in front of the unread input (used to re-synchronise after a body that
  /// turned out to contain the next message's header, i.e. a truncated body).
  public mutating func pushBack(_ bytes: ArraySlice<UInt8>) {
    compact()
    buffer.insert(contentsOf: bytes, at: 0)
  }

  /// Bytes received but not yet framed.
  public var pendingByteCount: Int { buffer.count - start }

  // MARK: - Output

  /// The next complete frame, or nil when more input is needed.
  public mutating func next() -> Frame? {
    if skipping > 0 {
      let n = min(skipping, buffer.count - start)
      start += n
      skipping -= n
      if skipping > 0 { return nil }
    }
    guard let headerEnd = find(Self.headerTerminator, from: start) else {
      // A header longer than 8 KiB without a terminator is garbage: drop up to the next header.
      if buffer.count - start > 8192 { return resync(reason: "a header block longer than 8 KiB") }
      return nil
    }
    let header = Array(buffer[start..<headerEnd])
    guard let length = Self.contentLength(in: header) else {
      // Skip to the next `Content-Length` (it may sit later in this very block, after garbage).
      start = findNextHeader(after: start + 1) ?? (headerEnd + Self.headerTerminator.count)
      let shown = String(decoding: header.prefix(80), as: UTF8.self)
      return .malformed("bad message header (expected `Content-Length: <bytes>`): \(shown.debugDescription)")
    }
    let bodyStart = headerEnd + Self.headerTerminator.count
    if length > maxBodyBytes {
      start = bodyStart
      skipping = length
      _ = next()  // drop what is already here
      return .malformed("message body of \(length) bytes is larger than the limit of \(maxBodyBytes) bytes")
    }
    guard buffer.count - bodyStart >= length else { return nil }
    let body = Array(buffer[bodyStart..<(bodyStart + length)])
    start = bodyStart + length
    if start > 1 << 16 && start * 2 > buffer.count { compact() }
    return .body(body)
  }

  // MARK: - Helpers

  static let headerTerminator: [UInt8] = Array("\r\n\r\n".utf8)
  static let contentLengthName = "content-length"

  /// The value of the Content-Length header, or nil when it is missing, repeated or not a number.
  static func contentLength(in header: [UInt8]) -> Int? {
    guard let text = String(validating: header, as: UTF8.self) else { return nil }
    var length: Int?
    for line in text.split(separator: "\r\n", omittingEmptySubsequences: false) {
      guard let colon = line.firstIndex(of: ":") else { return nil }
      let name = line[..<colon].trimmingCharacters(in: " \t").lowercased()
      let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
      if name == contentLengthName {
        guard length == nil, let n = Int(value), n >= 0 else { return nil }
        length = n
      }
    }
    return length
  }

  /// Index in the buffer of the byte after the first occurrence of `Content-Length` past `start`.
  func findNextHeader(after offset: Int) -> Int? {
    let needle = Array("Content-Length".utf8)
    var i = offset
    while i + needle.count <= buffer.count {
      if buffer[i] == needle[0] || buffer[i] == needle[0] | 0x20 {
        var ok = true
        for j in 1..<needle.count where buffer[i + j] | 0x20 != needle[j] | 0x20 {
          ok = false
          break
        }
        if ok { return i }
      }
      i += 1
    }
    return nil
  }

  private mutating func resync(reason: String) -> Frame {
    if let next = findNextHeader(after: start + 1) {
      start = next
    } else {
      start = buffer.count
    }
    compact()
    return .malformed("dropped unframed input: \(reason)")
  }

  private func find(_ needle: [UInt8], from offset: Int) -> Int? {
    guard buffer.count - offset >= needle.count else { return nil }
    var i = offset
    let last = buffer.count - needle.count
    while i <= last {
      if buffer[i] == needle[0] && buffer[i + 1] == needle[1] && buffer[i + 2] == needle[2]
        && buffer[i + 3] == needle[3]
      {
        return i
      }
      i += 1
    }
    return nil
  }

  private mutating func compact() {
    if start > 0 {
      buffer.removeFirst(start)
      start = 0
    }
  }

  /// Frames a body for sending: `Content-Length: N\r\n\r\n` followed by the body.
  public static func frame(_ body: [UInt8]) -> [UInt8] {
    Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
  }
}

extension Substring {
  fileprivate func trimmingCharacters(in set: String) -> String {
    var s = self[...]
    while let f = s.first, set.contains(f) { s = s.dropFirst() }
    while let l = s.last, set.contains(l) { s = s.dropLast() }
    return String(s)
  }
}
