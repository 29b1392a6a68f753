/// Converts between byte offsets and (line, column) positions in a UTF-8 text, with columns in
/// bytes or in UTF-16 code units (what the Language Server Protocol counts).
public struct LineIndex: Sendable {
  /// Byte offset of the start of each line (line 0 starts at 0).
  public let lineStarts: [Int]
  private let bytes: [UInt8]

  /// Checkpoints inside long lines (a minified file is one line of megabytes): every
  /// `checkpointSpacing` bytes, a byte offset and its UTF-16 column, taken at the positions that the
  /// column count steps through, so a conversion counts at most that many bytes instead of the line.
  private let checkpointBytes: [Int]
  private let checkpointColumns: [Int]
  static let checkpointSpacing = 256

  public init(_ bytes: [UInt8]) {
    self.bytes = bytes
    var starts = [0]
    for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
    lineStarts = starts
    var cpBytes: [Int] = []
    var cpColumns: [Int] = []
    for (n, start) in starts.enumerated() {
      let end = n + 1 < starts.count ? starts[n + 1] - 1 : bytes.count
      guard end - start > Self.checkpointSpacing else { continue }
      var i = start
      var col = 0
      var last = start
      while i < end {
        if i - last >= Self.checkpointSpacing {
          cpBytes.append(i)
          cpColumns.append(col)
          last = i
        }
        let len = Self.sequenceLength(bytes[i])
        col += len == 4 ? 2 : 1
        i += len
      }
    }
    checkpointBytes = cpBytes
    checkpointColumns = cpColumns
  }

  /// Index of the first checkpoint at or after byte `offset`.
  private func firstCheckpoint(atOrAfter offset: Int) -> Int {
    var lo = 0
    var hi = checkpointBytes.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if checkpointBytes[mid] < offset { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  public init(_ text: String) { self.init(Array(text.utf8)) }

  public var lineCount: Int { lineStarts.count }

  /// Zero-based line containing the byte offset.
  public func line(ofByte offset: Int) -> Int {
    var lo = 0
    var hi = lineStarts.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
    }
    return lo
  }

  /// Zero-based (line, UTF-16 column) of a byte offset. An offset inside a multi-byte
  /// character maps to that character's start.
  public func utf16Position(ofByte offset: Int) -> (line: Int, character: Int) {
    let offset = min(max(offset, 0), bytes.count)
    let line = line(ofByte: offset)
    var col = 0
    var i = lineStarts[line]
    // The last checkpoint of this line at or before the offset, if any.
    let k = firstCheckpoint(atOrAfter: offset + 1) - 1
    if k >= 0 && checkpointBytes[k] >= i {
      i = checkpointBytes[k]
      col = checkpointColumns[k]
    }
    while i < offset {
      let b = bytes[i]
      let len = Self.sequenceLength(b)
      if i + len > offset { break }
      col += len == 4 ? 2 : 1
      i += len
    }
    return (line, col)
  }

  /// The byte offset of a zero-based (line, UTF-16 column). Lines past the end clamp to the end
  /// of the text and columns past the end of a line clamp to the line's end (as LSP asks).
  public func byteOffset(line: Int, utf16Column: Int) -> Int {
    guard line >= 0 else { return 0 }
    guard line < lineStarts.count else { return bytes.count }
    let end = line + 1 < lineStarts.count ? lineStarts[line + 1] - 1 : bytes.count
    var i = lineStarts[line]
    var col = 0
    // The last checkpoint of this line whose column is not past the one asked for.
    var lo = firstCheckpoint(atOrAfter: i)
    var hi = firstCheckpoint(atOrAfter: end)
    while lo < hi {
      let mid = (lo + hi) / 2
      if checkpointColumns[mid] <= utf16Column { lo = mid + 1 } else { hi = mid }
    }
    if lo > 0 && checkpointBytes[lo - 1] >= i && checkpointBytes[lo - 1] < end {
      i = checkpointBytes[lo - 1]
      col = checkpointColumns[lo - 1]
    }
    while i < end && col < utf16Column {
      let len = Self.sequenceLength(bytes[i])
      col += len == 4 ? 2 : 1
      i += len
    }
    return min(i, end)
  }

  /// Zero-based (line, byte column) of a byte offset.
  public func bytePosition(ofByte offset: Int) -> (line: Int, column: Int) {
    let line = line(ofByte: offset)
    return (line, offset - lineStarts[line])
  }

  private static func sequenceLength(_ lead: UInt8) -> Int {
    switch lead {
    case 0..<0x80: return 1
    case 0xC0..<0xE0: return 2
    case 0xE0..<0xF0: return 3
    case 0xF0..<0xF8: return 4
    default: return 1  // continuation or invalid byte: count it as one unit
    }
  }
}
