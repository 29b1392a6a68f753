import Corpus
import Foundation
import Model
import Syntax
import Tokenizer

// MARK: - Open candidates

/// The forms an open candidate takes: a name `X` (a type the file declares or imports, or a type parameter in
/// scope) in one of the first five, a generic `G<A>` composed from a generic in scope and an argument in scope,
/// or a type expression the file itself writes somewhere (`mentioned`: `Map<string, Node>` in an interface).
public enum TypeCandidateForm: Int, CaseIterable, Sendable {
  case plain, array, promise, orUndefined, orNull, generic, mentioned

  /// The forms of heads trained before composition (`TypeHeadConfig.forms` 5): names only.
  public static let nameForms: [TypeCandidateForm] = [.plain, .array, .promise, .orUndefined, .orNull]

  /// The type text of `name` in this form, already in `TypeAccuracy.normalize` spelling (`generic` and
  /// `mentioned` take the whole type as `name`).
  public func text(_ name: String) -> String {
    switch self {
    case .plain, .generic, .mentioned: return name
    case .array: return name + "[]"
    case .promise: return "Promise<" + name + ">"
    case .orUndefined: return name + "|undefined"
    case .orNull: return name + "|null"
    }
  }
}

/// Type names a file makes available: interfaces, classes, type aliases and enums it declares, and the names
/// it imports (default and named imports; namespace imports are left out). Only names that look like types
/// (first letter upper case) are kept, in first-occurrence order.
public enum TypeCandidates {
  public struct Name: Sendable, Equatable {
    public var name: String
    public var declared: Bool
  }

  public static let declarationTypes: Set<String> = [
    "interface_declaration", "class_declaration", "abstract_class_declaration", "type_alias_declaration",
    "enum_declaration", "class",
  ]

  public static func names(in tree: Tree) -> [Name] {
    var out: [Name] = []
    var seen: Set<String> = []
    func add(_ text: String, declared: Bool) {
      guard let first = text.first, first.isUppercase, seen.insert(text).inserted else { return }
      out.append(Name(name: text, declared: declared))
    }
    tree.root.walk { node in
      let type = node.type
      if declarationTypes.contains(type), let name = node.child(field: "name") {
        add(name.text, declared: true)
      } else if type == "import_specifier" {
        if let local = node.child(field: "alias") ?? node.child(field: "name") { add(local.text, declared: false) }
        return false
      } else if type == "import_clause" {
        for child in node.namedChildren where child.type == "identifier" { add(child.text, declared: false) }
      }
      return true
    }
    return out
  }

  /// Parses `text` (TypeScript, or TSX when `tsx`) and returns its candidate names; a parse failure gives none.
  public static func names(in text: String, tsx: Bool) -> [Name] {
    guard let tree = try? Parser(language: tsx ? .tsx : .typescript).parse(text) else { return [] }
    return names(in: tree)
  }
}

// MARK: - Windows

/// One annotation site as the head sees it.
public struct TypeHeadSite: Sendable, Equatable {
  public var kind: String
  public var name: String
  /// UTF-8 byte offset where `: T` goes.
  public var offset: Int
  /// The type parameters of the declarations around the site: composed candidates may use these and no other.
  public var typeParameters: [String]

  public init(kind: String, name: String, offset: Int, typeParameters: [String] = []) {
    self.kind = kind
    self.name = name
    self.offset = offset
    self.typeParameters = typeParameters
  }

  /// Kinds in feature order.
  public static let kinds = ["parameter", "return", "variable", "property"]
}

/// A window of at most `length` tokens of a file and the sites it encodes (positions relative to the window).
public struct TypeHeadWindow: Sendable, Equatable {
  /// Index of the window's first token in the file's encoding.
  public var start: Int
  public var tokens: [Int32]
  /// (site index in the file, the token just before the site, the token at or after it).
  public var sites: [(site: Int, before: Int, after: Int)]

  public static func == (a: TypeHeadWindow, b: TypeHeadWindow) -> Bool {
    a.start == b.start && a.tokens == b.tokens && a.sites.map(\.site) == b.sites.map(\.site)
      && a.sites.map(\.before) == b.sites.map(\.before) && a.sites.map(\.after) == b.sites.map(\.after)
  }

