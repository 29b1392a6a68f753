import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Logging to stderr only (stdout carries the protocol). `CODEINTEL_LSP_LOG=debug|info|warning|error`
/// sets the level; the default is `info`.
public enum Log {
  public enum Level: Int, Sendable, Comparable {
    case debug, info, warning, error
    public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
  }

  static let level: Level = {
    switch ProcessInfo.processInfo.environment["CODEINTEL_LSP_LOG"]?.lowercased() {
    case "debug": return .debug
    case "warning": return .warning
    case "error": return .error
    case "off", "none": return .error
    default: return .info
    }
  }()

  static let lock = NSLock()

  public static func debug(_ message: @autoclosure () -> String) { emit(.debug, message) }
  public static func info(_ message: @autoclosure () -> String) { emit(.info, message) }
  public static func warning(_ message: @autoclosure () -> String) { emit(.warning, message) }
  public static func error(_ message: @autoclosure () -> String) { emit(.error, message) }

  private static func emit(_ l: Level, _ message: () -> String) {
    guard l >= level else { return }
    let line = "codeintel-lsp [\(l)] \(message())\n"
    lock.lock()
    defer { lock.unlock() }
    var bytes = Array(line.utf8)
    _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
  }
}
