import Syntax

/// Drops statements at random: each statement of the program (at any depth) is kept with probability
/// `keep` (ContraCode's 0.9), and the first and the last statement are always kept.
///
/// NOT semantics-preserving, on purpose: ContraCode uses it as a regulariser, so the encoder also learns
/// that near-identical programs are similar. `preservesSemantics` is false, the pipeline reports it, and
/// the execution checks leave it out. Its output still parses: only whole statements of statement lists
/// are removed, and a removed statement is replaced by `;` where its neighbours could otherwise join.
public struct LineSubsampling: Transform {
  public let name = "subsample"
  public var preservesSemantics: Bool { false }
  /// Probability of keeping each statement.
  public var keep: Double

  public init(keep: Double = 0.9) { self.keep = keep }

  public func edits(for input: TransformInput, rng: inout SeededRandom) throws -> [ByteEdit] {
    var statements: [Node] = []
    JSSyntax.walk(input) { node in
      if JSSyntax.statementListNodes.contains(node) {
        for child in node.namedChildren where child.type != "comment" && JSSyntax.inside(child, input.focus) {
          statements.append(child)
        }
      }
      return true
    }
    statements.sort { $0.startByte < $1.startByte }
    guard statements.count > 2 else { return [] }
    var edits: [ByteEdit] = []
    var removedUntil = -1
    for (i, s) in statements.enumerated() where i > 0 && i < statements.count - 1 {
      if s.startByte < removedUntil { continue }
      if statements.last.map({ $0.startByte >= s.startByte && $0.endByte <= s.endByte }) == true { continue }
      guard !rng.chance(keep) else { continue }
      edits.append(ByteEdit(start: s.startByte, deletedLength: s.endByte - s.startByte, inserted: ";"))
      removedUntil = s.endByte
    }
    return edits
  }
}
