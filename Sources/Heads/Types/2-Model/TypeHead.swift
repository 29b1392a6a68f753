import Foundation
import Tensor

// MARK: - Config

/// The shape of a `TypeHead`.
public struct TypeHeadConfig: Codable, Sendable, Equatable {
  /// Width of one site's feature vector (the encoder's dim × the number of states gathered per site).
  public var inputDim: Int
  /// Width of the site vector.
  public var hidden: Int
  /// Closed-vocabulary classes, the last of which is "other" (a type neither in the vocabulary nor
  /// among the site's candidates).
  public var vocabulary: Int
  /// Size of the subtoken table candidate names are embedded with (the tokenizer's vocabulary).
  public var subtokens: Int
  /// Number of generic forms a candidate can take (`X`, `X[]`, `Promise<X>`, …).
  public var forms: Int
  /// Number of scalar features per (site, candidate) pair (e.g. name overlap).
  public var pairFeatures: Int

  public init(inputDim: Int, hidden: Int, vocabulary: Int, subtokens: Int, forms: Int, pairFeatures: Int) {
    self.inputDim = inputDim
    self.hidden = hidden
    self.vocabulary = vocabulary
    self.subtokens = subtokens
    self.forms = forms
    self.pairFeatures = pairFeatures
  }
}

/// An open candidate type for a site: a name (as subtoken ids) in one generic form.
public struct TypeHeadCandidate: Sendable, Hashable {
  public var tokens: [Int32]
  public var form: Int

  public init(tokens: [Int32], form: Int) {
    self.tokens = tokens
    self.form = form
  }
}

/// One candidate offered to one site: an index into the batch's candidate pool and the pair features.
public struct TypeHeadOffer: Sendable, Hashable {
  public var candidate: Int
  public var features: [Float]

  public init(candidate: Int, features: [Float]) {
    self.candidate = candidate
    self.features = features
  }
}

// MARK: - Head

/// The type head, read top to bottom (LambdaNet-style pointer scoring next to a closed vocabulary):
///
///     x (n, inputDim)                site features gathered from the encoder's states
///     u = ReLU(x · W1ᵀ + b1)         (n, hidden) the site vector
///     vocab logits = u · Wvᵀ + bv    (n, vocabulary), last column = "other"
///     c = mean_t E[tokens_t] + F[form]                     (hidden) per candidate in the pool
///     candidate logit(i, c) = u_i · c + γ (g[form] + w · features(i, c))
///
/// γ = `scalarGain` (10): the form biases and pair-feature weights are a handful of scalars that must reach
/// logit sizes of several units, and AdamW moves a parameter by about the learning rate per step, so at
/// γ = 1 a run of ~1,000 steps at 1e-3 could move them by less than one unit.
///
/// and one softmax per site over its vocabulary logits followed by its own candidates' logits.
/// `forward` then `lossAndBackward` (cross-entropy, mean over sites) add into `parameters.grad` and return
/// the gradient of the features, which the caller scatters back into the encoder's states.
public final class TypeHead: @unchecked Sendable {
  public let config: TypeHeadConfig
  /// Multiplies the form bias and the pair-feature terms (see the type's comment).
  public static let scalarGain: Float = 10
  public let parameters: ParameterStore
  let w1: Int, b1: Int, wv: Int, bv: Int, emb: Int, formEmb: Int, formBias: Int, pairW: Int

  // activations of the last forward
  var n = 0
  var offers: [[TypeHeadOffer]] = []
  var candidates: [TypeHeadCandidate] = []
  let x = Buffer(), h = Buffer(), u = Buffer(), vocabLogits = Buffer(), cvec = Buffer()
  /// Candidate logits, flat in site order; `candidateStart[i]` is where site i's begin.
  var candidateLogits: [Float] = []
  var candidateStart: [Int] = []
  let du = Buffer(), dh = Buffer(), dx = Buffer(), dvocab = Buffer(), dc = Buffer()

  /// A freshly initialised head (Linear layers U(±1/√fan_in), embeddings N(0, 0.02), zero biases).
  public init(config: TypeHeadConfig, seed: UInt64) {
    self.config = config
    let (k, hd) = (config.vocabulary, config.hidden)
    var layout = ParameterLayout()
    w1 = layout.add("typehead.site.weight", [hd, config.inputDim])
    b1 = layout.add("typehead.site.bias", [hd])
    wv = layout.add("typehead.vocab.weight", [k, hd])
    bv = layout.add("typehead.vocab.bias", [k])
    emb = layout.add("typehead.candidate.subtokens", [config.subtokens, hd], decay: false)
    formEmb = layout.add("typehead.candidate.forms", [config.forms, hd], decay: false)
    formBias = layout.add("typehead.candidate.form_bias", [config.forms])
    pairW = layout.add("typehead.candidate.pair_weight", [max(config.pairFeatures, 1)])
    parameters = ParameterStore(layout: layout)
    var rng = TensorRandom(seed: seed)
    let p = parameters.data
    rng.fillUniform(p + w1, count: hd * config.inputDim, bound: 1 / Float(config.inputDim).squareRoot())
    rng.fillUniform(p + wv, count: k * hd, bound: 1 / Float(hd).squareRoot())
    rng.fillNormal(p + emb, count: config.subtokens * hd, std: 0.02)
    rng.fillNormal(p + formEmb, count: config.forms * hd, std: 0.02)
  }

