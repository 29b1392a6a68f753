import Foundation
import Syntax

/// The combined system as `suggest-types` and the LSP run it, on dataset files: the evidence, the type head and
/// its name prior ranked by the head folder's `TypeRanker` (else combined by `TypeCombination.combine`), then only candidates whose names are types in scope at
/// the site (`TypeNames`, the same rule the suggestions obey; `any` never, a type containing `any` capped at
/// `TypeNames.anyCap`). What the evaluation scores as "combined system" and the calibration is fitted on.
extension TypeEvaluation {
  /// Per site of `file`, the system's ranked candidates (at most `pool`: five as scored and shown, ten for the
  /// compiler's search), best first. `predictions` are the model's ranked types per site (its top 10: the head mixed
  /// with the retrieval, as `predict` gives them) when the caller has them; else `model.predict` is run.
  public static func systemCandidates(
    _ file: File, model: TypeHeadModel, evidenceThreshold: Double = TypeCombination.evidenceThreshold,
    predictions given: [[(type: String, probability: Float)]]? = nil,
    evidence givenEvidence: [[TypeEvidence.Suggestion.Candidate]]? = nil,
    names givenNames: TypeNames? = nil, shapes givenShapes: TypeShapes.FileShapes? = nil, useShapes: Bool = true,
    pool: Int = 5, project: TypeProjectAnnotations? = nil,
    own: [TypeProjectAnnotations.Key: [String: Int]] = [:]
  ) throws -> [[TypeCombination.Candidate]] {
    let evidence = try givenEvidence ?? evidenceCandidates(file)
    let predictions =
      given ?? model.predict(text: file.text, tsx: file.path.hasSuffix(".tsx"), sites: file.headSites, top: 10)
    let names = try givenNames ?? typeNames(file)
    let shapes =
      useShapes ? try givenShapes ?? fileShapes(file, generics: model.namePrior?.generics) : TypeShapes.FileShapes()
    return file.sites.indices.map { i in
      let site = file.sites[i]
      let shapedModel = shapes.shaped(predictions[i], anchor: site.offset, kind: site.kind)
      let shapedPrior = shapes.shaped(
        model.namePrior?.candidates(for: site.name) ?? [], anchor: site.offset, kind: site.kind)
      let combined = model.rankCandidates(
        evidence: evidence[i], model: shapedModel, prior: shapedPrior, kind: site.kind, name: site.name,
        threshold: evidenceThreshold, top: max(10, pool))
      var out: [TypeCombination.Candidate] = []
      for var c in combined where out.count < pool {
        // `TypeNames.vet`'s steps, as the suggestions take them: a bare generic of the package's own modules applied to
        // the site's type parameters of the same names (dropped when that application is already listed), `any` and
        // names not in scope refused, confidence capped for a type holding `any`.
        guard let v = names.vetted(type: c.type, confidence: c.confidence, at: site.offset) else { continue }
        if v.type != c.type, out.contains(where: { TypeAccuracy.normalize($0.type) == TypeAccuracy.normalize(v.type) }) {
          continue
        }
        c.type = v.type
        c.confidence = v.confidence
        out.append(c)
      }
      // A capped candidate may now sit below one after it.
      let ranked = out.enumerated().sorted {
        $0.element.confidence != $1.element.confidence
          ? $0.element.confidence > $1.element.confidence : $0.offset < $1.offset
      }.map(\.element)
      // The hand-set rule ranks by the evidence rules' fixed confidences and shows their measured ones; the learned
      // ranker's confidence is its own probability.
      let shown =
        model.ranker != nil
        ? ranked
        : model.evidencePrecision?.displayed(
          ranked, evidence: evidence[i], kind: site.kind, model: shapedModel, prior: shapedPrior) ?? ranked
      // The project's own annotations elsewhere rank by their share where they pass their rule and the type is in scope.
      return TypeProjectAnnotations.leading(
        shown,
        leads: project.map {
          TypeProjectAnnotations.vetted(
            $0.leads(
              name: site.name, isReturn: site.kind == "return", excluding: file.path, own: own,
              shape: shapes.shape(anchor: site.offset, kind: site.kind)),
            names: names, at: site.offset)
        } ?? [],
        top: pool)
    }
  }

  /// The names usable as types in a dataset file (`TypeNames` over its parse; relative imports are looked up in the
  /// package's sources in the corpus cache, `PackageSources`, when it holds them).
  public static func typeNames(_ file: File) throws -> TypeNames {
    let language = file.syntaxLanguage
    return TypeNames(
      tree: try Parser(language: language).parse(file.text),
      path: PackageSources.root(of: file.package).map { $0 + "/" + file.path })
  }

  /// The shapes a dataset file's code gives its sites (`TypeShapes` over its parse).
  public static func fileShapes(_ file: File, generics: [String: TypeNamePrior.GenericUse]? = nil) throws
    -> TypeShapes.FileShapes
  {
    let language = file.syntaxLanguage
    return TypeShapes.shapes(in: try Parser(language: language).parse(file.text), generics: generics)
  }

  /// Each scored site's best system candidate as (confidence, right), `any` sites left out; sites without a
  /// candidate give no point (they are never shown).
  public static func calibrationPoints(files: [File], candidates: [[[TypeCombination.Candidate]]])
    -> [(confidence: Double, correct: Bool)]
  {
    var out: [(confidence: Double, correct: Bool)] = []
    for (file, perSite) in zip(files, candidates) {
      for (site, ranked) in zip(file.sites, perSite) where !site.any {
        guard let best = ranked.first else { continue }
        out.append((best.confidence, TypeAccuracy.normalize(best.type) == TypeAccuracy.normalize(site.label)))
      }
    }
    return out
  }

  /// Sites, shown and right at `threshold` (scored sites, `any` excluded).
  public static func atThreshold(
    files: [File], candidates: [[[TypeCombination.Candidate]]], threshold: Double, split: String
  ) -> TypeCalibration.SplitResult {
    let sites = files.reduce(0) { $0 + $1.sites.filter { !$0.any }.count }
    let shown = calibrationPoints(files: files, candidates: candidates).filter { $0.confidence >= threshold }
    return TypeCalibration.SplitResult(
      split: split, sites: sites, shown: shown.count, correct: shown.filter(\.correct).count)
  }
}
