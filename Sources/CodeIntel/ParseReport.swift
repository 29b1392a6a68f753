import Dispatch
import Foundation
import Syntax

/// The result of parsing a set of files: per file, its units and error count, or why it was refused.
public struct ParseReport: Sendable {
  public struct FileResult: Sendable {
    public let path: String
    public let language: Language?
    public let bytes: Int
    public let errorCount: Int
    public let units: [FunctionUnit]
    /// Set when the file could not be read or parsed; the other fields are then empty.
    public let failure: String?
    /// Bindings from scope analysis, when asked for.
    public let bindings: [BindingSummary]?
  }

  /// One binding with its references, for `codeintel parse --scopes`.
  public struct BindingSummary: Sendable, Codable {
    public let name: String
    public let kind: String
    /// 1-based line and column (bytes) of the declaration.
    public let line: Int
    public let column: Int
    public let references: [[Int]]
  }

  public let files: [FileResult]

  public var totalBytes: Int { files.reduce(0) { $0 + $1.bytes } }
  public var totalUnits: Int { files.reduce(0) { $0 + $1.units.count } }
  public var filesWithErrors: Int { files.filter { $0.errorCount > 0 }.count }
  public var failures: [FileResult] { files.filter { $0.failure != nil } }

  /// Parses every file, on `threads` threads (one parser each); results keep the input order.
  public static func make(paths: [String], threads: Int = 2, scopes: Bool = false) -> ParseReport {
    let results = UnsafeMutableBufferPointer<FileResult?>.allocate(capacity: paths.count)
    results.initialize(repeating: nil)
    defer { results.deallocate() }
    let workers = max(1, min(threads, paths.count))
    let box = ResultsBox(results)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      var parsers: [Language: Parser] = [:]
      var i = worker
      while i < paths.count {
        box.set(i, parseOne(paths[i], parsers: &parsers, scopes: scopes))
        i += workers
      }
    }
    return ParseReport(files: results.map { $0! })
  }

  private static func parseOne(_ path: String, parsers: inout [Language: Parser], scopes: Bool) -> FileResult {
    do {
      let file = try SourceFile.load(path)
      let parser = parsers[file.language] ?? Parser(language: file.language)
      parsers[file.language] = parser
      let parsed = try ParsedFile(file, parser: parser)
      return FileResult(
        path: path, language: file.language, bytes: file.bytes.count, errorCount: parsed.errorCount,
        units: parsed.units, failure: nil, bindings: scopes ? summarizeBindings(parsed.tree) : nil)
    } catch {
      return FileResult(
        path: path, language: Language(path: path), bytes: 0, errorCount: 0, units: [], failure: "\(error)",
        bindings: nil)
    }
  }
}

/// Lets worker threads write disjoint slots of one buffer.
private final class ResultsBox: @unchecked Sendable {
  let buffer: UnsafeMutableBufferPointer<ParseReport.FileResult?>
  init(_ buffer: UnsafeMutableBufferPointer<ParseReport.FileResult?>) { self.buffer = buffer }
  func set(_ i: Int, _ value: ParseReport.FileResult) { buffer[i] = value }
}
