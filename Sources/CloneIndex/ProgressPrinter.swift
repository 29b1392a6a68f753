#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Prints indexing events on stderr: a one-line progress counter only when stderr is a terminal
/// (and not `quiet`), skip reasons and notices when `verbose`, notices always unless `quiet`.
public final class ProgressPrinter: @unchecked Sendable {
  public let quiet: Bool
  public let verbose: Bool
  private let isTerminal: Bool
  private var lastDraw: UInt64 = 0
  private var drawn = false

  public init(quiet: Bool, verbose: Bool) {
    self.quiet = quiet
    self.verbose = verbose
    isTerminal = isatty(2) == 1
  }

  /// Handles one event.
  public func handle(_ event: IndexEvent) {
    switch event {
    case .notice(let text):
      if !quiet { line("codeintel: \(text)") }
    case .skipped(let s):
      if verbose { line("skip \(s.path): \(s.reason)") }
    case .indexed(let path, let units):
      if verbose { line("index \(path): \(units) functions") }
    case .removed(let path):
      if verbose { line("remove \(path)") }
    case .progress(let done, let total):
      let width = 30
      let filled = total == 0 ? width : done * width / total
      let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
      if draw("[\(bar)] \(done)/\(total) files", force: done >= total), done == total { finish() }
    }
  }

  /// Redraws the progress line with `text` (at most ten times a second unless `force`); nothing when stderr
  /// is not a terminal or the printer is quiet. Returns whether it drew.
  @discardableResult
  public func draw(_ text: @autoclosure () -> String, force: Bool = false) -> Bool {
    guard isTerminal && !quiet else { return false }
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    let now = UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    if !force && now - lastDraw < 100 { return false }
    lastDraw = now
    write("\r" + text())
    drawn = true
    return true
  }

  /// Ends the progress line, if one is drawn.
  public func finish() {
    if drawn {
      write("\r\u{1B}[K")
      drawn = false
    }
  }

  private func line(_ text: String) {
    finish()
    write(text + "\n")
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
