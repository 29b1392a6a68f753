import Foundation
import Tensor

// MARK: - Config

/// The shape of a bidirectional LSTM encoder (ContraCode's other architecture).
public struct BiLSTMConfig: Codable, Sendable, Equatable {
  public var vocab: Int
  /// The width of the states: each direction has dim/2 hidden units and they are concatenated.
  public var dim: Int
  public var layers: Int
  public var dropout: Float

  public init(vocab: Int, dim: Int, layers: Int, dropout: Float = 0.1) {
    self.vocab = vocab
    self.dim = dim
    self.layers = layers
    self.dropout = dropout
  }
}

// MARK: - Encoder

/// A bidirectional LSTM encoder, read top to bottom:
/// tokens → embedding → dropout → L × [concat(LSTM→, LSTM←) → dropout] → LN → states (B, T, d)
/// → masked mean → pooled (B, d).
///
/// Each direction's input projection for all time steps is one `sgemm`; each time step adds the
/// recurrent product (one `sgemm` over the batch). Padding carries the state through unchanged, so the
/// right-to-left pass starts at each sequence's last real token.
public final class BiLSTMEncoder: SequenceEncoder, @unchecked Sendable {
  public let config: BiLSTMConfig
  public let parameters: ParameterStore
  public var training = true
  /// Draws the dropout masks.
  public var rng: TensorRandom
  public var dim: Int { config.dim }
  var hidden: Int { config.dim / 2 }

  struct DirectionOffsets { var wih = 0, whh = 0, bias = 0 }
  let wte: Int, lnw: Int, lnb: Int
  let directions: [[DirectionOffsets]]  // [layer][0 = left-to-right, 1 = right-to-left]

  /// A freshly initialised encoder (PyTorch's U(±1/√hidden), forget-gate bias 1).
  public init(config: BiLSTMConfig, seed: UInt64 = 0) {
    precondition(config.dim % 2 == 0, "BiLSTMEncoder: dim must be even")
    self.config = config
    let (d, h) = (config.dim, config.dim / 2)
    var layout = ParameterLayout()
    wte = layout.add("embed.tokens", [config.vocab, d], decay: false)
    var directions = [[DirectionOffsets]]()
    for l in 0..<config.layers {
      var pair = [DirectionOffsets]()
      for name in ["forward", "backward"] {
        let p = "layers.\(l).\(name)."
        pair.append(
          DirectionOffsets(
            wih: layout.add(p + "weight_ih", [4 * h, d]),
            whh: layout.add(p + "weight_hh", [4 * h, h]), bias: layout.add(p + "bias", [4 * h])))
      }
      directions.append(pair)
    }
    lnw = layout.add("norm.weight", [d])
    lnb = layout.add("norm.bias", [d])
    self.directions = directions
    parameters = ParameterStore(layout: layout)
    rng = TensorRandom(seed: seed ^ 0x5EED)
    var initRNG = TensorRandom(seed: seed)
    let p = parameters.data
    initRNG.fillNormal(p + wte, count: config.vocab * d, std: 0.02)
    let bound = 1 / Float(h).squareRoot()
    for pair in directions {
      for o in pair {
        initRNG.fillUniform(p + o.wih, count: 4 * h * d, bound: bound)
        initRNG.fillUniform(p + o.whh, count: 4 * h * h, bound: bound)
        initRNG.fillUniform(p + o.bias, count: 4 * h, bound: bound)
        (p + o.bias + h).update(repeating: 1, count: h)
      }
    }
    (p + lnw).update(repeating: 1, count: d)
  }

  // MARK: - Activations

  var b = 0, t = 0
  let tokens = IntBuffer(), mask = Buffer()
  let embedded = Buffer(), embMask = Buffer()
  struct LayerActs {
    let h = [Buffer(), Buffer()], c = [Buffer(), Buffer()], gates = [Buffer(), Buffer()]
    let out = Buffer(), drop = Buffer()
  }
  lazy var acts: [LayerActs] = (0..<config.layers).map { _ in LayerActs() }
  let states = Buffer(), lnMean = Buffer(), lnRstd = Buffer(), pooled = Buffer()
  let dgates = Buffer(), carry = Buffer(), dh = [Buffer(), Buffer()], dx = Buffer(), dout = Buffer()

  var dropping: Bool { training && config.dropout > 0 }

  // MARK: - Forward

