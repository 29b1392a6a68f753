import Foundation
import Tensor

// MARK: - Config

/// The shape of a pre-LN Transformer encoder with learned positions.
public struct TransformerConfig: Codable, Sendable, Equatable {
  public var vocab: Int
  public var dim: Int
  public var layers: Int
  public var heads: Int
  public var ffn: Int
  public var maxLen: Int
  public var dropout: Float

  public init(vocab: Int, dim: Int, layers: Int, heads: Int, ffn: Int, maxLen: Int, dropout: Float = 0.1) {
    self.vocab = vocab
    self.dim = dim
    self.layers = layers
    self.heads = heads
    self.ffn = ffn
    self.maxLen = maxLen
    self.dropout = dropout
  }
}

// MARK: - Encoder

/// A pre-LN Transformer encoder, read top to bottom:
/// tokens → embedding + positions → dropout → L × [x += drop(proj(attn(LN1 x))); x += drop(FFN(LN2 x))]
/// → final LN → states (B, T, d) → masked mean → pooled (B, d).
///
/// Activations for the current batch shape live in buffers that grow once and are reused, so steady-state
/// training allocates nothing. Every product is one `sgemm` (attention heads are strided `sgemm` calls
/// on the packed q|k|v buffer).
public final class TransformerEncoder: SequenceEncoder, @unchecked Sendable {
  public let config: TransformerConfig
  public let parameters: ParameterStore
  public var training = true
  /// Threads for attention heads and the elementwise and row-wise work (GELU, layer norm, dropout, bias and
  /// residual adds, bias gradients); OpenBLAS's own thread count is set with `BLAS.setThreads`. The results
  /// do not depend on this one.
  public var threads = 2
  /// Workers for the row-wise work alone (layer norm, dropout, bias and residual adds, their gradients),
  /// nil: `threads`. 1 gives the engine as it was before issue 16 split that work, for measuring the split;
  /// results are bit-identical either way.
  public var rowThreads: Int? = nil
  var rowWorkers: Int { rowThreads ?? threads }
  /// Draws the dropout masks; reseed for reproducible runs.
  public var rng: TensorRandom
  /// The index of this encoder's first example in the whole batch of a step split over replicas (`replica()`):
  /// dropout draws each element's mask by its index in the whole batch, so replicas reseeded alike draw
  /// together exactly the masks one encoder would draw for the whole batch. 0 when it reads whole batches.
  public var batchOffset = 0
  /// Compute only the real positions of a right-padded batch (mask 1…1 0…0 in every row): the sequences' rows
  /// go back to back, attention runs per sequence over its own length, and no padded row is embedded,
  /// projected, normalised or back-propagated. The real positions' states, the pooled embeddings and every
  /// gradient equal the padded computation's up to the products' summation blocking (padded rows never reach
  /// a real one: their keys are masked out and their gradients are exactly 0), with the same dropout masks;
  /// padded rows of `states` are 0 instead of values nobody reads. MoCo turns it on for pretraining; a batch
  /// without padding, or whose mask is not right-padded, runs the padded way.
  public var skipsPadding = false
  /// The positions (indices into the padded batch, i · length + j) whose states the next forward's caller
  /// reads, nil: all. With `skipsPadding`, a packed batch then computes the last block past its keys and values
  /// only at those rows (their queries, attention output, projection, feed-forward and final norm) and
  /// back-propagates from there; the states at those positions and every gradient equal the full computation's
  /// up to summation blocking. Other positions' states are 0 and the pooled embedding is not computed (zeros),
  /// so the backward must get no pooled gradient. The masked-token pass sets it to its masked positions.
  public var outputRows: [Int]? = nil
  public var dim: Int { config.dim }

  /// Offsets of one block's parameters in the flat buffer.
  struct BlockOffsets {
    var ln1w = 0, ln1b = 0, qkvw = 0, qkvb = 0, projw = 0, projb = 0
    var ln2w = 0, ln2b = 0, fcw = 0, fcb = 0, fcprojw = 0, fcprojb = 0
  }

  let wte: Int, wpe: Int, lnfw: Int, lnfb: Int
  let blocks: [BlockOffsets]

