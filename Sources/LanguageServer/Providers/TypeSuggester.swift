import CodeIntel
import Heads
import Syntax

/// Proposes types for the unannotated bindings, parameters and returns of a file: the deterministic
/// `EvidenceTypeSuggester`, or `ModelTypeSuggester` when a type head is installed.
public protocol TypeSuggester: Sendable {
  /// Suggestions for the file, each with candidates best first. With `bytes`, it may look only at
  /// the bindings and functions that overlap that range (it must include every suggestion whose
  /// anchor or name lies in it). Long work polls `cancellation`.
  func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cancellation: CancellationToken) throws
    -> [TypeEvidence.Suggestion]
  /// The same, with the document's `TypeHeadCache`, which a suggester with a type head uses so that an edit
  /// re-computes only what it changed; the result must be the same as without it.
  func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cache: TypeHeadCache, cancellation: CancellationToken)
    throws -> [TypeEvidence.Suggestion]
  /// The display threshold calibrated for this suggester (nil: none; the server's default applies).
  var displayThreshold: Double? { get }
}

extension TypeSuggester {
  public func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cache: TypeHeadCache, cancellation: CancellationToken)
    throws -> [TypeEvidence.Suggestion]
  {
    try suggestTypes(in: tree, bytes: bytes, cancellation: cancellation)
  }
  public var displayThreshold: Double? { nil }
}

extension Array where Element == TypeEvidence.Suggestion {
  /// The suggestions whose anchor or name lies in `bytes` (all of them for nil).
  func overlapping(_ bytes: ClosedRange<Int>?) -> [TypeEvidence.Suggestion] {
    guard let bytes else { return self }
    return filter { TypeSuggestions.touches(bytes, anchor: $0.anchor, nameRange: $0.nameRange) }
  }
}

/// Types read off literals, constructors, defaults and returns (`TypeEvidence`): no model needed.
public struct EvidenceTypeSuggester: TypeSuggester {
  public init() {}

  public func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cancellation: CancellationToken) throws
    -> [TypeEvidence.Suggestion]
  {
    try cancellation.check()
    return TypeHoles.evidence(in: tree, bytes: bytes)
  }
}

/// The type head and its name prior combined with the evidence (`TypeSuggestions.suggestions(in:tsx:model:)`:
/// the head folder's learned `TypeRanker`, else `TypeCombination.combine`) for TypeScript;
/// evidence alone for JavaScript. With a byte range the head scores only the sites in it (each in its own
/// window of the file), so a hover or a viewport of inlay hints costs a few windows, not the whole file.
public struct ModelTypeSuggester: TypeSuggester {
  public let model: TypeHeadModel

  public init(model: TypeHeadModel) { self.model = model }

  /// The head folder's calibrated threshold (`type-calibration.json`), if it has one.
  public var displayThreshold: Double? { model.calibration?.threshold }

  public func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cancellation: CancellationToken) throws
    -> [TypeEvidence.Suggestion]
  {
    try suggest(in: tree, bytes: bytes, cache: nil, cancellation: cancellation)
  }

  public func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cache: TypeHeadCache, cancellation: CancellationToken)
    throws -> [TypeEvidence.Suggestion]
  {
    try suggest(in: tree, bytes: bytes, cache: cache, cancellation: cancellation)
  }

  private func suggest(in tree: Tree, bytes: ClosedRange<Int>?, cache: TypeHeadCache?, cancellation: CancellationToken)
    throws -> [TypeEvidence.Suggestion]
  {
    try cancellation.check()
    guard tree.language.isTypeScript else { return TypeHoles.evidence(in: tree, bytes: bytes) }
    return TypeSuggestions.suggestions(in: tree, tsx: tree.language == .tsx, model: model, bytes: bytes, cache: cache)
      .overlapping(bytes)
  }
}
