import Foundation
import Tensor

// MARK: - Encoder benchmark

/// Times the Transformer encoder stack the way issue 4 compares it with PyTorch: forward-only (inference)
/// and forward + backward + AdamW (a training step), reporting functions per second and achieved GFLOP/s
/// against the machine's sgemm peak. `codeintel bench tensor` prints `run(_:)`'s report.
public enum EncoderBenchmark {
  /// What to time. The defaults are the issue's configuration.
  public struct Config: Sendable {
    public var layers = 4, dim = 256, heads = 4, ffn = 1024, vocab = 8192
    public var batch = 32, length = 128
    public var dropout: Float = 0.1
    public var threads = 2
    /// Workers for attention heads and GELU (nil: the same as `threads`).
    public var encoderThreads: Int? = nil
    /// Workers for the encoder's row-wise work and AdamW (nil: the same as the encoder's); 1 measures the
    /// engine without issue 16's split.
    public var rowThreads: Int? = nil
    public var warmup = 2, iterations = 10
    public var seed: UInt64 = 0
    /// Also time one MoCo pretraining step (query forward + backward, key forward, queue logits, AdamW, EMA)
    /// on synthetic batches, with this queue and projection size: pairs per second of the engine alone.
    public var moco = false
    /// Also time one hybrid step as `pretrain` runs it with `Models/configs/hybrid-small.json`: MLM (weight 1,
    /// 15 %, tied, its own pass over the unaugmented batch) + MoCo.
    public var hybrid = false
    /// Slices of the MoCo and hybrid steps' batch (`PretrainConfig.dataParallel`); nil: the config's default.
    /// 1 is the step without the split.
    public var dataParallel: Int? = nil
    /// Also time the MoCo and hybrid steps without the split (`dataParallel` 1) interleaved step by step with the
    /// split ones (A B, B A, …), so both see the same moments of a fluctuating load.
    public var interleave = false
    public var queue = 4096, projection = 128
    public init() {}

    /// The shipped encoder's shape (Models/contracode-hybrid-small): 2 layers, d=128, 4 heads, FFN 512.
    public static var small: Config {
      var c = Config()
      (c.layers, c.dim, c.heads, c.ffn, c.vocab) = (2, 128, 4, 512, 8000)
      return c
    }
  }

  /// The measured numbers.
  public struct Report: Sendable, CustomStringConvertible {
    public var config: Config
    /// Median wall seconds per forward pass and per training step.
    public var forwardSeconds: Double, trainSeconds: Double
    /// Mean process CPU seconds (all threads) per forward pass and per training step: less sensitive to
    /// other load than wall time, though spinning BLAS threads count too.
    public var forwardCPUSeconds: Double, trainCPUSeconds: Double
    /// Mean CPU seconds of the calling thread per forward pass, training step and MoCo step: the critical
    /// path (serial work plus this thread's share of each split), a load-robust stand-in for quiet wall time.
    public var forwardMainSeconds = 0.0, trainMainSeconds = 0.0, mocoMainSeconds: Double? = nil
    /// Matmul FLOPs of one forward pass (a training step counts 3×).
    public var forwardFlops: Double
    public var sgemmPeakGFLOPs: Double
    /// Median wall seconds per MoCo step (when `config.moco`).
    public var mocoSeconds: Double? = nil
    /// Median wall seconds and calling-thread CPU seconds per hybrid step (when `config.hybrid`).
    public var hybridSeconds: Double? = nil, hybridMainSeconds: Double? = nil
    /// Mean process CPU seconds (all threads) per MoCo and hybrid step: CPU / wall is how many cores a step keeps busy.
    public var mocoCPUSeconds: Double? = nil, hybridCPUSeconds: Double? = nil
    /// The slices the MoCo and hybrid steps ran on.
    public var dataParallel = 1
    /// With `config.interleave`: median wall seconds per step unsplit and split, and the median of the
    /// per-pair ratios (unsplit / split: the speed-up), for the MoCo and the hybrid step.
    public var mocoInterleaved: (unsplit: Double, split: Double, speedup: Double)? = nil
    public var hybridInterleaved: (unsplit: Double, split: Double, speedup: Double)? = nil
    /// The processor, OpenBLAS and its kernels the figures were taken with.
    public var machine: BLASKernel.Status
    public var inferencePerSecond: Double { Double(config.batch) / forwardSeconds }
    public var trainPerSecond: Double { Double(config.batch) / trainSeconds }
    public var forwardGFLOPs: Double { forwardFlops / forwardSeconds / 1e9 }
    public var trainGFLOPs: Double { 3 * forwardFlops / trainSeconds / 1e9 }

