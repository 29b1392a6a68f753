import Syntax

// MARK: - Configuration

/// Which transforms a pipeline applies, in which order, each with its own probability.
public struct AugmentConfig: Sendable {
  /// One transform and the probability that a draw applies it.
  public struct Step: Sendable {
    public var transform: any Transform
    public var probability: Double

    public init(_ transform: any Transform, probability: Double) {
      self.transform = transform
      self.probability = probability
    }
  }

  public var steps: [Step]

  public init(steps: [Step]) { self.steps = steps }

  /// ContraCode's defaults (Jain et al. 2020, appendix): compress-style rewrites (dead-code elimination,
  /// constant folding, equivalent syntax) 0.5 each, dead-code insertion 0.25, line subsampling 0.25,
  /// rename 0.5, mangle 0.1, comment removal 0.5, reformat 0.5. Renaming runs after the rewrites (so
  /// inserted code gets renamed too) and layout comes last so it sees the final tokens.
  public static let contraCode = AugmentConfig(steps: [
    Step(DeadCodeElimination(), probability: 0.5),
    Step(ConstantFolding(), probability: 0.5),
    Step(EquivalentSyntax(), probability: 0.5),
    Step(DeadCodeInsertion(), probability: 0.25),
    Step(LineSubsampling(), probability: 0.25),
    Step(RenameLocals(), probability: 0.5),
    Step(Mangle(), probability: 0.1),
    Step(RemoveComments(), probability: 0.5),
    Step(Reformat(), probability: 0.5),
  ])

  /// The same defaults without line subsampling: every variant behaves like its input.
  public static let semanticsPreserving = AugmentConfig(
    steps: contraCode.steps.filter { $0.transform.preservesSemantics })

  /// Every transform by its command-line name.
  public static let registry: [String: any Transform] = {
    var all: [String: any Transform] = [:]
    for t: any Transform in [
      DeadCodeElimination(), ConstantFolding(), EquivalentSyntax(), DeadCodeInsertion(), LineSubsampling(),
      RenameLocals(), Mangle(), RemoveComments(), Reformat(),
    ] {
      all[t.name] = t
    }
    return all
  }()

  /// A config that applies exactly the named transforms (probability 1), in the default order.
  /// Throws `AugmentError.unknownTransform` for a name not in `registry`.
  public static func only(_ names: [String]) throws -> AugmentConfig {
    for n in names where registry[n] == nil { throw AugmentError.unknownTransform(n) }
    let order = contraCode.steps.map(\.transform.name)
    var steps: [Step] = []
    for n in order where names.contains(n) { steps.append(Step(registry[n]!, probability: 1)) }
    for n in names where !order.contains(n) && !steps.contains(where: { $0.transform.name == n }) {
      steps.append(Step(registry[n]!, probability: 1))
    }
    return AugmentConfig(steps: steps)
  }
}

/// Errors from augmentation, each with a sentence a user can act on.
public enum AugmentError: Error, CustomStringConvertible, Equatable {
  case unknownTransform(String)

  public var description: String {
    switch self {
    case .unknownTransform(let n):
      let known = AugmentConfig.registry.keys.sorted().joined(separator: ", ")
      return "unknown transform '\(n)'; choose from: \(known)"
    }
  }
}

// MARK: - Results

/// One augmented version of a program or function unit.
public struct Variant: Sendable, Equatable, Codable {
  /// The transformed source text.
  public var text: String
  /// Names of the transforms that changed the text, in the order applied.
  public var applied: [String]
  /// False when a transform that deliberately changes behaviour (line subsampling) was applied.
  public var preservesSemantics: Bool
}

/// What happened across many draws: how often each transform ran, changed the text, or was refused
/// because its output no longer parsed.
public struct AugmentCounters: Sendable, Equatable {
  public var attempted: [String: Int] = [:]
  public var applied: [String: Int] = [:]
  /// Transforms whose output had a parse error the input did not have: skipped, never emitted.
  public var skippedParseError: [String: Int] = [:]
  public var variants = 0

  public init() {}

  public var totalSkipped: Int { skippedParseError.values.reduce(0, +) }
}

// MARK: - Pipeline

