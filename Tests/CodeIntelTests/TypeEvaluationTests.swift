import Foundation
import Testing

@testable import CodeIntel
@testable import Heads

@Suite struct TypeEvaluationTests {
  // MARK: - Metrics

  @Test func normalisationIgnoresSpacingOnly() {
    #expect(TypeAccuracy.normalize(" Map<K,V> ") == TypeAccuracy.normalize("Map< K, V >"))
    #expect(TypeAccuracy.normalize("string|null") == "string|null")
    #expect(TypeAccuracy.normalize("string  |\n null") == "string|null")
    // A space between two words is meaning, not layout.
    #expect(TypeAccuracy.normalize("readonly   string[]") == "readonly string[]")
    #expect(TypeAccuracy.normalize("keyof T") != TypeAccuracy.normalize("keyofT"))
    #expect(TypeAccuracy.normalize("string") != TypeAccuracy.normalize("String"))
  }

  /// The byte path for ASCII gives what the character path gives, on every kind of spacing, punctuation and
  /// word character; a non-ASCII type takes the character path.
  @Test func asciiNormalisationEqualsTheCharacterRules() {
    var texts = [
      "", " ", "\r\n", "a\r\nb", "Map< K,\tV >", "readonly  string[]", "$a _b", "a1 2b", "{ a : number ; }",
      "(x: string) => void", "Promise < Array< Foo > >", "keyof   typeof  x", "a\u{0B}b", "a\u{0C}b",
      "'a b' | \"c  d\"",
      "ünïcode  type", "Foo\u{00A0}Bar", "日本 語",
    ]
    // Seeded random mixes of the characters that matter.
    let alphabet: [String] = ["a", "Z", "0", "_", "$", " ", "\t", "\n", "\r", "<", ">", "|", "[", "]", ",", ":", "é"]
    var state: UInt64 = 12_345
    for _ in 0..<300 {
      var t = ""
      for _ in 0..<12 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        t += alphabet[Int(state >> 33) % alphabet.count]
      }
      texts.append(t)
    }
    for t in texts {
      #expect(TypeAccuracy.normalize(t) == TypeAccuracy.normalizeCharacters(t), "\(t.debugDescription)")
    }
  }

  @Test func accuracyAtKByHand() {
    var a = TypeAccuracy()
    a.add(label: "number", predictions: ["number", "string"])  // top-1 hit
    a.add(label: "Map<K, V>", predictions: ["string", "Map<K,V>"])  // top-5 hit after normalisation
    a.add(label: "any", predictions: ["number"])  // excluded
    a.add(label: "boolean", predictions: [])  // miss, not covered
    a.add(label: "T", predictions: ["a", "b", "c", "d", "e", "T"])  // sixth place: a miss at 5
    #expect(a.sites == 4)
    #expect(a.top1 == 1)
    #expect(a.top5 == 2)
    #expect(a.covered == 3)
    #expect(a.accuracyAt1 == 0.25)
    #expect(a.accuracyAt5 == 0.5)
    #expect(a.coverage == 0.75)
    #expect(TypeAccuracy().accuracyAt1 == nil)
  }

  // MARK: - Fixture

  /// Train: `x` is twice number, once string; `s` once string; vocabulary ranks string, number, any, boolean.
  static func fixture(_ test: [TypeEvaluation.File]) -> TypeEvaluation {
    TypeEvaluation(
      files: test,
      trainSites: [("x", "number"), ("x", "number"), ("x", "string"), ("s", "string"), ("x", "any"), ("x", "any")],
      vocabulary: ["string", "number", "any", "boolean"])
  }

  @Test func nameOnlyBaseline() {
    let e = Self.fixture([])
    // Own types first by count (`any` never predicted), padded with the global ranking.
    #expect(e.names.predict(name: "x") == ["number", "string", "boolean"])
    #expect(e.names.predict(name: "s") == ["string", "number", "boolean"])
    #expect(e.names.predict(name: "unseen") == ["string", "number", "boolean"])
    #expect(e.vocabulary == ["string", "number", "boolean"])
  }

  @Test func rowsAndBreakdowns() throws {
    // function f(x, s) { let y = new Map(); return true }   sites: x, s, y, return
    let text = "function f(x, s) { let y = new Date(); return true }"
    func offset(_ needle: String) -> Int { text.utf8.count - text.components(separatedBy: needle).last!.utf8.count }
    let file = TypeEvaluation.File(
      package: "p", path: "a.ts", text: text,
      sites: [
        .init(kind: "parameter", name: "x", offset: offset("(x"), label: "number"),
        .init(kind: "parameter", name: "s", offset: offset(", s"), label: "boolean"),
        .init(kind: "variable", name: "y", offset: offset("let y"), label: "Date"),
        .init(kind: "return", name: "f", offset: offset("s)"), label: "boolean"),
        .init(kind: "parameter", name: "z", offset: 0, label: "any"),
      ])
    let e = Self.fixture([file])
    #expect(e.scoredSites == 4)

    let frequent = e.mostFrequentRow()
    #expect(frequent.overall.top1 == 0)  // always "string"
    #expect(frequent.overall.top5 == 3)  // number, boolean, boolean; not Date
    #expect(frequent.byKind["parameter"]?.sites == 2)
    #expect(frequent.common.sites == 3)  // number, boolean, boolean are in the train vocabulary
    #expect(frequent.rare.sites == 1)  // Date
    #expect(frequent.overall.coverage == 1)

    let names = e.nameOnlyRow()
    #expect(names.overall.top1 == 1)  // x → number
    #expect(names.byKind["parameter"]?.top1 == 1)

    let evidence = try e.evidenceRow()
    #expect(evidence.byKind["variable"]?.top1 == 1)  // new Date() → Date
    #expect(evidence.byKind["return"]?.top1 == 1)  // return true → boolean
    #expect(evidence.byKind["parameter"]?.covered == 0)
    #expect(evidence.overall.top1 == 2)
    #expect(evidence.rare.top1 == 1)

    let combined = try e.combinedRow()
    #expect(combined.overall.top1 == 3)  // evidence's two and name-only's x
    #expect(combined.overall.coverage == 1)

    let table = e.markdown([frequent, names], pending: ["type head"])
    #expect(table.contains("| most frequent type (train) | 0.0 |"))
    #expect(table.contains("| type head | not trained yet |"))
    #expect(table.contains("all 4, parameter 2, return 1, variable 1, property 0, common 3, rare 1"))
  }

  @Test func compilerPredictions() {
    let results = [
      TypeScriptPeer.FileResult(fix: ["number", nil, "any", nil], checker: ["string", "T[]", "boolean", "any"])
    ]
    let (fix, best) = TypeScriptPeer.predictions(results)
    #expect(fix == [[["number"], [], [], []]])
    // The fix where it proposes a real type, else the checker; `any` is no proposal.
    #expect(best == [[["number"], ["T[]"], ["boolean"], []]])
  }

  // MARK: - Loading

  @Test func loadsADatasetFolder() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("typeeval-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let record =
      #"{"package":"p","path":"a.ts","language":"typescript","text":"let x = 1;","#
      + #""sites":[{"kind":"variable","name":"x","offset":5,"label":"number","any":false}]}"#
    try (record + "\n" + record + "\n").write(
      to: dir.appendingPathComponent("test.jsonl"), atomically: true, encoding: .utf8)
    try (record + "\n").write(to: dir.appendingPathComponent("train.jsonl"), atomically: true, encoding: .utf8)
    try "count\ttype\n3\tstring\n2\tany\n1\tnumber\n".write(
      to: dir.appendingPathComponent("vocabulary-train.tsv"), atomically: true, encoding: .utf8)

    let e = try TypeEvaluation(directory: dir.path, limit: 1)
    #expect(e.files.count == 1)
    #expect(e.vocabulary == ["string", "number"])
    #expect(e.names.predict(name: "x") == ["number", "string"])
    #expect(try e.evidenceRow().overall.top1 == 1)  // `= 1` → number, anchored after `x`

    try "{not json\n".write(to: dir.appendingPathComponent("valid.jsonl"), atomically: true, encoding: .utf8)
    #expect(throws: CodeIntelError.self) { try TypeEvaluation(directory: dir.path, split: "valid") }
    #expect(throws: CodeIntelError.self) { try TypeEvaluation(directory: dir.appendingPathComponent("none").path) }
  }
}
