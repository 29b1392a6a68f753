import CodeIntel
import Heads
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

/// Proposes names for a function from what its body does (`HeadNameSuggester`, the method-name head). With
/// none installed there is no rename action, and the name diagnostic comes from the body rules alone.
public protocol NameSuggester: Sendable {
  /// Names for `unit`, best first.
  func suggestNames(for unit: FunctionUnit, in tree: Tree, cancellation: CancellationToken) throws -> [NameSuggestion]
  /// The same for a function of the file at `path` (the document's path; nil for an unsaved buffer): a suggester
  /// whose model reads the file's place (a head trained with `--context path`) uses it; by default it is ignored.
  func suggestNames(for unit: FunctionUnit, in tree: Tree, path: String?, cancellation: CancellationToken) throws
    -> [NameSuggestion]
  /// What `codeintel suggest-names --rules …` says about `unit` (`NameAnalysis`: suggestions and the name/body
  /// mismatch verdict of `rules` with its reasons), or nil for a suggester without that analysis; the server then
  /// flags a confident top suggestion that differs from the name.
  func report(for unit: FunctionUnit, in tree: Tree, rules: Set<MismatchRule>, cancellation: CancellationToken)
    throws -> NameReport?
  /// `report(for:in:rules:cancellation:)` for a function of the file at `path` (see above).
  func report(
    for unit: FunctionUnit, in tree: Tree, path: String?, rules: Set<MismatchRule>, cancellation: CancellationToken
  ) throws -> NameReport?
  /// Whether the suggester already holds back every name below a level calibrated on held-out data (the name
  /// head's `display.json`, the level `codeintel suggest-names` shows from). The server then adds no bar of
  /// its own unless `diagnostics.minNameConfidence` is set, so the editor and the command line show the same
  /// names; an uncalibrated suggester gets `ServerConfiguration.defaultMinNameConfidence`.
  var isCalibrated: Bool { get }
}

extension NameSuggester {
  /// By default the path is ignored.
  public func suggestNames(for unit: FunctionUnit, in tree: Tree, path: String?, cancellation: CancellationToken)
    throws -> [NameSuggestion]
  {
    try suggestNames(for: unit, in: tree, cancellation: cancellation)
  }

  /// By default the path is ignored.
  public func report(
    for unit: FunctionUnit, in tree: Tree, path: String?, rules: Set<MismatchRule>, cancellation: CancellationToken
  ) throws -> NameReport? {
    try report(for: unit, in: tree, rules: rules, cancellation: cancellation)
  }

  public func report(
    for unit: FunctionUnit, in tree: Tree, rules: Set<MismatchRule>, cancellation: CancellationToken
  ) throws -> NameReport? {
    nil
  }

  public var isCalibrated: Bool { false }
}
