import Syntax

/// One exported vector: a function unit's, or a file's (the normalised mean of its units).
public struct ExportedEmbedding: Sendable, Codable, Equatable {
  public var path: String
  public var name: String?
  public var kind: String
  public var startLine: Int
  public var endLine: Int
  public var startByte: Int
  public var endByte: Int
  public var model: String
  public var vector: [Float]
}

/// Embeds files or folders for `codeintel embed`, without touching any index.
public struct EmbeddingExporter {
  public enum Granularity: String, Sendable, CaseIterable {
    case function
    case file
  }

  public var embedder: any Embedder
  public var granularity: Granularity

  public init(embedder: any Embedder = HashedFeatureEmbedder(), granularity: Granularity = .function) {
    self.embedder = embedder
    self.granularity = granularity
  }

  /// The files named by `paths`: files as given, folders walked like `codeintel index` does.
  public func files(for paths: [String], log: (IndexEvent) -> Void = { _ in }) throws -> [WalkedFile] {
    var out: [WalkedFile] = []
    for p in paths {
      var st = stat()
      guard stat(p, &st) == 0 else { throw CloneIndexError.noSuchPath(p) }
      if (st.st_mode & S_IFMT) == S_IFDIR {
        let walk = try RepositoryWalker().walk(p)
        for s in walk.skipped { log(.skipped(s)) }
        let base = p.hasSuffix("/") ? String(p.dropLast()) : p
        out += walk.files.map { f in
          var f = f
          f.path = base + "/" + f.path
          return f
        }
      } else {
        guard let language = Language(path: p) else { throw SyntaxError.unsupportedLanguage(path: p) }
        out.append(WalkedFile(path: p, fullPath: p, size: Int(st.st_size), modifiedNanoseconds: 0, language: language))
      }
    }
    return out
  }

  /// Calls `emit` with each vector, file by file in the given order.
  public func export(_ files: [WalkedFile], emit: (ExportedEmbedding) throws -> Void) throws {
    var parsers: [Language: Parser] = [:]
    for file in files {
      let bytes = try FileBytes.read(file.fullPath)
      let parser = parsers[file.language] ?? Parser(language: file.language)
      parsers[file.language] = parser
      let tree = try parser.parse(bytes: bytes)
      let units = extractUnits(from: tree)
      let texts = units.map {
        UnitText(
          text: String(decoding: bytes[$0.byteRange], as: UTF8.self), language: file.language,
          tokens: UnitTokens(unit: $0, in: tree))
      }
      let vectors = try embedder.embed(texts)
      switch granularity {
      case .function:
        for (u, v) in zip(units, vectors) {
          try emit(
            ExportedEmbedding(
              path: file.path, name: u.name, kind: u.kind.rawValue, startLine: u.startLine, endLine: u.endLine,
              startByte: u.byteRange.lowerBound, endByte: u.byteRange.upperBound, model: embedder.modelID, vector: v))
        }
      case .file:
        var mean: [Float]
        if vectors.isEmpty {
          // No functions: embed the whole file as one snippet.
          let whole = UnitText(
            text: String(decoding: bytes, as: UTF8.self), language: file.language, tokens: UnitTokens(node: tree.root))
          mean = try embedder.embed([whole]).first ?? []
        } else {
          mean = [Float](repeating: 0, count: embedder.dimension)
          for v in vectors { for i in 0..<min(v.count, mean.count) { mean[i] += v[i] } }
          var norm: Float = 0
          for x in mean { norm += x * x }
          if norm > 0 { mean = mean.map { $0 / norm.squareRoot() } }
        }
        let lines = LineIndex(bytes).lineCount
        try emit(
          ExportedEmbedding(
            path: file.path, name: nil, kind: "file", startLine: 1, endLine: lines, startByte: 0, endByte: bytes.count,
            model: embedder.modelID, vector: mean))
      }
    }
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
