import Augment
import CodeIntel
import Foundation
import Syntax

/// `codeintel augment`: semantics-preserving variants of a file or of one function in it.
enum AugmentCommand: CLICommand {
  static let name = "augment"
  static let summary = "Print semantics-preserving variants of a file or function (ContraCode's transforms)."
  static var help: String {
    """
    USAGE: codeintel augment <file> [--function NAME] [-n N] [--seed S] [--transforms a,b,...]
                             [--format text|json]

    Draws N variants (default 5) of the file, or of the function called NAME in it, from the
    seeded composition of transforms ContraCode trains on. The same seed gives the same bytes.
    Every variant is re-parsed: a transform that would add a syntax error is skipped. When the
    input itself has syntax errors (tree-sitter's grammar also rejects a few valid forms, such as a
    tagged template with an invalid escape, tag`\\unicode`), `reformat` cannot run on it: each
    variant's header says so, with the first error's line.

    OPTIONS:
      --function NAME      Transform only this function unit (the first with that name).
      -n N                 Number of variants (default 5).
      --seed S             Seed (default 0).
      --transforms LIST    Apply exactly these transforms, each every time, instead of the random
                           composition, in the pipeline's order whatever the order of LIST:
                           \(AugmentConfig.contraCode.steps.map(\.transform.name).joined(separator: ", ")).
                           `subsample` deliberately changes behaviour (a training regulariser).
                           "applied" lists the transforms that changed the text when they ran (a later
                           one can undo an earlier one: mangle may rename a variable back to `a`).
      --format text|json   Output format (default text). JSON: [{"text", "applied", "preservesSemantics"}].
    """
  }

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    let function = try scanner.option("--function")
    let count = try scanner.int("-n", in: 1...10_000) ?? 5
    let seed = UInt64(try scanner.int("--seed", in: 0...Int.max) ?? 0)
    let transforms = try scanner.option("--transforms").map { $0.split(separator: ",").map(String.init) }
    let json = try scanner.choice("--format", from: ["text", "json"]) == "json"
    let positionals = try scanner.finish()
    guard positionals.count == 1, let path = positionals.first else { throw UsageError("give exactly one file") }
    let file = try SourceFile.load(path)
    var source = String(decoding: file.bytes, as: UTF8.self)
    if let function {
      let parsed = try ParsedFile(file)
      guard let unit = parsed.units.first(where: { $0.name == function }) else {
        let names = Set(parsed.units.compactMap(\.name)).sorted().prefix(10).joined(separator: ", ")
        throw CodeIntelError("\(path): no function named '\(function)' (functions here: \(names))")
      }
      source = String(decoding: file.bytes[unit.byteRange], as: UTF8.self)
    }
    let broken = try firstSyntaxError(in: source, language: file.language)
    let variants: [Variant]
    do {
      variants = try augment(source: source, language: file.language, seed: seed, transforms: transforms, count: count)
    } catch let error as AugmentError {
      throw UsageError(error.description)
    }
    if json, let broken, transforms?.contains("reformat") ?? true {
      printError("codeintel: \(path): reformat skipped: the input has syntax errors, the first at line \(broken)")
    }
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      print(String(decoding: try encoder.encode(variants), as: UTF8.self))
    } else {
      for (k, v) in variants.enumerated() {
        var flag = v.preservesSemantics ? "" : "  (line subsampling: NOT behaviour-preserving)"
        if let broken, transforms?.contains("reformat") ?? true {
          flag += "  (reformat skipped: the input has syntax errors, the first at line \(broken))"
        }
        print("// variant \(k + 1) of \(variants.count), seed \(seed): \(v.applied.isEmpty ? "unchanged" : v.applied.joined(separator: ", "))\(flag)")
        print(v.text)
      }
    }
    return 0
  }

  /// The 1-based line of the first syntax error in `source`, or nil when it parses cleanly.
  static func firstSyntaxError(in source: String, language: Language) throws -> Int? {
    let tree = try Parser(language: language).parse(source)
    guard tree.root.hasError else { return nil }
    var first: Int?
    tree.root.walk { node in
      guard first == nil, node.hasError || node.isMissing else { return false }
      if node.isError || node.isMissing {
        first = LineIndex(tree.bytes).bytePosition(ofByte: node.startByte).line + 1
        return false
      }
      return true
    }
    return first ?? 1
  }
}
