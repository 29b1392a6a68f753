import Foundation
import Testing

@testable import Tokenizer

// MARK: - Fixtures

/// A tiny JavaScript/TypeScript corpus: enough repetition for the trainer to learn whole keywords.
let tinyCorpus: [String] = {
  let snippets = [
    """
    function add(a, b) {
      return a + b;
    }
    """,
    """
    const result = items.filter((item) => item.value !== null).map((item) => item.value);
    """,
    """
    export class Counter {
      #count = 0;
      increment(): number {
        this.#count += 1;
        return this.#count;
      }
    }
    """,
    """
    // Format a greeting for the user.
    function greet(name: string): string {
      return `Hello, ${name}!`;
    }
    """,
    """
    if (value === undefined || value === null) {
      throw new Error("value is required");
    }
    """,
    """
    for (let index = 0; index < items.length; index++) {
      console.log(items[index]);
    }
    """,
  ]
  return (0..<12).flatMap { k in snippets.map { $0.replacingOccurrences(of: "items", with: "items\(k % 3)") } }
}()

let tinyConfiguration = Tokenizer.Configuration(vocabSize: 450, seedSize: 5000)

/// One tokenizer trained on the tiny corpus, shared by the tests (training is deterministic).
let tinyTokenizer: Tokenizer = {
  do {
    return try Tokenizer.train(texts: tinyCorpus, configuration: tinyConfiguration)
  } catch {
    fatalError("training the fixture tokenizer failed: \(error)")
  }
}()

/// Inputs that stress the pre-tokeniser and the byte fallback.
let trickyInputs: [String] = [
  "",
  " ",
  "\n",
  "const café = \"naïve 日本語\"; // ünïcödé",
  "let s = '😀👍🏽 👨‍👩‍👧 🇯🇵';",
  "a\r\nb\r\n\r\n  c\rd",
  "\tif (x) {\n\t\treturn\ty;\n\t}\n",
  "const t = `a ${b ? `c ${d + `${e}`}` : '}'} e ${ {f: 1}.f }`;",
  "a = b / c / d; r = /ab+c/gi.test(s); x = (1) / 2; if (/[/]/.test(y)) {}",
  "let s = 'unterminated",
  "/* unterminated comment",
  "`unterminated ${template",
  "x = /unterminated regex",
  "#!/usr/bin/env node\nconsole.log(0x1F_FFn, 1e-7, .5, 1_000);",
  "a   =   b     \n\n\n     ",
  "\u{0}\u{1}\u{7F}\u{FEFF}\u{2028}\u{10FFFF}",
  "<fn> <mask> <pad> <s> </s> <0x41>",
  String(repeating: "x", count: 300) + String(repeating: " ", count: 40) + "y",
]

// MARK: - Tests

@Suite struct TokenizerTests {
  @Test func layoutAndSpecialIDs() {
    let t = tinyTokenizer
    #expect(t.padID == 0)
    #expect(t.piece(for: t.padID) == "<pad>")
    #expect(t.piece(for: t.unkID) == "<unk>")
    #expect(t.piece(for: t.clsID) == "<s>")
    #expect(t.piece(for: t.eosID) == "</s>")
    #expect(t.piece(for: t.maskID) == "<mask>")
    #expect(t.piece(for: t.fnID) == "<fn>")
    #expect(t.piece(for: t.byteOffset + 0x41) == "<0x41>")
    #expect(t.vocabSize <= tinyConfiguration.vocabSize)
    #expect(t.vocabSize > 262 + 50)
    #expect(t.piece(for: Int32(t.vocabSize)) == nil)
  }

  @Test func learnsFrequentWordsAsSinglePieces() throws {
    let t = tinyTokenizer
    for word in ["function", "return", " value", "\n  "] {
      let ids = t.encode(word)
      #expect(ids.count == 1, "\(word.debugDescription) → \(ids.map { t.piece(for: $0) ?? "?" })")
      #expect(t.id(for: word) == ids.first)
    }
  }

  @Test(arguments: trickyInputs)
  func roundTripsTrickyInputs(_ text: String) {
    let t = tinyTokenizer
    let encoding = t.encode(text, options: EncodeOptions())
    #expect(t.decode(encoding.ids) == text)
    #expect(encoding.ids == t.encode(text))
    // Offsets tile the input, and each token's bytes are the input's bytes at its offsets.
    let bytes = Array(text.utf8)
    var position: Int32 = 0
    for k in 0..<encoding.count {
      #expect(encoding.starts[k] == position)
      let slice = Array(bytes[Int(encoding.starts[k])..<Int(encoding.ends[k])])
      #expect(t.decodeBytes([encoding.ids[k]]) == slice)
      position = encoding.ends[k]
    }
    #expect(Int(position) == bytes.count)
  }

