import CTreeSitter
import TreeSitterGrammars

/// A source language codeintel parses, chosen from a file's extension.
public enum Language: String, Sendable, CaseIterable, Codable {
  case javascript
  case typescript
  case tsx

  /// The language for a path by its extension: `.js .mjs .cjs .jsx` → JavaScript,
  /// `.ts .mts .cts` → TypeScript, `.tsx` → TSX. `.d.ts` files are TypeScript too.
  /// Returns nil for anything else.
  public init?(path: String) {
    guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
    switch path[path.index(after: dot)...].lowercased() {
    case "js", "mjs", "cjs", "jsx": self = .javascript
    case "ts", "mts", "cts": self = .typescript
    case "tsx": self = .tsx
    default: return nil
    }
  }

  /// All file extensions codeintel reads (without the dot).
  public static let extensions: Set<String> = ["js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx"]

  /// Whether the language has TypeScript's type syntax.
  public var isTypeScript: Bool { self != .javascript }

  /// The compiled grammar.
  var grammar: OpaquePointer {
    switch self {
    case .javascript: return tree_sitter_javascript()!
    case .typescript: return tree_sitter_typescript()!
    case .tsx: return tree_sitter_tsx()!
    }
  }
}

// MARK: - Type names

extension Language {
  /// The node type name of every grammar symbol (aliases included), built once per language, so that
  /// `Node.type` is an array lookup instead of a C string copied into a new `String` per call.
  static let typeNames: [[String]] = Language.allCases.map { language in
    let grammar = language.grammar
    let count = Int(ts_language_symbol_count(grammar))
    return (0..<count).map { s in ts_language_symbol_name(grammar, UInt16(s)).map { String(cString: $0) } ?? "" }
  }

  /// The node type name of every grammar symbol, indexed by `Node.symbol` (ERROR, 65535, is past the end).
  public var symbolNames: [String] { Language.typeNames[ordinal] }

  /// Index of the language in `allCases` (and `typeNames`).
  @inline(__always) var ordinal: Int {
    switch self {
    case .javascript: return 0
    case .typescript: return 1
    case .tsx: return 2
    }
  }
}

// MARK: - Symbol sets

/// A set of node types resolved to the grammar's numeric symbols, so hot loops compare integers
/// instead of building a `String` per node. Covers every named symbol (aliases included) whose name matches.
public struct SymbolSet: Sendable {
  private var member: [Bool]

  public init(_ names: Set<String>, language: Language) {
    self.init(language: language) { names.contains($0) }
  }

  /// The named symbols whose type name satisfies `predicate`.
  public init(language: Language, where predicate: (String) -> Bool) {
    let grammar = language.grammar
    let count = Int(ts_language_symbol_count(grammar))
    member = [Bool](repeating: false, count: count + 1)
    for symbol in 0..<count {
      // Named nodes only: the keyword tokens `class` and `function` share their names.
      guard ts_language_symbol_type(grammar, UInt16(symbol)) == TSSymbolTypeRegular,
        let name = ts_language_symbol_name(grammar, UInt16(symbol))
      else { continue }
      if predicate(String(cString: name)) { member[symbol] = true }
    }
  }

  @inline(__always) public func contains(_ node: Node) -> Bool {
    let s = Int(node.symbol)
    return s < member.count && member[s]
  }
}
