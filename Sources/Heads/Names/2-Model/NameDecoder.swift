import Foundation
import Model
import Tensor

// MARK: - Config

/// The shape of the method-name decoder: a pre-LN Transformer decoder over a subtoken vocabulary.
public struct NameDecoderConfig: Codable, Sendable, Equatable {
  /// Subtoken ids, the four specials included (`SubtokenVocabulary`).
  public var vocab: Int
  /// Width; equal to the encoder's so cross-attention reads its states directly.
  public var dim: Int
  public var layers: Int
  public var heads: Int
  public var ffn: Int
  /// Decoder input positions: `<bos>` plus at most `maxLen - 1` subtokens.
  public var maxLen: Int
  /// Pointer-generator output (See et al. 2017): a learned gate mixes the vocabulary distribution with a copy
  /// distribution over the input's subtokens. False in decoders written before it existed.
  public var copy: Bool

  public init(vocab: Int, dim: Int, layers: Int, heads: Int, ffn: Int, maxLen: Int, copy: Bool = false) {
    self.vocab = vocab
    self.dim = dim
    self.layers = layers
    self.heads = heads
    self.ffn = ffn
    self.maxLen = maxLen
    self.copy = copy
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    vocab = try c.decode(Int.self, forKey: .vocab)
    dim = try c.decode(Int.self, forKey: .dim)
    layers = try c.decode(Int.self, forKey: .layers)
    heads = try c.decode(Int.self, forKey: .heads)
    ffn = try c.decode(Int.self, forKey: .ffn)
    maxLen = try c.decode(Int.self, forKey: .maxLen)
    copy = try c.decodeIfPresent(Bool.self, forKey: .copy) ?? false
  }
}

// MARK: - Copy sources

/// What the pointer-generator may copy, per function of a batch: items (encoder position, subtoken id), where the
/// position is the encoder token that covers the subtoken's first byte (`NameCopySource`), padded to one width.
public struct NameCopyBatch: Sendable, Equatable {
  /// Items per function (the widest function's count).
  public let width: Int
  /// (batch, width): encoder positions; -1 marks padding.
  public let positions: [Int32]
  /// (batch, width): subtoken ids (vocabulary ids, never a special).
  public let ids: [Int32]

  /// One list of (position, id) per function.
  public init(items: [[(position: Int32, id: Int32)]]) {
    let w = max(items.map(\.count).max() ?? 0, 1)
    var pos = [Int32](repeating: -1, count: items.count * w)
    var ids = [Int32](repeating: 0, count: items.count * w)
    for (i, list) in items.enumerated() {
      for (k, item) in list.enumerated() {
        pos[i * w + k] = item.position
        ids[i * w + k] = item.id
      }
    }
    width = w
    positions = pos
    self.ids = ids
  }
}

// MARK: - Decoder

/// A pre-LN Transformer decoder that writes a method name as subtokens, reading the encoder's token states
/// through cross-attention. Read top to bottom:
/// subtokens → embedding + positions + W·mean(memory) → L × [x += proj(causal-self-attn(LN1 x)); x += proj(cross-attn(LN2 x,
/// memory)); x += FFN(LN3 x)] → final LN → logits = x · Eᵀ + b (the output projection is tied to the input
/// embedding E).
///
/// No dropout: the fine-tuning budget is well under one epoch (docs/NAMES.md). Forward keeps every activation
/// for `backward`, which adds the parameter gradients into `parameters.grad` and the memory gradient into the
/// caller's buffer, so the loss reaches the encoder through `SequenceEncoder.backward(dPooled:dStates:)`.
public final class NameDecoder: @unchecked Sendable {
  public let config: NameDecoderConfig
  public let parameters: ParameterStore
  /// Threads for the self-attention heads (results do not depend on it).
  public var threads = 1

  struct LayerOffsets {
    var ln1w = 0, ln1b = 0, qkvw = 0, qkvb = 0, projw = 0, projb = 0
    var ln2w = 0, ln2b = 0, cqw = 0, cqb = 0, ckvw = 0, ckvb = 0, cprojw = 0, cprojb = 0
    var ln3w = 0, ln3b = 0, fcw = 0, fcb = 0, fcprojw = 0, fcprojb = 0
  }

  let wte: Int, wpe: Int, memw: Int, lnfw: Int, lnfb: Int, outb: Int
  /// The pointer-generator's parameters (0 without `config.copy`).
  let copyq: Int, copyk: Int, gatew: Int, gateb: Int
  let offsets: [LayerOffsets]

