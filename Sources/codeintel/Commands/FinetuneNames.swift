import CodeIntel
import Corpus
import Foundation
import Heads
import Model
import Randomness

/// `codeintel finetune names`: trains the method-name head on the method-names dataset.
enum FinetuneNames {
  static let help = """
      names    Fine-tunes the pretrained encoder together with a small Transformer decoder that writes
               a function's name as subtokens (cross-attention over the encoder's token states), on
               method-names/train.jsonl (inputs tokenised with the model's tokenizer and truncated to
               --max-length tokens). AdamW, linear warm-up then cosine decay, no dropout; logs loss and
               functions/s, the teacher-forced valid loss, and at the end beam-5 subtoken F1 on valid.
               Writes a head folder DIR that `suggest-names`, `eval names` and codeintel-lsp load:
               config.json (format codeintel-names v1: sizes, the pretrained encoder's sha256 and steps,
               the recipe), encoder.safetensors (fine-tuned), decoder.safetensors, subtokens.json,
               tokenizer.json, metrics.jsonl, summary.json, and checkpoint/ (resume state; do not ship).
               Install it as Models/<model>/names/ to make it the default. See docs/NAMES.md.

      OPTIONS (names):
        --pretrained DIR      The pretrained model folder (default: the installed default model).
        --out DIR             The head folder to write (created).
        --random-init         Same encoder architecture and tokenizer, random weights (the "without
                              pretraining" row); train it with the same budget.
        --steps N             Optimiser steps (the cosine schedule ends there).
        --max-minutes M       Or: train for M minutes of wall time (the schedule follows the time spent).
        --batch B             Functions per step (default 16).
        --lr X                Peak learning rate (default 7e-4).
        --warmup N            Warm-up steps (default 30).
        --seed S              Seed of initialisation and data order (default 1).
        --max-length N        Encoder input tokens (default 64, or --init-head's; at most the model's maximum).
        --decoder-layers N    1 or 2 (default 1).
        --copy on|off         Pointer-generator decoder (default on): a learned gate mixes the subtoken
                              distribution with attention over the input's own subtokens (copying).
        --subtokens N         Subtoken vocabulary size, specials included (default 4000).
        --context path|path+siblings|none
                              What the head reads beside the function (default none, or --init-head's):
                              path = the last two folders and the file name, written before the
                              function as a string ("core/logger/format";), so their words can be
                              copied into a name. Recorded in config.json; suggest-names, eval names
                              and the editor give such a head the same text (docs/NAMES.md).
                              path+siblings = the place, then up to 8 other function names of the
                              file, nearest first ([setZoom, zoomIn];): from the dataset's records in
                              training and eval names, from the file's functions in suggest-names and
                              the editor.
        --context-dropout P   Leave out the context of a training function with probability P
                              (seeded; valid functions and the product always have it): the head
                              learns to do without an uninformative place. Default 0.
        --threads N           BLAS and attention threads (default 2).
        --eval-every N        Valid loss every N steps (default 100; 0: only at the end).
        --final-eval N        Valid functions decoded at the end for F1 (default 300; 0: none).
        --datasets DIR        The datasets folder (default ~/.cache/codeintel/datasets-v2); reads method-names/:
                              train.jsonl, and for the valid loss and F1 valid.jsonl interleaved with
                              as many github-valid.jsonl functions (spread over its repositories) when
                              that file exists, so each measure sees both.
        --limit N             Only the first N training functions (smoke tests).
        --resume              Continue exactly from DIR/checkpoint/ (same options).
        --init-head HEAD      Warm start: continue training a finished head folder HEAD (its fine-tuned
                              encoder, decoder, tokenizer and subtokens.json; the vocabulary stays the
                              head's, and so do --max-length, --decoder-layers, --copy and --subtokens
                              unless given). A fresh schedule (warm-up, cosine) and data order from step 0;
                              config.json records the head it began from. Without --pretrained the head's
                              own encoder architecture and length are the run's; with it, a head of
                              another architecture, length or tokenizer is refused. Not with --random-init.
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    var config = NameFinetuneConfig()
    let pretrainedDir = try scanner.option("--pretrained")
    guard let out = try scanner.option("--out") else { throw UsageError("finetune names needs --out DIR") }
    config.randomInit = scanner.flag("--random-init")
    config.steps = try scanner.int("--steps", in: 1...10_000_000) ?? 0
    config.maxMinutes = try scanner.double("--max-minutes", in: 0.01...100_000) ?? 0
    // batch 16 and 64 input tokens: more updates and twice the functions per minute in a ~10-minute budget
    // (docs/NAMES.md: valid loss 4.44 vs 4.63 after 9 minutes with batch 32 and 128 tokens)
    config.batchSize = try scanner.int("--batch", in: 1...4096) ?? 16
    config.learningRate = Float(try scanner.double("--lr", in: 1e-7...1) ?? Double(config.learningRate))
    config.warmupSteps = try scanner.int("--warmup", in: 0...1_000_000) ?? config.warmupSteps
    config.seed = UInt64(try scanner.int("--seed", in: 0...Int.max) ?? Int(config.seed))
    let maxLength = try scanner.int("--max-length", in: 8...100_000)
    let decoderLayers = try scanner.int("--decoder-layers", in: 1...2)
    let copy = try scanner.choice("--copy", from: ["on", "off"]).map { $0 == "on" }
    let subtokens = try scanner.int("--subtokens", in: 16...1_000_000)
    let initHeadDir = try scanner.option("--init-head")
    // a warm start keeps the head's shape unless an option asks otherwise (then it is refused below)
    let initHead = try initHeadDir.map { try NameHead.load(directory: $0, withRetrieval: false) }
    config.maxLength = maxLength ?? initHead?.info.maxLength ?? 64
    config.decoderLayers = decoderLayers ?? initHead?.decoder.config.layers ?? config.decoderLayers
    config.pointerGenerator = copy ?? initHead?.decoder.config.copy ?? true
    config.subtokenVocab = subtokens ?? initHead?.info.training.subtokenVocab ?? config.subtokenVocab
    if let head = initHead {
      config.decoderFFN = head.decoder.config.ffn
      config.maxSubtokens = head.info.maxSubtokens
    }
    let contextChoice = try scanner.choice("--context", from: ["path", "path+siblings", "none"])
    config.inputContext =
      contextChoice.map { $0 == "none" ? nil : NameInputContext(rawValue: $0) } ?? initHead?.inputContext
    let contextDropout = try scanner.double("--context-dropout", in: 0...1) ?? 0
    if contextDropout > 0 && config.inputContext == nil {
      throw UsageError("--context-dropout needs a context (--context path, or a head that reads one)")
    }
    config.inputContextDropout = contextDropout > 0 ? contextDropout : nil
    config.threads = try scanner.int("--threads", in: 1...64) ?? config.threads
    config.evalEvery = try scanner.int("--eval-every", in: 0...10_000_000) ?? config.evalEvery
    config.finalEvalExamples = try scanner.int("--final-eval", in: 0...10_000_000) ?? config.finalEvalExamples
    let datasets = try scanner.datasets()
    let limit = try scanner.int("--limit", in: 1...10_000_000) ?? 0
    let resume = scanner.flag("--resume")
    guard try scanner.finish().isEmpty else { throw UsageError("finetune names takes no positional arguments") }
    guard config.steps > 0 || config.maxMinutes > 0 else { throw UsageError("give --steps N or --max-minutes M") }

    if initHead != nil, config.randomInit {
      throw UsageError("--init-head continues a trained head and cannot be combined with --random-init")
    }
    // with --init-head and no --pretrained, the head's own encoder is the start
    let model = initHead != nil && pretrainedDir == nil ? nil : try PretrainedModel.loadDefault(explicit: pretrainedDir)
    let dir = (datasets as NSString).expandingTildeInPath + "/method-names"
    var generator = SplitMix64(seed: config.seed &+ 0x5EED_C0DE)
    // path+siblings: each function's file's other names, from the whole split (before any sampling)
    let train = try MethodNameRecord.read(path: dir + "/train.jsonl", limit: limit, for: config.inputContext).map {
      // with --context-dropout P, a train function is left without its context with probability P (seeded)
      generator.unit() < contextDropout ? $0 : $0.withContext(config.inputContext)
    }
    var valid = try MethodNameRecord.read(path: dir + "/valid.jsonl", for: config.inputContext).map {
      $0.withContext(config.inputContext)
    }
    if FileManager.default.fileExists(atPath: dir + "/github-valid.jsonl") {
      // as many GitHub functions as Debian ones, spread over the GitHub valid repositories
      let github = try MethodNameRecord.read(path: dir + "/github-valid.jsonl", for: config.inputContext).map {
        $0.withContext(config.inputContext)
      }
      valid = MethodNameRecord.interleaved(valid, MethodNameRecord.spread(github, count: valid.count))
    }
    printError(
      "finetune names: \(train.count) train, \(valid.count) valid functions; encoder from "
        + (model?.directory.path ?? "the head \(initHeadDir ?? "")")
        + (config.inputContext.map { "; context: \($0.rawValue)" } ?? ""))
    let trainer: NameFinetuner
    if let model {
      let encoderPath = model.directory.appendingPathComponent(model.info.encoder).path
      let origin = NameHead.Origin(
        model: model.info.name, encoderSHA256: try NameFinetuner.sha256(ofFile: encoderPath), steps: model.info.steps)
      trainer = try NameFinetuner(
        config: config, pretrained: model, origin: origin, train: train, valid: valid, output: out, resume: resume,
        initHead: initHead, log: { printError($0) })
    } else {
      trainer = try NameFinetuner(
        config: config, initHead: initHead!, train: train, valid: valid, output: out, resume: resume,
        log: { printError($0) })
    }
    let s = try trainer.run()
    var line = String(
      format: "finetune names: %d steps, %.0f s, %.1f functions/s, final loss %.4f", s.steps, s.trainingSeconds,
      s.functionsPerSecond, s.finalLoss)
    if let m = s.valid {
      line += String(
        format: "; valid F1 %.3f (P %.3f R %.3f, exact %.3f, %d functions)", m.f1, m.precision, m.recall, m.exactMatch,
        m.examples)
    }
    print(line)
    print("head folder: \(out)")
    return 0
  }
}