/// Applies a random composition of transforms to JavaScript/TypeScript source: whole files, or a single
/// function unit (a declaration, a method, an arrow), which is wrapped in a context that parses
/// (`(…);` or `(class {…});`), transformed inside that context only, and unwrapped.
///
/// Every intermediate output is re-parsed; a transform whose output has a parse error its input did not
/// have is skipped (counted in `counters`), so no emitted variant has a new parse error.
///
/// Not thread-safe (it owns tree-sitter parsers): use one `Augmenter` per thread, each with its own
/// generator. Variants depend only on the source, the config and the generator state.
public final class Augmenter {
  public let config: AugmentConfig
  public private(set) var counters = AugmentCounters()
  /// Called with the transform's name and the text it produced whenever a transform is skipped because its
  /// output would not parse (the whole program, wrapper included), for diagnostics such as the corpus
  /// benchmark's `--log-skips`. Not called on the normal path.
  public var skipObserver: ((_ transform: String, _ rejected: String) -> Void)?
  private var parsers: [Language: Parser] = [:]

  public init(config: AugmentConfig = .contraCode) { self.config = config }

  /// One variant, drawing from `rng`.
  public func variant(of source: String, language: Language, rng: inout SeededRandom) -> Variant {
    guard let prepared = preparedCached(source, language: language) else {
      return Variant(text: source, applied: [], preservesSemantics: true)
    }
    return variant(of: prepared, rng: &rng)
  }

  /// `count` variants; variant i uses the i-th generator split from `seed`, so the same seed gives the
  /// same bytes.
  public func variants(of source: String, language: Language, seed: UInt64, count: Int) -> [Variant] {
    guard let prepared = preparedCached(source, language: language) else {
      return Array(repeating: Variant(text: source, applied: [], preservesSemantics: true), count: max(count, 0))
    }
    var master = SeededRandom(seed: seed)
    var out: [Variant] = []
    out.reserveCapacity(max(count, 0))
    for _ in 0..<max(count, 0) {
      var rng = master.split()
      out.append(variant(of: prepared, rng: &rng))
    }
    return out
  }

  /// The program the pipeline actually parses for `source` (the source itself, or the source wrapped as
  /// `(…);` / `(class {…});` when it is a function unit that is not a program), and whether it parses
  /// without errors. Benchmarks feed the same text to other tools.
  public func parsedForm(of source: String, language: Language) -> (program: String, parses: Bool) {
    guard let p = prepare(source, language: language) else { return (source, false) }
    return (p.tree.text, p.baseErrors == 0 && !p.tree.hasError)
  }

  // MARK: Wrapping

  /// A parsed source and how it was wrapped.
  struct Prepared {
    var tree: Tree
    var prefix: Int
    var suffix: Int
    var baseErrors: Int
    /// The scope analysis of `tree`, shared by the draws of this source.
    let scopes: ScopeCache

    init(tree: Tree, prefix: Int, suffix: Int, baseErrors: Int) {
      self.tree = tree
      self.prefix = prefix
      self.suffix = suffix
      self.baseErrors = baseErrors
      scopes = ScopeCache(tree: tree)
    }
  }

  /// The last source prepared, for the next call with the same text (a training pair draws two variants of
  /// one function).
  private var lastPrepared: (source: String, language: Language, prepared: Prepared?)?

  private static let wrappers: [(String, String)] = [("(class {\n", "\n});"), ("(", "\n);")]

  func parser(_ language: Language) -> Parser {
    if let p = parsers[language] { return p }
    let p = Parser(language: language)
    parsers[language] = p
    return p
  }

  /// `prepare`, remembering the last result.
  func preparedCached(_ source: String, language: Language) -> Prepared? {
    if let last = lastPrepared, last.language == language, last.source == source { return last.prepared }
    let p = prepare(source, language: language)
    lastPrepared = (source, language, p)
    return p
  }