  /// Writes the weights with the config in the metadata.
  public func save(to path: String, metadata: [String: String] = [:]) throws {
    var meta = metadata
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    meta["typehead_config"] = String(decoding: try encoder.encode(config), as: UTF8.self)
    try parameters.save(to: path, metadata: meta)
  }

  /// Reads a head written by `save`.
  public static func load(from path: String) throws -> TypeHead {
    let file = try Safetensors.read(path: path)
    guard let json = file.metadata["typehead_config"],
      let config = try? JSONDecoder().decode(TypeHeadConfig.self, from: Data(json.utf8))
    else { throw TensorError.mismatch(path: path, reason: "its metadata holds no type-head config") }
    let head = TypeHead(config: config, seed: 0)
    try head.parameters.load(file, path: path)
    return head
  }

  // MARK: Forward

  /// Scores `n` sites. features: (n, inputDim), kept (copied) for the backward pass; `offers[i]` are site i's
  /// candidates from `candidates`. Returns, per site, the logits: vocabulary first, then its offers in order.
  @discardableResult
  public func forward(
    features: UnsafePointer<Float>, n: Int, candidates: [TypeHeadCandidate], offers: [[TypeHeadOffer]]
  ) -> [[Float]] {
    precondition(offers.count == n, "TypeHead.forward: one offer list per site")
    self.n = n
    self.offers = offers
    self.candidates = candidates
    let (k, hd, d) = (config.vocabulary, config.hidden, config.inputDim)
    let p = parameters.data
    let x = self.x.reserve(n * d)
    x.update(from: features, count: n * d)
    let h = self.h.reserve(n * hd)
    let u = self.u.reserve(n * hd)
    let vl = vocabLogits.reserve(n * k)
    Linear.forward(out: h, inp: x, weight: p + w1, bias: p + b1, n: n, c: d, oc: hd)
    ReLU.forward(out: u, inp: h, count: n * hd)
    Linear.forward(out: vl, inp: u, weight: p + wv, bias: p + bv, n: n, c: hd, oc: k)
    // candidate vectors
    let cv = cvec.reserve(max(candidates.count, 1) * hd)
    for (j, c) in candidates.enumerated() {
      let dst = cv + j * hd
      precondition(c.form >= 0 && c.form < config.forms, "TypeHead.forward: form out of range")
      dst.update(from: p + formEmb + c.form * hd, count: hd)
      guard !c.tokens.isEmpty else { continue }
      let scale = 1 / Float(c.tokens.count)
      for t in c.tokens {
        let row = p + emb + Int(clampToken(t)) * hd
        for q in 0..<hd { dst[q] += scale * row[q] }
      }
    }
    candidateStart = []
    candidateLogits = []
    var out: [[Float]] = []
    out.reserveCapacity(n)
    for i in 0..<n {
      candidateStart.append(candidateLogits.count)
      var row = Array(UnsafeBufferPointer(start: vl + i * k, count: k))
      let ui = u + i * hd
      for offer in offers[i] {
        let c = candidates[offer.candidate]
        var scalar = p[formBias + c.form]
        for (f, v) in offer.features.enumerated() where f < config.pairFeatures { scalar += p[pairW + f] * v }
        var s = Self.scalarGain * scalar
        let cvj = cv + offer.candidate * hd
        for q in 0..<hd { s += ui[q] * cvj[q] }
        candidateLogits.append(s)
        row.append(s)
      }
      out.append(row)
    }
    return out
  }

  @inline(__always) func clampToken(_ t: Int32) -> Int32 { t >= 0 && Int(t) < config.subtokens ? t : 0 }

  // MARK: Loss and backward

