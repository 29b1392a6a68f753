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

  /// Bodies declared larger than this are reported as malformed; reading resumes at the next header.
  public var maxBodyBytes: Int

  private var buffer: [UInt8] = []
  private var start = 0
  /// After broken framing: drop input until the next `Content-Length: <digits>\r\n` line, silently
  /// (the breakage was reported once, when it was found).
  private var resynchronising = false
  /// While a body is incomplete: how far past `start` the pending bytes were searched for the next
  /// message's header (so a long body arriving in chunks is searched once, not once per chunk).
  private var searchedTo = 0

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
    searchedTo = 0
  }

  /// Drops input up to the next `Content-Length` header without reporting it (the receiver already
  /// reported the message that broke the framing, e.g. a body that was not JSON).
  public mutating func resynchronise() {
    resynchronising = true
  }

  /// Bytes received but not yet framed.
  public var pendingByteCount: Int { buffer.count - start }

  // MARK: - Output

  /// The next complete frame, or nil when more input is needed.
  ///
  /// Every kind of broken framing (a header without a valid `Content-Length`, a declared length over
  /// the limit, a body cut short by the next message's header, 8 KiB of header garbage) gives one
  /// `.malformed` frame, after which the framer skips to the next `Content-Length: <digits>` header
  /// line. It never skips bytes past that header, so the messages after a broken one all arrive.
  public mutating func next() -> Frame? {
    if resynchronising {
      guard skipToNextHeader() else { return nil }
      resynchronising = false
    }
    guard let headerEnd = find(Self.headerTerminator, from: start) else {
      // A header longer than 8 KiB without a terminator is garbage: drop up to the next header.
      if buffer.count - start > 8192 {
        return broken("dropped unframed input: a header block longer than 8 KiB", resumeAt: start + 1)
      }
      return nil
    }
    let header = Array(buffer[start..<headerEnd])
    guard let length = Self.contentLength(in: header) else {
      let shown = String(decoding: header.prefix(80), as: UTF8.self)
      return broken(
        "bad message header (expected `Content-Length: <bytes>`): \(shown.debugDescription)", resumeAt: start + 1)
    }
    let bodyStart = headerEnd + Self.headerTerminator.count
    if length > maxBodyBytes {
      return broken(
        "message body of \(length) bytes is larger than the limit of \(maxBodyBytes) bytes", resumeAt: bodyStart)
    }
    guard buffer.count - bodyStart >= length else {
      // A body cannot hold a header line (`Content-Length: N` then a raw line break is not JSON): if one
      // arrives before the declared length is reached, this message was cut short.
      let from = max(bodyStart, start + searchedTo)
      switch Self.searchHeader(in: buffer, from: from) {
      case .found(let at):
        let received = at - bodyStart
        start = at
        searchedTo = 0
        return .malformed("message body cut short: the next message began after \(received) of \(length) bytes")
      case .notFound(let resumeAt), .incomplete(let resumeAt):
        searchedTo = resumeAt - start
      }
      return nil
    }
    let body = Array(buffer[bodyStart..<(bodyStart + length)])
    start = bodyStart + length
    searchedTo = 0
    if start > 1 << 16 && start * 2 > buffer.count { compact() }
    return .body(body)
  }

  // MARK: - Helpers

  static let headerTerminator: [UInt8] = Array("\r\n\r\n".utf8)
  static let contentLengthName = "content-length"

  /// Reports broken framing once and skips from `resumeAt` to the next header.
  private mutating func broken(_ reason: String, resumeAt: Int) -> Frame {
    start = min(resumeAt, buffer.count)
    searchedTo = 0
    resynchronising = true
    return .malformed(reason)
  }

  /// Moves `start` to the next header line; false (having dropped what cannot start one) when
  /// there is none in the input yet.
  private mutating func skipToNextHeader() -> Bool {
    switch Self.searchHeader(in: buffer, from: start) {
    case .found(let at):
      start = at
      searchedTo = 0
      return true
    case .notFound(let resumeAt), .incomplete(let resumeAt):
      start = resumeAt
      compact()
      return false
    }
  }

  /// Where a search for a header line ended.
  enum HeaderSearch: Equatable {
    /// A complete `Content-Length: <digits>\r\n` line starts here.
    case found(Int)
    /// None; a header could still start at the offset given once more bytes arrive.
    case notFound(resumeAt: Int)
    /// A line that may yet become a header starts at the offset given: more bytes are needed.
    case incomplete(resumeAt: Int)
  }

  /// Searches `bytes` from `offset` for a line `Content-Length[ \t]*:[ \t]*<digits>[ \t]*\r\n`
  /// (any case). Such a line cannot occur inside a JSON body: outside strings the name is not JSON, and
  /// inside a string a raw line break is not allowed. So finding one is proof that a new message begins.
  static func searchHeader(in bytes: [UInt8], from offset: Int) -> HeaderSearch {
    let needle = Array(contentLengthName.utf8)
    var i = max(offset, 0)
    while i < bytes.count {
      // Compare as much of the name as there is.
      var j = 0
      while j < needle.count && i + j < bytes.count && bytes[i + j] | 0x20 == needle[j] { j += 1 }
      if i + j == bytes.count && j < needle.count { return .incomplete(resumeAt: i) }
      if j == needle.count {
        switch matchHeaderTail(bytes, from: i + j) {
        case .some(true): return .found(i)
        case .none:
          // Undecided: wait for more bytes, unless this has gone on for longer than a header can.
          if bytes.count - i <= 256 { return .incomplete(resumeAt: i) }
        case .some(false): break
        }
      }
      i += 1
    }
    return .notFound(resumeAt: bytes.count)
  }

  /// After the name: `[ \t]*:[ \t]*<digits>[ \t]*\r\n`. True, false, or nil when the bytes end first.
  private static func matchHeaderTail(_ bytes: [UInt8], from offset: Int) -> Bool? {
    let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
    var i = offset
    func skipBlanks() { while i < bytes.count && (bytes[i] == space || bytes[i] == tab) { i += 1 } }
    skipBlanks()
    guard i < bytes.count else { return nil }
    guard bytes[i] == UInt8(ascii: ":") else { return false }
    i += 1
    skipBlanks()
    let digitsStart = i
    while i < bytes.count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") { i += 1 }
    guard i < bytes.count else { return nil }
    guard i > digitsStart else { return false }
    skipBlanks()
    guard i < bytes.count else { return nil }
    guard bytes[i] == UInt8(ascii: "\r") else { return false }
    guard i + 1 < bytes.count else { return nil }
    return bytes[i + 1] == UInt8(ascii: "\n")
  }

  /// The value of the Content-Length header, or nil when it is missing, repeated or not a number,
  /// or when a line is not a `Name: value` header (a field name is an HTTP token).
  static func contentLength(in header: [UInt8]) -> Int? {
    guard let text = String(validating: header, as: UTF8.self) else { return nil }
    var length: Int?
    for line in text.split(separator: "\r\n", omittingEmptySubsequences: false) {
      guard let colon = line.firstIndex(of: ":") else { return nil }
      let name = line[..<colon].trimmingCharacters(in: " \t")
      guard !name.isEmpty, name.unicodeScalars.allSatisfy(isTokenCharacter) else { return nil }
      let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
      if name.lowercased() == contentLengthName {
        guard length == nil, let n = Int(value), n >= 0 else { return nil }
        length = n
      }
    }
    return length
  }

  private static func isTokenCharacter(_ c: Unicode.Scalar) -> Bool {
    guard c.isASCII else { return false }
    if ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) { return true }
    return "!#$%&'*+-.^_`|~".unicodeScalars.contains(c)
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
    guard start > 0 else { return }
    if buffer.capacity > Self.keptCapacity && (buffer.count - start) * 4 < buffer.capacity {
      // After a large message (a multi-MB didOpen) the buffer would keep its capacity for the life of the
      // connection: copy what is left into a buffer of its own size, so the memory goes back.
      buffer = Array(buffer[start...])
    } else {
      buffer.removeFirst(start)
    }
    start = 0
  }

  /// Capacity the buffer may keep after compacting (larger is given back when mostly unused).
  static let keptCapacity = 1 << 20

  /// The bytes the buffer holds room for now (for tests of memory after large messages).
  var capacity: Int { buffer.capacity }

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
