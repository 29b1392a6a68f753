import Foundation
import Testing

@testable import Heads
@testable import Model
@testable import Tensor

/// Teacher-forced cross-entropy of the decoder on fixed memory, in Double.
private func decoderLoss(
  _ d: NameDecoder, _ tokens: [Int32], _ targets: [Int32], _ b: Int, _ t: Int, _ memory: [Float], _ mask: [Float],
  _ s: Int
) -> Double {
  let v = d.config.vocab
  let logits = memory.withUnsafeBufferPointer {
    d.forward(tokens: tokens, batch: b, length: t, memory: $0.baseAddress!, memoryMask: mask, memoryLength: s)
  }
  var total = 0.0
  var n = 0
  for r in 0..<(b * t) where targets[r] != -100 {
    total += NameHead.logSumExp(logits + r * v, v) - Double(logits[r * v + Int(targets[r])])
    n += 1
  }
  return total / Double(n)
}

@Suite("Name decoder")
struct NameDecoderTests {
  let config = NameDecoderConfig(vocab: 11, dim: 8, layers: 2, heads: 2, ffn: 12, maxLen: 4)
  let b = 2, t = 4, s = 5
  var tokens: [Int32] { [2, 5, 6, 0, 2, 7, 0, 0] }
  var targets: [Int32] { [5, 6, 3, -100, 7, 3, -100, -100] }
  var mask: [Float] { [1, 1, 1, 1, 1, 1, 1, 1, 0, 0] }

  func memory() -> [Float] {
    var rng = TensorRandom(seed: 9)
    return (0..<(b * s * config.dim)).map { _ in rng.normal() }
  }

  /// The analytic gradient (through the fused cross-entropy) of the decoder's parameters and of its memory.
  func analytic(_ d: NameDecoder, _ mem: [Float]) -> (params: [Float], memory: [Float]) {
    let v = config.vocab
    let logits = mem.withUnsafeBufferPointer {
      d.forward(tokens: tokens, batch: b, length: t, memory: $0.baseAddress!, memoryMask: mask, memoryLength: s)
    }
    var probs = [Float](repeating: 0, count: b * t * v)
    var dl = [Float](repeating: 0, count: b * t * v)
    targets.withUnsafeBufferPointer { tg in
      _ = CrossEntropy.forward(probs: &probs, logits: logits, targets: tg.baseAddress!, n: b * t, c: v)
      CrossEntropy.backward(dlogits: &dl, probs: probs, targets: tg.baseAddress!, n: b * t, c: v)
    }
    d.parameters.zeroGrad()
    var dm = [Float](repeating: 0, count: mem.count)
    dl.withUnsafeBufferPointer { d.backward(dLogits: $0.baseAddress!, dMemory: &dm) }
    return (Array(UnsafeBufferPointer(start: d.parameters.grad, count: d.parameters.count)), dm)
  }

