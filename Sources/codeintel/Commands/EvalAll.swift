import CodeIntel
import Foundation
import Model

/// `codeintel eval` / `codeintel eval all`: regenerates docs/EVALUATION.md from every section.
enum EvalAll {
  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    let out = try scanner.option("--out") ?? "docs/EVALUATION.md"
    let tsc = scanner.flag("--tsc")
    let quick = scanner.flag("--quick")
    let models = try scanner.all("--model")
    let data = try scanner.option("--data")
    let datasets = try scanner.option("--datasets")
    let tries = try scanner.int("--tries", in: 1...64)
    let clonePairs = try scanner.int("--clone-pairs", in: 2...Int.max)
    let typeHeads = try scanner.all("--types-model")
    let nameHeads = try scanner.all("--names-model")
    let edits = try scanner.option("--edits")
    guard try scanner.finish().isEmpty else { throw UsageError("unexpected arguments") }

    var typesArgs = datasets.map { ["--datasets", $0] } ?? []
    if tsc { typesArgs.append("--tsc") }
    if quick { typesArgs += ["--limit", "5"] }
    typesArgs += typeHeads.flatMap { ["--types-model", $0] }
    let namesArgs: [String] = (quick ? ["--limit", "20"] : []) + nameHeads.flatMap { ["--names-model", $0] }
    var clonesArgs = models.flatMap { ["--model", $0] } + ["--random-init"]
    if let data { clonesArgs += ["--data", data] }
    if let datasets { clonesArgs += ["--datasets", datasets] }
    if let tries { clonesArgs += ["--tries", String(tries)] }
    if let edits { clonesArgs += ["--edits", edits] }
    if let clonePairs { clonesArgs += ["--limit", String(clonePairs)] }
    if quick { clonesArgs.append("--quick") }

    let modelDirectory = models.first ?? (try? PretrainedModel.loadDefault(explicit: nil))?.directory.path
    let cwd = FileManager.default.currentDirectoryPath
    func display(_ path: String) -> String {
      let p = URL(fileURLWithPath: path).standardizedFileURL.path
      return p.hasPrefix(cwd + "/") ? String(p.dropFirst(cwd.count + 1)) : p
    }
    func command(_ sub: String, _ a: [String]) -> String {
      (["codeintel", "eval", sub] + a).joined(separator: " ")
    }
    let header = EvaluationDocument.Header(
      date: Date(), commit: EvaluationDocument.gitCommit(in: cwd),
      command: (["codeintel", "eval"] + args).joined(separator: " "),
      modelDirectory: modelDirectory.map(display),
      modelHashes: modelDirectory.map { EvaluationDocument.hashes(of: URL(fileURLWithPath: $0)) } ?? [],
      cpuCount: ProcessInfo.processInfo.activeProcessorCount, cpuModel: EvaluationDocument.cpuModel())
    let sections = [
      EvaluationDocument.Section(title: "Types", slug: "types", command: command("types", typesArgs)) {
        try EvalTypes.markdown(typesArgs)
      },
      EvaluationDocument.Section(title: "Method names", slug: "names", command: command("names", namesArgs)) {
        try EvalNames.markdown(namesArgs)
      },
      EvaluationDocument.Section(title: "Clones", slug: "clones", command: command("clones", clonesArgs)) {
        try EvalClones.markdown(clonesArgs)
      },
    ]
    let outURL = URL(fileURLWithPath: out)
    let notes = outURL.deletingLastPathComponent().appendingPathComponent("evaluation-notes")
    let document = EvaluationDocument(
      header: header, sections: sections,
      notes: FileManager.default.fileExists(atPath: notes.path) ? notes : nil)
    let text = document.render { printError("codeintel eval: \($0)…") }
    // Written only once everything ran, through a temporary file: a failure leaves the old document.
    let temporary = outURL.deletingLastPathComponent().appendingPathComponent(".\(outURL.lastPathComponent).tmp")
    do {
      try Data(text.utf8).write(to: temporary)
    } catch {
      throw CodeIntelError("cannot write \(out): \(error.localizedDescription)")
    }
    guard rename(temporary.path, outURL.path) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temporary)
      throw CodeIntelError("cannot write \(out): \(reason)")
    }
    printError("codeintel eval: wrote \(out)")
    return 0
  }
}