  /// Cuts an encoded file into windows of `length` tokens starting every `length / 2` tokens and puts each
  /// site in the window where it sits in the middle half (the first or last window at the file's ends), so a
  /// site sees at least a quarter window of context on each side where the file has it. Windows without
  /// sites are dropped. `offsets` are the sites' byte offsets; the token "before" a site is the last token
  /// starting before its offset, "after" the first starting at or after it (clamped to the window).
  public static func windows(encoding: Encoding, offsets: [Int], length: Int) -> [TypeHeadWindow] {
    let n = encoding.count
    guard n > 0, length >= 2 else { return [] }
    let stride = max(length / 2, 1)
    let lastStart = max(0, n - length)
    var byWindow: [Int: [(Int, Int)]] = [:]  // window index → (site, token position)
    for (i, offset) in offsets.enumerated() {
      let p = firstToken(atOrAfter: offset, in: encoding)
      let k = max(0, (p - length / 4) / stride)
      byWindow[k, default: []].append((i, p))
    }
    return byWindow.keys.sorted().map { k in
      window(start: min(k * stride, lastStart), sites: byWindow[k]!, encoding: encoding, length: length)
    }
  }

  /// The first token starting at or after byte `offset` (`encoding.count` when none does).
  static func firstToken(atOrAfter offset: Int, in encoding: Encoding) -> Int {
    var lo = 0
    var hi = encoding.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if Int(encoding.starts[mid]) < offset { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  /// The window of `length` tokens from `start` with its sites, each given as (site, token position of the
  /// first token at or after it): "before" and "after" are clamped to the window.
  static func window(start: Int, sites: [(Int, Int)], encoding: Encoding, length: Int) -> TypeHeadWindow {
    let end = min(start + length, encoding.count)
    var w = TypeHeadWindow(start: start, tokens: Array(encoding.ids[start..<end]), sites: [])
    for (site, p) in sites {
      let after = min(max(p - start, 0), end - start - 1)
      let before = min(max(p - 1 - start, 0), end - start - 1)
      w.sites.append((site, before, after))
    }
    return w
  }
}

// MARK: - Windows that stay put under edits

extension TypeHeadWindow {
  /// The longest gap between two window starts of `anchored(encoding:bytes:offsets:length:)`, as a fraction of
  /// the window (a half, the stride of `windows`).
  static func anchorGap(_ length: Int) -> Int { max(length / 2, 1) }

  /// Windows whose starts depend only on the tokens around them, so an edit changes the windows near it and
  /// leaves the others exactly as they were, however many tokens it adds or removes (the editor's per-document
  /// `TypeHeadCache` then recomputes only those). `windows(encoding:offsets:length:)` starts a window every
  /// half window from the file's first token, so an edit that adds one token changes every window after it.
  ///
  /// Window starts: the file's first token; every token that begins a line (holds a newline) whose next 8 token
  /// ids hash to 0 mod 8 (content-defined, as in rsync's chunking); and, where two such starts are more than
  /// half a window apart, a start every half window after the first. A site goes to the window of the last
  /// start at least a quarter window before it, so it sees between a quarter and three quarters of a window of
  /// context before it and at least a quarter after it, as in `windows` (less only at the file's ends).
  public static func anchored(encoding: Encoding, bytes: [UInt8], offsets: [Int], length: Int) -> [TypeHeadWindow] {
    let n = encoding.count
    guard n > 0, length >= 2 else { return [] }
    let gap = anchorGap(length)
    var starts: [Int] = [0]
    for i in 1..<max(n, 1) {
      let (a, b) = (Int(encoding.starts[i]), Int(encoding.ends[i]))
      var natural = false
      if a >= 0, b <= bytes.count, a < b, bytes[a..<b].contains(0x0A) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for id in encoding.ids[i..<min(n, i + 8)] { h = (h ^ UInt64(UInt32(bitPattern: id))) &* 0x0000_0100_0000_01b3 }
        natural = (h >> 29) % 8 == 0
      }
      if natural || i - starts[starts.count - 1] >= gap { starts.append(i) }
    }
    let lastStart = max(0, n - length)
    var byStart: [Int: [(Int, Int)]] = [:]  // window start → (site, token position)
    for (i, offset) in offsets.enumerated() {
      let p = firstToken(atOrAfter: offset, in: encoding)
      // The last start at or before p − length/4.
      let limit = max(0, p - length / 4)
      var a = 0
      var z = starts.count - 1
      while a < z {
        let mid = (a + z + 1) / 2
        if starts[mid] <= limit { a = mid } else { z = mid - 1 }
      }
      byStart[min(starts[a], lastStart), default: []].append((i, p))
    }
    return byStart.keys.sorted().map { window(start: $0, sites: byStart[$0]!, encoding: encoding, length: length) }
  }
}

// MARK: - A file prepared for the head

/// A file's windows, candidate pool and per-site offers (and, for training, targets).
public struct TypeHeadFile: Sendable {
  public var sites: [TypeHeadSite]
  public var windows: [TypeHeadWindow]
  /// The open candidates' normalised type texts and their head inputs, same order.
  public var candidateTexts: [String]
  public var candidates: [TypeHeadCandidate]
  /// Per site: the candidates it may take (a candidate with a type parameter only where that parameter is in
  /// scope), each with its pair features.
  public var offers: [[TypeHeadOffer]]
  /// Per site: the index into [vocabulary ++ "other" ++ that site's offers] of the true type (nil: no label or
  /// `any`): the site's offered candidate when it has one with that text, else the vocabulary entry, else
  /// "other".
  public var targets: [Int?]
  /// Every type-like name the file declares or imports and every generic it declares or applies: with a site's
  /// type parameters, the names a retrieved label may use (`TypeRetrieval.inScope`).
  public var scopeNames: Set<String> = []
}

/// The pieces a file offers for composing candidate types: the type-like names it declares or imports, the
/// generics it declares or applies (with their number of type arguments), the type parameters its
/// declarations bind, and the type expressions it writes.
public struct TypeCompositionPieces: Sendable {
  public var names: [TypeCandidates.Name] = []
  /// Generic names in scope as the file uses them, first occurrence first, with their arity (1 or 2).
  public var generics: [(name: String, arity: Int)] = []
  /// Every type-parameter name the file binds anywhere (a candidate using one needs it in the site's scope).
  public var typeParameters: Set<String> = []
  /// Normalised texts of the compound type expressions the file writes (`Foo<Bar>`, `A[]`, `A | B`, `ns.T`).
  public var mentioned: [String] = []

