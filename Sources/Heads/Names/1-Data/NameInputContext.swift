import Augment
// MARK: - Where the function lives, as the name head reads it

/// What a name head reads beside the function's own text (`NameFinetuneConfig.inputContext`).
///
/// `path`: the words of the file's place, written before the function as a string statement, e.g.
/// `"core/logger/format";` for `packages/x/src/core/logger/format.ts`: the last two folders and the file's name
/// without its extension. A file's place often carries the words of its functions' names (`format.ts` holds
/// `formatDate`; `user/service.ts` holds `getUser`): on github-test 14.5 % of name subtokens are words of the path
/// and not of the body (Debian test 3.2 %; docs/NAMES.md, "Session 15"). Written as a string so that
/// `BodySubtokens` and the pointer-generator can copy its words, as they copy a string's words in the body.
/// The same text is built in training (from the dataset's `path`, relative to its package) and in the product
/// (from the file's path as given), which agree on the last three components.
public enum NameInputContext: String, Codable, Sendable, CaseIterable {
  case path
  /// The place as `path` writes it, then the names of up to `MethodNameRecord.maxSiblings` other functions of the
  /// file, nearest first, as one array statement (`[setZoom, zoomIn];`). Session 18 (docs/audits/names-s19-siblings.md):
  /// training and `eval names` take the siblings from the dataset's records of the same file, `suggest-names` and the
  /// editor from the file's function units the dataset would keep (`NameAnalysis.siblingNames`); the dataset left
  /// out functions duplicated elsewhere in the corpus, the product does not, so it may see a few more.
  case pathAndSiblings = "path+siblings"

  /// `input` with the context prepended; `path` as the dataset or the user gives it (any prefix); `siblings` the
  /// file's other function names (nil or empty: none written).
  public func apply(to input: String, path: String, siblings: [String]? = nil) -> String {
    let words = Self.placeWords(path)
    let place = words.isEmpty ? "" : "\"\(words)\";\n"
    switch self {
    case .path:
      return place + input
    case .pathAndSiblings:
      let names = (siblings ?? []).filter(IdentifierWords.isIdentifier)
      return place + (names.isEmpty ? "" : "[" + names.joined(separator: ", ") + "];\n") + input
    }
  }

  /// The sibling names of the `index`-th of a file's functions (`functions`: each one's name and start byte): the
  /// others' names, nearest by start first (ties by order), its own name and repeats left out, at most
  /// `MethodNameRecord.maxSiblings`. The dataset's records (`MethodNameRecord.withSiblings`) and the product's
  /// units of a file (`NameAnalysis.analyze`) both go through it.
  public static func siblings(of index: Int, among functions: [(name: String, start: Int)]) -> [String] {
    guard functions.indices.contains(index) else { return [] }
    let start = functions[index].start
    let nearest = functions.indices.filter { $0 != index }.sorted { a, b in
      let da = abs(functions[a].start - start)
      let db = abs(functions[b].start - start)
      return da != db ? da < db : a < b
    }
    var seen: Set<String> = [functions[index].name]
    var names: [String] = []
    for j in nearest where names.count < MethodNameRecord.maxSiblings && seen.insert(functions[j].name).inserted {
      names.append(functions[j].name)
    }
    return names
  }

  /// The last two folders and the file name without its final extension (`.d.ts`, `.test.js` keep their inner
  /// dot: `x.test`), joined by `/`; characters that would end or escape the string literal are dropped.
  public static func placeWords(_ path: String) -> String {
    var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    guard var file = parts.popLast() else { return "" }
    if let dot = file.lastIndex(of: "."), dot != file.startIndex { file = String(file[..<dot]) }
    let kept = Array(parts.suffix(2)) + [file]
    let text = kept.joined(separator: "/")
    let unsafe: Set<Unicode.Scalar> = ["\"", "\\", "\u{2028}", "\u{2029}"]
    return String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && !unsafe.contains($0) }))
  }
}

extension MethodNameRecord {
  /// What a head trained with `context` reads for this record (the input itself when nil).
  public func modelInput(context: NameInputContext?) -> String {
    context?.apply(to: input, path: path, siblings: siblings) ?? input
  }

  /// The record as a head with `context` reads it: `input` replaced by `modelInput(context:)`.
  public func withContext(_ context: NameInputContext?) -> MethodNameRecord {
    var r = self
    r.input = modelInput(context: context)
    return r
  }
}
