import Corpus
import Foundation
import Model
import Syntax
import Tokenizer

// MARK: - Open candidates

/// The generic forms an open candidate name `X` is offered in.
public enum TypeCandidateForm: Int, CaseIterable, Sendable {
  case plain, array, promise, orUndefined, orNull

  /// The type text of `name` in this form, already in `TypeAccuracy.normalize` spelling.
  public func text(_ name: String) -> String {
    switch self {
    case .plain: return name
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

  public init(kind: String, name: String, offset: Int) {
    self.kind = kind
    self.name = name
    self.offset = offset
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
      // first token starting at or after the offset
      var lo = 0
      var hi = n
      while lo < hi {
        let mid = (lo + hi) / 2
        if Int(encoding.starts[mid]) < offset { lo = mid + 1 } else { hi = mid }
      }
      let p = lo
      let k = max(0, (p - length / 4) / stride)
      byWindow[k, default: []].append((i, p))
    }
    var out: [TypeHeadWindow] = []
    for k in byWindow.keys.sorted() {
      let start = min(k * stride, lastStart)
      let end = min(start + length, n)
      var w = TypeHeadWindow(start: start, tokens: Array(encoding.ids[start..<end]), sites: [])
      for (site, p) in byWindow[k]! {
        let after = min(max(p - start, 0), end - start - 1)
        let before = min(max(p - 1 - start, 0), end - start - 1)
        w.sites.append((site, before, after))
      }
      out.append(w)
    }
    return out
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
      var lo = 0
      var hi = n
      while lo < hi {
        let mid = (lo + hi) / 2
        if Int(encoding.starts[mid]) < offset { lo = mid + 1 } else { hi = mid }
      }
      let p = lo
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
    var out: [TypeHeadWindow] = []
    for start in byStart.keys.sorted() {
      let end = min(start + length, n)
      var w = TypeHeadWindow(start: start, tokens: Array(encoding.ids[start..<end]), sites: [])
      for (site, p) in byStart[start]! {
        let after = min(max(p - start, 0), end - start - 1)
        let before = min(max(p - 1 - start, 0), end - start - 1)
        w.sites.append((site, before, after))
      }
      out.append(w)
    }
    return out
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
  /// Per site: every candidate with its pair features.
  public var offers: [[TypeHeadOffer]]
  /// Per site: the index into [vocabulary ++ offers] of the true type (nil: no label or `any`): the file's
  /// candidate when it has one with that text, else the vocabulary entry, else "other".
  public var targets: [Int?]
}

/// Turns files into head inputs: the tokenizer, the closed vocabulary and the window length.
public struct TypeHeadPreparer: Sendable {
  public let tokenizer: Tokenizer
  /// Real types of the closed vocabulary (normalised), most frequent first; the head has one more class, "other".
  public let vocabulary: [String]
  public let vocabularyIndex: [String: Int]
  public let windowLength: Int
  /// Number of pair features per (site, candidate).
  public static let pairFeatures = 3

  public init(tokenizer: Tokenizer, vocabulary: [String], windowLength: Int) {
    self.tokenizer = tokenizer
    self.vocabulary = vocabulary
    var index: [String: Int] = [:]
    for (i, v) in vocabulary.enumerated() where index[v] == nil { index[v] = i }
    self.vocabularyIndex = index
    self.windowLength = windowLength
  }

  /// The class index of "other".
  public var otherClass: Int { vocabulary.count }

  /// Prepares one file. `labels`, when given, are the true annotations (one per site) for training targets.
  /// `names`, when given, are the file's candidate type names (`TypeCandidates.names(in:)` of its tree), so the
  /// text need not be parsed again.
  /// With `anchored`, the windows are `TypeHeadWindow.anchored` (the editor's, which stay put under edits), else
  /// `TypeHeadWindow.windows` (training, evaluation and the command line).
  public func prepare(
    text: String, tsx: Bool, sites: [TypeHeadSite], labels: [String]? = nil, names given: [TypeCandidates.Name]? = nil,
    anchored: Bool = false
  ) -> TypeHeadFile {
    let encoding = tokenizer.encode(text, options: EncodeOptions())
    let windows =
      anchored
      ? TypeHeadWindow.anchored(
        encoding: encoding, bytes: Array(text.utf8), offsets: sites.map(\.offset), length: windowLength)
      : TypeHeadWindow.windows(encoding: encoding, offsets: sites.map(\.offset), length: windowLength)
    var texts: [String] = []
    var cands: [TypeHeadCandidate] = []
    var names: [(words: [String], declared: Bool)] = []
    for name in given ?? TypeCandidates.names(in: text, tsx: tsx) {
      let ids = tokenizer.encode(name.name)
      for form in TypeCandidateForm.allCases {
        // Kept even when the vocabulary has the same text: pointing at the file's own name is what
        // carries over to packages the vocabulary never saw.
        texts.append(form.text(name.name))
        cands.append(TypeHeadCandidate(tokens: ids, form: form.rawValue))
        names.append((identifierSubtokens(name.name), name.declared))
      }
    }
    var offers: [[TypeHeadOffer]] = []
    var targets: [Int?] = []
    var candidateIndex: [String: Int] = [:]
    for (i, t) in texts.enumerated() where candidateIndex[t] == nil { candidateIndex[t] = i }
    for (s, site) in sites.enumerated() {
      let words = identifierSubtokens(site.name)
      let set = Set(words)
      offers.append(
        names.indices.map { j in
          let cw = names[j].words
          let inter = Set(cw).intersection(set).count
          let union = max(Set(cw).union(set).count, 1)
          let lastMatch: Float = (cw.last != nil && cw.last == words.last) ? 1 : 0
          return TypeHeadOffer(
            candidate: j, features: [Float(inter) / Float(union), lastMatch, names[j].declared ? 1 : 0])
        })
      guard let labels, s < labels.count else {
        targets.append(nil)
        continue
      }
      let label = TypeAccuracy.normalize(labels[s])
      if label == "any" {
        targets.append(nil)
      } else if let c = candidateIndex[label] {
        targets.append(vocabulary.count + 1 + c)
      } else if let v = vocabularyIndex[label] {
        targets.append(v)
      } else {
        targets.append(otherClass)
      }
    }
    return TypeHeadFile(
      sites: sites, windows: windows, candidateTexts: texts, candidates: cands, offers: offers, targets: targets)
  }
}
