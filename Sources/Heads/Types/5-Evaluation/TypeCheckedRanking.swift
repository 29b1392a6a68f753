import Foundation
import Syntax

/// The combined system's ranking as the compiler leaves it (TypeWriter's search, Pradel et al. 2020): what
/// `suggest-types` and the editor show at a site is the first of its candidates that adds no compiler diagnostic
/// to the file, each site judged alone (`TypeChecker.check`, the listing's group testing). `eval types --check`
/// scores that ranking: per site, the candidate that passed first, then the candidates after it (unchecked, as the
/// search leaves them); a site none of whose candidates passes gets no prediction (nothing would be shown there).
/// Candidates before the one that passed were refused by the compiler and leave the list.
extension TypeEvaluation {
  /// What the checked ranking did to one file's sites.
  public struct CheckedRanking: Sendable {
    /// Per site (the file's site order), the ranked types after the check.
    public var ranked: [[String]]
    /// Sites whose best candidate failed and a later one passed.
    public var replaced: Int
    /// Sites none of whose candidates passed.
    public var dropped: Int
  }

  /// The suggestion a dataset site's candidates make: the annotation goes at the site's offset (the dataset's
  /// anchor, where `: T` was removed).
  static func suggestion(for site: Site, candidates: [TypeCombination.Candidate]) -> TypeEvidence.Suggestion? {
    guard !candidates.isEmpty else { return nil }
    let kind: TypeEvidence.Suggestion.Kind
    switch site.kind {
    case "return": kind = .returnType
    case "parameter": kind = .parameter
    case "property": kind = .property
    default: kind = .variable
    }
    return TypeEvidence.Suggestion(
      kind: kind, name: site.name, nameRange: site.offset..<site.offset, anchor: site.offset,
      candidates: candidates.map {
        TypeEvidence.Suggestion.Candidate(
          type: $0.type, confidence: $0.confidence, reason: $0.reason, source: $0.source.rawValue)
      })
  }

  /// `candidates` (the system's ranked candidates per site of `file`, `systemCandidates`) after the compiler's
  /// search: the file is checked at `directory`/`file.path` (nothing is written there; a relative import resolves
  /// against it, so with an empty directory every import is unresolved and its names are `any`, and the compiler
  /// options are the checker's defaults: `strict`). Sites marked `any` are not checked (they are not scored).
  /// `compilerReturns`: return sites try the compiler's own trustworthy return type first, as the product does
  /// (`TypeChecker.preferringCompilerReturns`).
  public static func checkedRanking(
    _ file: File, candidates: [[TypeCombination.Candidate]], checker: TypeChecker, directory: String,
    compilerReturns: Bool = true
  ) throws -> CheckedRanking {
    let bytes = Array(file.text.utf8)
    var suggestions: [TypeEvidence.Suggestion] = []
    var siteOf: [Int] = []
    for (i, site) in file.sites.enumerated() where !site.any && i < candidates.count {
      guard let s = suggestion(for: site, candidates: candidates[i]), site.offset <= bytes.count else { continue }
      suggestions.append(s)
      siteOf.append(i)
    }
    var ranked: [[String]] = file.sites.indices.map { i in i < candidates.count ? candidates[i].map(\.type) : [] }
    guard !suggestions.isEmpty else { return CheckedRanking(ranked: ranked, replaced: 0, dropped: 0) }
    let path = URL(fileURLWithPath: directory).appendingPathComponent(file.path).path
    // The product's order: the compiler's trustworthy return type first (the search below is told not to do it
    // again), so the ranking scored is the one searched.
    if compilerReturns {
      suggestions = checker.preferringCompilerReturns(suggestions, path: path, bytes: bytes)
      for (k, s) in suggestions.enumerated() { ranked[siteOf[k]] = s.candidates.map(\.type) }
    }
    // Each site alone, every candidate tried (the bar is the caller's, not the check's), no probe: the ranking is
    // what is scored, not whether a pass could have failed.
    // The file's scopes, as the listing uses them: a check reads only what its sites reach.
    let language = file.syntaxLanguage
    let scopes = (try? Parser(language: language).parse(bytes: bytes)).map { TypeCheckScopes(tree: $0) }
    let outcome = try checker.check(
      suggestions, path: path, bytes: bytes, minConfidence: -Double.infinity, scopes: scopes, compilerReturns: false)
    // Suggestions are identified by their anchor (a dataset file has one site per anchor).
    var passed: [Int: String] = [:]
    for kept in outcome.kept { passed[kept.anchor] = kept.best.type }
    var dropped = 0
    for (k, s) in suggestions.enumerated() {
      let i = siteOf[k]
      guard let type = passed[s.anchor], let at = ranked[i].firstIndex(of: type) else {
        ranked[i] = []
        dropped += 1
        continue
      }
      ranked[i] = Array(ranked[i][at...])
    }
    return CheckedRanking(ranked: ranked, replaced: outcome.replaced, dropped: dropped)
  }
}
