import Foundation
import Testing

@testable import Heads
@testable import Model
@testable import Tensor

/// The pointer-generator output of `NameDecoder` (config.copy): a learned gate mixing the vocabulary distribution
/// with attention over the input's subtokens, checked on a hand-made example.
@Suite("Pointer-generator decoder")
struct PointerGeneratorTests {
  let config = NameDecoderConfig(vocab: 11, dim: 8, layers: 1, heads: 2, ffn: 12, maxLen: 4, copy: true)
  let b = 3, t = 4, s = 5
  /// Decoder inputs (`<bos>` = 2, then subtokens) and targets (-100: not counted).
  var tokens: [Int32] { [2, 5, 6, 0, 2, 7, 0, 0, 2, 9, 0, 0] }
  var targets: [Int32] { [5, 6, 3, -100, 7, 10, 3, -100, 9, 3, -100, -100] }
  var mask: [Float] { [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1] }
  /// Function 0 may copy 5 (twice: positions 1 and 3) and 6; function 1 may copy 10 at position 2 (10 is never
  /// generated well: a name word only the body has) and 7 at position 3 (a padded position: ignored);
  /// function 2 has nothing to copy.
  var copy: NameCopyBatch {
    NameCopyBatch(items: [[(1, 5), (3, 5), (0, 6)], [(2, 10), (3, 7)], []])
  }

  func memory() -> [Float] {
    var rng = TensorRandom(seed: 9)
    return (0..<(b * s * config.dim)).map { _ in rng.normal() }
  }

  func decoder() -> NameDecoder {
    let d = NameDecoder(config: config, seed: 4)
    // break the symmetric initialisation so every path carries signal
    var rng = TensorRandom(seed: 5)
    for i in 0..<d.parameters.count { d.parameters.data[i] += 0.3 * rng.normal() }
    return d
  }

  func logP(_ d: NameDecoder, _ mem: [Float]) -> [Float] {
    let out = mem.withUnsafeBufferPointer {
      d.forward(
        tokens: tokens, batch: b, length: t, memory: $0.baseAddress!, memoryMask: mask, memoryLength: s, copy: copy)
    }
    return Array(UnsafeBufferPointer(start: out, count: b * t * config.vocab))
  }

  /// Mean negative log-likelihood of the targets under the mixture, in Double.
  func loss(_ d: NameDecoder, _ mem: [Float]) -> Double {
    let lp = logP(d, mem)
    var total = 0.0
    var n = 0
    for r in 0..<(b * t) where targets[r] != -100 {
      total -= Double(lp[r * config.vocab + Int(targets[r])])
      n += 1
    }
    return total / Double(n)
  }

