/// The analyses the server is built with, injected at start-up so that the model heads can
/// replace or join the deterministic ones without touching the server.
public struct AnalysisProviders: Sendable {
  public var types: any TypeSuggester
  public var names: (any NameSuggester)?
  public var clones: (any CloneLookup)?

  public init(types: any TypeSuggester, names: (any NameSuggester)? = nil, clones: (any CloneLookup)? = nil) {
    self.types = types
    self.names = names
    self.clones = clones
  }

  /// What ships without a model: literal-evidence types and canonical-form (renamed) clones.
  public static func deterministic() -> AnalysisProviders {
    AnalysisProviders(types: EvidenceTypeSuggester(), names: nil, clones: CanonicalCloneFinder())
  }
}
