import Heads

/// The settings of the server. They come from `initializationOptions` and from
/// `workspace/didChangeConfiguration` (`settings.codeintel`, or the bare object), e.g.
/// `{"codeintel": {"inlayHints": {"minConfidence": 0.8}, "diagnostics": {"debounceMs": 500}}}`.
/// Unknown keys and values of the wrong type are ignored with a warning on stderr.
public struct ServerConfiguration: Sendable, Equatable {
  /// Show predicted types as inlay hints.
  public var inlayHintsEnabled = true
  /// The lowest confidence of a type shown as a hint or offered as an annotation (`inlayHints.minConfidence`);
  /// nil: the type head's calibrated threshold (`type-calibration.json`), else `defaultMinTypeConfidence`.
  public var minTypeConfidence: Double?
  /// The bar without a setting and without a calibrated type head.
  public static let defaultMinTypeConfidence = 0.5
  public var hoverEnabled = true
  /// Check type hints and annotation fixes with the TypeScript compiler when it is installed (`typeCheck.enabled`).
  public var typeCheckEnabled = true
  /// Let the annotations of the document's project (its own too) lead its type suggestions (`typeProject.enabled`;
  /// `TypeProjectAnnotations`, as `suggest-types` does unless `--no-project`).
  public var typeProjectEnabled = true
  /// Publish diagnostics at all.
  public var diagnosticsEnabled = true
  /// Quiet time after the last edit before diagnostics are computed.
  public var diagnosticsDebounceMs = 300
  /// Longest time one diagnostics run may take; a run that reaches it publishes what it found so far
  /// and says so in the editor's log.
  public var diagnosticsBudgetMs = 10_000
  /// Report functional clones.
  public var cloneDiagnostics = true
  /// Report names that do not match the body.
  public var nameDiagnostics = true
  /// The cosine fallback's bar (`diagnostics.minSimilarity`): the lowest hashed-feature cosine shown as a functional
  /// clone when the learned pair scorer cannot run (none installed, no encoder vectors; the editor's log says so
  /// once). It does not apply to the scorer's matches, which are shown at the scorer's own calibrated probability as
  /// in `codeintel clones`, nor to renamed copies (docs/LSP.md, docs/CLONES.md "In the editor").
  public var minCloneSimilarity = 0.9
  /// The lowest confidence of a name suggestion used for a rename or a diagnostic (`diagnostics.minNameConfidence`),
  /// on top of the suggester's own gate; nil: the name head's calibrated display level (`display.json`, the one
  /// `codeintel suggest-names` and the hover use) alone, else `defaultMinNameConfidence` for a suggester without
  /// one (`minNameConfidence(for:)`).
  public var minNameConfidence: Double?
  /// The bar without a setting, for a name suggester that is not calibrated.
  public static let defaultMinNameConfidence = 0.6

  /// The bar a suggestion of `names` must reach to become a rename action or a diagnostic.
  public func minNameConfidence(for names: any NameSuggester) -> Double {
    minNameConfidence ?? (names.isCalibrated ? 0 : Self.defaultMinNameConfidence)
  }
  /// The mismatch rules whose evidence makes a name diagnostic (`diagnostics.nameRules`: "default", "all", "none", a
  /// comma-separated list, or an array of rule names, as `suggest-names --rules`); default `NameAnalysis.defaultRules`.
  public var nameRules = NameAnalysis.defaultRules
  /// Index the workspace in the background after `initialized`.
  public var indexWorkspace = true
  /// Files larger than this are kept but not analysed.
  public var maxFileBytes = 4 << 20

  public init() {}

  /// Applies the settings found in `json`; returns the keys it did not understand.
  @discardableResult
  public mutating func apply(_ json: JSONValue) -> [String] {
    let root = json["codeintel"] ?? json
    guard case .object = root else { return [] }
    var ignored: [String] = []
    func number(_ path: String, _ v: JSONValue?, _ set: (Double) -> Void) {
      guard let v else { return }
      if let d = v.doubleValue { set(d) } else { ignored.append(path) }
    }
    func flag(_ path: String, _ v: JSONValue?, _ set: (Bool) -> Void) {
      guard let v else { return }
      if let b = v.boolValue { set(b) } else { ignored.append(path) }
    }
    flag("inlayHints.enabled", root["inlayHints"]?["enabled"]) { inlayHintsEnabled = $0 }
    number("inlayHints.minConfidence", root["inlayHints"]?["minConfidence"]) { minTypeConfidence = $0 }
    flag("hover.enabled", root["hover"]?["enabled"]) { hoverEnabled = $0 }
    flag("typeCheck.enabled", root["typeCheck"]?["enabled"]) { typeCheckEnabled = $0 }
    flag("typeProject.enabled", root["typeProject"]?["enabled"]) { typeProjectEnabled = $0 }
    let d = root["diagnostics"]
    flag("diagnostics.enabled", d?["enabled"]) { diagnosticsEnabled = $0 }
    number("diagnostics.debounceMs", d?["debounceMs"]) { diagnosticsDebounceMs = max(0, Int($0)) }
    number("diagnostics.budgetMs", d?["budgetMs"]) { diagnosticsBudgetMs = max(0, Int($0)) }
    flag("diagnostics.clones", d?["clones"]) { cloneDiagnostics = $0 }
    flag("diagnostics.names", d?["names"]) { nameDiagnostics = $0 }
    number("diagnostics.minSimilarity", d?["minSimilarity"]) { minCloneSimilarity = $0 }
    number("diagnostics.minNameConfidence", d?["minNameConfidence"]) { minNameConfidence = $0 }
    if let v = d?["nameRules"] {
      let text =
        v.stringValue ?? v.arrayValue.map { $0.isEmpty ? "none" : $0.compactMap(\.stringValue).joined(separator: ",") }
      if let text, let rules = MismatchRule.parseList(text) {
        nameRules = rules
      } else {
        ignored.append("diagnostics.nameRules")
      }
    }
    flag("index.enabled", root["index"]?["enabled"]) { indexWorkspace = $0 }
    number("maxFileBytes", root["maxFileBytes"]) { maxFileBytes = max(0, Int($0)) }
    return ignored
  }
}
