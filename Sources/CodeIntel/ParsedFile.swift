import Syntax

/// A parsed source file and its function units.
public struct ParsedFile: Sendable {
  public let file: SourceFile
  public let tree: Tree
  public let units: [FunctionUnit]

  /// Parses a file and extracts its units.
  public init(_ file: SourceFile, parser: Parser? = nil) throws {
    let chosen: Parser
    if let parser, parser.language == file.language { chosen = parser } else { chosen = Parser(language: file.language) }
    self.file = file
    tree = try chosen.parse(bytes: file.bytes)
    units = extractUnits(from: tree)
  }

  /// Number of ERROR and MISSING nodes.
  public var errorCount: Int { tree.errorCount }
}
