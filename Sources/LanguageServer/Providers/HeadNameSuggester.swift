import CodeIntel
import Syntax

/// Names from the fine-tuned method-name head (`NameModel`): the top five, decoded with the head's copy bias
/// (`decoding` in its `config.json`, docs/NAMES.md); confidence = the probability the decoder itself gives the
/// whole name (without the copy bonus). `codeintel-lsp` installs it when a head folder loads (docs/LSP.md).
public struct HeadNameSuggester: NameSuggester {
  public let model: NameModel
  public var top: Int

  public init(model: NameModel, top: Int = 5) {
    self.model = model
    self.top = top
  }

  public func suggestNames(for unit: FunctionUnit, in tree: Tree, cancellation: CancellationToken) throws
    -> [NameSuggestion]
  {
    try cancellation.check()
    return model.suggestions(for: unit, in: tree, top: top).map {
      NameSuggestion(name: $0.name, confidence: $0.probability)
    }
  }
}