    public var description: String {
      let c = config
      func f(_ x: Double) -> String { String(format: "%.1f", x) }
      let on = "[\(machine.short)]"
      let moco = mocoSeconds.map {
        "\n  moco step:  \(f(Double(c.batch) / $0)) pairs/s  (\(f($0 * 1000)) ms/step, queue \(c.queue)) \(on)"
      }
      let hybrid = hybridSeconds.map {
        "\n  hybrid step: \(f(Double(c.batch) / $0)) pairs/s  (\(f($0 * 1000)) ms/step, MLM + MoCo, queue \(c.queue)) \(on)"
      }
      let split = mocoSeconds != nil || hybridSeconds != nil ? ", steps split \(dataParallel) ways" : ""
      func interleaved(_ name: String, _ x: (unsplit: Double, split: Double, speedup: Double)?) -> String {
        guard let x else { return "" }
        return "\n  \(name) interleaved: unsplit \(f(Double(c.batch) / x.unsplit)) pairs/s, split \(dataParallel) ways "
          + "\(f(Double(c.batch) / x.split)) pairs/s; speed-up \(String(format: "%.2f", x.speedup))x "
          + "(median of \(c.iterations) step pairs) \(on)"
      }
      return """
        codeintel Tensor: \(c.layers) layers, d=\(c.dim), \(c.heads) heads, FFN \(c.ffn), vocab \(c.vocab), \
        batch \(c.batch)x\(c.length), dropout \(c.dropout), \(c.threads) threads\
        \(c.rowThreads.map { ", row-wise work on \($0)" } ?? "")\(split)
          cpu:        \(machine.cpu.model) (\(machine.cpu.summary))
          OpenBLAS:   \(machine.blas.config)
          kernels:    \(machine.kernels)
          inference:  \(f(inferencePerSecond)) functions/s  (\(f(forwardSeconds * 1000)) ms/batch, \
        \(f(forwardGFLOPs)) GFLOP/s) \(on)
          train step: \(f(trainPerSecond)) functions/s  (\(f(trainSeconds * 1000)) ms/batch, \
        \(f(trainGFLOPs)) GFLOP/s) \(on)\(moco ?? "")\(hybrid ?? "")\
        \(interleaved("moco step", mocoInterleaved))\(interleaved("hybrid step", hybridInterleaved))
          cpu time:   \(f(forwardCPUSeconds * 1000)) ms/batch inference, \(f(trainCPUSeconds * 1000)) ms/batch train step\
        \(mocoCPUSeconds.map { ", \(f($0 * 1000)) ms/moco step" } ?? "")\
        \(hybridCPUSeconds.map { ", \(f($0 * 1000)) ms/hybrid step" } ?? "")
          main thread: \(f(forwardMainSeconds * 1000)) ms/batch inference, \(f(trainMainSeconds * 1000)) ms/batch train \
        step\(mocoMainSeconds.map { ", \(f($0 * 1000)) ms/moco step" } ?? "")\
        \(hybridMainSeconds.map { ", \(f($0 * 1000)) ms/hybrid step" } ?? "") (CPU time of the calling thread)
          sgemm peak: \(f(sgemmPeakGFLOPs)) GFLOP/s (1024^3, same threads) \(on); forward reaches \
        \(String(format: "%.0f", 100 * forwardGFLOPs / sgemmPeakGFLOPs))%, training \
        \(String(format: "%.0f", 100 * trainGFLOPs / sgemmPeakGFLOPs))%
        """
    }
  }