  /// A freshly initialised decoder (N(0, 0.02), residual projections scaled by 1/√(3L), LN weights 1).
  public init(config: NameDecoderConfig, seed: UInt64 = 0) {
    precondition(config.dim % config.heads == 0, "NameDecoder: dim must be a multiple of heads")
    self.config = config
    let (c, f) = (config.dim, config.ffn)
    var layout = ParameterLayout()
    wte = layout.add("embed.tokens", [config.vocab, c], decay: false)
    wpe = layout.add("embed.positions", [config.maxLen, c], decay: false)
    memw = layout.add("embed.memory.weight", [c, c])
    var offsets = [LayerOffsets]()
    for l in 0..<config.layers {
      var o = LayerOffsets()
      let p = "layers.\(l)."
      o.ln1w = layout.add(p + "ln1.weight", [c])
      o.ln1b = layout.add(p + "ln1.bias", [c])
      o.qkvw = layout.add(p + "self.qkv.weight", [3 * c, c])
      o.qkvb = layout.add(p + "self.qkv.bias", [3 * c])
      o.projw = layout.add(p + "self.proj.weight", [c, c])
      o.projb = layout.add(p + "self.proj.bias", [c])
      o.ln2w = layout.add(p + "ln2.weight", [c])
      o.ln2b = layout.add(p + "ln2.bias", [c])
      o.cqw = layout.add(p + "cross.q.weight", [c, c])
      o.cqb = layout.add(p + "cross.q.bias", [c])
      o.ckvw = layout.add(p + "cross.kv.weight", [2 * c, c])
      o.ckvb = layout.add(p + "cross.kv.bias", [2 * c])
      o.cprojw = layout.add(p + "cross.proj.weight", [c, c])
      o.cprojb = layout.add(p + "cross.proj.bias", [c])
      o.ln3w = layout.add(p + "ln3.weight", [c])
      o.ln3b = layout.add(p + "ln3.bias", [c])
      o.fcw = layout.add(p + "ffn.fc.weight", [f, c])
      o.fcb = layout.add(p + "ffn.fc.bias", [f])
      o.fcprojw = layout.add(p + "ffn.proj.weight", [c, f])
      o.fcprojb = layout.add(p + "ffn.proj.bias", [c])
      offsets.append(o)
    }
    lnfw = layout.add("norm.weight", [c])
    lnfb = layout.add("norm.bias", [c])
    outb = layout.add("output.bias", [config.vocab])
    if config.copy {
      // copy attention (query from the final decoder state, key from the encoder state) and the gate
      // p_gen = σ(w_h · h + w_c · context + b) (See et al. 2017)
      copyq = layout.add("copy.query.weight", [c, c])
      copyk = layout.add("copy.key.weight", [c, c])
      gatew = layout.add("copy.gate.weight", [2 * c], decay: false)
      gateb = layout.add("copy.gate.bias", [1], decay: false)
    } else {
      (copyq, copyk, gatew, gateb) = (0, 0, 0, 0)
    }
    self.offsets = offsets
    parameters = ParameterStore(layout: layout)
    var rng = TensorRandom(seed: mixSeed(seed, 0xDEC0))
    let p = parameters.data
    let residualStd: Float = 0.02 / Float(3 * max(config.layers, 1)).squareRoot()
    for e in layout.entries {
      let n = e.name
      if n.hasSuffix("ln1.weight") || n.hasSuffix("ln2.weight") || n.hasSuffix("ln3.weight") || n == "norm.weight" {
        (p + e.offset).update(repeating: 1, count: e.count)
      } else if e.shape.count == 2 {
        let proj = n.hasSuffix("proj.weight")
        rng.fillNormal(p + e.offset, count: e.count, std: proj ? residualStd : 0.02)
      }
    }
  }

  // MARK: Activations

  var b = 0, t = 0, s = 0
  let tokens = IntBuffer()
  let memory = Buffer(), memoryMask = Buffer(), memoryPooled = Buffer(), memoryProjected = Buffer()
  let dProjected = Buffer(), dPooled = Buffer()
  let embedded = Buffer()
  struct LayerActs {
    let ln1 = Buffer(), ln1Mean = Buffer(), ln1Rstd = Buffer(), qkv = Buffer(), att = Buffer(), atty = Buffer()
    let r2 = Buffer(), ln2 = Buffer(), ln2Mean = Buffer(), ln2Rstd = Buffer(), cq = Buffer(), ckv = Buffer()
    let catt = Buffer(), cy = Buffer(), r3 = Buffer(), ln3 = Buffer(), ln3Mean = Buffer(), ln3Rstd = Buffer()
    let fch = Buffer(), fchGelu = Buffer(), r4 = Buffer()
  }
  lazy var acts: [LayerActs] = (0..<config.layers).map { _ in LayerActs() }
  let lnf = Buffer(), lnfMean = Buffer(), lnfRstd = Buffer(), logits = Buffer()
  let dres = Buffer(), dln = Buffer(), dqkv = Buffer(), dy = Buffer(), dh = Buffer(), dhg = Buffer()
  let dcq = Buffer(), dckv = Buffer(), dscratch = Buffer(), dlnf = Buffer()
  // pointer-generator: vocabulary softmax, copy query/keys, copy attention (bt, width), context (bt, c), gate (bt),
  // the mixture P and log P (bt, v)
  var copyBatch: NameCopyBatch?
  let pvocab = Buffer(), copyQ = Buffer(), copyK = Buffer(), copyAtt = Buffer(), copyCtx = Buffer(), gate = Buffer()
  let mixture = Buffer(), logMixture = Buffer()
  let dvocab = Buffer(), dcopyQ = Buffer(), dcopyK = Buffer(), drow = Buffer(), dhCopy = Buffer()
  /// Probabilities below this count as this in log P (and pass no gradient).
  static let probabilityFloor: Float = 1e-30

