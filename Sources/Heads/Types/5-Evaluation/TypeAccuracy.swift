/// Accuracy at 1 and 5 of ranked type predictions, DeepTyper/ContraCode protocol: sites whose true
/// annotation is `any` are left out, and a prediction counts when it equals the true type after
/// whitespace normalisation (`Map<K,V>` and `Map<K, V>` are the same type, `string|null` and
/// `string | null` too).
public struct TypeAccuracy: Sendable, Equatable {
  /// Sites scored (`any` excluded).
  public private(set) var sites = 0
  /// Sites whose first prediction is right.
  public private(set) var top1 = 0
  /// Sites with the right type among the first five predictions.
  public private(set) var top5 = 0
  /// Sites for which the predictor proposed anything.
  public private(set) var covered = 0

  public init() {}

  /// Adds one site. `predictions` are best first; `any` true-type sites are ignored.
  public mutating func add(label: String, predictions: [String]) {
    let truth = Self.normalize(label)
    if truth == "any" { return }
    sites += 1
    if !predictions.isEmpty { covered += 1 }
    let ranked = predictions.prefix(5).map(Self.normalize)
    if ranked.first == truth { top1 += 1 }
    if ranked.contains(truth) { top5 += 1 }
  }

  /// Share of sites with the right first prediction (nil without sites).
  public var accuracyAt1: Double? { sites == 0 ? nil : Double(top1) / Double(sites) }
  /// Share of sites with the right type in the first five (nil without sites).
  public var accuracyAt5: Double? { sites == 0 ? nil : Double(top5) / Double(sites) }
  /// Share of sites with any prediction (nil without sites).
  public var coverage: Double? { sites == 0 ? nil : Double(covered) / Double(sites) }

  // MARK: - Normalisation

  /// The type text with whitespace removed except a single space between two word characters
  /// (`readonly string[]`, `keyof T`), so spacing never decides a match.
  public static func normalize(_ type: String) -> String {
    // ASCII (nearly every type): the same rules on bytes, without grapheme breaking (the editor normalises every
    // candidate of every site on each whole-file request).
    var bytes: [UInt8] = []
    bytes.reserveCapacity(type.utf8.count)
    var pendingSpace = false
    for b in type.utf8 {
      if b >= 0x80 { return normalizeCharacters(type) }
      if b == 0x20 || (0x09...0x0D).contains(b) {
        pendingSpace = !bytes.isEmpty
        continue
      }
      if pendingSpace, let last = bytes.last, isWordByte(last), isWordByte(b) { bytes.append(0x20) }
      pendingSpace = false
      bytes.append(b)
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  static func isWordByte(_ b: UInt8) -> Bool {
    (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == 0x5F || b == 0x24
  }

  /// `normalize` on characters: what the byte path does for ASCII, for any text.
  static func normalizeCharacters(_ type: String) -> String {
    var out: [Character] = []
    var pendingSpace = false
    for c in type {
      if c.isWhitespace {
        pendingSpace = !out.isEmpty
        continue
      }
      if pendingSpace, let last = out.last, isWord(last), isWord(c) { out.append(" ") }
      pendingSpace = false
      out.append(c)
    }
    return String(out)
  }

  /// Whether a label has type arguments or is a union (issue 17's "structured" labels): after normalisation it
  /// holds `<` (`Promise<Foo>`, `Map<string, T>`), `[` (`Foo[]`, tuples) or `|` (`Foo | undefined`).
  public static func isStructured(_ label: String) -> Bool {
    normalize(label).contains { $0 == "<" || $0 == "[" || $0 == "|" }
  }

  static func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "$" }
}
