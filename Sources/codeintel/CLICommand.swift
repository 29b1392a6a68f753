import CloneIndex
import Foundation

/// A `codeintel` subcommand: argument parsing and printing only; the work is a library call.
protocol CLICommand {
  /// The word after `codeintel`, e.g. `parse`.
  static var name: String { get }
  /// One line for `codeintel --help`.
  static var summary: String { get }
  /// The full text of `codeintel NAME --help`.
  static var help: String { get }
  /// Runs with the arguments after the subcommand's name; returns the exit status.
  static func run(_ args: [String]) throws -> Int32
}

/// A mistake in the command line: printed with a pointer to `--help`, exit status 2.
struct UsageError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Where a command's JSON lines go: `path` emptied and opened for writing, or standard output.
func outputHandle(_ path: String?) throws -> FileHandle {
  guard let path else { return FileHandle.standardOutput }
  try FileBytes.write([], to: path)
  guard let handle = FileHandle(forWritingAtPath: path) else { throw CloneIndexError.io("cannot write \(path)") }
  return handle
}