  // MARK: Forward

  /// Logits (batch·length, vocab) for decoder inputs `tokens` (batch, length), right-padded with any id (pads
  /// only ever see earlier positions, so they change nothing before them), attending to `memory`
  /// (batch, memoryLength, dim) where `memoryMask` (batch, memoryLength) is 1. With `config.copy` the result is
  /// instead log P (batch·length, vocab) of the pointer-generator mixture over `copy`'s items (a function without
  /// items, or `copy` nil, gets the vocabulary distribution alone): either way a row's log-softmax is its
  /// log-probabilities. The result is a view valid until the next `forward`.
  public func forward(
    tokens: [Int32], batch: Int, length: Int, memory mem: UnsafePointer<Float>, memoryMask mask: [Float],
    memoryLength: Int, copy: NameCopyBatch? = nil
  ) -> UnsafeMutablePointer<Float> {
    precondition(tokens.count == batch * length, "NameDecoder.forward: tokens size")
    precondition(mask.count == batch * memoryLength, "NameDecoder.forward: memory mask size")
    precondition(length <= config.maxLen, "NameDecoder.forward: length \(length) exceeds maxLen \(config.maxLen)")
    (b, t, s) = (batch, length, memoryLength)
    let (c, f, h, v) = (config.dim, config.ffn, config.heads, config.vocab)
    let bt = b * t
    let bs = b * s
    let p = parameters.data
    self.tokens.reserve(bt)
    let tok = self.tokens.data
    for i in 0..<bt {
      let id = tokens[i]
      tok[i] = id >= 0 && Int(id) < v ? id : 0
    }
    let m = memory.reserve(bs * c)
    m.update(from: mem, count: bs * c)
    let mm = memoryMask.reserve(bs)
    for i in 0..<bs { mm[i] = mask[i] }
    let x = embedded.reserve(bt * c)
    Embedding.forward(out: x, tokens: tok, table: p + wte, n: bt, c: c)
    for i in 0..<b {
      for j in 0..<t {
        let row = x + (i * t + j) * c
        let pos = p + wpe + j * c
        for k in 0..<c { row[k] += pos[k] }
      }
    }
    // every position also sees the function as a whole: a learned projection (initialised small, so it does not
    // drown the subtoken and position embeddings) of the masked mean of the memory (the encoder's pooled
    // embedding, what MoCo pretrained), a direct path that cross-attention alone takes long to learn
    let pooled = memoryPooled.reserve(b * c)
    MaskedMeanPool.forward(out: pooled, inp: m, mask: mm, b: b, t: s, c: c)
    let projected = memoryProjected.reserve(b * c)
    Linear.forward(out: projected, inp: pooled, weight: p + memw, bias: nil, n: b, c: c, oc: c)
    for i in 0..<b {
      for j in 0..<t {
        let row = x + (i * t + j) * c
        let pr = projected + i * c
        for k in 0..<c { row[k] += pr[k] }
      }
    }
    var residual = UnsafeMutablePointer(x)
    for (l, o) in offsets.enumerated() {
      let a = acts[l]
      // causal self-attention
      LayerNorm.forward(
        out: a.ln1.reserve(bt * c), mean: a.ln1Mean.reserve(bt), rstd: a.ln1Rstd.reserve(bt), inp: residual,
        weight: p + o.ln1w, bias: p + o.ln1b, n: bt, c: c)
      Linear.forward(
        out: a.qkv.reserve(bt * 3 * c), inp: a.ln1.data, weight: p + o.qkvw, bias: p + o.qkvb, n: bt, c: c,
        oc: 3 * c)
      Attention.forward(
        out: a.atty.reserve(bt * c), att: a.att.reserve(b * h * t * t), qkv: a.qkv.data, keyMask: nil,
        causal: true, b: b, t: t, c: c, heads: h, threads: threads)
      Self.residualLinear(
        out: a.r2.reserve(bt * c), residual: residual, inp: a.atty.data, weight: p + o.projw, bias: p + o.projb,
        n: bt, c: c, oc: c)
      // cross-attention over the encoder's states
      LayerNorm.forward(
        out: a.ln2.reserve(bt * c), mean: a.ln2Mean.reserve(bt), rstd: a.ln2Rstd.reserve(bt), inp: a.r2.data,
        weight: p + o.ln2w, bias: p + o.ln2b, n: bt, c: c)
      Linear.forward(out: a.cq.reserve(bt * c), inp: a.ln2.data, weight: p + o.cqw, bias: p + o.cqb, n: bt, c: c, oc: c)
      Linear.forward(
        out: a.ckv.reserve(bs * 2 * c), inp: m, weight: p + o.ckvw, bias: p + o.ckvb, n: bs, c: c, oc: 2 * c)
      CrossAttention.forward(
        out: a.cy.reserve(bt * c), att: a.catt.reserve(b * h * t * s), q: a.cq.data, kv: a.ckv.data, keyMask: mm,
        b: b, t: t, s: s, c: c, heads: h)
      Self.residualLinear(
        out: a.r3.reserve(bt * c), residual: a.r2.data, inp: a.cy.data, weight: p + o.cprojw, bias: p + o.cprojb,
        n: bt, c: c, oc: c)
      // feed-forward
      LayerNorm.forward(
        out: a.ln3.reserve(bt * c), mean: a.ln3Mean.reserve(bt), rstd: a.ln3Rstd.reserve(bt), inp: a.r3.data,
        weight: p + o.ln3w, bias: p + o.ln3b, n: bt, c: c)
      Linear.forward(
        out: a.fch.reserve(bt * f), inp: a.ln3.data, weight: p + o.fcw, bias: p + o.fcb, n: bt, c: c, oc: f)
      GELU.forward(out: a.fchGelu.reserve(bt * f), inp: a.fch.data, count: bt * f)
      Self.residualLinear(
        out: a.r4.reserve(bt * c), residual: a.r3.data, inp: a.fchGelu.data, weight: p + o.fcprojw,
        bias: p + o.fcprojb, n: bt, c: f, oc: c)
      residual = a.r4.data
    }
    LayerNorm.forward(
      out: lnf.reserve(bt * c), mean: lnfMean.reserve(bt), rstd: lnfRstd.reserve(bt), inp: residual,
      weight: p + lnfw, bias: p + lnfb, n: bt, c: c)
    let out = logits.reserve(bt * v)
    Linear.forward(out: out, inp: lnf.data, weight: p + wte, bias: p + outb, n: bt, c: c, oc: v)
    guard config.copy else { return out }
    precondition(copy.map { $0.positions.count == b * $0.width } ?? true, "NameDecoder.forward: copy batch size")
    copyBatch = copy
    return pointerGeneratorForward()
  }

