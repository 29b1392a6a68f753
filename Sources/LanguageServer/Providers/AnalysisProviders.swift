import CloneIndex
import CodeIntel
import Heads

/// The analyses the server is built with, injected at start-up so that the model heads can
/// replace or join the deterministic ones without touching the server.
public struct AnalysisProviders: Sendable {
  public var types: any TypeSuggester
  public var names: (any NameSuggester)?
  public var clones: (any CloneLookup)?
  /// When the workspace has the command line's clone index (`.codeintel/index.sqlite`), wrap
  /// `clones` in an `IndexedCloneLookup` at `initialize` so that functional clones come from it.
  public var useWorkspaceCloneIndex: Bool
  /// The learned pair scorer that decides the workspace index's functional clones, as in `codeintel clones`
  /// (`LearnedPairGate`: `clone-scorer.json` with its folder's encoder); nil: cosine at
  /// `diagnostics.minSimilarity`, and `cloneGateNotice` says why.
  public var cloneGate: (any FunctionalPairGate)?
  public var cloneGateNotice: String?
  /// The TypeScript compiler that type hints and annotation fixes pass through (`codeintel.typeCheck.enabled`
  /// turns it off); nil: unchecked.
  public var typeCheck: TypeCheckFilter?

  public init(
    types: any TypeSuggester, names: (any NameSuggester)? = nil, clones: (any CloneLookup)? = nil,
    useWorkspaceCloneIndex: Bool = false, typeCheck: TypeCheckFilter? = nil, cloneGate: (any FunctionalPairGate)? = nil,
    cloneGateNotice: String? = nil
  ) {
    self.cloneGate = cloneGate
    self.cloneGateNotice = cloneGateNotice
    self.typeCheck = typeCheck
    self.types = types
    self.names = names
    self.clones = clones
    self.useWorkspaceCloneIndex = useWorkspaceCloneIndex
  }

  /// The deterministic providers, with the type head joining the evidence when a head folder is installed
  /// next to the default model (`Models/<model>/types/`); a head that fails to load is reported through
  /// `warn` and the evidence alone is used.
  public static func installed(warn: (String) -> Void = { _ in }) -> AnalysisProviders {
    var providers = deterministic()
    providers.typeCheck = TypeCheckFilter()
    do {
      if let model = try TypeHeadModel.loadDefault(explicit: nil) { providers.types = ModelTypeSuggester(model: model) }
    } catch {
      warn("type head not loaded: \(error)")
    }
    // The clone scorer `codeintel clones` uses; one thread for its encoder (the editor's work is small).
    do {
      if let gate = try LearnedPairGate.locateDefault(threads: 1) {
        providers.cloneGate = gate
      } else {
        providers.cloneGateNotice = "no \(ClonePairScorer.fileName) in the model folders"
      }
    } catch {
      providers.cloneGateNotice = "the clone pair scorer did not load (\(error))"
    }
    return providers
  }

  /// What ships without a model: literal-evidence types, canonical-form (renamed) clones, and the
  /// workspace's clone index when there is one.
  public static func deterministic() -> AnalysisProviders {
    AnalysisProviders(
      types: EvidenceTypeSuggester(), names: nil, clones: CanonicalCloneFinder(), useWorkspaceCloneIndex: true)
  }
}