  /// Matmul FLOPs of one forward pass of the stack (projections, FFN, attention scores and mixing).
  public static func forwardFlops(_ c: Config) -> Double {
    let bt = Double(c.batch * c.length)
    let d = Double(c.dim)
    let f = Double(c.ffn)
    let t = Double(c.length)
    let perLayer = 2 * bt * (3 * d * d + d * d + 2 * d * f) + 4 * bt * t * d
    return Double(c.layers) * perLayer
  }

  /// Runs the benchmark and returns the report (prints nothing).
  public static func run(_ c: Config) -> Report {
    BLAS.setThreads(c.threads)
    let config = TransformerConfig(
      vocab: c.vocab, dim: c.dim, layers: c.layers, heads: c.heads, ffn: c.ffn,
      maxLen: c.length, dropout: c.dropout)
    let enc = TransformerEncoder(config: config, seed: c.seed)
    enc.threads = c.encoderThreads ?? c.threads
    enc.rowThreads = c.rowThreads
    var rng = TensorRandom(seed: c.seed &+ 1)
    let n = c.batch * c.length
    let tokens = (0..<n).map { _ in Int32(rng.next() % UInt64(c.vocab)) }
    let mask = [Float](repeating: 1, count: n)
    let dPooled = (0..<(c.batch * c.dim)).map { _ in rng.normal() }
    let opt = AdamW(for: enc.parameters)
    opt.threads = c.rowThreads ?? c.encoderThreads ?? c.threads

    func median(_ body: () -> Void) -> (wall: Double, cpu: Double, main: Double) {
      for _ in 0..<c.warmup { body() }
      var times = [Double]()
      let cpu0 = TensorBenchmark.cpuTime()
      let main0 = TensorBenchmark.threadCPUTime()
      for _ in 0..<c.iterations {
        let t0 = TensorBenchmark.now()
        body()
        times.append(TensorBenchmark.now() - t0)
      }
      let cpu = (TensorBenchmark.cpuTime() - cpu0) / Double(c.iterations)
      let main = (TensorBenchmark.threadCPUTime() - main0) / Double(c.iterations)
      return (times.sorted()[times.count / 2], cpu, main)
    }
    enc.training = false
    let fwd = median { _ = enc.forward(tokens: tokens, mask: mask, batch: c.batch, length: c.length) }
    enc.training = true
    let train = median {
      enc.parameters.zeroGrad()
      _ = enc.forward(tokens: tokens, mask: mask, batch: c.batch, length: c.length)
      enc.backward(dPooled: dPooled, dStates: nil)
      enc.parameters.clipGradNorm(1)
      opt.update(enc.parameters, lr: 1e-4)
    }
    var mocoSeconds: Double? = nil
    var mocoMain: Double? = nil
    var mocoCPU: Double? = nil
    var mocoAB: (unsplit: Double, split: Double, speedup: Double)? = nil
    var hybridAB: (unsplit: Double, split: Double, speedup: Double)? = nil
    var hybrid: (wall: Double, cpu: Double, main: Double)? = nil
    var split = 1
    let other = (0..<n).map { _ in Int32(rng.next() % UInt64(c.vocab)) }
    let third = (0..<n).map { _ in Int32(rng.next() % UInt64(c.vocab)) }
    /// A MoCo (pure, or hybrid as hybrid-small.json) set up for timing.
    func makeMoCo(hybrid: Bool, unsplit: Bool = false) -> MoCo {
      var pc = PretrainConfig()
      (pc.dim, pc.layers, pc.heads, pc.ffn, pc.maxLength, pc.dropout) = (
        c.dim, c.layers, c.heads, c.ffn, c.length, c.dropout
      )
      (pc.queueSize, pc.projectionDim, pc.batchSize, pc.threads, pc.seed) = (
        c.queue, c.projection, c.batch, c.threads, c.seed
      )
      pc.dataParallel = unsplit ? 1 : c.dataParallel ?? pc.dataParallel
      if hybrid { (pc.mlmWeight, pc.mlmView) = (1, "original") }
      pc.steps = c.warmup + c.iterations + 1
      let moco = MoCo(config: pc, vocab: c.vocab)
      (moco.queryEncoder as? TransformerEncoder)?.threads = c.encoderThreads ?? c.threads
      (moco.keyEncoder as? TransformerEncoder)?.threads = c.encoderThreads ?? c.threads
      (moco.queryEncoder as? TransformerEncoder)?.rowThreads = c.rowThreads
      (moco.keyEncoder as? TransformerEncoder)?.rowThreads = c.rowThreads
      moco.encoderOptimizer.threads = c.rowThreads ?? c.encoderThreads ?? c.threads
      if !unsplit { split = moco.splitLanes(batch: c.batch) }
      return moco
    }
    let q = TokenBatch(tokens: tokens, mask: mask, batch: c.batch, length: c.length)
    let k = TokenBatch(tokens: other, mask: mask, batch: c.batch, length: c.length)
    /// Times `a` (unsplit) and `b` (split) alternately, A B then B A, after warming both up.
    func alternate(_ a: () -> Void, _ b: () -> Void) -> (unsplit: Double, split: Double, speedup: Double) {
      for _ in 0..<c.warmup {
        a()
        b()
      }
      var (ta, tb) = ([Double](), [Double]())
      func time(_ body: () -> Void) -> Double {
        let t0 = TensorBenchmark.now()
        body()
        return TensorBenchmark.now() - t0
      }
      for i in 0..<c.iterations {
        if i % 2 == 0 {
          ta.append(time(a))
          tb.append(time(b))
        } else {
          tb.append(time(b))
          ta.append(time(a))
        }
      }
      func med(_ x: [Double]) -> Double { x.sorted()[x.count / 2] }
      return (med(ta), med(tb), med(zip(ta, tb).map { $0 / $1 }))
    }
    let original = TokenBatch(tokens: third, mask: mask, batch: c.batch, length: c.length)
    if c.moco {
      let moco = makeMoCo(hybrid: false)
      let m = median { moco.step(query: q, key: k) }
      (mocoSeconds, mocoMain, mocoCPU) = (m.wall, m.main, m.cpu)
      if c.interleave {
        let old = makeMoCo(hybrid: false, unsplit: true)
        let new = makeMoCo(hybrid: false)
        mocoAB = alternate({ old.step(query: q, key: k) }, { new.step(query: q, key: k) })
      }
    }
    if c.hybrid {
      let moco = makeMoCo(hybrid: true)
      hybrid = median { moco.step(query: q, key: k, original: original) }
      if c.interleave {
        let old = makeMoCo(hybrid: true, unsplit: true)
        let new = makeMoCo(hybrid: true)
        hybridAB = alternate(
          { old.step(query: q, key: k, original: original) }, { new.step(query: q, key: k, original: original) })
      }
    }
    let peak = TensorBenchmark.sgemmPeak(size: 1024, threads: c.threads)
    var report = Report(
      config: c, forwardSeconds: fwd.wall, trainSeconds: train.wall, forwardCPUSeconds: fwd.cpu,
      trainCPUSeconds: train.cpu, forwardFlops: forwardFlops(c), sgemmPeakGFLOPs: peak, mocoSeconds: mocoSeconds,
      machine: BLASKernel.status())
    (report.forwardMainSeconds, report.trainMainSeconds, report.mocoMainSeconds) = (fwd.main, train.main, mocoMain)
    (report.hybridSeconds, report.hybridMainSeconds, report.dataParallel) = (hybrid?.wall, hybrid?.main, split)
    (report.mocoCPUSeconds, report.hybridCPUSeconds) = (mocoCPU, hybrid?.cpu)
    (report.mocoInterleaved, report.hybridInterleaved) = (mocoAB, hybridAB)
    return report
  }
}
