import CodeIntel
import Foundation
import Model

/// `codeintel finetune names`: trains the method-name head on the method-names dataset.
enum FinetuneNames {
  static let help = "  names    (not built yet)"
  static func run(_ args: [String]) throws -> Int32 {
    throw UsageError("`finetune names` is not built yet")
  }
}
