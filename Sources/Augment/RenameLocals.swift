import Syntax

// MARK: - RenameLocals

/// Renames local variables, parameters and catch parameters to random plausible identifiers
/// (`IdentifierWords`), consistently at every occurrence.
///
/// Why behaviour is preserved: the scope analysis (`ScopeAnalysis`) links every occurrence to its binding,
/// and a binding is renamed to `N` only when no occurrence of any name `N` (declaration or reference,
/// free or bound, after the renames already chosen) lies inside the binding's scope. Then every old
/// occurrence still resolves to the binding under its new name, and no other occurrence can resolve to it
/// (nothing named `N` is inside its scope), so each identifier denotes the same variable as before.
/// Shorthand properties keep their key (`{a}` → `{a: n}`, `{a = 1}` → `{a: n = 1}`). Left alone, because
/// renaming could be observed: program-scope names (globals of a script, a module's interface), imports,
/// exports, `arguments`, bindings of scopes an `eval` or `with` can see, function declarations inside
/// blocks (sloppy Annex B), TypeScript parameter properties and classes, enums, namespaces (their names
/// also live in the type space), bindings whose name a function's or class's `.name` takes
/// (`const f = () => {}`), and — with `keepFunctionNames`, the default — function and class declarations
/// and named function/class expressions. Still observable and not preserved: the text of error messages
/// that quote a variable (`x is not defined`) and `Function.prototype.toString`.
public struct RenameLocals: Transform {
  public let name = "rename"
  /// Probability that each renamable binding is renamed (1: all of them).
  public var probability: Double
  /// Keep the names of function and class declarations and named function/class expressions, whose
  /// `.name` a program can print.
  public var keepFunctionNames: Bool
  /// The names to draw from (reserved words are filtered out).
  public var words: [String]

  public init(probability: Double = 1, keepFunctionNames: Bool = true, words: [String] = IdentifierWords.all) {
    self.probability = probability
    self.keepFunctionNames = keepFunctionNames
    self.words = words.filter { !IdentifierWords.reserved.contains($0) && !$0.isEmpty }
  }

  public func edits(for input: TransformInput, rng: inout SeededRandom) throws -> [ByteEdit] {
    guard !words.isEmpty else { return [] }
    let analysis = input.scopes
    var planner = RenamePlanner(analysis: analysis)
    let candidates = RenamePlanner.renamableBindings(
      analysis, language: input.language,
      keepFunctionNames: keepFunctionNames)
    var renames: [(Binding, String)] = []
    for binding in candidates {
      guard probability >= 1 || rng.chance(probability) else { continue }
      let capital = planner.needsCapital(binding)
      var chosen: String?
      for attempt in 0..<40 {
        var word = words[Int(rng.next() % UInt64(words.count))]
        if attempt >= 20 { word += String(attempt - 18) }
        if capital { word = word.prefix(1).uppercased() + word.dropFirst() }
        if word != binding.name, planner.isAvailable(word, for: binding) {
          chosen = word
          break
        }
      }
      guard let chosen else { continue }
      planner.commit(binding, as: chosen)
      renames.append((binding, chosen))
    }
    return planner.edits(for: renames)
  }

  /// The bindings the renaming transforms may rename in `analysis` (see the type's doc comment), in order of
  /// declaration.
  public static func renamableBindings(
    _ analysis: ScopeAnalysis, language: Language,
    keepFunctionNames: Bool = true
  ) -> [Binding] {
    RenamePlanner.renamableBindings(analysis, language: language, keepFunctionNames: keepFunctionNames)
  }
}

// MARK: - Planner shared by RenameLocals and Mangle

/// Which bindings may be renamed, whether a new name is free for a binding, and the edits of a set of
/// renames.
struct RenamePlanner {
  let analysis: ScopeAnalysis
  /// For every name, the scopes of its occurrences (original names, plus renamed occurrences under their
  /// new name).
  private var occurrenceScopes: [String: [Int]] = [:]

  init(analysis: ScopeAnalysis) {
    self.analysis = analysis
    for r in analysis.references { occurrenceScopes[r.name, default: []].append(r.scope) }
  }

  static func renamableBindings(_ analysis: ScopeAnalysis, language: Language, keepFunctionNames: Bool)
    -> [Binding]
  {
    // Annex B: a function declared in a block also gets a `var` in its function when the code is sloppy.
    // Bindings of that name referenced from inside such a function stay as they are.
    var blockFunctionNames: [String: [Int]] = [:]  // name → var scopes holding the block function
    for b in analysis.bindings where b.isBlockFunction {
      var s = b.scope
      while !analysis.scopes[s].isVarScope, let p = analysis.scopes[s].parent { s = p }
      blockFunctionNames[b.name, default: []].append(s)
    }
    return analysis.bindings.filter { b in
      let scope = analysis.scopes[b.scope]
      guard scope.kind != .program, !scope.isUnsafe else { return false }
      switch b.kind {
      case .import, .arguments, .enum, .namespace: return false
      case .function, .functionExpressionName, .classExpressionName:
        if keepFunctionNames { return false }
      case .class:
        if keepFunctionNames || language != .javascript { return false }
      default: break
      }
      if b.isExported || b.isBlockFunction || b.isParameterProperty || b.nameIsObservable { return false }
      if b.name == "arguments" || b.name == "eval" { return false }
      if let holders = blockFunctionNames[b.name] {
        for r in analysis.referenceIndices(of: b) {
          let s = analysis.references[r].scope
          if holders.contains(where: { analysis.scopes[$0].contains(scope: s) }) { return false }
        }
      }
      return true
    }
  }

  /// Whether the binding is used as a JSX tag (`<Foo />`), so its name must stay capitalised.
  func needsCapital(_ binding: Binding) -> Bool {
    analysis.referenceIndices(of: binding).contains { analysis.references[$0].isJSXTag }
  }

  /// Whether `name` can replace the binding's name: not reserved, and nothing named `name` occurs inside the
  /// binding's scope.
  func isAvailable(_ name: String, for binding: Binding) -> Bool {
    guard !IdentifierWords.reserved.contains(name), isIdentifier(name) else { return false }
    guard let scopes = occurrenceScopes[name] else { return true }
    var scope = analysis.scopes[binding.scope]
    // A function body shares its names with the parameters (`var p` in the body *is* parameter `p`, and
    // `let p` is an error), and a catch body with the catch parameter: check the enclosing scope too.
    if let parent = scope.parent,
      scope.kind == .functionBody || analysis.scopes[parent].kind == .catchClause
    {
      scope = analysis.scopes[parent]
    }
    return !scopes.contains { scope.contains(scope: $0) }
  }

  /// Records that `binding` is now called `name`.
  mutating func commit(_ binding: Binding, as name: String) {
    for r in analysis.referenceIndices(of: binding) {
      occurrenceScopes[name, default: []].append(analysis.references[r].scope)
    }
  }

  /// One edit per occurrence; shorthand properties keep their key.
  func edits(for renames: [(Binding, String)]) -> [ByteEdit] {
    var out: [ByteEdit] = []
    for (binding, name) in renames {
      for i in analysis.referenceIndices(of: binding) {
        let r = analysis.references[i]
        let text = r.renamedText(name)
        out.append(ByteEdit(start: r.range.lowerBound, deletedLength: r.range.count, inserted: text))
      }
    }
    return out
  }

  private func isIdentifier(_ name: String) -> Bool {
    guard let first = name.utf8.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else {
      return false
    }
    return name.utf8.allSatisfy { c in
      (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
        || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c == UInt8(ascii: "$")
    }
  }
}