  @Test("the mixture is g·P_vocab + (1−g)·attention summed per subtoken, sums to 1, and follows the gate")
  func mixture() {
    let d = decoder()
    let mem = memory()
    let v = config.vocab
    let lp = logP(d, mem)
    let g = Array(UnsafeBufferPointer(start: d.gate.data, count: b * t))
    let pv = Array(UnsafeBufferPointer(start: d.pvocab.data, count: b * t * v))
    let att = Array(UnsafeBufferPointer(start: d.copyAtt.data, count: b * t * copy.width))
    for r in 0..<(b * t) {
      let row = (0..<v).map { exp(Double(lp[r * v + $0])) }
      #expect(abs(row.reduce(0, +) - 1) < 1e-4, "row \(r) sums to \(row.reduce(0, +))")
      let i = r / t
      var expected = (0..<v).map { Double(g[r]) * Double(pv[r * v + $0]) }
      switch i {
      case 0:
        // two occurrences of 5 collect both attentions; three items share the attention
        let a = (0..<3).map { Double(att[r * copy.width + $0]) }
        #expect(abs(a.reduce(0, +) - 1) < 1e-5)
        expected[5] += (1 - Double(g[r])) * (a[0] + a[1])
        expected[6] += (1 - Double(g[r])) * a[2]
        #expect(g[r] > 0 && g[r] < 1)
      case 1:
        // the item at a padded position gets no attention: 10 takes all of it
        #expect(abs(Double(att[r * copy.width]) - 1) < 1e-6 && att[r * copy.width + 1] == 0)
        expected[10] += 1 - Double(g[r])
      default:
        #expect(g[r] == 1)  // nothing to copy: the vocabulary alone
      }
      for k in 0..<v { #expect(abs(row[k] - expected[k]) < 1e-5, "row \(r) subtoken \(k)") }
    }
    // the gate decides: strongly open, the vocabulary alone; strongly shut, only the input's subtokens
    d.parameters.data[d.gateb] = 40
    let open = logP(d, mem)
    let pvOpen = Array(UnsafeBufferPointer(start: d.pvocab.data, count: b * t * v))
    for k in 0..<(b * t * v) { #expect(abs(exp(Double(open[k])) - Double(pvOpen[k])) < 1e-5) }
    d.parameters.data[d.gateb] = -40
    let shut = logP(d, mem)
    for r in 0..<(2 * t) {
      let copyable: [Int] = r < t ? [5, 6] : [10]
      let mass = copyable.map { exp(Double(shut[r * v + $0])) }.reduce(0, +)
      #expect(abs(mass - 1) < 1e-4, "row \(r): copyable mass \(mass)")
    }
  }

  @Test("finite differences match backward for the copy and gate parameters, every other tensor, and the memory")
  func gradients() {
    let d = decoder()
    var mem = memory()
    let v = config.vocab
    // analytic: d(mean NLL)/d(log P) is −1/n at each target
    _ = logP(d, mem)
    let n = targets.filter { $0 != -100 }.count
    var dl = [Float](repeating: 0, count: b * t * v)
    for r in 0..<(b * t) where targets[r] != -100 { dl[r * v + Int(targets[r])] = -1 / Float(n) }
    d.parameters.zeroGrad()
    var dm = [Float](repeating: 0, count: mem.count)
    dl.withUnsafeBufferPointer { d.backward(dLogits: $0.baseAddress!, dMemory: &dm) }
    let g = Array(UnsafeBufferPointer(start: d.parameters.grad, count: d.parameters.count))
    let eps: Float = 1e-2
    var checkedCopy = 0
    for e in d.parameters.layout.entries {
      let isCopy = e.name.hasPrefix("copy.")
      // every element of the new parameters, a few of the others
      let ks = isCopy ? Array(0..<e.count) : Array(Set([0, e.count / 2, e.count - 1, (5 * config.dim + 3) % e.count]))
      for k in ks {
        let i = e.offset + k
        let saved = d.parameters.data[i]
        d.parameters.data[i] = saved + eps
        let lp = loss(d, mem)
        d.parameters.data[i] = saved - eps
        let lm = loss(d, mem)
        d.parameters.data[i] = saved
        let numeric = Float((lp - lm) / Double(2 * eps))
        #expect(
          abs(numeric - g[i]) <= 2e-3 + 3e-2 * max(abs(numeric), abs(g[i])),
          "\(e.name)[\(k)]: analytic \(g[i]) numeric \(numeric)")
        if isCopy { checkedCopy += 1 }
      }
    }
    #expect(checkedCopy == 2 * 8 * 8 + 2 * 8 + 1)
    // the gate and the copy attention carry gradient
    #expect(abs(g[d.gateb]) > 1e-4)
    #expect((0..<64).contains { abs(g[d.copyq + $0]) > 1e-4 } && (0..<64).contains { abs(g[d.copyk + $0]) > 1e-4 })
    // memory: through cross-attention, the pooled path, the copy keys and the context
    for i in 0..<mem.count {
      let saved = mem[i]
      mem[i] = saved + eps
      let lp = loss(d, mem)
      mem[i] = saved - eps
      let lm = loss(d, mem)
      mem[i] = saved
      let numeric = Float((lp - lm) / Double(2 * eps))
      #expect(
        abs(numeric - dm[i]) <= 2e-3 + 3e-2 * max(abs(numeric), abs(dm[i])), "memory[\(i)]: \(dm[i]) vs \(numeric)")
      if mask[i / config.dim] == 0 { #expect(dm[i] == 0) }
    }
  }

  @Test("a decoder config without `copy` (written before it existed) reads as no copying")
  func oldConfig() throws {
    let json = #"{"vocab":11,"dim":8,"layers":1,"heads":2,"ffn":12,"maxLen":4}"#
    let c = try JSONDecoder().decode(NameDecoderConfig.self, from: Data(json.utf8))
    #expect(c.copy == false)
    #expect(try JSONDecoder().decode(NameDecoderConfig.self, from: JSONEncoder().encode(config)) == config)
  }
}