  /// Parses the source as a program, or as a class member or expression when it is a function unit that
  /// is not a program on its own (a method, a getter, an arrow).
  func prepare(_ source: String, language: Language) -> Prepared? {
    let parser = parser(language)
    let bytes = Array(source.utf8)
    // An arrow or an anonymous function expression (most function units): the `(…);` wrapper is what the
    // steps below end with for these, so try it first and save the parse as a program.
    if looksLikeExpression(bytes), let p = wrapped(bytes, Self.wrappers[1], parser: parser, member: false) { return p }
    // A method-shaped unit first: `foo() {}` also parses (wrongly) as a call followed by a block.
    if looksLikeMember(bytes), let p = wrapped(bytes, Self.wrappers[0], parser: parser, member: true) { return p }
    guard let tree = try? parser.parse(bytes: bytes) else { return nil }
    let top = tree.root.namedChildren.filter { $0.type != "comment" }
    if !tree.hasError, top.count == 1, let only = top.first, only.type == "expression_statement",
      only.child(only.childCount - 1)?.type != ";",
      let p = wrapped(bytes, Self.wrappers[1], parser: parser, member: false)
    {
      return p  // an expression unit (an arrow, a function expression): keep it an expression
    }
    if !tree.hasError { return Prepared(tree: tree, prefix: 0, suffix: 0, baseErrors: 0) }
    for w in Self.wrappers {
      if let p = wrapped(bytes, w, parser: parser, member: w.0.hasPrefix("(class")) { return p }
    }
    return Prepared(tree: tree, prefix: 0, suffix: 0, baseErrors: tree.errorCount)
  }

  private func wrapped(_ bytes: [UInt8], _ w: (String, String), parser: Parser, member: Bool) -> Prepared? {
    let prefix = Array(w.0.utf8)
    let suffix = Array(w.1.utf8)
    guard let tree = try? parser.parse(bytes: prefix + bytes + suffix), !tree.hasError else { return nil }
    if member {
      // The class body must hold exactly one member: the unit.
      guard let expr = tree.root.namedChild(0)?.namedChild(0), expr.type == "parenthesized_expression",
        let cls = expr.namedChild(0), let body = cls.child(field: "body"),
        body.namedChildren.filter({ $0.type != "comment" }).count == 1
      else { return nil }
    }
    return Prepared(tree: tree, prefix: prefix.count, suffix: suffix.count, baseErrors: 0)
  }

  /// A unit that starts like an arrow function or an anonymous function expression: `(`, `x =>`,
  /// `function (`, `function* (`, `async (`, `async x =>`, `async function (`. Such a text parses as a
  /// program only as one expression statement (nothing else starts this way), which `prepare` wraps.
  func looksLikeExpression(_ bytes: [UInt8]) -> Bool {
    var i = 0
    func skipSpace() {
      while i < bytes.count && (bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x09 || bytes[i] == 0x0D) { i += 1 }
    }
    func word() -> ArraySlice<UInt8> {
      let start = i
      while i < bytes.count && (bytes[i] >= 0x80 || bytes[i] == 0x5F || bytes[i] == 0x24
        || (bytes[i] | 0x20 >= 0x61 && bytes[i] | 0x20 <= 0x7A) || (bytes[i] >= 0x30 && bytes[i] <= 0x39)) { i += 1 }
      return bytes[start..<i]
    }
    func at(_ c: Character) -> Bool { i < bytes.count && bytes[i] == c.asciiValue! }
    skipSpace()
    if at("(") { return true }
    var w = word()
    if w.elementsEqual("async".utf8) {
      skipSpace()
      if at("(") { return true }
      w = word()
    }
    if w.elementsEqual("function".utf8) {
      skipSpace()
      if at("*") {
        i += 1
        skipSpace()
      }
      return at("(")
    }
    guard !w.isEmpty, let first = w.first, !(first >= 0x30 && first <= 0x39) else { return false }
    skipSpace()
    return i + 1 < bytes.count && bytes[i] == UInt8(ascii: "=") && bytes[i + 1] == UInt8(ascii: ">")
  }

  /// A unit that starts like a class member: `name(`, `get name(`, `static`, `async name(`, `*name(`, `#x`.
  private func looksLikeMember(_ bytes: [UInt8]) -> Bool {
    var i = 0
    while i < bytes.count && (bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x09 || bytes[i] == 0x0D) { i += 1 }
    var j = i
    while j < bytes.count && (bytes[j] >= 0x80 || bytes[j] == 0x5F || bytes[j] == 0x24 || bytes[j] == 0x23
      || (bytes[j] | 0x20 >= 0x61 && bytes[j] | 0x20 <= 0x7A) || (bytes[j] >= 0x30 && bytes[j] <= 0x39)) { j += 1 }
    let word = String(decoding: bytes[i..<j], as: UTF8.self)
    if word == "function" || word == "class" || word == "async" && bytes[j...].starts(with: Array(" function".utf8)) {
      return false
    }
    if ["get", "set", "static", "async", "public", "private", "protected", "readonly", "override", "abstract"]
      .contains(word) || (i < bytes.count && (bytes[i] == UInt8(ascii: "*") || bytes[i] == UInt8(ascii: "#")
        || bytes[i] == UInt8(ascii: "[")))
    {
      return true
    }
    var k = j
    while k < bytes.count && (bytes[k] == 0x20 || bytes[k] == 0x09) { k += 1 }
    if k < bytes.count && bytes[k] == UInt8(ascii: "<") { return true }  // generic method
    return k < bytes.count && bytes[k] == UInt8(ascii: "(") && j > i && word != "if" && word != "while"
      && word != "for" && word != "switch"
  }

