import Augment
import Syntax
import Testing

@Suite struct PipelineTests {
  static let source = """
    function total(items, rate) {
      // sum the prices
      let sum = 0;
      for (const item of items) {
        if (item.price > 0) sum = sum + item.price * (1 + rate);
      }
      if (sum === undefined) return false;
      return sum > 100 ? "big" : "small";
    }
    """

  @Test func sameSeedSameBytes() throws {
    let a = try augment(source: Self.source, language: .javascript, seed: 42, count: 10)
    let b = try augment(source: Self.source, language: .javascript, seed: 42, count: 10)
    #expect(a == b)
    let c = try augment(source: Self.source, language: .javascript, seed: 43, count: 10)
    #expect(a != c)
  }

  @Test func producesVariedVariantsThatParse() throws {
    let variants = try augment(source: Self.source, language: .javascript, seed: 7, count: 20)
    #expect(Set(variants.map(\.text)).count >= 8)
    let parser = Parser(language: .javascript)
    for v in variants {
      #expect(try !parser.parse(v.text).hasError, "\(v.applied): \(v.text)")
      #expect(v.preservesSemantics == !v.applied.contains("subsample"))
    }
  }

  @Test func typeAnnotationsSurvive() throws {
    let ts = "function scale(v: number, by: number = 2): number {\n  const out: number = v * by;\n  return out;\n}"
    let variants = try augment(source: ts, language: .typescript, seed: 5, count: 20)
    for v in variants where !v.applied.contains("subsample") {
      #expect(v.text.components(separatedBy: "number").count == 5, "\(v.text)")
      #expect(try !Parser(language: .typescript).parse(v.text).hasError)
    }
  }

  @Test func tsxUnitsWork() throws {
    let tsx = "const View = (p: { n: number }) => {\n  const label: string = 'n=' + p.n;\n  return <div title={label}>{p.n * 2}</div>;\n};"
    for v in try augment(source: tsx, language: .tsx, seed: 2, count: 10) {
      #expect(try !Parser(language: .tsx).parse(v.text).hasError, "\(v.text)")
    }
  }

  @Test func unknownTransformIsAnError() {
    #expect(throws: AugmentError.unknownTransform("nope")) {
      try augment(source: "x", language: .javascript, seed: 1, transforms: ["nope"])
    }
  }

  @Test func aTransformThatBreaksParsingIsSkippedAndCounted() {
    let augmenter = Augmenter(config: AugmentConfig(steps: [.init(Breaker(), probability: 1)]))
    let out = augmenter.variants(of: "f(1);", language: .javascript, seed: 1, count: 3)
    #expect(out.allSatisfy { $0.text == "f(1);" && $0.applied.isEmpty })
    #expect(augmenter.counters.skippedParseError["breaker"] == 3)
  }

  @Test func editsThatChangeNothingAreNeitherAppliedNorSkipped() {
    struct Rewriter: Transform {
      let name = "same"
      func edits(for input: TransformInput, rng: inout SeededRandom) throws -> [ByteEdit] {
        // Replaces the first byte of the focus with itself.
        [ByteEdit(start: input.focus.lowerBound, deletedLength: 1, inserted: [input.bytes[input.focus.lowerBound]])]
      }
    }
    let augmenter = Augmenter(config: AugmentConfig(steps: [.init(Rewriter(), probability: 1)]))
    var rejected: [String] = []
    augmenter.skipObserver = { _, text in rejected.append(text) }
    let out = augmenter.variants(of: "f(1);", language: .javascript, seed: 1, count: 3)
    #expect(out.allSatisfy { $0.text == "f(1);" && $0.applied.isEmpty })
    #expect(augmenter.counters.attempted["same"] == 3)
    #expect(augmenter.counters.skippedParseError["same"] == nil)
    #expect(rejected.isEmpty)
  }

  @Test func theSkipObserverSeesTheRejectedText() {
    let augmenter = Augmenter(config: AugmentConfig(steps: [.init(Breaker(), probability: 1)]))
    var rejected: [String] = []
    augmenter.skipObserver = { name, text in rejected.append(name + ":" + text) }
    _ = augmenter.variants(of: "f(1);", language: .javascript, seed: 1, count: 1)
    #expect(rejected == ["breaker:{{{f(1);"])
  }

  @Test func worksFromSeveralThreads() async throws {
    let expected = try augment(source: Self.source, language: .javascript, seed: 11, count: 5)
    try await withThrowingTaskGroup(of: [Variant].self) { group in
      for _ in 0..<4 {
        group.addTask { try augment(source: Self.source, language: .javascript, seed: 11, count: 5) }
      }
      for try await result in group { #expect(result == expected) }
    }
  }
}

/// A transform whose output never parses: `{{{` before the focus.
private struct Breaker: Transform {
  let name = "breaker"
  func edits(for input: TransformInput, rng: inout SeededRandom) throws -> [ByteEdit] {
    [ByteEdit(start: input.focus.lowerBound, deletedLength: 0, inserted: "{{{")]
  }
}