  /// A freshly initialised encoder (GPT-2 style: N(0, 0.02), residual projections scaled by 1/√(2L)).
  public convenience init(config: TransformerConfig, seed: UInt64 = 0) {
    self.init(config: config, seed: seed, sharing: nil)
  }

  /// A replica for data parallelism: the same config, reading `other`'s weights (the same memory), with
  /// gradients and activations of its own and single-threaded work (it runs beside the other replicas).
  public func replica() -> TransformerEncoder {
    let e = TransformerEncoder(config: config, seed: 0, sharing: parameters)
    e.training = training
    e.threads = 1
    e.rowThreads = 1
    e.skipsPadding = skipsPadding
    return e
  }

  init(config: TransformerConfig, seed: UInt64, sharing: ParameterStore?) {
    precondition(config.dim % config.heads == 0, "TransformerEncoder: dim must be a multiple of heads")
    self.config = config
    let (c, f) = (config.dim, config.ffn)
    var layout = ParameterLayout()
    wte = layout.add("embed.tokens", [config.vocab, c], decay: false)
    wpe = layout.add("embed.positions", [config.maxLen, c], decay: false)
    var blocks = [BlockOffsets]()
    for l in 0..<config.layers {
      var o = BlockOffsets()
      let p = "layers.\(l)."
      o.ln1w = layout.add(p + "ln1.weight", [c])
      o.ln1b = layout.add(p + "ln1.bias", [c])
      o.qkvw = layout.add(p + "attn.qkv.weight", [3 * c, c])
      o.qkvb = layout.add(p + "attn.qkv.bias", [3 * c])
      o.projw = layout.add(p + "attn.proj.weight", [c, c])
      o.projb = layout.add(p + "attn.proj.bias", [c])
      o.ln2w = layout.add(p + "ln2.weight", [c])
      o.ln2b = layout.add(p + "ln2.bias", [c])
      o.fcw = layout.add(p + "ffn.fc.weight", [f, c])
      o.fcb = layout.add(p + "ffn.fc.bias", [f])
      o.fcprojw = layout.add(p + "ffn.proj.weight", [c, f])
      o.fcprojb = layout.add(p + "ffn.proj.bias", [c])
      blocks.append(o)
    }
    lnfw = layout.add("norm.weight", [c])
    lnfb = layout.add("norm.bias", [c])
    self.blocks = blocks
    rng = TensorRandom(seed: seed ^ 0x5EED)
    if let sharing {
      precondition(sharing.layout == layout, "TransformerEncoder.replica: the layouts differ")
      parameters = ParameterStore(sharingParametersOf: sharing)
      return
    }
    parameters = ParameterStore(layout: layout)
    var initRNG = TensorRandom(seed: seed)
    let p = parameters.data
    let residualStd: Float = 0.02 / Float(2 * config.layers).squareRoot()
    for e in layout.entries {
      if e.name.hasSuffix("ln1.weight") || e.name.hasSuffix("ln2.weight") || e.name == "norm.weight" {
        (p + e.offset).update(repeating: 1, count: e.count)
      } else if e.shape.count == 2 {
        let proj = e.name.hasSuffix("attn.proj.weight") || e.name.hasSuffix("ffn.proj.weight")
        initRNG.fillNormal(p + e.offset, count: e.count, std: proj ? residualStd : 0.02)
      }
    }
  }

  // MARK: - Activations

  var b = 0, t = 0
  let tokens = IntBuffer()
  let mask = Buffer()
  let encoded = Buffer(), embMask = Buffer()
  struct BlockActs {
    let ln1 = Buffer(), ln1Mean = Buffer(), ln1Rstd = Buffer(), qkv = Buffer(), att = Buffer(), atty = Buffer()
    let attDrop = Buffer(), residual2 = Buffer(), ln2 = Buffer(), ln2Mean = Buffer(), ln2Rstd = Buffer()
    let fch = Buffer(), fchGelu = Buffer(), fcDrop = Buffer(), residual3 = Buffer(), scratch = Buffer()
  }
  lazy var acts: [BlockActs] = (0..<config.layers).map { _ in BlockActs() }
  let lnf = Buffer(), lnfMean = Buffer(), lnfRstd = Buffer(), pooled = Buffer()
  // gradient scratch, shared by all blocks
  let dresidual = Buffer(), dln = Buffer(), dqkv = Buffer(), datty = Buffer(), dfch = Buffer()
  let dfchGelu = Buffer(), dscratch = Buffer(), dtmp = Buffer()