  /// Softmax cross-entropy of the last forward against `targets` (an index into site i's logits; nil = left
  /// out of the loss), averaged over the counted sites. Adds the parameter gradients into
  /// `parameters.grad` (scaled by `scale`) and returns the loss and dFeatures (n, inputDim), valid until the
  /// next call. Sites left out get zero feature gradients.
  public func lossAndBackward(targets: [Int?], scale: Float = 1) -> (loss: Float, dFeatures: UnsafePointer<Float>) {
    precondition(targets.count == n, "TypeHead.lossAndBackward: one target per site")
    let (k, hd, d) = (config.vocabulary, config.hidden, config.inputDim)
    let p = parameters.data
    let g = parameters.grad
    let counted = targets.compactMap { $0 }.count
    let dvl = dvocab.reserve(n * k)
    dvl.update(repeating: 0, count: n * k)
    var dcl = [Float](repeating: 0, count: candidateLogits.count)
    var loss: Float = 0
    let vl = vocabLogits.data
    if counted > 0 {
      let inv = scale / Float(counted)
      for i in 0..<n {
        guard let target = targets[i] else { continue }
        let start = candidateStart[i]
        let m = offers[i].count
        precondition(target >= 0 && target < k + m, "TypeHead: target out of range")
        var mx = -Float.infinity
        for j in 0..<k { mx = max(mx, vl[i * k + j]) }
        for j in 0..<m { mx = max(mx, candidateLogits[start + j]) }
        var sum: Float = 0
        for j in 0..<k { sum += expf(vl[i * k + j] - mx) }
        for j in 0..<m { sum += expf(candidateLogits[start + j] - mx) }
        let logZ = mx + logf(sum)
        let tLogit = target < k ? vl[i * k + target] : candidateLogits[start + target - k]
        loss += (logZ - tLogit) / Float(counted)
        for j in 0..<k { dvl[i * k + j] = expf(vl[i * k + j] - logZ) * inv }
        for j in 0..<m { dcl[start + j] = expf(candidateLogits[start + j] - logZ) * inv }
        if target < k { dvl[i * k + target] -= inv } else { dcl[start + target - k] -= inv }
      }
    }
    // vocabulary layer: du = dvl · Wv, dWv += dvlᵀ · u, dbv += Σ dvl
    let du = self.du.reserve(n * hd)
    Linear.backward(
      dinp: du, dweight: g + wv, dbias: g + bv, dout: dvl, inp: u.data, weight: p + wv, n: n, c: hd, oc: k,
      overwriteInput: true)
    // candidates
    let cv = cvec.data
    let dcv = dc.reserve(max(candidates.count, 1) * hd)
    dcv.update(repeating: 0, count: max(candidates.count, 1) * hd)
    let u = self.u.data
    for i in 0..<n {
      let start = candidateStart[i]
      let ui = u + i * hd
      let dui = du + i * hd
      for (j, offer) in offers[i].enumerated() {
        let gl = dcl[start + j]
        if gl == 0 { continue }
        let c = candidates[offer.candidate]
        let cvj = cv + offer.candidate * hd
        let dcj = dcv + offer.candidate * hd
        for q in 0..<hd {
          dui[q] += gl * cvj[q]
          dcj[q] += gl * ui[q]
        }
        let gs = Self.scalarGain * gl
        g[formBias + c.form] += gs
        for (f, v) in offer.features.enumerated() where f < config.pairFeatures { g[pairW + f] += gs * v }
      }
    }
    for (j, c) in candidates.enumerated() {
      let dcj = dcv + j * hd
      let df = g + formEmb + c.form * hd
      for q in 0..<hd { df[q] += dcj[q] }
      guard !c.tokens.isEmpty else { continue }
      let s = 1 / Float(c.tokens.count)
      for t in c.tokens {
        let row = g + emb + Int(clampToken(t)) * hd
        for q in 0..<hd { row[q] += s * dcj[q] }
      }
    }
    // site layer
    let dh = self.dh.reserve(n * hd)
    dh.update(repeating: 0, count: n * hd)
    ReLU.backward(dinp: dh, inp: h.data, dout: du, count: n * hd)
    let dx = self.dx.reserve(n * d)
    Linear.backward(
      dinp: dx, dweight: g + w1, dbias: g + b1, dout: dh, inp: x.data, weight: p + w1, n: n, c: d, oc: hd,
      overwriteInput: true)
    return (loss, UnsafePointer(dx))
  }
}

// MARK: - Probabilities

extension TypeHead {
  /// Softmax of one site's logits (vocabulary then candidates).
  public static func softmax(_ logits: [Float]) -> [Float] {
    guard let mx = logits.max() else { return [] }
    let e = logits.map { expf($0 - mx) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
  }

  /// Log-softmax of one site's logits (the log-probabilities `softmax` gives, computed without underflow).
  public static func logSoftmax(_ logits: [Float]) -> [Float] {
    guard let mx = logits.max() else { return [] }
    let lse = mx + log(logits.reduce(Float(0)) { $0 + expf($1 - mx) })
    return logits.map { $0 - lse }
  }
}
