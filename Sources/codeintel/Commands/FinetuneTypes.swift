import CodeIntel
import Foundation
import Model

/// `codeintel finetune types`: trains the type head on the types dataset.
enum FinetuneTypes {
  static let help = "  types    (not built yet)"
  static func run(_ args: [String]) throws -> Int32 {
    throw UsageError("`finetune types` is not built yet")
  }
}
