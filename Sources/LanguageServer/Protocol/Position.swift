/// A zero-based line and UTF-16 code-unit column, as LSP counts them.
public struct Position: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
  public var line: Int
  public var character: Int

  public init(line: Int, character: Int) {
    self.line = line
    self.character = character
  }

  public static func < (a: Position, b: Position) -> Bool { (a.line, a.character) < (b.line, b.character) }
  public var description: String { "\(line):\(character)" }
}
