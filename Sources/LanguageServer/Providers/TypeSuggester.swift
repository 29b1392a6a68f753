import CodeIntel
import Syntax

/// Proposes types for the unannotated bindings, parameters and returns of a file. The
/// deterministic `EvidenceTypeSuggester` ships now; the type head plugs in here later.
public protocol TypeSuggester: Sendable {
  /// Suggestions for the file, each with candidates best first. With `bytes`, it may look only at
  /// the bindings and functions that overlap that range (it must include every suggestion whose
  /// anchor or name lies in it). Long work polls `cancellation`.
  func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cancellation: CancellationToken) throws
    -> [TypeEvidence.Suggestion]
}

/// Types read off literals, constructors, defaults and returns (`TypeEvidence`): no model needed.
public struct EvidenceTypeSuggester: TypeSuggester {
  public init() {}

  public func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cancellation: CancellationToken) throws
    -> [TypeEvidence.Suggestion]
  {
    try cancellation.check()
    return TypeEvidence.suggestions(in: tree, bytes: bytes)
  }
}
