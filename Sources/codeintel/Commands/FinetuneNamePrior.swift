import CodeIntel
import Corpus
import Foundation
import Heads

/// `codeintel finetune name-prior`: writes the type suggestions' name prior (`TypeNamePrior`) into a type-head
/// folder, for folders written before `finetune types` wrote it itself.
enum FinetuneNamePrior {
  static let help = """
    name-prior
             Count the types dataset's train split into DIR/name-prior.json: for each name, the types
             train annotates it with, the name prior that suggest-types, the LSP and eval types rank
             with the type head's candidates (docs/TYPES.md), and the generic names train labels apply
             (a bare generic imported from a package is expanded into applications to the file's
             types). `finetune types` writes it too; this adds it to a head folder made without it.
             --out DIR            the type-head folder (required; must hold its config.json)
             --min-packages N     keep a (name, type) pair annotated in >= N train packages (default 2)
             --datasets DIR       dataset folder (default ~/.cache/codeintel/datasets-v2); reads types/
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    guard let out = try scanner.option("--out") else { throw UsageError("--out DIR is required") }
    let datasets = try scanner.datasets()
    let minPackages = try scanner.int("--min-packages", in: 1...1000) ?? 2
    guard try scanner.finish().isEmpty else { throw UsageError("unexpected arguments") }
    let dir = URL(fileURLWithPath: (out as NSString).expandingTildeInPath)
    guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("config.json").path) else {
      throw CodeIntelError(
        "\(dir.path): not a type-head folder (no config.json); make one with `codeintel finetune types`")
    }
    let prior = try TypeNamePrior.build(
      typesDirectory: URL(fileURLWithPath: datasets).appendingPathComponent("types").path, minPackages: minPackages)
    try prior.write(to: dir)
    let pairs = prior.names.values.reduce(0) { $0 + $1.types.count }
    print(
      "\(prior.names.count) names, \(pairs) (name, type) pairs, \(prior.generics?.count ?? 0) generic names from \(prior.dataset.files) train files "
        + "(\(prior.dataset.packages) packages; train.jsonl sha256 \(prior.dataset.sha256)); "
        + "wrote \(dir.appendingPathComponent(TypeNamePrior.fileName).path)")
    return 0
  }
}