  // MARK: Pointer-generator

  /// The mixture P = g · softmax(logits) + (1 − g) · Σ_k α_k [id_k], per decoder position, where
  /// α = softmax_k(q · K[pos_k] / √c) over the function's copy items (q = Wq h, K = Wk memory, h the final
  /// LayerNorm's output), the context is Σ_k α_k memory[pos_k], and g = σ(w_h · h + w_c · context + b).
  /// A function without items gets g = 1. Returns log max(P, floor): (bt, v).
  func pointerGeneratorForward() -> UnsafeMutablePointer<Float> {
    let (c, v) = (config.dim, config.vocab)
    let bt = b * t
    let p = parameters.data
    let z = logits.data
    let pv = pvocab.reserve(bt * v)
    Softmax.forward(out: pv, inp: z, n: bt, c: v)
    let w = copyBatch?.width ?? 1
    let q = copyQ.reserve(bt * c)
    Linear.forward(out: q, inp: lnf.data, weight: p + copyq, bias: nil, n: bt, c: c, oc: c)
    let kk = copyK.reserve(b * s * c)
    Linear.forward(out: kk, inp: memory.data, weight: p + copyk, bias: nil, n: b * s, c: c, oc: c)
    let att = copyAtt.reserve(bt * w)
    let ctx = copyCtx.reserve(bt * c)
    let g = gate.reserve(bt)
    att.update(repeating: 0, count: bt * w)
    ctx.update(repeating: 0, count: bt * c)
    let mix = mixture.reserve(bt * v)
    let out = logMixture.reserve(bt * v)
    let scale = 1 / Float(c).squareRoot()
    let m = memory.data
    for i in 0..<b {
      let items = copyItems(i)
      for j in 0..<t {
        let r = i * t + j
        let a = att + r * w
        let cr = ctx + r * c
        let h = lnf.data + r * c
        let pr = pv + r * v
        let mixRow = mix + r * v
        if items.isEmpty {
          g[r] = 1
          mixRow.update(from: pr, count: v)
        } else {
          var mx = -Float.infinity
          for (k, it) in items.enumerated() {
            let key = kk + (i * s + it.position) * c
            var dot: Float = 0
            for d in 0..<c { dot += q[r * c + d] * key[d] }
            a[k] = dot * scale
            mx = max(mx, a[k])
          }
          var sum: Float = 0
          for k in items.indices {
            a[k] = expf(a[k] - mx)
            sum += a[k]
          }
          for k in items.indices { a[k] /= sum }
          for (k, it) in items.enumerated() {
            let mrow = m + (i * s + it.position) * c
            for d in 0..<c { cr[d] += a[k] * mrow[d] }
          }
          var gz = p[gateb]
          for d in 0..<c { gz += p[gatew + d] * h[d] + p[gatew + c + d] * cr[d] }
          let gv = 1 / (1 + expf(-gz))
          g[r] = gv
          for k in 0..<v { mixRow[k] = gv * pr[k] }
          for (k, it) in items.enumerated() { mixRow[it.id] += (1 - gv) * a[k] }
        }
        let o = out + r * v
        for k in 0..<v { o[k] = logf(max(mixRow[k], Self.probabilityFloor)) }
      }
    }
    return out
  }

