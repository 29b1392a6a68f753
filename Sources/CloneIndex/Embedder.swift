import Syntax

/// The text of one unit to embed, with its syntax when the caller has it.
public struct UnitText: Sendable {
  /// The unit's source text.
  public var text: String
  public var language: Language
  /// The unit's tokens when the caller already parsed it (the default embedder uses them; a neural
  /// encoder reads `text`).
  public var tokens: UnitTokens?

  public init(text: String, language: Language, tokens: UnitTokens? = nil) {
    self.text = text
    self.language = language
    self.tokens = tokens
  }
}

/// Turns function units into fixed-size vectors whose cosine similarity says how alike the
/// functions are. The clone index stores `modelID` and re-embeds everything when it changes.
///
/// Conformers must return one L2-normalised vector of `dimension` floats per input, in order.
public protocol Embedder: Sendable {
  /// A stable identifier of the model and its version (stored in the index).
  var modelID: String { get }
  var dimension: Int { get }
  /// One vector per unit, in the order given.
  func embed(_ units: [UnitText]) throws -> [[Float]]
}
