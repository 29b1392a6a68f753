import Foundation

// MARK: - JSON values written in a fixed key order

/// A JSON value built by hand so that every record is written with its keys in a fixed order and
/// the same bytes on every run (what the dataset hash relies on).
public enum JSONValue: Sendable, Equatable {
  case string(String)
  case int(Int)
  case double(Double)
  case bool(Bool)
  case null
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }

  /// The compact JSON text.
  public func serialized() -> String {
    var out = ""
    write(into: &out)
    return out
  }

  func write(into out: inout String) {
    switch self {
    case .string(let s): JSONValue.appendQuoted(s, to: &out)
    case .int(let i): out += String(i)
    case .double(let d): out += d.isFinite ? String(format: "%.6g", d) : "null"
    case .bool(let b): out += b ? "true" : "false"
    case .null: out += "null"
    case .array(let items):
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += "," }
        item.write(into: &out)
      }
      out += "]"
    case .object(let fields):
      out += "{"
      for (i, (key, value)) in fields.enumerated() {
        if i > 0 { out += "," }
        JSONValue.appendQuoted(key, to: &out)
        out += ":"
        value.write(into: &out)
      }
      out += "}"
    }
  }

  /// Appends `s` as a JSON string literal (quotes, backslashes and control characters escaped;
  /// other characters as UTF-8).
  static func appendQuoted(_ s: String, to out: inout String) {
    out += "\""
    var plainStart = s.unicodeScalars.startIndex
    var i = plainStart
    let scalars = s.unicodeScalars
    while i != scalars.endIndex {
      let c = scalars[i]
      let escape: String?
      switch c {
      case "\"": escape = "\\\""
      case "\\": escape = "\\\\"
      case "\n": escape = "\\n"
      case "\r": escape = "\\r"
      case "\t": escape = "\\t"
      case "\u{2028}": escape = "\\u2028"
      case "\u{2029}": escape = "\\u2029"
      default:
        if c.value < 0x20 {
          let hex = String(c.value, radix: 16)
          escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          escape = nil
        }
      }
      if let escape {
        out.unicodeScalars.append(contentsOf: scalars[plainStart..<i])
        out += escape
        plainStart = scalars.index(after: i)
      }
      i = scalars.index(after: i)
    }
    out.unicodeScalars.append(contentsOf: scalars[plainStart..<scalars.endIndex])
    out += "\""
  }
}

// MARK: - Writer

/// Writes JSON Lines to a file through a buffer and hashes what it writes (SHA-256).
public final class JSONLinesWriter {
  public let url: URL
  private let handle: FileHandle
  private var buffer: [UInt8] = []
  private var hasher = SHA256()
  /// Records written so far.
  public private(set) var count = 0

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
    if buffer.count >= 1 << 20 { flush() }
  }

  private func flush() {
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
