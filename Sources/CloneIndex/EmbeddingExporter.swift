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

/// Something `codeintel embed` could not do for one input; the rest still goes out.
public struct ExportProblem: Sendable, Equatable, CustomStringConvertible {
  public enum Severity: Sendable, Equatable {
    /// The input was not embedded (missing, unreadable, too large, not JS/TS): the command exits 1.
    case error
    /// Embedded, but not as asked (a file without functions under `--per function` yields nothing).
    case warning
  }

  public var path: String
  public var message: String
  public var severity: Severity

  public var description: String { "\(path): \(message)" }
}

/// Embeds files or folders for `codeintel embed`, without touching any index.
///
/// Inputs are independent: one that cannot be read (missing, unreadable, over `maxFileBytes`, not
/// JavaScript or TypeScript) is reported through `problem` and skipped, and the others still go out.
public struct EmbeddingExporter {
  public enum Granularity: String, Sendable, CaseIterable {
    case function
    case file
  }

  public var embedder: any Embedder
  public var granularity: Granularity
  /// Larger files are refused, as `codeintel index` skips them (a 20 MB file took 3 GB before).
  public var maxFileBytes: Int

  public init(
    embedder: any Embedder = HashedFeatureEmbedder(), granularity: Granularity = .function, maxFileBytes: Int = 4 << 20
  ) {
    self.embedder = embedder
    self.granularity = granularity
    self.maxFileBytes = maxFileBytes
  }

  /// The files named by `paths`: files as given, folders walked like `codeintel index` does. A path that
  /// cannot be used goes to `problem` (one call each) and is left out.
  public func files(
    for paths: [String], log: (IndexEvent) -> Void = { _ in }, problem: (ExportProblem) -> Void = { _ in }
  ) -> [WalkedFile] {
    var out: [WalkedFile] = []
    for p in paths {
      var st = stat()
      guard stat(p, &st) == 0 else {
        problem(ExportProblem(path: p, message: String(cString: strerror(errno)), severity: .error))
        continue
      }
      if (st.st_mode & S_IFMT) == S_IFDIR {
        let walk: RepositoryWalker.Result
        do {
          walk = try RepositoryWalker(maxFileBytes: maxFileBytes).walk(p)
        } catch {
          problem(ExportProblem(path: p, message: "\(error)", severity: .error))
          continue
        }
        for s in walk.skipped { log(.skipped(s)) }
        let base = p.hasSuffix("/") ? String(p.dropLast()) : p
        out += walk.files.map { f in
          var f = f
          f.path = base + "/" + f.path
          return f
        }
      } else {
        guard let language = Language(path: p) else {
          problem(
            ExportProblem(
              path: p, message: "not a JavaScript or TypeScript file (.js, .jsx, .mjs, .cjs, .ts, .tsx, .mts, .cts)",
              severity: .error))
          continue
        }
        if Int(st.st_size) > maxFileBytes {
          problem(
            ExportProblem(
              path: p,
              message: "\(SkipReason.tooLarge(bytes: Int(st.st_size), limit: maxFileBytes)); see --max-file-size",
              severity: .error))
          continue
        }
        out.append(WalkedFile(path: p, fullPath: p, size: Int(st.st_size), modifiedNanoseconds: 0, language: language))
      }
    }
    return out
  }

  /// Calls `emit` with each vector, file by file in the given order.
  /// A file that cannot be read or parsed goes to `problem` and the next one follows; so does a file
  /// without functions under `.function` (a warning: nothing to emit for it). Errors of `emit` and of
  /// the embedder stop the export.
  public func export(
    _ files: [WalkedFile], problem: (ExportProblem) -> Void = { _ in }, emit: (ExportedEmbedding) throws -> Void
  ) throws {
    var parsers: [Language: Parser] = [:]
    for file in files {
      let bytes: [UInt8]
      let tree: Tree
      do {
        bytes = try FileBytes.read(file.fullPath, limit: maxFileBytes)
        let parser = parsers[file.language] ?? Parser(language: file.language)
        parsers[file.language] = parser
        tree = try parser.parse(bytes: bytes)
      } catch CloneIndexError.io(let why) {
        let message = why.hasPrefix(file.fullPath + ": ") ? String(why.dropFirst(file.fullPath.count + 2)) : why
        problem(ExportProblem(path: file.path, message: message, severity: .error))
        continue
      } catch {
        problem(ExportProblem(path: file.path, message: "\(error)", severity: .error))
        continue
      }
      let units = extractUnits(from: tree)
      if units.isEmpty && granularity == .function {
        problem(
          ExportProblem(
            path: file.path, message: "no functions, nothing embedded (use --per file to embed it whole)",
            severity: .warning))
        continue
      }
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