  @Test("finite differences match backward for every parameter tensor and the memory")
  func gradients() {
    let d = NameDecoder(config: config, seed: 4)
    // break the symmetric initialisation so every path carries signal
    var rng = TensorRandom(seed: 5)
    for i in 0..<d.parameters.count { d.parameters.data[i] += 0.3 * rng.normal() }
    var mem = memory()
    let (g, dm) = analytic(d, mem)
    let eps: Float = 1e-2
    var checked = 0
    for e in d.parameters.layout.entries {
      for k in Set([0, e.count / 2, e.count - 1, (5 * config.dim + 3) % e.count]) {
        let i = e.offset + k
        let saved = d.parameters.data[i]
        d.parameters.data[i] = saved + eps
        let lp = decoderLoss(d, tokens, targets, b, t, mem, mask, s)
        d.parameters.data[i] = saved - eps
        let lm = decoderLoss(d, tokens, targets, b, t, mem, mask, s)
        d.parameters.data[i] = saved
        let numeric = Float((lp - lm) / Double(2 * eps))
        let allowed = 2e-3 + 3e-2 * max(abs(numeric), abs(g[i]))
        #expect(abs(numeric - g[i]) <= allowed, "\(e.name)[\(k)]: analytic \(g[i]) numeric \(numeric)")
        checked += 1
      }
    }
    #expect(checked >= d.parameters.layout.entries.count)
    // memory: real positions get gradient, padded ones none
    var nonzero = 0
    for i in stride(from: 0, to: mem.count, by: 3) {
      let saved = mem[i]
      mem[i] = saved + eps
      let lp = decoderLoss(d, tokens, targets, b, t, mem, mask, s)
      mem[i] = saved - eps
      let lm = decoderLoss(d, tokens, targets, b, t, mem, mask, s)
      mem[i] = saved
      let numeric = Float((lp - lm) / Double(2 * eps))
      #expect(abs(numeric - dm[i]) <= 2e-3 + 3e-2 * max(abs(numeric), abs(dm[i])), "memory[\(i)]: \(dm[i]) vs \(numeric)")
      if mask[i / config.dim] == 0 { #expect(dm[i] == 0) } else if dm[i] != 0 { nonzero += 1 }
    }
    #expect(nonzero > 10)
  }

  @Test("the gradient reaches a Transformer encoder through dStates")
  func endToEnd() {
    let enc = TransformerEncoder(
      config: TransformerConfig(vocab: 13, dim: 8, layers: 1, heads: 2, ffn: 12, maxLen: 5, dropout: 0), seed: 2)
    enc.training = false
    let d = NameDecoder(config: config, seed: 4)
    let encTokens: [Int32] = [3, 4, 5, 6, 7, 8, 9, 10, 0, 0]
    func loss() -> Double {
      let st = enc.forward(tokens: encTokens, mask: mask, batch: b, length: s).states.array
      return decoderLoss(d, tokens, targets, b, t, st, mask, s)
    }
    let st = enc.forward(tokens: encTokens, mask: mask, batch: b, length: s).states.array
    let (_, dm) = analytic(d, st)
    enc.parameters.zeroGrad()
    _ = enc.forward(tokens: encTokens, mask: mask, batch: b, length: s)
    enc.backward(dPooled: nil, dStates: dm)
    let p = enc.parameters
    let eps: Float = 1e-2
    for name in ["layers.0.attn.qkv.weight", "layers.0.ffn.fc.weight", "embed.tokens"] {
      let e = p.entry(name)!
      for k in [e.count / 3, e.count / 2 + 1, 4 * 8 + 1] {
        let i = e.offset + k
        let saved = p.data[i]
        p.data[i] = saved + eps
        let lp = loss()
        p.data[i] = saved - eps
        let lm = loss()
        p.data[i] = saved
        let numeric = Float((lp - lm) / Double(2 * eps))
        #expect(abs(numeric - p.grad[i]) <= 2e-3 + 3e-2 * max(abs(numeric), abs(p.grad[i])), "\(name)[\(k)]")
      }
    }
  }

  @Test("beam search: names in camelCase, best first, scores length-normalised, no specials, deterministic")
  func beam() {
    let vocab = SubtokenVocabulary(tokens: SubtokenVocabulary.specials + ["get", "user", "id", "set", "name", "is", "valid"])
    let d = NameDecoder(
      config: NameDecoderConfig(vocab: vocab.count, dim: 8, layers: 1, heads: 2, ffn: 16, maxLen: 7), seed: 1)
    var rng = TensorRandom(seed: 6)
    for i in 0..<d.parameters.count { d.parameters.data[i] += 0.5 * rng.normal() }
    let mem = (0..<(3 * 8)).map { _ in rng.normal() }
    let a = NameHead.beamSearch(decoder: d, memory: mem, length: 3, vocabulary: vocab, width: 5, top: 5, maxSubtokens: 6)
    let again = NameHead.beamSearch(decoder: d, memory: mem, length: 3, vocabulary: vocab, width: 5, top: 5, maxSubtokens: 6)
    #expect(a == again)
    #expect(a.count == 5)
    for (x, y) in zip(a, a.dropFirst()) { #expect(x.score >= y.score) }
    for p in a {
      #expect(!p.subtokens.isEmpty && p.subtokens.count <= 6)
      #expect(p.subtokens.allSatisfy { !$0.hasPrefix("<") })
      #expect(p.name == SubtokenVocabulary.camelCase(p.subtokens))
      #expect(abs(p.score - p.logProbability / Double(p.subtokens.count + 1)) < 1e-9)
      // the beam's log-probability is the teacher-forced one
      let sc = NameHead.score(decoder: d, memory: mem, length: 3, vocabulary: vocab, subtokens: p.subtokens, maxSubtokens: 6)
      #expect(abs(sc.logProbability - p.logProbability) < 1e-3)
    }
    // width 1 returns the greedy name, which a wider beam never scores below
    let greedy = NameHead.beamSearch(decoder: d, memory: mem, length: 3, vocabulary: vocab, width: 1, top: 1, maxSubtokens: 6)
    #expect(greedy.count == 1 && a[0].score >= greedy[0].score - 1e-9)
  }

  @Test("subtoken vocabulary: frequency order, specials first, camelCase")
  func vocabulary() throws {
    let v = SubtokenVocabulary.build(targets: [["get", "id"], ["get", "name"], ["set", "name"], ["get"], ["x"]], size: 6)
    #expect(v.tokens == SubtokenVocabulary.specials + ["get", "name"])
    #expect(v.id("GET") == 4 && v.id("zzz") == SubtokenVocabulary.unk)
    #expect(v.target(["get", "name", "id"], maxSubtokens: 2) == [4, 5, SubtokenVocabulary.eos])
    #expect(SubtokenVocabulary.camelCase(["get", "user", "id"]) == "getUserId")
    let decoded = try JSONDecoder().decode(SubtokenVocabulary.self, from: JSONEncoder().encode(v))
    #expect(decoded == v)
    #expect(throws: (any Error).self) { try JSONDecoder().decode(SubtokenVocabulary.self, from: Data(#"{"tokens":["a"]}"#.utf8)) }
  }
}

@Suite("Copy bias in the beam search")
struct CopyBiasTests {
  static let vocab = SubtokenVocabulary(tokens: SubtokenVocabulary.specials + ["get", "user", "id", "value"])

  /// A stub decoder: the first subtoken is `get` (logit 2) over `user` (1) and `id`/`value` (0); after one
  /// subtoken `<eos>` is likely (logit 3); after two it is certain.
  static func logits(_ prefixes: [[Int32]]) -> [Float] {
    var out: [Float] = []
    for p in prefixes {
      var row = [Float](repeating: -30, count: vocab.count)
      switch p.count {
      case 1: (row[4], row[5], row[6], row[7]) = (2, 1, 0, 0)
      case 2: (row[3], row[4], row[5], row[6], row[7]) = (3, 0, 0, 0, 0)
      default: row[3] = 0
      }
      out += row
    }
    return out
  }

  static func search(_ copy: CopyCandidates = .none, width: Int = 3, top: Int = 3) -> [NamePrediction] {
    NameHead.beamSearch(vocabulary: vocab, width: width, top: top, maxSubtokens: 4, copy: copy, logits: logits)
  }

  @Test("the bias moves a body subtoken up; probabilities stay the decoder's; no bias, no change")
  func ranking() {
    let plain = Self.search()
    #expect(plain.first?.subtokens == ["get"])
    #expect(Self.search(CopyCandidates(ids: [5: 1], decoding: .none)) == plain)
    let copy = CopyCandidates(ids: [5: 1], decoding: NameDecoding(copyBias: 1.5))
    let biased = Self.search(copy)
    #expect(biased.first?.subtokens == ["user"])
    let user = plain.first { $0.subtokens == ["user"] }!
    #expect(abs(biased[0].logProbability - user.logProbability) < 1e-9)
    #expect(abs(biased[0].score - (user.logProbability + 1.5) / 2) < 1e-9)
    // a first-subtoken bias of 0 leaves the first subtoken to the decoder
    let later = Self.search(CopyCandidates(ids: [5: 1], decoding: NameDecoding(copyBias: 1.5, firstCopyBias: 0)))
    #expect(later.first?.subtokens == ["get"])
  }

  @Test("the bonus counts once per subtoken; more occurrences, more bonus with a frequency bias")
  func onceAndFrequency() {
    // a huge bias must not make `userUser…` win: the second `user` earns nothing
    let big = Self.search(CopyCandidates(ids: [5: 1], decoding: NameDecoding(copyBias: 20)), width: 5, top: 10)
    #expect(big.first?.subtokens == ["user"])
    let twice = big.first { $0.subtokens == ["user", "user"] }
    #expect(twice != nil && abs(twice!.score - (twice!.logProbability + 20) / 3) < 1e-9)
    // `id` seen 4 times beats `user` seen once when the frequency bias is on
    let ids: [Int32: Int] = [5: 1, 6: 4]
    #expect(Self.search(CopyCandidates(ids: ids, decoding: NameDecoding(copyBias: 2))).first?.subtokens == ["user"])
    #expect(
      Self.search(CopyCandidates(ids: ids, decoding: NameDecoding(copyBias: 2, frequencyBias: 1))).first?.subtokens
        == ["id"])
  }

  @Test("out-of-vocabulary body subtokens are proposed only with copyUnknown, read as <unk>")
  func unknown() {
    let words = [(subtoken: "zebra", count: 2), (subtoken: "user", count: 1)]
    let off = CopyCandidates(subtokens: words, vocabulary: Self.vocab, decoding: NameDecoding(copyBias: 1))
    #expect(off.ids == [5: 1] && off.unknown.isEmpty)
    let on = CopyCandidates(
      subtokens: words, vocabulary: Self.vocab, decoding: NameDecoding(copyBias: 1, copyUnknown: true))
    #expect(on.unknown == ["zebra": 2])
    var seen: [[Int32]] = []
    let names = NameHead.beamSearch(vocabulary: Self.vocab, width: 3, top: 5, maxSubtokens: 2, copy: on) {
      seen += $0
      var rows = Self.logits($0)
      for (i, p) in $0.enumerated() where p.count == 1 { rows[i * Self.vocab.count + 1] = 5 }  // <unk> likely
      return rows
    }
    #expect(names.first?.subtokens == ["zebra"])
    #expect(seen.contains([SubtokenVocabulary.bos, SubtokenVocabulary.unk]))
  }

  @Test("decoding options: older config without the field, and the JSON round trip")
  func decodingJSON() throws {
    let empty = try JSONDecoder().decode(NameDecoding.self, from: Data("{}".utf8))
    #expect(empty == .none && !empty.isActive)
    let d = NameDecoding(copyBias: 9, frequencyBias: 5, chosenOn: "valid")
    #expect(try JSONDecoder().decode(NameDecoding.self, from: JSONEncoder().encode(d)) == d)
    #expect(d.summary == "copy bias 9 + 5 · log(occurrences)")
  }
}
