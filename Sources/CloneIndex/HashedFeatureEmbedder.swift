import Syntax

/// The default, non-neural embedder: a hashed bag of syntax features, L2-normalised.
///
/// Features of a unit: its abstracted token 1-, 2- and 3-grams (locals as `ID`, literals by class,
/// property and global names kept, see `UnitTokens.features`), its parent→child node-type pairs,
/// and the names of the properties and globals it uses (weighted up: they say what a function
/// does more than its punctuation). Each feature is hashed to a signed bucket ("feature
/// hashing"), counts are damped with log(1 + n), and the vector is normalised.
///
/// This finds renamed and lightly edited copies and code built from the same operations, but it
/// does not understand behaviour: two implementations of one function that use different
/// operations (a loop versus `reduce`) get only a moderate score. The learned encoder (`Model`)
/// replaces it behind the same `Embedder` protocol.
public struct HashedFeatureEmbedder: Embedder {
  public let dimension: Int
  public var modelID: String { "hashed-features-v1-\(dimension)" }

  public init(dimension: Int = 256) {
    self.dimension = dimension
  }

  public func embed(_ units: [UnitText]) throws -> [[Float]] {
    units.map { unit in
      if let tokens = unit.tokens { return vector(for: tokens) }
      return vector(for: Self.tokens(ofText: unit.text, language: unit.language))
    }
  }

  /// The vector for already-extracted tokens.
  public func vector(for tokens: UnitTokens) -> [Float] {
    var v = [Float](repeating: 0, count: dimension)
    var counts: [UInt64: Float] = [:]
    let f = tokens.features
    func add(_ h: UInt64, _ w: Float) { counts[h, default: 0] += w }
    var h1: UInt64 = 0
    var h2: UInt64 = 0
    for (i, t) in f.enumerated() {
      let h = ContentHash.hash(t, seed: 1)
      let punct = Self.isPunctuation(t)
      add(h, punct ? 0.25 : 1)
      if t.first == "." || (!punct && t != "ID" && t.first?.isLetter == true && !Self.keywords.contains(t)) {
        add(ContentHash.hash(t, seed: 7), 1.5)  // the API vocabulary
      }
      if i >= 1 { add(Self.mix(h1, h, 2), 1) }
      if i >= 2 { add(Self.mix(Self.mix(h2, h1, 3), h, 3), 1) }
      h2 = h1
      h1 = h
    }
    for p in tokens.paths { add(ContentHash.hash(p, seed: 5), Self.pathWeight) }
    let d = UInt64(dimension)
    for (h, c) in counts {
      let bucket = Int(h % d)
      let sign: Float = (h >> 63) == 0 ? 1 : -1
      v[bucket] += sign * (1 + logf(c))
    }
    var norm: Float = 0
    for x in v { norm += x * x }
    if norm > 0 {
      let s = 1 / norm.squareRoot()
      for i in 0..<dimension { v[i] *= s }
    }
    return v
  }

  /// Tokens of a free-standing piece of text: the first function unit in it, else the whole text.
  public static func tokens(ofText text: String, language: Language) -> UnitTokens {
    let parser = Parser(language: language)
    guard let tree = try? parser.parse(text) else { return UnitTokens() }
    if let unit = extractUnits(from: tree).first, unit.byteRange.count * 2 >= tree.bytes.count {
      return UnitTokens(unit: unit, in: tree)
    }
    return UnitTokens(node: tree.root)
  }

  // MARK: - Internals

  @inline(__always) static func mix(_ a: UInt64, _ b: UInt64, _ salt: UInt64) -> UInt64 {
    var x = a &* 0x9E37_79B9_7F4A_7C15 ^ (b &+ salt &* 0xBF58_476D_1CE4_E5B9)
    x ^= x >> 31
    x &*= 0x94D0_49BB_1331_11EB
    x ^= x >> 29
    return x
  }

  static func isPunctuation(_ t: String) -> Bool {
    guard let c = t.unicodeScalars.first else { return true }
    return !(CharacterSetLite.isWordStart(c) || c == ".")
  }

  static let pathWeight: Float = 0.5

  static let keywords: Set<String> = [
    "function", "return", "const", "let", "var", "if", "else", "for", "while", "do", "of", "in", "new", "this",
    "true", "false", "null", "undefined", "async", "await", "yield", "typeof", "instanceof", "break", "continue",
    "switch", "case", "default", "throw", "try", "catch", "finally", "class", "extends", "super", "static",
    "get", "set", "delete", "void",
  ]
}

/// A tiny ASCII-oriented character test (no Foundation).
enum CharacterSetLite {
  static func isWordStart(_ c: Unicode.Scalar) -> Bool {
    (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || c == "$" || (c >= "0" && c <= "9") || c.value > 127
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