  /// The compound type nodes harvested as `mentioned` candidates.
  static let mentionedTypes: Set<String> = [
    "generic_type", "array_type", "union_type", "tuple_type", "nested_type_identifier", "intersection_type",
  ]
  /// Global generics every file may apply: one argument, or a `string` key and one value argument.
  public static let globalGenerics: [(name: String, arity: Int)] = [
    ("Record", 2), ("Map", 2), ("Set", 1), ("Partial", 1), ("Array", 1),
  ]

  public init() {}

  public init(tree: Tree) {
    names = TypeCandidates.names(in: tree)
    let scope = Set(names.map(\.name))
    var arity: [String: Int] = [:]
    var order: [String] = []
    var seenMentioned: Set<String> = []
    func generic(_ name: String, _ n: Int) {
      guard n >= 1, scope.contains(name) || TypeNames.globalTypes.contains(name) else { return }
      if arity[name] == nil { order.append(name) }
      arity[name] = min(max(arity[name] ?? 0, n), 2)
    }
    tree.root.walk { node in
      let type = node.type
      if TypeCandidates.declarationTypes.contains(type), let name = node.child(field: "name"),
        let parameters = node.child(field: "type_parameters")
      {
        generic(name.text, parameters.namedChildren.filter { $0.type == "type_parameter" }.count)
      }
      if type == "type_parameter", let name = node.child(field: "name") { typeParameters.insert(name.text) }
      if type == "generic_type", let name = node.child(field: "name"),
        let arguments = node.child(field: "type_arguments")
      {
        generic(name.text, arguments.namedChildren.count)
      }
      if Self.mentionedTypes.contains(type), node.byteRange.count <= 80, !node.hasError {
        let text = TypeAccuracy.normalize(node.text)
        let words = text.split { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") }
        if !words.contains("any"), seenMentioned.insert(text).inserted { mentioned.append(text) }
      }
      return true
    }
    generics = order.map { ($0, arity[$0]!) }
  }
}

/// Turns files into head inputs: the tokenizer, the closed vocabulary and the window length.
public struct TypeHeadPreparer: Sendable {
  public let tokenizer: Tokenizer
  /// Real types of the closed vocabulary (normalised), most frequent first; the head has one more class, "other".
  public let vocabulary: [String]
  public let vocabularyIndex: [String: Int]
  public let windowLength: Int
  /// Whether candidates are composed (type parameters, generics, the file's own type expressions) or only a
  /// declared or imported name in the five name forms (a head with `forms` 5, trained before composition).
  public let composes: Bool
  /// Number of pair features per (site, candidate): name overlap (Jaccard), last subtokens equal, declared
  /// (not imported), uses a type parameter of the site, written in the file (`mentioned`).
  public static let pairFeatures = 5
  /// At most this many names, generics, arguments and mentioned types go into a file's pool.
  public static let maxNames = 40, maxGenerics = 12, maxArguments = 16, maxMentioned = 150
  /// Arguments every generic is also applied to.
  public static let primitiveArguments = ["string", "number", "boolean", "unknown"]