  // MARK: Drawing

  func variant(of prepared: Prepared, rng: inout SeededRandom) -> Variant {
    let parser = parser(prepared.tree.language)
    var tree = prepared.tree
    var scopes = prepared.scopes
    var applied: [String] = []
    var preserves = true
    counters.variants += 1
    for step in config.steps {
      let fire = rng.chance(step.probability)
      var local = rng.split()
      guard fire else { continue }
      let name = step.transform.name
      counters.attempted[name, default: 0] += 1
      let focus = prepared.prefix..<(tree.bytes.count - prepared.suffix)
      let input = TransformInput(tree: tree, focus: focus, scopeCache: scopes)
      guard let edits = try? step.transform.edits(for: input, rng: &local), !edits.isEmpty else { continue }
      let result = try? edits.apply(to: tree.bytes)
      if let result, result == tree.bytes { continue }  // edits that change nothing: not applied, not skipped
      guard edits.allSatisfy({ $0.start >= focus.lowerBound && $0.start + $0.deletedLength <= focus.upperBound }),
        let bytes = result,
        let next = reparse(tree, edits: edits, expecting: bytes, parser: parser)
      else {
        counters.skippedParseError[name, default: 0] += 1
        skipObserver?(name, result.map { String(decoding: $0, as: UTF8.self) } ?? "")
        continue
      }
      if next.hasError && next.errorCount > prepared.baseErrors {
        counters.skippedParseError[name, default: 0] += 1
        skipObserver?(name, next.text)
        continue
      }
      tree = next
      scopes = ScopeCache(tree: next)
      applied.append(name)
      counters.applied[name, default: 0] += 1
      if !step.transform.preservesSemantics { preserves = false }
    }
    let bytes = tree.bytes
    let text = String(decoding: bytes[prepared.prefix..<(bytes.count - prepared.suffix)], as: UTF8.self)
    return Variant(text: text, applied: applied, preservesSemantics: preserves)
  }
}

// MARK: - Re-parsing

extension Augmenter {
  /// The tree of `bytes` (the result of `edits` on `tree`'s text). Small, local edits re-parse
  /// incrementally (tree-sitter reuses the unchanged subtrees, and the result is the same tree a fresh
  /// parse gives); a rewrite of most of the text parses from scratch.
  func reparse(_ tree: Tree, edits: [ByteEdit], expecting bytes: [UInt8], parser: Parser) -> Tree? {
    let changed = edits.reduce(0) { $0 + $1.deletedLength + $1.inserted.count }
    guard changed * 2 < tree.bytes.count else { return try? parser.parse(bytes: bytes) }
    // Applied back to front, each edit's offsets still refer to the text it is applied to.
    let ordered = edits.sorted { ($0.start, $0.deletedLength) > ($1.start, $1.deletedLength) }
    guard let next = try? parser.reparse(tree, applying: ordered), next.bytes == bytes else {
      return try? parser.parse(bytes: bytes)
    }
    return next
  }
}

// MARK: - One-call API

/// `count` variants of `source` (a whole file or one function unit), reproducible from `seed`.
/// `transforms` names the transforms to apply, each every time (nil: ContraCode's random composition).
/// Thread-safe: each call uses its own parsers.
public func augment(
  source: String, language: Language, seed: UInt64, transforms: [String]? = nil, count: Int = 1
) throws -> [Variant] {
  let config = try transforms.map { try AugmentConfig.only($0) } ?? .contraCode
  return Augmenter(config: config).variants(of: source, language: language, seed: seed, count: count)
}