  var dropping: Bool { training && config.dropout > 0 }
  /// True while the forward runs the rows of a pruned last block (dropout then indexes the selected rows).
  var inLastPrunedBlock = false

  // MARK: - Packing (skipsPadding)

  /// Whether the current batch runs packed, and its layout: per sequence its length, first packed row and
  /// first attention-probability element; per packed row its token, position and row index in the whole
  /// (padded, split) batch, which dropout hashes.
  var packed = false
  var lengths: [Int] = [], offsets: [Int] = [], attOffsets: [Int] = []
  var rowPosition: [Int] = [], rowIndex: [Int] = []
  let packedTokens = IntBuffer()
  let paddedStates = Buffer()
  /// With `outputRows` on a packed batch: the selected packed rows (ascending), their row indices for dropout,
  /// and per sequence the first selected row, the count and the first probability element; q parts and the
  /// incoming residual of the selected rows, gathered, and the q gradient.
  var selected: [Int] = [], selectedRowIndex: [Int] = []
  var queryOffsets: [Int] = [], queryCounts: [Int] = [], queryAttOffsets: [Int] = []
  var pruned = false
  let selectedQ = Buffer(), selectedResidual = Buffer(), selectedDQ = Buffer()

  /// Sets up the selected rows of `outputRows` for the packed batch; false where a position is padding or out
  /// of range (then the last block runs in full).
  func preparePruning(b: Int, t: Int) -> Bool {
    guard packed, let rows = outputRows, !rows.isEmpty, !blocks.isEmpty else { return false }
    var perSequence = [[Int]](repeating: [], count: b)
    for r in Set(rows).sorted() {
      let (i, j) = (r / t, r % t)
      guard r >= 0, i < b, j < lengths[i] else { return false }
      perSequence[i].append(offsets[i] + j)
    }
    selected = perSequence.flatMap { $0 }
    selectedRowIndex = selected.map { rowIndex[$0] }
    queryCounts = perSequence.map(\.count)
    queryOffsets = [Int](repeating: 0, count: b)
    queryAttOffsets = [Int](repeating: 0, count: b)
    var (o, a) = (0, 0)
    for i in 0..<b {
      queryOffsets[i] = o
      queryAttOffsets[i] = a
      o += queryCounts[i]
      a += config.heads * queryCounts[i] * lengths[i]
    }
    return true
  }

  /// Sets up the packed layout of `mask` (b, t) and returns true, or returns false where the batch has no
  /// padding or a row is not of the form 1…1 0…0.
  func preparePacking(mask: [Float], tokens: UnsafePointer<Int32>, b: Int, t: Int) -> Bool {
    var lengths = [Int](repeating: 0, count: b)
    for i in 0..<b {
      var l = 0
      while l < t && mask[i * t + l] != 0 { l += 1 }
      for j in l..<t where mask[i * t + j] != 0 { return false }
      lengths[i] = l
    }
    let n = lengths.reduce(0, +)
    guard n < b * t else { return false }
    self.lengths = lengths
    offsets = [Int](repeating: 0, count: b)
    attOffsets = [Int](repeating: 0, count: b)
    rowPosition = []
    rowIndex = []
    rowPosition.reserveCapacity(n)
    rowIndex.reserveCapacity(n)
    packedTokens.reserve(max(n, 1))
    var (o, a) = (0, 0)
    for i in 0..<b {
      offsets[i] = o
      attOffsets[i] = a
      for j in 0..<lengths[i] {
        packedTokens.data[o + j] = tokens[i * t + j]
        rowPosition.append(j)
        rowIndex.append((batchOffset + i) * t + j)
      }
      o += lengths[i]
      a += config.heads * lengths[i] * lengths[i]
    }
    return true
  }

