import Syntax

// MARK: - Identifier-blind text

/// Renames every declared name (functions, parameters, variables, at any scope) to `v0, v1, …` in order of
/// first occurrence, by scope analysis, so two texts cannot match on their names alone. Globals (`Math`,
/// `Map`) and property names (`.length`) are kept: they are what the code does. Each binding gets one new
/// name at every occurrence, so a self-contained function still does the same thing (only names a caller
/// could see change, and a free name already spelled `vN` could be captured: not checked, since the clone
/// views only compare texts). The clone evaluation's identifier-blind view (`CloneEvaluation`), the pair scorer's
/// blind features, and the natural-positive stage's blind views (`naturalBlindProbability`) all use it.
/// A function unit that is not a program on its own (a method, a getter) is wrapped so it parses,
/// renamed inside the wrapper, and unwrapped.
public enum IdentifierBlind {
  static let wrappers: [(String, String)] = [("(class {\n", "\n});"), ("(", "\n);")]

  public static func text(_ text: String, parser: Parser) -> String {
    self.text(text, parser: parser) { "v\($0)" }
  }

  /// The same renaming with random words instead of `v0, v1, …`: the i-th binding gets the i-th word of a
  /// shuffle of `IdentifierWords.all` seeded by `seed`, leaving out reserved words and every word that already
  /// occurs in the text as an identifier-like token (so no global or free name, `console`, can be captured);
  /// past the list's end, `w<i>`. Used by the natural stage's renamed views (`naturalRenameProbability`).
  public static func randomNames(_ text: String, parser: Parser, seed: UInt64) -> String {
    let present = Set(text.split { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") }.map(String.init))
    var seen: Set<String> = []
    var words = IdentifierWords.all.filter {
      !$0.isEmpty && !IdentifierWords.reserved.contains($0) && !present.contains($0) && seen.insert($0).inserted
    }
    var rng = SeededRandom(seed: seed)
    for i in words.indices.dropLast() {
      let j = i + Int(rng.next() % UInt64(words.count - i))
      words.swapAt(i, j)
    }
    return self.text(text, parser: parser) { i in
      i < words.count ? words[i] : "w\(i)"
    }
  }

  /// Renames binding i (in order of first occurrence) to `name(i)`.
  static func text(_ text: String, parser: Parser, name: (Int) -> String) -> String {
    let bytes = Array(text.utf8)
    guard let tree = try? parser.parse(bytes: bytes) else { return text }
    if tree.hasError {
      for (prefix, suffix) in wrappers {
        let p = Array(prefix.utf8)
        let s = Array(suffix.utf8)
        guard let wrapped = try? parser.parse(bytes: p + bytes + s), !wrapped.hasError,
          let out = try? blind(wrapped, name: name)
        else { continue }
        return String(decoding: out[p.count..<(out.count - s.count)], as: UTF8.self)
      }
    }
    return (try? blind(tree, name: name)).map { String(decoding: $0, as: UTF8.self) } ?? text
  }

  static func blind(_ tree: Tree, name newName: (Int) -> String) throws -> [UInt8] {
    let analysis = ScopeAnalysis(tree: tree)
    var names: [Int: String] = [:]
    var edits: [ByteEdit] = []
    for reference in analysis.references {
      guard let binding = reference.binding, analysis.bindings[binding].kind != .arguments else { continue }
      let name = names[binding] ?? newName(names.count)
      names[binding] = name
      let text = reference.renamedText(name)
      edits.append(ByteEdit(start: reference.range.lowerBound, deletedLength: reference.range.count, inserted: text))
    }
    return try edits.apply(to: tree.bytes)
  }
}
