import CodeIntel
import Corpus
import Foundation
import Heads
import Model
import Tensor

/// `codeintel finetune name-retrieval`: builds a name head's retrieval datastore (`retrieval.bin`).
enum FinetuneNameRetrieval {
  static let help = """
    name-retrieval
             Embed the method-names TRAIN split with the name head's own encoder into DIR/retrieval.bin:
             one int8 vector and one name per train function (docs/NAMES.md, "Retrieval"). With it,
             suggest-names, the LSP and eval names rank the names of the nearest train functions
             together with the decoder's beams (the head's config.json "retrieval" says how).
             --out DIR            the name-head folder (required; must hold its config.json)
             --datasets DIR       dataset folder (default ~/.cache/codeintel/datasets-v2); reads
                                  method-names/train.jsonl (use the build the head was trained on)
             --max-entries N      keep N functions spread evenly over the split (0 = all, the default),
                                  to keep the file small (N × (dim + 4) bytes plus the names)
             --embedding head|model   whose vectors: the name head's own encoder (default), or the
                                  pooled embedding of the pretrained model whose folder holds DIR
             --threads N          BLAS and attention threads (default 2)
             --limit N            only the first N train functions (smoke tests)
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    guard let out = try scanner.option("--out") else { throw UsageError("--out DIR is required") }
    let datasets = try scanner.datasets()
    let maxEntries = try scanner.int("--max-entries", in: 0...100_000_000) ?? 0
    let threads = try scanner.int("--threads", in: 1...64) ?? 2
    let limit = try scanner.int("--limit", in: 1...100_000_000) ?? 0
    let embedding = try scanner.choice("--embedding", from: ["head", "model"]) ?? "head"
    guard try scanner.finish().isEmpty else { throw UsageError("unexpected arguments") }
    BLAS.setThreads(threads)
    let dir = (out as NSString).expandingTildeInPath
    // Build against the head without its old datastore (a stale one would refuse to load).
    let head = try NameHead.load(directory: dir, withRetrieval: false)
    if let t = head.encoder as? TransformerEncoder { t.threads = threads }
    let path = (datasets as NSString).expandingTildeInPath + "/method-names/train.jsonl"
    // the file's other names (a `path+siblings` head) come from the whole split, before subsampling
    let all = try MethodNameRecord.read(path: path, limit: limit, for: head.inputContext)
    let records = NameDatastoreBuilder.subsample(all, maxEntries: maxEntries)
    guard !records.isEmpty else { throw CodeIntelError("\(path) has no examples") }
    let packages = Set(records.map(\.package)).count
    printError(
      "finetune name-retrieval: embedding \(records.count) of \(all.count) train functions (\(packages) repositories)…")
    let t0 = Date()
    let source =
      "\(path): \(records.count) of \(all.count) functions"
      + (records.count < all.count ? " spread evenly over the split" : "") + ", \(packages) repositories"
    let progress = { (done: Int, total: Int) in
      printError(String(format: "  %d / %d (%.0f s)", done, total, Date().timeIntervalSince(t0)))
    }
    let store: NameDatastore
    if embedding == "model" {
      let model = try PretrainedModel.load(directory: head.directory.deletingLastPathComponent().path)
      if let t = model.encoder as? TransformerEncoder { t.threads = threads }
      store = try NameDatastoreBuilder.build(
        model: model, head: head, records: records, source: source, progress: progress)
    } else {
      store = try NameDatastoreBuilder.build(head: head, records: records, source: source, progress: progress)
    }
    let url = head.directory.appendingPathComponent(NameDatastore.fileName)
    try store.write(to: url)
    let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    print(
      String(
        format: "%d functions, %d distinct names, dimension %d, %.1f MB, %.0f s; wrote %@", store.count,
        store.names.count, store.dimension, Double(size) / 1e6, Date().timeIntervalSince(t0), url.path))
    return 0
  }
}