  func reserve(b: Int, t: Int) {
    let (c, f, h) = (config.dim, config.ffn, config.heads)
    let bt = b * t
    tokens.reserve(bt)
    mask.reserve(bt)
    encoded.reserve(bt * c)
    if dropping { embMask.reserve(bt * c) }
    for a in acts {
      a.ln1.reserve(bt * c)
      a.ln1Mean.reserve(bt)
      a.ln1Rstd.reserve(bt)
      a.qkv.reserve(bt * 3 * c)
      a.att.reserve(b * h * t * t)
      a.atty.reserve(bt * c)
      a.residual2.reserve(bt * c)
      a.ln2.reserve(bt * c)
      a.ln2Mean.reserve(bt)
      a.ln2Rstd.reserve(bt)
      a.fch.reserve(bt * f)
      a.fchGelu.reserve(bt * f)
      a.residual3.reserve(bt * c)
      if dropping {
        a.attDrop.reserve(bt * c)
        a.fcDrop.reserve(bt * c)
        a.scratch.reserve(bt * c)
      }
    }
    lnf.reserve(bt * c)
    lnfMean.reserve(bt)
    lnfRstd.reserve(bt)
    pooled.reserve(b * c)
  }

  // MARK: - Forward

  public func forward(tokens: [Int32], mask: [Float], batch: Int, length: Int) -> EncoderOutput {
    precondition(tokens.count == batch * length && mask.count == batch * length, "forward: tokens/mask size")
    precondition(length <= config.maxLen, "forward: length \(length) exceeds maxLen \(config.maxLen)")
    b = batch
    t = length
    reserve(b: b, t: t)
    let (c, f, h) = (config.dim, config.ffn, config.heads)
    let bt = b * t
    let p = parameters.data
    let tok = self.tokens.data
    let m = self.mask.data
    for i in 0..<bt {
      let id = tokens[i]
      tok[i] = id >= 0 && Int(id) < config.vocab ? id : 0
      m[i] = mask[i]
    }
    packed = skipsPadding && preparePacking(mask: mask, tokens: tok, b: b, t: t)
    // the rows computed: all B·T, or only the real ones back to back
    let n = packed ? offsets[b - 1] + lengths[b - 1] : bt
    pruned = preparePruning(b: b, t: t)
    inLastPrunedBlock = false
    // encoded: (n, C) = wte[tokens] + wpe[position]
    let x = encoded.data
    let (table, positions) = (UnsafePointer(p + wte), UnsafePointer(p + wpe))
    let tt = t
    if packed {
      let (ptok, pos) = (UnsafePointer(packedTokens.data), rowPosition)
      Parallel.rows(n, width: c, threads: rowWorkers) { r0, r1 in
        for r in r0..<r1 {
          let row = x + r * c
          let word = table + Int(ptok[r]) * c
          let position = positions + pos[r] * c
          for k in 0..<c { row[k] = word[k] + position[k] }
        }
      }
    } else {
      Parallel.rows(bt, width: c, threads: rowWorkers) { r0, r1 in
        for r in r0..<r1 {
          let row = x + r * c
          let word = table + Int(tok[r]) * c
          let pos = positions + (r % tt) * c
          for k in 0..<c { row[k] = word[k] + pos[k] }
        }
      }
    }
    if dropping { dropout(x, mask: embMask.data, rows: n, width: c) }
    var residual = UnsafeMutablePointer(x)
    for (l, o) in blocks.enumerated() {
      let a = acts[l]
      // attention half: residual2 = residual + drop(proj(attn(LN1(residual))))
      LayerNorm.forward(
        out: a.ln1.data, mean: a.ln1Mean.data, rstd: a.ln1Rstd.data, inp: residual,
        weight: p + o.ln1w, bias: p + o.ln1b, n: n, c: c, threads: rowWorkers)
      Linear.forward(
        out: a.qkv.data, inp: a.ln1.data, weight: p + o.qkvw, bias: p + o.qkvb, n: n, c: c, oc: 3 * c,
        threads: rowWorkers)
      // the rows after attention: all n, or the selected ones in a pruned last block
      var rowsOut = n
      var blockResidual = UnsafePointer(residual)
      if pruned && l == blocks.count - 1 {
        rowsOut = selected.count
        let (qsel, rsel, qkv) = (selectedQ.reserve(rowsOut * c), selectedResidual.reserve(rowsOut * c), a.qkv.data)
        for (s, r) in selected.enumerated() {
          (qsel + s * c).update(from: qkv + r * 3 * c, count: c)
          (rsel + s * c).update(from: residual + r * c, count: c)
        }
        blockResidual = UnsafePointer(rsel)
        inLastPrunedBlock = true
        Attention.forwardQueries(
          out: a.atty.data, att: a.att.data, q: qsel, qkv: qkv, offsets: offsets, lengths: lengths,
          queryOffsets: queryOffsets, queryCounts: queryCounts, attOffsets: queryAttOffsets, c: c, heads: h,
          threads: threads)
      } else if packed {
        Attention.forwardPacked(
          out: a.atty.data, att: a.att.data, qkv: a.qkv.data, offsets: offsets, lengths: lengths,
          attOffsets: attOffsets, c: c, heads: h, threads: threads)
      } else {
        Attention.forward(
          out: a.atty.data, att: a.att.data, qkv: a.qkv.data, keyMask: m, causal: false,
          b: b, t: t, c: c, heads: h, threads: threads)
      }
      residualLinear(
        out: a.residual2.data, residual: blockResidual, inp: a.atty.data, weight: p + o.projw,
        bias: p + o.projb, n: rowsOut, c: c, oc: c, dropMask: a.attDrop.data, scratch: a.scratch.data)
      // feed-forward half: residual3 = residual2 + drop(proj(gelu(fc(LN2(residual2)))))
      LayerNorm.forward(
        out: a.ln2.data, mean: a.ln2Mean.data, rstd: a.ln2Rstd.data, inp: a.residual2.data,
        weight: p + o.ln2w, bias: p + o.ln2b, n: rowsOut, c: c, threads: rowWorkers)
      Linear.forward(
        out: a.fch.data, inp: a.ln2.data, weight: p + o.fcw, bias: p + o.fcb, n: rowsOut, c: c, oc: f,
        threads: rowWorkers)
      let (fch, fchGelu) = (a.fch.data, a.fchGelu.data)
      Parallel.chunks(rowsOut * f, threads: threads) { s, e in
        GELU.forward(out: fchGelu + s, inp: fch + s, count: e - s)
      }
      residualLinear(
        out: a.residual3.data, residual: a.residual2.data, inp: a.fchGelu.data, weight: p + o.fcprojw,
        bias: p + o.fcprojb, n: rowsOut, c: f, oc: c, dropMask: a.fcDrop.data, scratch: a.scratch.data)
      residual = a.residual3.data
    }
    inLastPrunedBlock = false
    let finalRows = pruned ? selected.count : n
    LayerNorm.forward(
      out: lnf.data, mean: lnfMean.data, rstd: lnfRstd.data, inp: residual,
      weight: p + lnfw, bias: p + lnfb, n: finalRows, c: c, threads: rowWorkers)
    guard packed else {
      MaskedMeanPool.forward(out: pooled.data, inp: lnf.data, mask: m, b: b, t: t, c: c)
      return EncoderOutput(
        states: Tensor(view: lnf.data, shape: [b, t, c], owner: lnf),
        pooled: Tensor(view: pooled.data, shape: [b, c], owner: pooled))
    }
    // each sequence pools its own rows; the states go back to the padded layout (padded rows 0)
    let states = paddedStates.reserve(bt * c)
    states.update(repeating: 0, count: bt * c)
    if pruned {
      // only the selected rows exist past the last block's attention; no pooled embedding
      pooled.data.update(repeating: 0, count: b * c)
      for i in 0..<b {
        for s in queryOffsets[i]..<(queryOffsets[i] + queryCounts[i]) {
          let j = selected[s] - offsets[i]
          (states + (i * t + j) * c).update(from: lnf.data + s * c, count: c)
        }
      }
      return EncoderOutput(
        states: Tensor(view: states, shape: [b, t, c], owner: paddedStates),
        pooled: Tensor(view: pooled.data, shape: [b, c], owner: pooled))
    }
    for i in 0..<b {
      let rows = lnf.data + offsets[i] * c
      MaskedMeanPool.forward(out: pooled.data + i * c, inp: rows, mask: m + i * t, b: 1, t: lengths[i], c: c)
      (states + i * t * c).update(from: rows, count: lengths[i] * c)
    }
    return EncoderOutput(
      states: Tensor(view: states, shape: [b, t, c], owner: paddedStates),
      pooled: Tensor(view: pooled.data, shape: [b, c], owner: pooled))
  }

