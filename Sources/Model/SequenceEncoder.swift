import Tensor

// MARK: - The encoder interface MoCo and the heads build on

/// What an encoder hands back from `forward`: views into its own activation buffers, valid until the
/// next `forward` call on the same encoder.
public struct EncoderOutput {
  /// Token states, (batch, length, dim).
  public let states: Tensor
  /// Masked-mean pooled function embeddings, (batch, dim).
  public let pooled: Tensor
}

/// A token-sequence encoder with an explicit backward pass and all parameters in one `ParameterStore`
/// (so MoCo's momentum update is `key.parameters.updateEMA(from: query.parameters, momentum: m)`).
public protocol SequenceEncoder: AnyObject {
  /// The width of the states and the pooled embedding.
  var dim: Int { get }
  /// Every weight, in one contiguous buffer with a gradient mirror.
  var parameters: ParameterStore { get }
  /// Dropout is active only while training.
  var training: Bool { get set }
  /// Encodes a right-padded batch. tokens: (batch, length) ids (ids outside the vocabulary are read as 0);
  /// mask: (batch, length), 1 = token, 0 = pad.
  func forward(tokens: [Int32], mask: [Float], batch: Int, length: Int) -> EncoderOutput
  /// Back-propagates from the last `forward`, ADDING into `parameters.grad`. Either gradient may be nil.
  /// dPooled: (batch, dim); dStates: (batch, length, dim).
  func backward(dPooled: UnsafePointer<Float>?, dStates: UnsafePointer<Float>?)
}
