import CodeIntel
import Corpus
import Foundation
import Heads
import Model

/// `codeintel finetune types`: trains the type head on the types dataset.
enum FinetuneTypes {
  static let help = """
      types    Fine-tune the encoder with the type head (docs/TYPES.md) on the types dataset and write a
               head folder (config.json, encoder.safetensors, typehead.safetensors, tokenizer.json,
               metrics.jsonl, name-prior.json: the name prior counted on train, see name-prior below);
               put it at Models/<model>/types/ to make it the default.
               --pretrained DIR     the pretrained model folder (required unless --init-head)
               --init-head HEAD     continue a finished head folder HEAD instead (its fine-tuned
                                    encoder, head and vocabulary; optimizer and schedule start
                                    fresh); not with --random-init
               --window N           encoder tokens per window (default 128, or HEAD's); longer than
                                    the encoder's positions repeats its position rows, so each site
                                    sees at least N/4 tokens on each side
               --out DIR            the head folder to write (required)
               --random-init        same architecture from random weights ("without pretraining" row)
               --steps N            optimizer steps (default 1500), or
               --max-minutes M      train for M minutes (the cosine decay runs over wall-clock time)
               --lr X               peak learning rate of the head (default 1e-3; encoder 0.3 × X)
               --batch N            windows per step (default 16)
               --min-packages N     closed vocabulary: train types used in >= N packages; name prior:
                                    (name, type) pairs annotated in >= N packages (default 2)
               --seed S             seed for initialisation, data order and dropout (default 1)
               --vocabulary N       closed vocabulary size at most (default 2000)
               --vocabulary-from HEAD
                                    take HEAD's closed vocabulary instead (so the new head can be
                                    averaged with HEAD: eval types --types-partner, "partners")
               --threads N          compute threads (default 2)
               --datasets DIR       dataset folder (default ~/.cache/codeintel/datasets-v2)
               --resume             continue from DIR/checkpoint (same --seed and --random-init)
               --train-limit N      only the first N train files (smoke tests)
               --valid-limit N      only the first N valid files
      """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    let pretrained = try scanner.option("--pretrained")
    let initHead = try scanner.option("--init-head")
    guard pretrained != nil || initHead != nil else { throw UsageError("--pretrained DIR (or --init-head HEAD) is required") }
    guard pretrained == nil || initHead == nil else {
      throw UsageError("--pretrained and --init-head do not go together (a head folder names its encoder)")
    }
    guard let out = try scanner.option("--out") else { throw UsageError("--out DIR is required") }
    let datasets = try scanner.datasets()
    var options = TypeHeadTraining.Options(pretrained: pretrained ?? "", out: out, datasets: datasets)
    options.initHead = initHead
    options.randomInit = scanner.flag("--random-init")
    guard initHead == nil || !options.randomInit else {
      throw UsageError("--init-head continues a trained head; --random-init does not go with it")
    }
    options.windowLength = try scanner.int("--window", in: 16...1024)
    options.vocabularyFrom = try scanner.option("--vocabulary-from")
    options.steps = try scanner.int("--steps", in: 1...10_000_000)
    options.maxMinutes = try scanner.double("--max-minutes", in: 0.01...100_000)
    guard options.steps == nil || options.maxMinutes == nil else {
      throw UsageError("--steps and --max-minutes do not go together")
    }
    if options.steps == nil && options.maxMinutes == nil { options.steps = 1500 }
    if let lr = try scanner.double("--lr", in: 1e-7...1) { options.lr = Float(lr) }
    if let b = try scanner.int("--batch", in: 1...1024) { options.batchWindows = b }
    if let m = try scanner.int("--min-packages", in: 1...1000) { options.minPackages = m }
    if let v = try scanner.int("--vocabulary", in: 1...100_000) { options.vocabularySize = v }
    if let t = try scanner.int("--threads", in: 1...64) { options.threads = t }
    if let s = try scanner.int("--seed", in: 0...Int.max) { options.seed = UInt64(s) }
    options.resume = scanner.flag("--resume")
    options.trainLimit = try scanner.int("--train-limit", in: 1...Int.max)
    options.validLimit = try scanner.int("--valid-limit", in: 1...Int.max)
    if let n = try scanner.int("--log-every", in: 1...Int.max) { options.logEvery = n }
    if let n = try scanner.int("--checkpoint-every", in: 1...Int.max) { options.checkpointEvery = n }
    options.stopAfter = try scanner.int("--stop-after", in: 1...Int.max)
    guard try scanner.finish().isEmpty else { throw UsageError("unexpected arguments") }
    _ = try TypeHeadTraining(options: options).run()
    return 0
  }
}