  /// Dropout in place on `rows` rows of `width` of the current batch: each element draws the mask of its
  /// position in the whole padded batch (`batchOffset`, and the packed rows' `rowIndex` when packed).
  func dropout(_ x: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
    if packed {
      Dropout.forward(
        out: x, mask: mask, inp: x, rows: rows, width: width, rowIndex: inLastPrunedBlock ? selectedRowIndex : rowIndex,
        p: config.dropout, rng: &rng, threads: rowWorkers)
    } else {
      Dropout.forward(
        out: x, mask: mask, inp: x, count: rows * width, p: config.dropout, rng: &rng, threads: rowWorkers,
        indexOffset: batchOffset * t * width)
    }
  }

  /// out = residual + drop(inp · Wᵀ + bias). Without dropout the product accumulates straight into out.
  func residualLinear(
    out: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>, inp: UnsafePointer<Float>,
    weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, n: Int, c: Int, oc: Int,
    dropMask: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
  ) {
    if dropping {
      Linear.forward(out: scratch, inp: inp, weight: weight, bias: bias, n: n, c: c, oc: oc, threads: rowWorkers)
      dropout(scratch, mask: dropMask, rows: n, width: oc)
      Parallel.chunks(n * oc, threads: rowWorkers) { s, e in
        for i in s..<e { out[i] = residual[i] + scratch[i] }
      }
    } else {
      Parallel.rows(n, width: oc, threads: rowWorkers) { r0, r1 in
        for r in r0..<r1 {
          let o = out + r * oc
          let x = residual + r * oc
          for j in 0..<oc { o[j] = x[j] + bias[j] }
        }
      }
      BLAS.gemm(
        transA: false, transB: true, m: n, n: oc, k: c, a: inp, lda: c, b: weight, ldb: c, beta: 1,
        c: out, ldc: oc)
    }
  }