  /// Function `i`'s copy items of the current batch (positions inside the memory, ids inside the vocabulary).
  func copyItems(_ i: Int) -> [(position: Int, id: Int)] {
    guard let cb = copyBatch else { return [] }
    var out: [(position: Int, id: Int)] = []
    for k in 0..<cb.width {
      let pos = Int(cb.positions[i * cb.width + k])
      let id = Int(cb.ids[i * cb.width + k])
      if pos >= 0, pos < s, id >= 0, id < config.vocab, memoryMask.data[i * s + pos] != 0 { out.append((pos, id)) }
    }
    return out
  }

  /// From d(loss)/d(log P) (bt, v): the gradient of the vocabulary logits into `dz` (bt, v, overwritten), the copy
  /// and gate parameters' gradients (added), d/dh into `dh` (bt, c, added) and d/dmemory into `dMemory` (added).
  func pointerGeneratorBackward(
    dLogP: UnsafePointer<Float>, dz: UnsafeMutablePointer<Float>, dh: UnsafeMutablePointer<Float>,
    dMemory: UnsafeMutablePointer<Float>?
  ) {
    let (c, v) = (config.dim, config.vocab)
    let bt = b * t
    let p = parameters.data
    let grad = parameters.grad
    let w = copyBatch?.width ?? 1
    let pv = pvocab.data
    let att = copyAtt.data
    let ctx = copyCtx.data
    let g = gate.data
    let mix = mixture.data
    let q = copyQ.data
    let kk = copyK.data
    let m = memory.data
    let dq = dcopyQ.reserve(bt * c)
    dq.update(repeating: 0, count: bt * c)
    let dk = dcopyK.reserve(b * s * c)
    dk.update(repeating: 0, count: b * s * c)
    let dMix = drow.reserve(v + 2 * w + c)
    let da = dMix + v
    let ds = da + w
    let dctx = ds + w
    let scale = 1 / Float(c).squareRoot()
    for i in 0..<b {
      let items = copyItems(i)
      for j in 0..<t {
        let r = i * t + j
        let lg = dLogP + r * v
        let pr = pv + r * v
        let mixRow = mix + r * v
        for k in 0..<v { dMix[k] = mixRow[k] > Self.probabilityFloor ? lg[k] / mixRow[k] : 0 }
        let gv = g[r]
        // vocabulary path: dPv = g · dMix, through the softmax
        var dot: Float = 0
        for k in 0..<v { dot += pr[k] * gv * dMix[k] }
        let zr = dz + r * v
        for k in 0..<v { zr[k] = pr[k] * (gv * dMix[k] - dot) }
        if items.isEmpty { continue }
        // gate: dg = Σ Pv dMix − Σ_k α_k dMix[id_k]
        let a = att + r * w
        var dg: Float = 0
        for k in 0..<v { dg += pr[k] * dMix[k] }
        for (k, it) in items.enumerated() { dg -= a[k] * dMix[it.id] }
        let dgz = dg * gv * (1 - gv)
        let h = lnf.data + r * c
        let cr = ctx + r * c
        grad[gateb] += dgz
        for d in 0..<c {
          grad[gatew + d] += dgz * h[d]
          grad[gatew + c + d] += dgz * cr[d]
          dh[r * c + d] += dgz * p[gatew + d]
          dctx[d] = dgz * p[gatew + c + d]
        }
        // copy attention: dα_k = (1 − g) dMix[id_k] + dctx · memory[pos_k]; memory[pos_k] += α_k dctx
        var adot: Float = 0
        for (k, it) in items.enumerated() {
          let mrow = m + (i * s + it.position) * c
          var x = (1 - gv) * dMix[it.id]
          for d in 0..<c { x += dctx[d] * mrow[d] }
          da[k] = x
          adot += a[k] * x
          if let dMemory {
            let dm = dMemory + (i * s + it.position) * c
            for d in 0..<c { dm[d] += a[k] * dctx[d] }
          }
        }
        for k in items.indices { ds[k] = a[k] * (da[k] - adot) * scale }
        // scores = q · K[pos] · scale
        for (k, it) in items.enumerated() {
          let key = kk + (i * s + it.position) * c
          let dkey = dk + (i * s + it.position) * c
          for d in 0..<c {
            dq[r * c + d] += ds[k] * key[d]
            dkey[d] += ds[k] * q[r * c + d]
          }
        }
      }
    }
    // q = Wq h;  K = Wk memory
    Linear.backward(
      dinp: dh, dweight: grad + copyq, dbias: nil, dout: dq, inp: lnf.data, weight: p + copyq, n: bt, c: c, oc: c)
    Linear.backward(
      dinp: dMemory, dweight: grad + copyk, dbias: nil, dout: dk, inp: memory.data, weight: p + copyk, n: b * s, c: c,
      oc: c)
  }

