import Foundation
import Model
import Tensor

/// `codeintel pretrain`: pretraining of the encoder — MoCo contrastive learning (ContraCode), optionally with
/// masked-token prediction and a natural-positive stage — and retrieval evaluation of a model folder.
enum PretrainCommand: CLICommand {
  static let name = "pretrain"
  static let summary =
    "Pretrain the encoder: MoCo on augmented pairs, + masked tokens, + natural positives (or --evaluate a model)."
  static let help = """
    USAGE: codeintel pretrain --config FILE --out DIR [--resume] [--warm-start MODEL_DIR] [overrides]
           codeintel pretrain --resume --out DIR [--max-minutes M]
           codeintel pretrain --evaluate MODEL_DIR [--held-out FILE] [--candidates N] [--random-init]

    Trains a query encoder and projection head with AdamW while a key encoder follows them as a moving
    average (momentum m); past keys form a queue of negatives; the loss is InfoNCE with temperature τ.
    Every step draws two fresh augmented variants of each function (on background threads, ahead of the
    step) and tokenises them with subword regularisation. Every knob is in the JSON config
    (see Models/configs/*.json; missing keys take their defaults) and the flags below override it.

    OBJECTIVE: loss = mlmWeight * MLM + mocoWeight * InfoNCE. mlmWeight 0 (the default) is pure MoCo,
    exactly as before; mocoWeight 0 is MLM only. MLM is BERT's masked-token prediction: mlmProbability
    (0.15) of the non-special tokens are selected, 80 % become <mask>, 10 % a random id, 10 % stay; the
    output layer is tied to the token embedding (mlmTieEmbeddings). mlmView "query" masks the query view
    and shares its encoder pass with MoCo; "original" masks the function as written (no augmentation) in
    a pass of its own. Then, with naturalSteps > 0, a natural-positive stage of that many steps:
    same-problem solutions from naturalPairs (JSON Lines {"a": code, "b": code, "problem": key} or
    {"text": code, "problem": key}; docs/PRETRAINING.md) as positives, the batch's other problems (never
    the same one) and optional hard negatives as negatives, LaBSE's additive margin.
    Models/configs/hybrid-small.json is the hybrid run of issue 16; the shipped default model,
    Models/contracode-hybrid-small, is that config warm-started from Models/contracode-moco-small with
    --natural-pairs DATASETS/clone-pairs/natural-train.jsonl --natural-steps 300 (its MODEL_CARD.md has
    the exact commands as run).

    Writes into DIR: train.log and metrics.jsonl (loss, learning rate, pairs/s, held-out retrieval
    top-1/top-5), curve.svg (the training curve), checkpoint.bin (every --checkpoint-minutes and at the
    end; resume state, do not ship it), summary.json and model/ (config.json, tokenizer.json,
    encoder.safetensors, head.safetensors: a folder `--model` and CODEINTEL_MODEL accept).

    OPTIONS:
      --config FILE            Pretraining config (JSON). Required unless --resume.
      --out DIR                Output folder (created).
      --resume                 Continue exactly from DIR/checkpoint.bin (its config is used; a --config
                               whose model shape differs is refused).
      --warm-start MODEL_DIR   Start from a model folder's encoder (and projection head) and tokenizer
                               instead of random weights; with --resume, only when DIR has no
                               checkpoint (so a run whose checkpoint is gone continues from the shipped
                               model). A longer maxLength keeps the model's position rows and
                               repeats them past its length (row j gets row j mod the model's).
      --mlm-weight W           Weight of masked-token prediction (0: pure MoCo).
      --moco-weight W          Weight of MoCo's InfoNCE (0: MLM only).
      --natural-pairs FILE     Natural clone pairs (JSON Lines, train split) for the natural stage.
      --natural-steps N        Steps of the natural-positive stage after --steps (0: none).
      --natural-blind P        Show each solution of the natural stage identifier-blind (declared names
                               renamed v0, v1, …) with probability P (naturalBlindProbability; default
                               0: as before).
      --natural-rename Q       Show each solution not shown blind with every declared name renamed to
                               random words with probability Q (naturalRenameProbability; default 0).
      --max-length N           Longest token sequence (longer functions are cut).
      --steps N                Total optimizer steps (the learning-rate schedule ends there).
      --seed N                 Seed of initialisation, data order, augmentation, sampling and dropout.
      --train FILE             Training functions, JSON Lines with `text` (train split only).
      --held-out FILE          Held-out functions for retrieval (valid split while training).
      --tokenizer FILE         tokenizer.json (trained on the train split if the file is missing).
      --batch N                Functions per step.
      --queue N                Negative keys in the queue.
      --momentum M             Key-encoder momentum.
      --threads N              BLAS threads for the training math.
      --data-parallel N        Cut each step's batch into N slices computed side by side, one thread
                               each (default 2; 1: the whole batch on one thread with --threads BLAS
                               threads). Same results up to float summation order.
      --no-skip-padding        Encode the padded positions of each batch too, and the masked-token
                               pass's whole last block (the default computes only real tokens, and
                               that block only at the masked ones: same results up to float summation
                               order, less work). For measuring the difference.
      --augment-thread         Build the augmented batches on a background thread ahead of the step
                               (the default, with --data-parallel 2 or more, has the step's threads
                               build the next batch once their share of the step is done: the same
                               batches). For measuring the difference.
      --eval-every N           Retrieval evaluation every N steps.
      --checkpoint-minutes M   Minutes between checkpoints.
      --max-minutes M          Stop (checkpoint, export) after M minutes of this session.
      --evaluate MODEL_DIR     Only evaluate retrieval of a model folder and print it.
      --candidates N           Held-out candidates for --evaluate (default 1000).
      --random-init            With --evaluate: the same architecture at random initialisation.
      --format text|json       Output of --evaluate (default text).
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    if let modelDir = try scanner.option("--evaluate") {
      let heldOut = try scanner.option("--held-out")
      let candidates = try scanner.int("--candidates", in: 2...100_000) ?? 1000
      let randomInit = scanner.flag("--random-init")
      let format = try scanner.choice("--format", from: ["text", "json"]) ?? "text"
      let threads = try scanner.int("--threads", in: 1...64) ?? 2
      _ = try scanner.finish()
      return try evaluate(
        modelDir: modelDir, heldOut: heldOut, candidates: candidates, randomInit: randomInit,
        format: format, threads: threads)
    }
    let configPath = try scanner.option("--config")
    guard let out = try scanner.option("--out") else { throw UsageError("--out DIR is required") }
    let resume = scanner.flag("--resume")
    let warmStart = try scanner.option("--warm-start")
    var config: PretrainConfig
    let checkpointExists = FileManager.default.fileExists(
      atPath: URL(fileURLWithPath: (out as NSString).expandingTildeInPath).appendingPathComponent("checkpoint.bin").path
    )
    if resume && !checkpointExists && warmStart == nil {
      throw UsageError(
        "\(out) has no checkpoint.bin to resume: drop --resume to start a new run there, or add --warm-start MODEL_DIR")
    }
    if resume && (checkpointExists || warmStart == nil) {
      let checkpoint = URL(fileURLWithPath: (out as NSString).expandingTildeInPath)
        .appendingPathComponent("checkpoint.bin").path
      config = try Checkpoint.readHeader(path: checkpoint).0.config
      if let configPath {
        let given = try PretrainConfig.load(path: configPath)
        guard given.shapeSignature == config.shapeSignature else {
          throw PretrainError.checkpointMismatch(
            path: checkpoint,
            reason: "checkpoint \(config.shapeSignature), --config \(given.shapeSignature)")
        }
      }
    } else {
      guard let configPath else {
        throw UsageError(
          resume
            ? "--out DIR has no checkpoint.bin: a warm start needs --config FILE"
            : "--config FILE is required (or --resume with --out DIR)")
      }
      config = try PretrainConfig.load(path: configPath)
    }
    if let v = try scanner.int("--steps", in: 1...10_000_000) { config.steps = v }
    if let v = try scanner.int("--seed", in: 0...Int.max) { config.seed = UInt64(v) }
    if let v = try scanner.option("--train") { config.trainData = v }
    if let v = try scanner.option("--held-out") { config.heldOutData = v }
    if let v = try scanner.option("--tokenizer") { config.tokenizer = v }
    if let v = try scanner.int("--batch", in: 2...65_536) { config.batchSize = v }
    if let v = try scanner.int("--queue", in: 0...1_000_000) { config.queueSize = v }
    if let v = try scanner.double("--momentum", in: 0...0.999_999) { config.momentum = Float(v) }
    if let v = try scanner.int("--threads", in: 1...64) { config.threads = v }
    if let v = try scanner.int("--data-parallel", in: 1...64) { config.dataParallel = v }
    if scanner.flag("--no-skip-padding") { config.skipPadding = false }
    let augmentThread = scanner.flag("--augment-thread")
    if let v = try scanner.int("--eval-every", in: 0...10_000_000) { config.evalEvery = v }
    if let v = try scanner.double("--checkpoint-minutes", in: 0.01...100_000) { config.checkpointMinutes = v }
    if let v = try scanner.double("--max-minutes", in: 0...100_000) { config.maxMinutes = v }
    if let v = try scanner.double("--mlm-weight", in: 0...1_000) { config.mlmWeight = Float(v) }
    if let v = try scanner.double("--moco-weight", in: 0...1_000) { config.mocoWeight = Float(v) }
    if let v = try scanner.option("--natural-pairs") { config.naturalPairs = v }
    if let v = try scanner.int("--natural-steps", in: 0...10_000_000) { config.naturalSteps = v }
    if let v = try scanner.double("--natural-blind", in: 0...1) { config.naturalBlindProbability = v }
    if let v = try scanner.double("--natural-rename", in: 0...1) { config.naturalRenameProbability = v }
    if let v = try scanner.int("--max-length", in: 2...8192) { config.maxLength = v }
    _ = try scanner.finish()
    try config.validate()

    let trainer = try Pretrainer.fromFiles(config: config, output: out, resume: resume, warmStart: warmStart) {
      line in
      FileHandle.standardError.write(Data(("codeintel pretrain: " + line + "\n").utf8))
    }
    trainer.augmentInLanes = !augmentThread
    let s = try trainer.run()
    var lines = [
      "steps: \(s.steps) (\(s.sessionSteps) this session, \(String(format: "%.0f", s.sessionSeconds)) s)",
      String(
        format: "training throughput: %.1f functions/s (pairs/s); waited for data %.1f%% of the time",
        s.pairsPerSecond, 100 * s.dataWaitShare),
      String(format: "final loss: %.4f", s.finalLoss),
    ]
    if let r = s.initialRetrieval {
      let start = warmStart == nil ? "random init" : "warm start"
      lines.append(String(format: "retrieval at step 0 (\(start)): top-1 %.3f, top-5 %.3f", r.top1, r.top5))
    }
    if let r = s.finalRetrieval {
      lines.append(
        String(
          format: "retrieval at step %d: top-1 %.3f, top-5 %.3f among %d; inference %.0f functions/s",
          s.steps, r.top1, r.top5, r.candidates, r.functionsPerSecond))
    }
    lines.append("model: \(out)/model")
    print(lines.joined(separator: "\n"))
    return 0
  }

  // MARK: - Evaluation only

  static func evaluate(
    modelDir: String, heldOut: String?, candidates: Int, randomInit: Bool, format: String,
    threads: Int
  ) throws -> Int32 {
    BLAS.setThreads(threads)
    let model = try PretrainedModel.load(directory: modelDir)
    var config = model.info.pretrain
    config.threads = threads
    let path = heldOut ?? config.heldOutData
    let units = try FunctionUnit.readJSONLines(path: path, minBytes: 20)
    let bench = RetrievalBenchmark(
      units: units, count: candidates, tokenizer: model.tokenizer,
      maxLength: model.info.maxLength, seed: config.seed)
    let encoder = randomInit ? MoCo(config: config, vocab: model.tokenizer.vocabSize).queryEncoder : model.encoder
    let r = bench.evaluate(encoder: encoder)
    if format == "json" {
      let e = JSONEncoder()
      e.outputFormatting = [.sortedKeys]
      print(String(decoding: try e.encode(r), as: UTF8.self))
    } else {
      let name = model.info.name + (randomInit ? " (random init)" : "")
      print(
        "\(name): retrieval among \(r.candidates) held-out functions from \(path): "
          + String(format: "top-1 %.3f, top-5 %.3f", r.top1, r.top5)
          + " (\(bench.unchangedQueries) queries unchanged by augmentation); "
          + String(format: "inference %.0f functions/s", r.functionsPerSecond))
    }
    return 0
  }
}