  public func forward(tokens: [Int32], mask: [Float], batch: Int, length: Int) -> EncoderOutput {
    precondition(tokens.count == batch * length && mask.count == batch * length, "forward: tokens/mask size")
    b = batch
    t = length
    let (d, h) = (config.dim, hidden)
    let bt = b * t
    let p = parameters.data
    self.tokens.reserve(bt)
    let tok = self.tokens.data
    let m = self.mask.reserve(bt)
    for i in 0..<bt {
      let id = tokens[i]
      tok[i] = id >= 0 && Int(id) < config.vocab ? id : 0
      m[i] = mask[i]
    }
    var x = embedded.reserve(bt * d)
    Embedding.forward(out: x, tokens: tok, table: p + wte, n: bt, c: d)
    if dropping {
      Dropout.forward(out: x, mask: embMask.reserve(bt * d), inp: x, count: bt * d, p: config.dropout, rng: &rng)
    }
    for (l, pair) in directions.enumerated() {
      let a = acts[l]
      for (k, o) in pair.enumerated() {
        LSTMLayer.forward(
          h: a.h[k].reserve(bt * h), c: a.c[k].reserve(bt * h), gates: a.gates[k].reserve(bt * 4 * h),
          x: x, wih: p + o.wih, whh: p + o.whh, bias: p + o.bias, mask: m, reverse: k == 1, b: b, t: t,
          input: d, hidden: h)
      }
      let out = a.out.reserve(bt * d)
      Concat.forward(out: out, parts: [a.h[0].data, a.h[1].data], sizes: [h, h], outer: bt, inner: 1)
      if dropping {
        Dropout.forward(out: out, mask: a.drop.reserve(bt * d), inp: out, count: bt * d, p: config.dropout, rng: &rng)
      }
      x = out
    }
    let s = states.reserve(bt * d)
    LayerNorm.forward(
      out: s, mean: lnMean.reserve(bt), rstd: lnRstd.reserve(bt), inp: x, weight: p + lnw,
      bias: p + lnb, n: bt, c: d)
    let pool = pooled.reserve(b * d)
    MaskedMeanPool.forward(out: pool, inp: s, mask: m, b: b, t: t, c: d)
    return EncoderOutput(
      states: Tensor(view: s, shape: [b, t, d], owner: states),
      pooled: Tensor(view: pool, shape: [b, d], owner: pooled))
  }

  // MARK: - Backward

  public func backward(dPooled: UnsafePointer<Float>?, dStates: UnsafePointer<Float>?) {
    let (d, h) = (config.dim, hidden)
    let bt = b * t
    let p = parameters.data
    let g = parameters.grad
    let ds = dx.reserve(bt * d)
    if let dStates { ds.update(from: dStates, count: bt * d) } else { ds.update(repeating: 0, count: bt * d) }
    if let dPooled { MaskedMeanPool.backward(dinp: ds, dout: dPooled, mask: mask.data, b: b, t: t, c: d) }
    let top = directions.isEmpty ? embedded.data : acts[directions.count - 1].out.data
    var dy = dout.reserve(bt * d)
    dy.update(repeating: 0, count: bt * d)
    LayerNorm.backward(
      dinp: dy, dweight: g + lnw, dbias: g + lnb, dout: ds, inp: top, weight: p + lnw,
      mean: lnMean.data, rstd: lnRstd.data, n: bt, c: d)
    let dg = dgates.reserve(bt * 4 * h)
    let cr = carry.reserve(2 * b * h)
    let dh0 = dh[0].reserve(bt * h)
    let dh1 = dh[1].reserve(bt * h)
    var dxIn = ds  // reuse: the states gradient is no longer needed
    for l in stride(from: directions.count - 1, through: 0, by: -1) {
      let a = acts[l]
      if dropping { for i in 0..<(bt * d) { dy[i] *= a.drop.data[i] } }
      Split.forward(parts: [dh0, dh1], inp: dy, sizes: [h, h], outer: bt, inner: 1)
      let input = l == 0 ? UnsafePointer(embedded.data) : UnsafePointer(acts[l - 1].out.data)
      dxIn.update(repeating: 0, count: bt * d)
      for (k, o) in directions[l].enumerated() {
        LSTMLayer.backward(
          dx: dxIn, dwih: g + o.wih, dwhh: g + o.whh, dbias: g + o.bias, dgates: dg, carry: cr,
          dh: k == 0 ? dh0 : dh1, x: input, h: a.h[k].data, c: a.c[k].data, gates: a.gates[k].data,
          wih: p + o.wih, whh: p + o.whh, mask: mask.data, reverse: k == 1, b: b, t: t, input: d, hidden: h)
      }
      swap(&dy, &dxIn)
    }
    if dropping { for i in 0..<(bt * d) { dy[i] *= embMask.data[i] } }
    Embedding.backward(dtable: g + wte, tokens: tokens.data, dout: dy, n: bt, c: d)
  }

  // MARK: - Copies and checkpoints

  /// A new encoder with the same config and a copy of the weights.
  public func clone() -> BiLSTMEncoder {
    let e = BiLSTMEncoder(config: config, seed: 0)
    e.parameters.copyWeights(from: parameters)
    e.training = training
    return e
  }

  /// Writes the weights with the config in the metadata (`config`, `architecture`).
  public func save(to path: String, dtype: Safetensors.DType = .f32, metadata: [String: String] = [:]) throws {
    var meta = metadata
    meta["architecture"] = "bilstm"
    meta["config"] = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
    try parameters.save(to: path, metadata: meta, dtype: dtype)
  }

  /// Reads an encoder written by `save`: the config comes from the file's metadata.
  public static func load(from path: String) throws -> BiLSTMEncoder {
    let file = try Safetensors.read(path: path)
    guard file.metadata["architecture"] == "bilstm", let json = file.metadata["config"],
      let config = try? JSONDecoder().decode(BiLSTMConfig.self, from: Data(json.utf8))
    else {
      throw TensorError.mismatch(path: path, reason: "its metadata holds no BiLSTM config")
    }
    let e = BiLSTMEncoder(config: config)
    try e.parameters.load(file, path: path)
    return e
  }
}