  /// out = residual + inp · Wᵀ + bias.
  static func residualLinear(
    out: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>, inp: UnsafePointer<Float>,
    weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, n: Int, c: Int, oc: Int
  ) {
    for r in 0..<n {
      let o = out + r * oc
      let x = residual + r * oc
      for j in 0..<oc { o[j] = x[j] + bias[j] }
    }
    BLAS.gemm(
      transA: false, transB: true, m: n, n: oc, k: c, a: inp, lda: c, b: weight, ldb: c, beta: 1, c: out, ldc: oc)
  }

  // MARK: Backward

  /// Back-propagates `dLogits` (batch·length, vocab) from the last `forward`, ADDING into `parameters.grad` and,
  /// when given, into `dMemory` (batch, memoryLength, dim). With `config.copy`, `dLogits` is d(loss)/d(log P) of
  /// what `forward` returned.
  public func backward(dLogits dOut: UnsafePointer<Float>, dMemory: UnsafeMutablePointer<Float>?) {
    let (c, f, h, v) = (config.dim, config.ffn, config.heads, config.vocab)
    let bt = b * t
    let bs = b * s
    let p = parameters.data
    let g = parameters.grad
    let dr = dres.reserve(bt * c)
    let dl = dln.reserve(bt * c)
    let dq = dqkv.reserve(bt * 3 * c)
    let dyb = dy.reserve(bt * c)
    let dhb = dh.reserve(bt * f)
    let dhgb = dhg.reserve(bt * f)
    let dcqb = dcq.reserve(bt * c)
    let dckvb = dckv.reserve(bs * 2 * c)
    let scratch = dscratch.reserve(max(t * t * max(threads, 1), t * s))
    let dlf = dlnf.reserve(bt * c)
    var dLogits = dOut
    if config.copy {
      // the mixture's gradient: into the vocabulary logits, the copy and gate parameters, the memory, and d/dh
      // (kept in dhCopy until the logits' backward has written dlf)
      let dz = dvocab.reserve(bt * v)
      let dhc = dhCopy.reserve(bt * c)
      dhc.update(repeating: 0, count: bt * c)
      pointerGeneratorBackward(dLogP: dOut, dz: dz, dh: dhc, dMemory: dMemory)
      dLogits = UnsafePointer(dz)
    }
    // logits = lnf · Eᵀ + b
    Linear.backward(
      dinp: dlf, dweight: g + wte, dbias: g + outb, dout: dLogits, inp: lnf.data, weight: p + wte, n: bt, c: c,
      oc: v, overwriteInput: true)
    if config.copy {
      let dhc = dhCopy.data
      for k in 0..<(bt * c) { dlf[k] += dhc[k] }
    }
    dr.update(repeating: 0, count: bt * c)
    let last = offsets.isEmpty ? UnsafePointer(embedded.data) : UnsafePointer(acts[offsets.count - 1].r4.data)
    LayerNorm.backward(
      dinp: dr, dweight: g + lnfw, dbias: g + lnfb, dout: dlf, inp: last, weight: p + lnfw, mean: lnfMean.data,
      rstd: lnfRstd.data, n: bt, c: c)
    for l in stride(from: offsets.count - 1, through: 0, by: -1) {
      let o = offsets[l]
      let a = acts[l]
      let input = l == 0 ? UnsafePointer(embedded.data) : UnsafePointer(acts[l - 1].r4.data)
      // feed-forward
      Linear.backward(
        dinp: dhgb, dweight: g + o.fcprojw, dbias: g + o.fcprojb, dout: dr, inp: a.fchGelu.data,
        weight: p + o.fcprojw, n: bt, c: f, oc: c, overwriteInput: true)
      dhb.update(repeating: 0, count: bt * f)
      GELU.backward(dinp: dhb, inp: a.fch.data, dout: dhgb, count: bt * f)
      Linear.backward(
        dinp: dl, dweight: g + o.fcw, dbias: g + o.fcb, dout: dhb, inp: a.ln3.data, weight: p + o.fcw, n: bt, c: c,
        oc: f, overwriteInput: true)
      LayerNorm.backward(
        dinp: dr, dweight: g + o.ln3w, dbias: g + o.ln3b, dout: dl, inp: a.r3.data, weight: p + o.ln3w,
        mean: a.ln3Mean.data, rstd: a.ln3Rstd.data, n: bt, c: c)
      // cross-attention
      Linear.backward(
        dinp: dyb, dweight: g + o.cprojw, dbias: g + o.cprojb, dout: dr, inp: a.cy.data, weight: p + o.cprojw,
        n: bt, c: c, oc: c, overwriteInput: true)
      dcqb.update(repeating: 0, count: bt * c)
      dckvb.update(repeating: 0, count: bs * 2 * c)
      CrossAttention.backward(
        dq: dcqb, dkv: dckvb, scratch: scratch, dout: dyb, q: a.cq.data, kv: a.ckv.data, att: a.catt.data,
        b: b, t: t, s: s, c: c, heads: h)
      Linear.backward(
        dinp: dl, dweight: g + o.cqw, dbias: g + o.cqb, dout: dcqb, inp: a.ln2.data, weight: p + o.cqw, n: bt, c: c,
        oc: c, overwriteInput: true)
      Linear.backward(
        dinp: dMemory, dweight: g + o.ckvw, dbias: g + o.ckvb, dout: dckvb, inp: memory.data, weight: p + o.ckvw,
        n: bs, c: c, oc: 2 * c)
      LayerNorm.backward(
        dinp: dr, dweight: g + o.ln2w, dbias: g + o.ln2b, dout: dl, inp: a.r2.data, weight: p + o.ln2w,
        mean: a.ln2Mean.data, rstd: a.ln2Rstd.data, n: bt, c: c)
      // causal self-attention
      Linear.backward(
        dinp: dyb, dweight: g + o.projw, dbias: g + o.projb, dout: dr, inp: a.atty.data, weight: p + o.projw,
        n: bt, c: c, oc: c, overwriteInput: true)
      dq.update(repeating: 0, count: bt * 3 * c)
      Attention.backward(
        dqkv: dq, scratch: scratch, dout: dyb, qkv: a.qkv.data, att: a.att.data, b: b, t: t, c: c, heads: h,
        threads: threads)
      Linear.backward(
        dinp: dl, dweight: g + o.qkvw, dbias: g + o.qkvb, dout: dq, inp: a.ln1.data, weight: p + o.qkvw, n: bt,
        c: c, oc: 3 * c, overwriteInput: true)
      LayerNorm.backward(
        dinp: dr, dweight: g + o.ln1w, dbias: g + o.ln1b, dout: dl, inp: input, weight: p + o.ln1w,
        mean: a.ln1Mean.data, rstd: a.ln1Rstd.data, n: bt, c: c)
    }
    // the projected mean of the memory added at every position
    let dpp = dProjected.reserve(b * c)
    dpp.update(repeating: 0, count: b * c)
    for i in 0..<b {
      for j in 0..<t {
        let src = dr + (i * t + j) * c
        let dst = dpp + i * c
        for k in 0..<c { dst[k] += src[k] }
      }
    }
    let dp = dPooled.reserve(b * c)
    Linear.backward(
      dinp: dp, dweight: g + memw, dbias: nil, dout: dpp, inp: memoryPooled.data, weight: p + memw, n: b, c: c, oc: c,
      overwriteInput: true)
    if let dMemory { MaskedMeanPool.backward(dinp: dMemory, dout: dp, mask: memoryMask.data, b: b, t: s, c: c) }
    Embedding.backward(dtable: g + wte, tokens: tokens.data, dout: dr, n: bt, c: c)
    for i in 0..<b {
      for j in 0..<t {
        let src = dr + (i * t + j) * c
        let dst = g + wpe + j * c
        for k in 0..<c { dst[k] += src[k] }
      }
    }
  }