  // MARK: - Backward

  public func backward(dPooled: UnsafePointer<Float>?, dStates: UnsafePointer<Float>?) {
    let (c, f, h) = (config.dim, config.ffn, config.heads)
    let n = packed ? offsets[b - 1] + lengths[b - 1] : b * t
    let bt = n  // the rows computed (all B·T, or the packed real ones)
    let p = parameters.data
    let g = parameters.grad
    let dres = dresidual.reserve(bt * c)
    let dl = dln.reserve(bt * c)
    let dq = dqkv.reserve(bt * 3 * c)
    let dy = datty.reserve(bt * c)
    let dh = dfch.reserve(bt * f)
    let dhg = dfchGelu.reserve(bt * f)
    let scratch = dscratch.reserve(t * t * max(threads, 1))
    let tmp = dtmp.reserve(bt * c)
    // states → final LN
    if pruned {
      // the last block ran only the selected rows: their state gradients, no pooled one
      precondition(dPooled == nil, "TransformerEncoder.backward: no pooled gradient after a forward with outputRows")
      for i in 0..<b {
        for s in queryOffsets[i]..<(queryOffsets[i] + queryCounts[i]) {
          let j = selected[s] - offsets[i]
          if let dStates {
            (dl + s * c).update(from: dStates + (i * t + j) * c, count: c)
          } else {
            (dl + s * c).update(repeating: 0, count: c)
          }
        }
      }
    } else if packed {
      for i in 0..<b {
        let rows = dl + offsets[i] * c
        if let dStates {
          rows.update(from: dStates + i * t * c, count: lengths[i] * c)
        } else {
          rows.update(repeating: 0, count: lengths[i] * c)
        }
        if let dPooled {
          MaskedMeanPool.backward(
            dinp: rows, dout: dPooled + i * c, mask: mask.data + i * t, b: 1, t: lengths[i], c: c)
        }
      }
    } else {
      if let dStates { dl.update(from: dStates, count: bt * c) } else { dl.update(repeating: 0, count: bt * c) }
      if let dPooled { MaskedMeanPool.backward(dinp: dl, dout: dPooled, mask: mask.data, b: b, t: t, c: c) }
    }
    dres.update(repeating: 0, count: bt * c)
    let last = blocks.isEmpty ? UnsafePointer(encoded.data) : UnsafePointer(acts[blocks.count - 1].residual3.data)
    LayerNorm.backward(
      dinp: dres, dweight: g + lnfw, dbias: g + lnfb, dout: dl, inp: last, weight: p + lnfw,
      mean: lnfMean.data, rstd: lnfRstd.data, n: pruned ? selected.count : bt, c: c, threads: rowWorkers)
    for l in stride(from: blocks.count - 1, through: 0, by: -1) {
      let o = blocks[l]
      let a = acts[l]
      // the rows past attention: the selected ones in a pruned last block, else all
      let prunedBlock = pruned && l == blocks.count - 1
      let rows = prunedBlock ? selected.count : bt
      let residual = l == 0 ? UnsafePointer(encoded.data) : UnsafePointer(acts[l - 1].residual3.data)
      // feed-forward half
      var dout = UnsafePointer(dres)
      if dropping {
        let drop = a.fcDrop.data
        Parallel.chunks(rows * c, threads: rowWorkers) { s, e in for i in s..<e { tmp[i] = dres[i] * drop[i] } }
        dout = UnsafePointer(tmp)
      }
      Linear.backward(
        dinp: dhg, dweight: g + o.fcprojw, dbias: g + o.fcprojb, dout: dout, inp: a.fchGelu.data,
        weight: p + o.fcprojw, n: rows, c: f, oc: c, overwriteInput: true, threads: rowWorkers)
      // dh is written whole (overwrite: what zero-filling it first and adding gave, bit for bit)
      let fch = a.fch.data
      Parallel.chunks(rows * f, threads: threads) { s, e in
        GELU.backward(dinp: dh + s, inp: fch + s, dout: dhg + s, count: e - s, overwrite: true)
      }
      Linear.backward(
        dinp: dl, dweight: g + o.fcw, dbias: g + o.fcb, dout: dh, inp: a.ln2.data, weight: p + o.fcw,
        n: rows, c: c, oc: f, overwriteInput: true, threads: rowWorkers)
      LayerNorm.backward(
        dinp: dres, dweight: g + o.ln2w, dbias: g + o.ln2b, dout: dl, inp: a.residual2.data,
        weight: p + o.ln2w, mean: a.ln2Mean.data, rstd: a.ln2Rstd.data, n: rows, c: c, threads: rowWorkers)
      // attention half
      dout = UnsafePointer(dres)
      if dropping {
        let drop = a.attDrop.data
        Parallel.chunks(rows * c, threads: rowWorkers) { s, e in for i in s..<e { tmp[i] = dres[i] * drop[i] } }
        dout = UnsafePointer(tmp)
      }
      Linear.backward(
        dinp: dy, dweight: g + o.projw, dbias: g + o.projb, dout: dout, inp: a.atty.data,
        weight: p + o.projw, n: rows, c: c, oc: c, overwriteInput: true, threads: rowWorkers)
      dq.update(repeating: 0, count: bt * 3 * c)
      if prunedBlock {
        let dqsel = selectedDQ.reserve(rows * c)
        Attention.backwardQueries(
          dq: dqsel, dqkv: dq, scratch: scratch, dout: dy, q: selectedQ.data, qkv: a.qkv.data, att: a.att.data,
          offsets: offsets, lengths: lengths, queryOffsets: queryOffsets, queryCounts: queryCounts,
          attOffsets: queryAttOffsets, c: c, heads: h, threads: threads)
        // the selected rows' q gradients into the packed dqkv; their residual gradient back onto all n rows
        tmp.update(repeating: 0, count: bt * c)
        for (s, r) in selected.enumerated() {
          (dq + r * 3 * c).update(from: dqsel + s * c, count: c)
          (tmp + r * c).update(from: dres + s * c, count: c)
        }
        dres.update(from: tmp, count: bt * c)
      } else if packed {
        Attention.backwardPacked(
          dqkv: dq, scratch: scratch, dout: dy, qkv: a.qkv.data, att: a.att.data, offsets: offsets,
          lengths: lengths, attOffsets: attOffsets, c: c, heads: h, threads: threads)
      } else {
        Attention.backward(
          dqkv: dq, scratch: scratch, dout: dy, qkv: a.qkv.data, att: a.att.data,
          b: b, t: t, c: c, heads: h, threads: threads)
      }
      Linear.backward(
        dinp: dl, dweight: g + o.qkvw, dbias: g + o.qkvb, dout: dq, inp: a.ln1.data,
        weight: p + o.qkvw, n: bt, c: c, oc: 3 * c, overwriteInput: true, threads: rowWorkers)
      LayerNorm.backward(
        dinp: dres, dweight: g + o.ln1w, dbias: g + o.ln1b, dout: dl, inp: residual,
        weight: p + o.ln1w, mean: a.ln1Mean.data, rstd: a.ln1Rstd.data, n: bt, c: c, threads: rowWorkers)
    }
    // embeddings
    if dropping {
      let drop = embMask.data
      Parallel.chunks(bt * c, threads: rowWorkers) { s, e in for i in s..<e { dres[i] *= drop[i] } }
    }
    Embedding.backward(dtable: g + wte, tokens: packed ? packedTokens.data : tokens.data, dout: dres, n: bt, c: c)
    // positions: each worker owns some positions and sums over the batch in order
    let (bb, tt) = (b, t)
    let dpos = g + wpe
    let (isPacked, lengths, offsets) = (packed, self.lengths, self.offsets)
    Parallel.rows(t, width: b * c, threads: rowWorkers) { j0, j1 in
      for i in 0..<bb {
        let (first, end) = isPacked ? (offsets[i], min(j1, lengths[i])) : (i * tt, j1)
        guard j0 < end else { continue }
        for j in j0..<end {
          let src = dres + (first + j) * c
          let dst = dpos + j * c
          for k in 0..<c { dst[k] += src[k] }
        }
      }
    }
  }

