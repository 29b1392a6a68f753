import Foundation

/// `codeintel finetune types|names|name-prior`: fine-tunes a pretrained encoder with a task head, or counts the
/// type head's name prior.
enum FinetuneCommand: CLICommand {
  static let name = "finetune"
  static let summary = "Fine-tune the pretrained encoder with the type head or the method-name head."
  static var help: String {
    """
    USAGE: codeintel finetune types|names --pretrained DIR --out DIR [options]
           codeintel finetune name-prior --out DIR [options]
           codeintel finetune name-threshold --out DIR [options]
           codeintel finetune name-retrieval --out DIR [options]
           codeintel finetune clones --out DIR [options]
           codeintel finetune type-threshold --out DIR [options]
           codeintel finetune types-datastore --out DIR [options]
           codeintel finetune type-ranker --out DIR [options]

    \(FinetuneTypes.help)

    \(FinetuneNames.help)

    \(FinetuneNamePrior.help)

    \(FinetuneNameThreshold.help)

    \(FinetuneNameRetrieval.help)

    \(FinetuneClones.help)

    \(FinetuneTypeThreshold.help)

    \(FinetuneTypesDatastore.help)

    \(FinetuneTypeRanker.help)
    """
  }

  static func run(_ args: [String]) throws -> Int32 {
    switch args.first {
    case "types": return try FinetuneTypes.run(Array(args.dropFirst()))
    case "names": return try FinetuneNames.run(Array(args.dropFirst()))
    case "name-prior": return try FinetuneNamePrior.run(Array(args.dropFirst()))
    case "name-threshold": return try FinetuneNameThreshold.run(Array(args.dropFirst()))
    case "name-retrieval": return try FinetuneNameRetrieval.run(Array(args.dropFirst()))
    case "clones": return try FinetuneClones.run(Array(args.dropFirst()))
    case "type-threshold": return try FinetuneTypeThreshold.run(Array(args.dropFirst()))
    case "types-datastore": return try FinetuneTypesDatastore.run(Array(args.dropFirst()))
    case "type-ranker": return try FinetuneTypeRanker.run(Array(args.dropFirst()))
    default:
      throw UsageError(
        "say which head: types, names, name-prior, name-threshold, name-retrieval, type-threshold, type-ranker, "
          + "types-datastore or clones")
    }
  }
}
