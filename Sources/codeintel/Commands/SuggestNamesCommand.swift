import CodeIntel
import Foundation

/// `codeintel suggest-names`: predicted method names, and names that disagree with their bodies.
enum SuggestNamesCommand: CLICommand {
  static let name = "suggest-names"
  static let summary = "Predict function names from their bodies; flag names that disagree (not built yet)."
  static let help = "USAGE: codeintel suggest-names FILE|DIR (not built yet)"
  static func run(_ args: [String]) throws -> Int32 {
    throw UsageError("`suggest-names` is not built yet")
  }
}
