import Syntax

/// A proposed name for a function with the model's confidence in [0, 1].
public struct NameSuggestion: Sendable, Hashable, Codable {
  public var name: String
  public var confidence: Double

  public init(name: String, confidence: Double) {
    self.name = name
    self.confidence = confidence
  }
}

/// Proposes names for a function from what its body does (the method-name head). No
/// implementation ships yet; with none injected, the rename action and the name diagnostic are off.
public protocol NameSuggester: Sendable {
  /// Names for `unit`, best first.
  func suggestNames(for unit: FunctionUnit, in tree: Tree, cancellation: CancellationToken) throws -> [NameSuggestion]
}
