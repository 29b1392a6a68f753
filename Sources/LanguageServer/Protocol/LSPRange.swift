/// A half-open range between two positions (LSP's `Range`).
public struct LSPRange: Codable, Sendable, Hashable, CustomStringConvertible {
  public var start: Position
  public var end: Position

  public init(start: Position, end: Position) {
    self.start = start
    self.end = end
  }

  /// An empty range at a position.
  public init(at position: Position) { self.init(start: position, end: position) }

  /// Whether `position` lies in the range (the end counts, so a cursor just after a word hits it).
  public func contains(_ position: Position) -> Bool { start <= position && position <= end }

  /// Whether two ranges share at least one position (touching ends count).
  public func overlaps(_ other: LSPRange) -> Bool { start <= other.end && other.start <= end }

  public var description: String { "\(start)-\(end)" }
}
