import CodeIntel
import Foundation
import Model

/// `codeintel eval names`: method-name prediction rows for docs/EVALUATION.md.
enum EvalNames {
  static func run(_ args: [String]) throws -> Int32 {
    print(try markdown(args), terminator: "")
    return 0
  }

  /// The method-names section of docs/EVALUATION.md for these arguments (the same ones `run` takes).
  static func markdown(_ args: [String]) throws -> String {
    throw UsageError("`eval names` is not built yet")
  }
}
