import Foundation

/// One JSON line per scored site (`codeintel eval types --dump FILE`): the label, whether the head could have
/// produced it at all (candidate recall: the label is in its closed vocabulary or among the site's composed
/// candidates), the head's ranked types and the combined system's, so misses can be read and counted by label.
public enum TypeSiteDump {
  struct Line: Encodable {
    var model: String
    var package: String
    var path: String
    var kind: String
    var name: String
    var offset: Int
    var label: String
    var structured: Bool
    /// The label is in the head's vocabulary or among the site's offered candidates.
    var reachable: Bool
    /// 1-based rank of the label in the head's list (at most 10 deep), nil when absent.
    var headRank: Int?
    var head: [String]
    var system: [String]
    var systemConfidence: [Double]
    var systemSource: [String]
    /// The TypeScript compiler's best effort at the site (`--tsc`: its fix, else its checker's type); nil without.
    var compiler: String?
    /// The checked ranking (`--check`: the first candidate the compiler accepted, then the rest); nil without.
    var checked: [String]?
  }

  /// Per site of `file`: whether its normalised label is reachable by the head (vocabulary or offered).
  public static func reachable(_ prepared: TypeHeadFile, file: TypeEvaluation.File, preparer: TypeHeadPreparer)
    -> [Bool]
  {
    file.sites.indices.map { i in
      let label = TypeAccuracy.normalize(file.sites[i].label)
      if preparer.vocabularyIndex[label] != nil { return true }
      guard i < prepared.offers.count else { return false }
      return prepared.offers[i].contains { prepared.candidateTexts[$0.candidate] == label }
    }
  }

  /// The JSON lines of every scored (`any` excluded) site.
  public static func lines(
    files: [TypeEvaluation.File], head: [[[String]]], system: [[[TypeCombination.Candidate]]], reachable: [[Bool]],
    model: String, compiler: [[[String]]]? = nil, checked: [[[String]]]? = nil
  ) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var out = Data()
    for (f, file) in files.enumerated() {
      for (i, site) in file.sites.enumerated() where !site.any {
        let label = TypeAccuracy.normalize(site.label)
        let ranked = f < head.count && i < head[f].count ? head[f][i] : []
        let sys = f < system.count && i < system[f].count ? system[f][i] : []
        let line = Line(
          model: model, package: file.package, path: file.path, kind: site.kind, name: site.name,
          offset: site.offset, label: label, structured: TypeAccuracy.isStructured(label),
          reachable: f < reachable.count && i < reachable[f].count ? reachable[f][i] : false,
          headRank: ranked.firstIndex { TypeAccuracy.normalize($0) == label }.map { $0 + 1 }, head: ranked,
          system: sys.map { TypeAccuracy.normalize($0.type) }, systemConfidence: sys.map(\.confidence),
          systemSource: sys.map(\.source.rawValue),
          compiler: compiler.flatMap {
            f < $0.count && i < $0[f].count ? $0[f][i].first.map(TypeAccuracy.normalize) : nil
          },
          checked: checked.map { f < $0.count && i < $0[f].count ? $0[f][i].map(TypeAccuracy.normalize) : [] })
        if let data = try? encoder.encode(line) {
          out.append(data)
          out.append(0x0A)
        }
      }
    }
    return out
  }
}
