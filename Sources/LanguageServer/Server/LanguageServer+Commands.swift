import Syntax

// MARK: - workspace/executeCommand

extension LanguageServer {
  /// `codeintel.findSimilar` / `codeintel.showClones` with arguments `[uri, line, character]` (or
  /// `[uri, {line, character}]`) answer the clones of the function at that position as
  /// `[{uri, range, name, similarity, basis}]` (`basis`: `renamed`, `scorer` — `similarity` is then the learned
  /// pair scorer's probability — or `cosine`); `codeintel.reindex` re-runs the workspace indexing.
  func executeCommand(_ params: ExecuteCommandRequest.Params, cancellation: CancellationToken) throws -> JSONValue {
    let args = params.arguments ?? []
    switch params.command {
    case "codeintel.findSimilar", "codeintel.showClones":
      guard let uri = args.first?.stringValue else {
        throw ResponseError.invalidParams("\(params.command) needs arguments [uri, line, character]")
      }
      let position: Position
      if let line = args[safe: 1]?.intValue, let character = args[safe: 2]?.intValue {
        position = Position(line: line, character: character)
      } else if let p = args[safe: 1], let line = p["line"]?.intValue, let character = p["character"]?.intValue {
        position = Position(line: line, character: character)
      } else {
        throw ResponseError.invalidParams("\(params.command) needs arguments [uri, line, character]")
      }
      let doc = try document(uri)
      let offset = doc.byteOffset(of: position)
      // The innermost function around the position.
      guard
        let unit = doc.units.filter({ $0.byteRange.contains(offset) || $0.nameRange?.contains(offset) == true })
          .min(by: { $0.byteRange.count < $1.byteRange.count })
      else { return .array([]) }
      guard let clones = try cloneMatches(unit, doc, cancellation: cancellation) else {
        throw ResponseError(code: ResponseError.requestFailedCode, message: "no clone finder is loaded")
      }
      return .array(
        clones.map { c in
          .object([
            "uri": .string(c.uri), "name": c.name.map(JSONValue.string) ?? .null, "similarity": .double(c.similarity),
            "basis": .string(c.basis.rawValue),
            "range": .object([
              "start": .object(["line": .int(c.range.start.line), "character": .int(c.range.start.character)]),
              "end": .object(["line": .int(c.range.end.line), "character": .int(c.range.end.character)]),
            ]),
          ])
        })
    case "codeintel.reindex":
      openWorkspaceCloneIndex()
      startIndexing()
      return .null
    default:
      throw ResponseError.invalidParams(
        "unknown command \(params.command); known: \(Self.commands.joined(separator: ", "))")
    }
  }
}

extension Array {
  subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
