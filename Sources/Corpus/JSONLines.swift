import Foundation
@_exported import JSON

// The records are `JSONValue`s (the JSON target), written with `serialized()`: keys in a fixed order, the same
// bytes on every run (what the dataset hash relies on).

// MARK: - Writer

/// Writes JSON Lines to a file through a buffer and hashes what it writes (SHA-256).
public final class JSONLinesWriter {
  public let url: URL
  private let handle: FileHandle
  private var buffer: [UInt8] = []
  private var hasher = SHA256()
  /// Records written so far.
  public private(set) var count = 0
  /// Bytes written so far (flushed or still buffered).
  public private(set) var length: UInt64 = 0

  /// Creates (or truncates) the file, creating its folder.
  public init(url: URL) throws {
    self.url = url
    let fm = FileManager.default
    try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    guard fm.createFile(atPath: url.path, contents: nil), let handle = FileHandle(forWritingAtPath: url.path) else {
      throw CorpusError.io(path: url.path, reason: "cannot create the file")
    }
    self.handle = handle
    buffer.reserveCapacity(1 << 20)
  }

  /// Continues a file written earlier: cuts it back to its first `length` bytes (what a checkpoint
  /// recorded; a build stopped later may have written more), hashes them, and appends after them.
  /// Nil when the file is missing or shorter than `length`.
  init?(resuming url: URL, length: UInt64, count: Int) {
    guard let handle = FileHandle(forUpdatingAtPath: url.path) else { return nil }
    do {
      guard try handle.seekToEnd() >= length else {
        try? handle.close()
        return nil
      }
      try handle.truncate(atOffset: length)
      try handle.seek(toOffset: 0)
      var hasher = SHA256()
      var left = length
      while left > 0 {
        guard let chunk = try handle.read(upToCount: Int(min(left, 1 << 22))), !chunk.isEmpty else {
          try? handle.close()
          return nil
        }
        hasher.update([UInt8](chunk))
        left -= UInt64(chunk.count)
      }
      try handle.seek(toOffset: length)
      self.hasher = hasher
    } catch {
      try? handle.close()
      return nil
    }
    self.url = url
    self.handle = handle
    self.length = length
    self.count = count
    buffer.reserveCapacity(1 << 20)
  }

  /// Appends one record and a newline.
  public func write(_ record: JSONValue) {
    var line = record.serialized()
    line += "\n"
    writeRaw(line)
    count += 1
  }

  /// Appends raw text (used for the TSV vocabulary).
  public func writeRaw(_ text: String) {
    buffer.append(contentsOf: text.utf8)
    length += UInt64(text.utf8.count)
    if buffer.count >= 1 << 20 { flush() }
  }

  /// Writes the buffered bytes to the file (a checkpoint records `length` only after this).
  func flush() {
    hasher.update(buffer)
    handle.write(Data(buffer))
    buffer.removeAll(keepingCapacity: true)
  }

  /// Flushes, closes and returns the file's SHA-256 (hex).
  public func close() throws -> String {
    flush()
    try handle.close()
    return SHA256.hexString(hasher.finalize())
  }
}
