import Corpus
import Foundation

/// A small command-line scanner for subcommands: flags (`--quiet`), options with a value
/// (`--format json` or `--format=json`, `-k 10`) and positional arguments. Take the flags and
/// options you know, then call `finish()` to get the positionals; anything left that starts with
/// `-` (except `-` itself, meaning stdin) is a `UsageError`.
struct ArgumentScanner {
  private var args: [String]

  init(_ args: [String]) { self.args = args }

  /// Removes every occurrence of the flag; returns whether it was present.
  mutating func flag(_ names: String...) -> Bool {
    var found = false
    var i = 0
    while i < args.count {
      if args[i] == "--" { break }
      if names.contains(args[i]) {
        args.remove(at: i)
        found = true
      } else {
        i += 1
      }
    }
    return found
  }

  /// Removes the option and its value; the last occurrence wins. Nil when absent.
  mutating func option(_ names: String...) throws -> String? {
    var value: String?
    var i = 0
    while i < args.count {
      let a = args[i]
      if a == "--" { break }
      if let eq = a.firstIndex(of: "="), names.contains(String(a[..<eq])) {
        value = String(a[a.index(after: eq)...])
        args.remove(at: i)
      } else if names.contains(a) {
        guard i + 1 < args.count else { throw UsageError("\(a) needs a value") }
        value = args[i + 1]
        args.removeSubrange(i...(i + 1))
      } else {
        i += 1
      }
    }
    return value
  }

  /// Removes every occurrence of a repeatable option; returns the values in order.
  mutating func all(_ name: String) throws -> [String] { try options(name) }

  /// `--datasets DIR`, else the folder `codeintel corpus build` writes (`DatasetBuilder.defaultOutput`): the one
  /// default of every command that reads the datasets.
  mutating func datasets() throws -> String {
    try option("--datasets") ?? DatasetBuilder.defaultOutput.path
  }

  /// Removes every occurrence of a repeatable option and returns their values in order.
  mutating func options(_ names: String...) throws -> [String] {
    var values: [String] = []
    var i = 0
    while i < args.count {
      let a = args[i]
      if a == "--" { break }
      if let eq = a.firstIndex(of: "="), names.contains(String(a[..<eq])) {
        values.append(String(a[a.index(after: eq)...]))
        args.remove(at: i)
      } else if names.contains(a) {
        guard i + 1 < args.count else { throw UsageError("\(a) needs a value") }
        values.append(args[i + 1])
        args.removeSubrange(i...(i + 1))
      } else {
        i += 1
      }
    }
    return values
  }

  /// An integer option within `range`.
  mutating func int(_ names: String..., in range: ClosedRange<Int> = 0...Int.max) throws -> Int? {
    guard let text = try option(names) else { return nil }
    guard let n = Int(text), range.contains(n) else {
      throw UsageError("\(names[0]) needs a whole number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
    }
    return n
  }

  /// A decimal option within `range`.
  mutating func double(_ names: String..., in range: ClosedRange<Double>) throws -> Double? {
    guard let text = try option(names) else { return nil }
    guard let x = Double(text), range.contains(x) else {
      throw UsageError("\(names[0]) needs a number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
    }
    return x
  }

  /// An option whose value must be one of `choices`.
  mutating func choice(_ names: String..., from choices: [String]) throws -> String? {
    guard let text = try option(names) else { return nil }
    guard choices.contains(text) else {
      throw UsageError("\(names[0]) must be one of \(choices.joined(separator: ", ")), got '\(text)'")
    }
    return text
  }

  /// The remaining positional arguments; throws on an unknown option.
  func finish() throws -> [String] {
    var out: [String] = []
    var afterDashes = false
    for a in args {
      if !afterDashes && a == "--" {
        afterDashes = true
        continue
      }
      if !afterDashes && a.hasPrefix("-") && a != "-" { throw UsageError("unknown option '\(a)'") }
      out.append(a)
    }
    return out
  }

  private mutating func option(_ names: [String]) throws -> String? {
    var value: String?
    for n in names { if let v = try option(n) { value = v } }
    return value
  }
}

/// Writes one line to standard error.
func printError(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
}
