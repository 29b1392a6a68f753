import CodeIntel
import Foundation
import Heads
import LanguageServer
import Syntax

/// A name model stand-in: proposes one fixed name for every function.
struct FixedNameSuggester: NameSuggester {
  var name: String
  var confidence: Double
  /// Stands for a head with a `display.json`: it holds back names below its calibrated level itself.
  var isCalibrated = false

  func suggestNames(for unit: FunctionUnit, in tree: Tree, cancellation: CancellationToken) throws -> [NameSuggestion] {
    [NameSuggestion(name: name, confidence: confidence)]
  }
}

/// A type suggester that blocks until its request is cancelled, to test `$/cancelRequest` on a
/// request that is running. `entered` is signalled when it starts.
final class BlockingTypeSuggester: TypeSuggester, @unchecked Sendable {
  let entered = DispatchSemaphore(value: 0)

  func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cancellation: CancellationToken) throws
    -> [TypeEvidence.Suggestion]
  {
    entered.signal()
    let deadline = Date().addingTimeInterval(30)
    while !cancellation.isCancelled && Date() < deadline { usleep(1000) }
    try cancellation.check()
    return []
  }
}