  // MARK: Files

  /// Writes the weights with the config in the metadata.
  public func save(to path: String, metadata: [String: String] = [:]) throws {
    var meta = metadata
    meta["architecture"] = "name-decoder"
    meta["config"] = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
    try parameters.save(to: path, metadata: meta)
  }

  /// Reads a decoder written by `save`.
  public static func load(from path: String) throws -> NameDecoder {
    let file = try Safetensors.read(path: path)
    guard file.metadata["architecture"] == "name-decoder", let json = file.metadata["config"],
      let config = try? JSONDecoder().decode(NameDecoderConfig.self, from: Data(json.utf8))
    else {
      throw TensorError.mismatch(path: path, reason: "its metadata holds no name-decoder config")
    }
    let d = NameDecoder(config: config)
    try d.parameters.load(file, path: path)
    return d
  }
}

// MARK: - Cross-attention

/// Multi-head attention from t queries to s keys/values (packed k | v), with a key padding mask.
enum CrossAttention {
  /// out: (b, t, c) = softmax(q kᵀ / √hs + mask) v per head; att: (b, heads, t, s) keeps the probabilities.
  /// q: (b, t, c); kv: (b, s, 2c); keyMask: (b, s), 1 = real token.
  static func forward(
    out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>,
    kv: UnsafePointer<Float>, keyMask: UnsafePointer<Float>, b: Int, t: Int, s: Int, c: Int, heads: Int
  ) {
    let hs = c / heads
    let scale = 1 / Float(hs).squareRoot()
    for i in 0..<b {
      for h in 0..<heads {
        let qh = q + i * t * c + h * hs
        let kh = kv + i * s * 2 * c + h * hs
        let vh = kh + c
        let a = att + (i * heads + h) * t * s
        BLAS.gemm(
          transA: false, transB: true, m: t, n: s, k: hs, alpha: scale, a: qh, lda: c, b: kh, ldb: 2 * c, c: a,
          ldc: s)
        let mask = keyMask + i * s
        for r in 0..<t { softmaxRow(a + r * s, count: s, mask: mask) }
        BLAS.gemm(
          transA: false, transB: false, m: t, n: hs, k: s, a: a, lda: s, b: vh, ldb: 2 * c,
          c: out + i * t * c + h * hs, ldc: c)
      }
    }
  }