  public init(tokenizer: Tokenizer, vocabulary: [String], windowLength: Int, composes: Bool = true) {
    self.tokenizer = tokenizer
    self.vocabulary = vocabulary
    var index: [String: Int] = [:]
    for (i, v) in vocabulary.enumerated() where index[v] == nil { index[v] = i }
    self.vocabularyIndex = index
    self.windowLength = windowLength
    self.composes = composes
  }

  /// The class index of "other".
  public var otherClass: Int { vocabulary.count }

  /// One candidate of a file's pool before it is offered to sites.
  struct Pooled {
    var text: String
    var candidate: TypeHeadCandidate
    var words: [String]
    var declared: Bool
    /// Type parameters it uses (must all be in a site's scope for the site to be offered it).
    var typeParameters: [String]
    var mentioned: Bool
  }

  /// The composed candidate pool of a file (normalised texts, deduplicated, first spelling kept).
  func pool(pieces: TypeCompositionPieces, sites: [TypeHeadSite]) -> [Pooled] {
    var out: [Pooled] = []
    var seen: [String: Int] = [:]
    func add(_ text: String, form: TypeCandidateForm, tokensOf: String, words: [String], declared: Bool, tps: [String], mentioned: Bool = false) {
      if let i = seen[text] {
        // Composed and also written in the file: one candidate, marked as written.
        if mentioned { out[i].mentioned = true }
        return
      }
      seen[text] = out.count
      out.append(
        Pooled(
          text: text, candidate: TypeHeadCandidate(tokens: tokenizer.encode(tokensOf), form: form.rawValue),
          words: words, declared: declared, typeParameters: tps, mentioned: mentioned))
    }
    let names = Array(pieces.names.prefix(Self.maxNames))
    for name in names {
      let words = identifierSubtokens(name.name)
      for form in TypeCandidateForm.nameForms {
        // Kept even when the vocabulary has the same text: pointing at the file's own name is what
        // carries over to packages the vocabulary never saw.
        add(form.text(name.name), form: form, tokensOf: name.name, words: words, declared: name.declared, tps: [])
      }
    }
    guard composes else { return out }
    var typeParameters: [String] = []
    for site in sites {
      for t in site.typeParameters where !typeParameters.contains(t) { typeParameters.append(t) }
    }
    for t in typeParameters {
      for form in TypeCandidateForm.nameForms {
        add(form.text(t), form: form, tokensOf: t, words: identifierSubtokens(t), declared: false, tps: [t])
      }
    }
    // Generics in scope applied to the arguments in scope: type parameters, the file's names, primitives.
    let arguments: [(text: String, tps: [String])] =
      typeParameters.map { ($0, [$0]) } + names.prefix(Self.maxArguments).map { ($0.name, []) }
      + Self.primitiveArguments.map { ($0, []) }
    let declaredGenerics = pieces.generics.prefix(Self.maxGenerics)
    let generics = declaredGenerics + TypeCompositionPieces.globalGenerics.filter { g in
      !declaredGenerics.contains { $0.name == g.name }
    }
    for g in generics {
      let gWords = identifierSubtokens(g.name)
      for a in arguments where a.text != g.name {
        let text = g.arity == 1 ? "\(g.name)<\(a.text)>" : "\(g.name)<string,\(a.text)>"
        add(
          text, form: .generic, tokensOf: g.name + " " + a.text, words: gWords + identifierSubtokens(a.text),
          declared: false, tps: a.tps)
      }
      if g.arity == 2 {
        for k in typeParameters {
          for v in typeParameters where v != k {
            add(
              "\(g.name)<\(k),\(v)>", form: .generic, tokensOf: "\(g.name) \(k) \(v)",
              words: gWords + identifierSubtokens(k) + identifierSubtokens(v), declared: false, tps: [k, v])
          }
        }
      }
    }
    for text in pieces.mentioned.prefix(Self.maxMentioned) {
      let identifiers = text.split { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") }.map(String.init)
      let tps = identifiers.filter { pieces.typeParameters.contains($0) }
      add(
        text, form: .mentioned, tokensOf: text, words: identifiers.flatMap(identifierSubtokens), declared: false,
        tps: tps, mentioned: true)
    }
    return out
  }

  /// Prepares one file. `labels`, when given, are the true annotations (one per site) for training targets.
  /// `tree`, when given, is the text's parse tree (the caller's), so the text need not be parsed again for the
  /// composition pieces.
  /// With `anchored`, the windows are `TypeHeadWindow.anchored` (the editor's, which stay put under edits), else
  /// `TypeHeadWindow.windows` (training, evaluation and the command line).
  public func prepare(
    text: String, tsx: Bool, sites: [TypeHeadSite], labels: [String]? = nil, tree given: Tree? = nil,
    anchored: Bool = false
  ) -> TypeHeadFile {
    let encoding = tokenizer.encode(text, options: EncodeOptions())
    let windows =
      anchored
      ? TypeHeadWindow.anchored(
        encoding: encoding, bytes: Array(text.utf8), offsets: sites.map(\.offset), length: windowLength)
      : TypeHeadWindow.windows(encoding: encoding, offsets: sites.map(\.offset), length: windowLength)
    let tree = given ?? (try? Parser(language: tsx ? .tsx : .typescript).parse(text))
    let pieces = tree.map { TypeCompositionPieces(tree: $0) } ?? TypeCompositionPieces()
    let pooled = pool(pieces: pieces, sites: sites)
    // Each candidate's words as a set, once per file rather than once per site.
    let pooledWords = pooled.map { Set($0.words) }
    var offers: [[TypeHeadOffer]] = []
    var targets: [Int?] = []
    for (s, site) in sites.enumerated() {
      let words = identifierSubtokens(site.name)
      let set = Set(words)
      let scope = Set(site.typeParameters)
      var siteOffers: [TypeHeadOffer] = []
      var offeredIndex: [String: Int] = [:]
      for (j, c) in pooled.enumerated() where c.typeParameters.allSatisfy(scope.contains) {
        let cw = pooledWords[j]
        let inter = cw.intersection(set).count
        let union = max(cw.union(set).count, 1)
        let lastMatch: Float = (c.words.last != nil && c.words.last == words.last) ? 1 : 0
        offeredIndex[c.text] = siteOffers.count
        siteOffers.append(
          TypeHeadOffer(
            candidate: j,
            features: [
              Float(inter) / Float(union), lastMatch, c.declared ? 1 : 0, c.typeParameters.isEmpty ? 0 : 1,
              c.mentioned ? 1 : 0,
            ]))
      }
      offers.append(siteOffers)
      guard let labels, s < labels.count else {
        targets.append(nil)
        continue
      }
      let label = TypeAccuracy.normalize(labels[s])
      if label == "any" {
        targets.append(nil)
      } else if let c = offeredIndex[label] {
        targets.append(vocabulary.count + 1 + c)
      } else if let v = vocabularyIndex[label] {
        targets.append(v)
      } else {
        targets.append(otherClass)
      }
    }
    return TypeHeadFile(
      sites: sites, windows: windows, candidateTexts: pooled.map(\.text), candidates: pooled.map(\.candidate),
      offers: offers, targets: targets,
      scopeNames: Set(pieces.names.map(\.name)).union(pieces.generics.map(\.name)))
  }
}
