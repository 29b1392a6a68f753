#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The progress line of `suggest-types` on a terminal: files done, and while the type checker works on a file,
/// its suggestions checked. Nothing when stderr is not a terminal; redrawn at most ten times a second.
final class SuggestTypesProgress {
  private let isTerminal: Bool
  private var lastDraw: UInt64 = 0
  private var drawn = false
  private let files: Int

  /// `quiet`: draw nothing (`--quiet`).
  init(files: Int, quiet: Bool = false) {
    self.files = files
    isTerminal = !quiet && isatty(2) == 1
  }

  /// Shows `done` files of all, and optionally the file being checked with its (checked, total) suggestions.
  func update(done: Int, checking path: String? = nil, suggestions: (Int, Int)? = nil) {
    guard isTerminal else { return }
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    let now = UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    if now - lastDraw < 100 { return }
    lastDraw = now
    var text = "\r\u{1B}[K[\(done)/\(files) files]"
    if let path, let (checked, total) = suggestions { text += " checking \(path): \(checked)/\(total) suggestions" }
    write(text)
    drawn = true
  }

  /// Clears the line before other output.
  func clear() {
    guard drawn else { return }
    write("\r\u{1B}[K")
    drawn = false
  }

  private func write(_ text: String) {
    var text = text
    text.withUTF8 { buf in
      var offset = 0
      while offset < buf.count {
        let n = Glibc.write(2, buf.baseAddress! + offset, buf.count - offset)
        if n <= 0 { return }
        offset += n
      }
    }
  }
}