  @Test func roundTripsArbitraryBytesAndRandomText() {
    let t = tinyTokenizer
    var rng = SplitMix64(seed: 9)
    for _ in 0..<100 {
      let bytes = (0..<Int(rng.next() % 80)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
      #expect(t.decodeBytes(t.encode(bytes: bytes).ids) == bytes)
      var sampled = SplitMix64(seed: rng.next())
      let scalars = (0..<Int(rng.next() % 40)).compactMap { _ in Unicode.Scalar(UInt32(rng.next() % 0x11_0000)) }
      let text = String(String.UnicodeScalarView(scalars))
      #expect(t.decode(t.encode(text)) == text)
      #expect(t.decode(t.encode(text, sampling: 0.1, using: &sampled).ids) == text)
    }
  }

  @Test func unseenCharactersFallBackToBytes() {
    let t = tinyTokenizer
    let ids = t.encode("ж")
    #expect(ids == [t.byteOffset + 0xD0, t.byteOffset + 0xB6])
  }

  @Test func specialTokenTextIsRecognisedOnlyWhenAsked() {
    let t = tinyTokenizer
    let text = "function <fn>(a) { return <mask>; }"
    let plain = t.encode(text, options: EncodeOptions())
    #expect(!plain.ids.contains(t.fnID) && !plain.ids.contains(t.maskID))
    let special = t.encode(text, options: EncodeOptions(recognizeSpecialTokens: true))
    #expect(special.ids.filter { $0 == t.fnID }.count == 1)
    #expect(special.ids.filter { $0 == t.maskID }.count == 1)
    #expect(t.decode(special.ids) == text)
    let fn = special.ids.firstIndex(of: t.fnID) ?? -1
    #expect(special.starts[fn] == 9 && special.ends[fn] == 13)
  }

  @Test func methodNamePlaceholderBecomesFn() {
    let t = tinyTokenizer
    let text = "function METHOD_NAME(n) { return n < 2 ? n : METHOD_NAME(n - 1) + this.#METHOD_NAME(n); }"
    let options = EncodeOptions(fnPlaceholder: "METHOD_NAME")
    let encoding = t.encode(text, options: options)
    #expect(encoding.ids.filter { $0 == t.fnID }.count == 3)
    // decode writes <fn>; the offsets still point at the placeholder text.
    let k = encoding.ids.firstIndex(of: t.fnID) ?? 0
    #expect(encoding.starts[k] == 9 && encoding.ends[k] == 20)
    #expect(t.decode(encoding.ids) == text.replacingOccurrences(of: "METHOD_NAME", with: "<fn>"))
    #expect(!t.encode("METHOD_NAMES = 1", options: options).ids.contains(t.fnID))
    #expect(!t.encode(text).contains(t.fnID))
  }

  @Test func framingAndTruncation() {
    let t = tinyTokenizer
    let text = "function add(a, b) {\n  return a + b;\n}"
    let full = t.encode(text)
    let framed = t.encode(text, options: EncodeOptions(addCLS: true, addEOS: true))
    #expect(framed.ids == [t.clsID] + full + [t.eosID])
    #expect(t.decode(framed.ids) == text)
    let cut = t.encode(text, options: EncodeOptions(maxLength: 5, addCLS: true, addEOS: true))
    #expect(cut.count == 5)
    #expect(cut.ids == [t.clsID] + full.prefix(3) + [t.eosID])
    #expect(text.hasPrefix(t.decode(cut.ids)))
    #expect(t.encode(text, options: EncodeOptions(maxLength: 0, addCLS: true)).count == 0)
    #expect(t.encode(text, options: EncodeOptions(maxLength: 1, addCLS: true, addEOS: true)).ids == [t.clsID])
  }

  @Test func tokenIndexForByteOffsets() {
    let t = tinyTokenizer
    let text = "function greet(name: string): string {}"
    let encoding = t.encode(text, options: EncodeOptions(addCLS: true))
    let offset = Array(text.utf8).firstIndex(of: UInt8(ascii: ":")) ?? 0
    let k = encoding.tokenIndex(containingByteOffset: offset)
    #expect(k != nil)
    if let k {
      #expect(Int(encoding.starts[k]) <= offset && offset < Int(encoding.ends[k]))
      #expect(t.decode([encoding.ids[k]]).contains(":"))
    }
    #expect(encoding.tokenIndex(containingByteOffset: 0) == 1)
    #expect(encoding.tokenIndex(containingByteOffset: text.utf8.count) == nil)
  }

  // MARK: Sampling

  @Test func samplingIsDeterministicForASeed() {
    let t = tinyTokenizer
    let text = tinyCorpus.joined(separator: "\n")
    var a = SplitMix64(seed: 123)
    var b = SplitMix64(seed: 123)
    #expect(t.encode(text, sampling: 0.1, using: &a) == t.encode(text, sampling: 0.1, using: &b))
  }

  @Test func samplingVariesAndAlwaysRoundTrips() {
    let t = tinyTokenizer
    let text = "const result = items0.filter((item) => item.value !== null);"
    let best = t.encode(text)
    var rng = SplitMix64(seed: 5)
    var distinct = Set<[Int32]>()
    for _ in 0..<50 {
      let ids = t.encode(text, sampling: 0.1, using: &rng).ids
      #expect(t.decode(ids) == text)
      distinct.insert(ids)
    }
    #expect(distinct.count > 5)
    #expect(distinct.contains { $0.count > best.count })
    // A very peaked distribution gives the best segmentation.
    #expect(t.encode(text, sampling: 1000, using: &rng).ids == best)
  }

  @Test func samplingFollowsTheModel() {
    // With alpha = 1 a word seen often as a whole is mostly kept whole.
    let t = tinyTokenizer
    var rng = SplitMix64(seed: 11)
    var whole = 0
    for _ in 0..<200 where t.encode("function", sampling: 1, using: &rng).count == 1 { whole += 1 }
    #expect(whole > 100)
  }

  // MARK: Training

  @Test func trainingIsDeterministic() throws {
    let again = try Tokenizer.train(texts: tinyCorpus, configuration: tinyConfiguration)
    #expect(again.jsonData() == tinyTokenizer.jsonData())
  }

  @Test func trainingRejectsBadInput() {
    #expect(throws: TokenizerError.emptyCorpus) { try Tokenizer.train(texts: [String](), configuration: .init()) }
    #expect(throws: TokenizerError.emptyCorpus) { try Tokenizer.train(texts: ["", ""], configuration: .init()) }
    #expect(throws: TokenizerError.self) {
      try Tokenizer.train(texts: tinyCorpus, configuration: .init(vocabSize: 200))
    }
    #expect(throws: TokenizerError.self) {
      try Tokenizer.train(texts: tinyCorpus, configuration: .init(extraSpecialTokens: ["<fn>"]))
    }
  }

  @Test func extraSpecialTokensComeAfterTheBuiltIns() throws {
    let t = try Tokenizer.train(
      texts: tinyCorpus.prefix(6),
      configuration: .init(vocabSize: 400, seedSize: 2000, extraSpecialTokens: ["<sep>", "__FN__"]))
    #expect(t.id(for: "<sep>") == 6)
    #expect(t.id(for: "__FN__") == 7)
    #expect(t.byteOffset == 8)
    let options = EncodeOptions(recognizeSpecialTokens: true)
    let encoding = t.encode("a <sep> b", options: options)
    #expect(encoding.ids.contains(6))
    // An identifier-like special is matched only as a whole identifier.
    #expect(t.encode("function __FN__(a) { __FN__(a) }", options: options).ids.filter { $0 == 7 }.count == 2)
    #expect(!t.encode("__FN__x = 1", options: options).ids.contains(7))
    #expect(t.decode(t.encode("function __FN__(a) {}", options: options).ids) == "function __FN__(a) {}")
    let loaded = try Tokenizer.load(json: t.jsonData())
    #expect(loaded.specialTokens == t.specialTokens)
  }

  // MARK: Files

  @Test func saveAndLoadRoundTrip() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizer-test-\(getpid()).json")
    defer { try? FileManager.default.removeItem(at: url) }
    try tinyTokenizer.save(to: url)
    let loaded = try Tokenizer.load(from: url)
    #expect(loaded.jsonData() == tinyTokenizer.jsonData())
    #expect(loaded.vocabSize == tinyTokenizer.vocabSize)
    #expect(loaded.configuration == tinyTokenizer.configuration)
    #expect(loaded.trainingSummary == tinyTokenizer.trainingSummary)
    for text in trickyInputs + tinyCorpus.prefix(6) {
      #expect(loaded.encode(text) == tinyTokenizer.encode(text))
      var a = SplitMix64(seed: 3)
      var b = SplitMix64(seed: 3)
      #expect(loaded.encode(text, sampling: 0.1, using: &a) == tinyTokenizer.encode(text, sampling: 0.1, using: &b))
    }
  }

  @Test func unknownVersionIsRefusedWithAHint() throws {
    let json = String(decoding: tinyTokenizer.jsonData(), as: UTF8.self)
      .replacingOccurrences(of: "\"version\": 1,", with: "\"version\": 2,")
    #expect(throws: TokenizerError.unsupportedVersion(found: 2, supported: 1)) {
      try Tokenizer.load(json: Data(json.utf8))
    }
    #expect(TokenizerError.unsupportedVersion(found: 2, supported: 1).description.contains("retrain"))
  }

  @Test func malformedFilesAreRefused() {
    let cases = [
      "not json",
      "[]",
      "{\"format\": \"something-else\", \"version\": 1}",
      String(decoding: tinyTokenizer.jsonData(), as: UTF8.self).replacingOccurrences(
        of: "\"pretokenizer\": \"javascript-1\"", with: "\"pretokenizer\": \"python-1\""),
      String(decoding: tinyTokenizer.jsonData(), as: UTF8.self).replacingOccurrences(
        of: "\"piece_offset\": 262", with: "\"piece_offset\": 300"),
    ]
    for text in cases {
      #expect(throws: TokenizerError.self) { try Tokenizer.load(json: Data(text.utf8)) }
    }
    #expect(throws: TokenizerError.self) {
      try Tokenizer.load(from: URL(fileURLWithPath: "/nonexistent/tokenizer.json"))
    }
  }
}