  /// dq += ∂/∂q, dkv += ∂/∂(k | v).  scratch: at least t·s floats.
  static func backward(
    dq: UnsafeMutablePointer<Float>, dkv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, q: UnsafePointer<Float>, kv: UnsafePointer<Float>, att: UnsafePointer<Float>,
    b: Int, t: Int, s: Int, c: Int, heads: Int
  ) {
    let hs = c / heads
    let scale = 1 / Float(hs).squareRoot()
    for i in 0..<b {
      for h in 0..<heads {
        let qh = q + i * t * c + h * hs
        let kh = kv + i * s * 2 * c + h * hs
        let vh = kh + c
        let dqh = dq + i * t * c + h * hs
        let dkh = dkv + i * s * 2 * c + h * hs
        let dvh = dkh + c
        let a = att + (i * heads + h) * t * s
        let dyh = dout + i * t * c + h * hs
        let da = scratch
        // da: (t, s) = dy · vᵀ;  dv += aᵀ · dy
        BLAS.gemm(transA: false, transB: true, m: t, n: s, k: hs, a: dyh, lda: c, b: vh, ldb: 2 * c, c: da, ldc: s)
        BLAS.gemm(
          transA: true, transB: false, m: s, n: hs, k: t, a: a, lda: s, b: dyh, ldb: c, beta: 1, c: dvh,
          ldc: 2 * c)
        for r in 0..<t {
          let pr = a + r * s
          let gr = da + r * s
          var dot: Float = 0
          for j in 0..<s { dot += pr[j] * gr[j] }
          for j in 0..<s { gr[j] = scale * pr[j] * (gr[j] - dot) }
        }
        // dq += ds · k;  dk += dsᵀ · q
        BLAS.gemm(
          transA: false, transB: false, m: t, n: hs, k: s, a: da, lda: s, b: kh, ldb: 2 * c, beta: 1, c: dqh,
          ldc: c)
        BLAS.gemm(
          transA: true, transB: false, m: s, n: hs, k: t, a: da, lda: s, b: qh, ldb: c, beta: 1, c: dkh,
          ldc: 2 * c)
      }
    }
  }

  /// Softmax of a row over the unmasked entries; masked entries get exactly 0 (all masked: all 0).
  static func softmaxRow(_ row: UnsafeMutablePointer<Float>, count: Int, mask: UnsafePointer<Float>) {
    var mx = -Float.infinity
    for j in 0..<count where mask[j] != 0 { mx = max(mx, row[j]) }
    if mx == -.infinity {
      row.update(repeating: 0, count: count)
      return
    }
    var sum: Float = 0
    for j in 0..<count {
      let e: Float = mask[j] == 0 ? 0 : expf(row[j] - mx)
      row[j] = e
      sum += e
    }
    let inv = 1 / sum
    for j in 0..<count { row[j] *= inv }
  }
}