  // MARK: - Copies and checkpoints

  /// A new encoder with the same config and a copy of the weights (MoCo's key encoder starts this way).
  public func clone() -> TransformerEncoder {
    let e = TransformerEncoder(config: config, seed: 0)
    e.parameters.copyWeights(from: parameters)
    e.training = training
    return e
  }

  /// Writes the weights with the config in the metadata (`config`, `architecture`).
  public func save(to path: String, dtype: Safetensors.DType = .f32, metadata: [String: String] = [:]) throws {
    var meta = metadata
    meta["architecture"] = "transformer"
    meta["config"] = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
    try parameters.save(to: path, metadata: meta, dtype: dtype)
  }

  /// Reads an encoder written by `save`: the config comes from the file's metadata.
  public static func load(from path: String) throws -> TransformerEncoder {
    let file = try Safetensors.read(path: path)
    guard file.metadata["architecture"] == "transformer", let json = file.metadata["config"],
      let config = try? JSONDecoder().decode(TransformerConfig.self, from: Data(json.utf8))
    else {
      throw TensorError.mismatch(path: path, reason: "its metadata holds no Transformer config")
    }
    let e = TransformerEncoder(config: config)
    try e.parameters.load(file, path: path)
    return e
  }
}

// MARK: - Int32 scratch

/// A growable Int32 buffer (token ids kept for the backward pass).
public final class IntBuffer: @unchecked Sendable {
  public private(set) var data: UnsafeMutablePointer<Int32> = .allocate(capacity: 1)
  private var capacity = 1
  public init() {}
  public func reserve(_ n: Int) {
    if n > capacity {
      data.deallocate()
      data = .allocate(capacity: n)
      capacity = n
    }
  }
  deinit { data.deallocate() }
}
