/// Content checks made once a file is read: binary and minified files are left out. Generated files are indexed and
/// left out of clone reports as build output (`GeneratedCode`, `ReviewScope`), so `--include-build` can show them.
public enum SourceFilter {
  /// Why `bytes` should not be indexed, or nil to index it.
  public static func skipReason(for bytes: [UInt8]) -> SkipReason? {
    let head = bytes.prefix(8192)
    if head.contains(0) { return .binary }
    if !isValidUTF8(head, truncated: bytes.count > head.count) { return .binary }
    // Minified: very long lines on average, or one enormous line holding most of the file.
    var lines = 1
    var longest = 0
    var current = 0
    for b in bytes {
      if b == 0x0A {
        lines += 1
        longest = max(longest, current)
        current = 0
      } else {
        current += 1
      }
    }
    longest = max(longest, current)
    let average = bytes.count / lines
    if bytes.count > 2048 && average > 300 { return .minified("average line \(average) bytes") }
    if longest > 10_000 && longest * 2 > bytes.count { return .minified("one line of \(longest) bytes") }
    return nil
  }

  /// Whether `bytes` is valid UTF-8; when `truncated`, a character cut at the end is allowed.
  private static func isValidUTF8(_ bytes: ArraySlice<UInt8>, truncated: Bool) -> Bool {
    var end = bytes.endIndex
    if truncated {
      while end > bytes.startIndex && (bytes[end - 1] & 0xC0) == 0x80 { end -= 1 }
      if end > bytes.startIndex && bytes[end - 1] >= 0xC0 { end -= 1 }
    }
    var it = bytes[bytes.startIndex..<end].makeIterator()
    var decoder = UTF8()
    while true {
      switch decoder.decode(&it) {
      case .scalarValue: continue
      case .emptyInput: return true
      case .error: return false
      }
    }
  }
}
