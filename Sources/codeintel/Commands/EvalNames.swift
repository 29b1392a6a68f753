import CodeIntel
import Foundation
import Model

/// `codeintel eval names`: method-name prediction rows for docs/EVALUATION.md.
enum EvalNames {
  static func run(_ args: [String]) throws -> Int32 {
    throw UsageError("`eval names` is not built yet")
  }
}
