import CloneIndex
import CodeIntel
import Foundation
import Heads
import Syntax

/// `codeintel suggest-types`: type suggestions for unannotated sites, and the annotation writer.
enum SuggestTypesCommand: CLICommand {
  static let name = "suggest-types"
  static let summary = "Suggest types for unannotated parameters, returns and variables (--apply to write them)."
  static let help = """
    USAGE: codeintel suggest-types <file-or-dir>... [--min-confidence P] [--diff | --apply] [--all]
                                   [--no-check] [--no-project] [--jsdoc] [--format text|json]
                                   [--types-model DIR | --no-model] [--quiet]

    Lists suggested types, with confidences, positions and the evidence behind them, where an
    annotation adds information the compiler does not have: parameters of functions that take no
    type from their context (a callback passed as an argument or assigned to a typed variable is
    left alone), variables and class properties without an initialiser (or initialised with null,
    undefined, [] or {}), rest and destructured parameters, and the return types of exported
    functions and public methods of exported classes. --all also lists the sites whose type the
    compiler infers (`const n = 1`, `: void` on a callback). JavaScript files get every site,
    written as JSDoc (`@param {T} name`, `@returns {T}`) with --jsdoc.

    A suggested type only names types in scope: declared or imported in the file, a type parameter
    around the site, or a global lib type (Array, Map, Promise, Date, HTMLElement, ...); never a
    value (`new X()` where X is a variable), a generic without its type arguments, or `any`.

    Suggestions come from deterministic evidence (literal initialisers, `new C()`, default values,
    homogeneous arrays, rows of one shape as tuple lists, `as T`, returns of literals) and, for
    TypeScript files when a type head is installed (Models/<model>/types/, or --types-model DIR), from
    the learned type head and its name prior (the types the training split gave the same name,
    name-prior.json in the head folder), rewritten into the outer shape the code fixes (an async
    return is Promise<…>, a function returning only arrays it makes returns …[], …; docs/TYPES.md).
    A head candidate's confidence is its softmax probability, a name-prior candidate's the
    (smoothed) share of the name's training annotations; the two are ranked together by
    confidence, and evidence goes first where it is confident (docs/TYPES.md). Without a type head
    everything works from the evidence alone.

    With a type head, the project's own annotations are a source too: the types the other .ts/.tsx
    files of the file's project (the folder of the nearest tsconfig.json, else package.json, above
    it; node_modules and .d.ts files left out) give a name, up to three, each written at least
    twice in at least two files (`path: PathLike` across a project), join the site's candidates
    with their share of the name's sites as their confidence, ranked with the others by confidence
    (reason: "the project writes it at N of M sites ..."; source "project"). The file's own
    annotated sites count too, and a type the file itself writes at two sites of the name needs
    no other file (a hole among `callback: TCallback<void>` parameters; reason: "written at N of
    M sites of this name: K in this file ...").

    Each TypeScript suggestion is then checked by the TypeScript compiler when node and Debian's
    node-typescript are installed (scripts/setup.sh installs them): a candidate that adds a compiler
    diagnostic to its file is dropped and the next one tried, so accepting a suggestion does not
    break the build. At a function's return, the type the compiler itself infers is tried first when
    it is among the candidates and has no any/unknown in it (each candidate still needs its own
    confidence to be shown). A class property set outside the constructor, whose plain annotation
    only adds "has no initializer and is not definitely assigned" (strict projects), is suggested
    as `name!: T`. Without the compiler it says once on stderr that suggestions are unchecked and
    lists them unchecked (exit status 0).

    OPTIONS:
      --min-confidence P   Only list/apply suggestions whose best candidate reaches P (0–1). Default:
                           the type head's calibrated threshold (type-calibration.json in its folder,
                           fitted on the valid splits for 90 % precision), else 0.8.
      --diff               Show the annotations that --apply would write, as a unified diff (no changes).
      --apply              Write the annotations into the files. An insertion that would add a syntax
                           error is refused; running it twice changes nothing the second time.
      --all                Every unannotated site, also where the compiler infers the type already.
      --no-check           Skip the compiler check (faster; suggestions may add compiler errors). By
                           default each suggestion is type-checked with the TypeScript compiler (node
                           and Debian's node-typescript; NODE_PATH defaults to /usr/share/nodejs,
                           $CODEINTEL_NODE picks another node): a candidate that adds a compiler
                           diagnostic to its file is dropped and the next one tried; only the candidate
                           that passed is shown. Listing checks each suggestion alone, --diff/--apply on
                           top of the ones already accepted. --check asks for the default explicitly.
                           A suggestion the check cannot judge is left out: where the compiler also
                           accepts a type no value has ({ readonly __codeintelProbe: never }), the value
                           there is `any` (often a dependency whose types are not installed: run
                           `npm install` first) or nothing constrains it, and passing says nothing.
      --keep-unverifiable  List those too (the check only drops candidates that add a diagnostic).
      --jsdoc              For .js/.jsx/.mjs/.cjs files: write JSDoc blocks instead of skipping them.
      --types-model DIR    The type-head folder (default: types/ next to the default model, if any).
      --no-model           Evidence only, even when a type head is installed.
      --no-project         Leave the project's own annotations out (the head, name prior and evidence only).
      --quiet              No progress bar and no notices on stderr (errors are still printed).
      --format text|json   Output format for the listing (default text). JSON: {"files": [{"path",
                           "suggestions": [{"kind","name","line","character","candidates": [{"type",
                           "confidence","reason","source"}]}]}]} with 1-based lines and UTF-16
                           characters; source is evidence, model, name-prior, project or combined
                           (two sources agree). "checked" says whether the compiler checked them;
                           "unverifiable" (per file) lists the suggestions left out because the check
                           cannot judge them, in the same shape. "definite": true marks a property
                           written `name!: T`.

    A progress bar goes to stderr when it is a terminal. A path that cannot be read (missing, a
    symbolic link loop, unreadable, binary) is reported on one line and the others are still
    processed; the exit status is then 1.
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    let explicitMinConfidence = try scanner.double("--min-confidence", in: 0...1)
    let apply = scanner.flag("--apply")
    let diff = scanner.flag("--diff")
    guard !(apply && diff) else { throw UsageError("--apply and --diff do not go together") }
    let mode = apply ? "apply" : diff ? "diff" : "list"
    let jsdoc = scanner.flag("--jsdoc")
    let all = scanner.flag("--all")
    let explicitCheck = scanner.flag("--check")
    let noCheck = scanner.flag("--no-check")
    let keepUnverifiable = scanner.flag("--keep-unverifiable")
    guard !(explicitCheck && noCheck) else { throw UsageError("--check and --no-check do not go together") }
    let json = try scanner.choice("--format", from: ["text", "json"]) == "json"
    let typesModel = try scanner.option("--types-model")
    let noModel = scanner.flag("--no-model")
    let quiet = scanner.flag("--quiet", "-q")
    let useProject = !scanner.flag("--no-project")
    guard !(noModel && typesModel != nil) else { throw UsageError("--types-model and --no-model do not go together") }
    let paths = try scanner.finish()
    guard !paths.isEmpty else { throw UsageError("give at least one file or directory") }

    let model = noModel ? nil : try TypeHeadModel.loadDefault(explicit: typesModel)
    let minConfidence = explicitMinConfidence ?? model?.displayThreshold(fallback: 0.8) ?? 0.8
    var failed = false
    var jsonFiles: [[String: Any]] = []
    var totals = (files: 0, suggestions: 0, applied: 0, refused: 0, dropped: 0, unverifiable: 0)
    let files = SourceFile.collect(paths)
    let progress = SuggestTypesProgress(files: files.count, quiet: quiet)
    // The compiler filter, on by default: started at the first TypeScript file; without it, one notice (unless
    // --quiet, where the check was not asked for explicitly) and unchecked output.
    var checker: TypeChecker?
    var checkerTried = noCheck
    var projects = TypeProjectAnnotations.Projects()
    for (index, path) in files.enumerated() {
      progress.update(done: index)
      do {
        let file = try SourceFile.load(path)
        let isJS = !file.language.isTypeScript
        if isJS && !jsdoc && mode != "list" { continue }
        // The project's own annotations, read once per project (the folder of the nearest tsconfig.json).
        let project =
          useProject && model != nil && file.language.isTypeScript
          ? projects.table(forFile: path) { progress.update(done: index, reading: $0) } : nil
        var result = try TypeSuggestions(file: file, model: model, all: all, project: project)
        var unverifiable: [TypeEvidence.Suggestion] = []
        if !checkerTried && !isJS {
          checkerTried = true
          do {
            checker = try TypeChecker()
          } catch {
            progress.clear()
            if explicitCheck || !quiet {
              printError("codeintel: suggestions are unchecked (--no-check silences this): \(error)")
            }
          }
        }
        if let checker, !isJS {
          // Listing judges each suggestion alone, as the editor does: with the file's scopes, a check reads only
          // the statements its sites can reach and a group's diagnostics are put down to the sites whose reach
          // holds them (docs/LSP.md, "Verdicts across edits"). Writing checks on top of the accepted ones, whole.
          let scopes =
            mode == "list" && !result.suggestions.isEmpty
            ? (try? Parser(language: file.language).parse(bytes: file.bytes)).map { TypeCheckScopes(tree: $0) } : nil
          let outcome = try checker.check(
            result.suggestions, path: path, bytes: file.bytes, minConfidence: minConfidence,
            cumulative: mode != "list", probe: !keepUnverifiable, scopes: scopes,
            progress: { progress.update(done: index, checking: path, suggestions: ($0, $1)) })
          result = TypeSuggestions(file: file, suggestions: outcome.kept)
          unverifiable = outcome.unverifiable
          totals.dropped += outcome.dropped.count
          totals.unverifiable += outcome.unverifiable.count
        }
        progress.clear()
        let listed = result.accepted(minConfidence: minConfidence)
        totals.files += 1
        totals.suggestions += listed.count
        switch mode {
        case "list":
          if json {
            jsonFiles.append([
              "path": path, "language": file.language.rawValue, "suggestions": describe(listed, in: file),
              "unverifiable": describe(unverifiable, in: file),
            ])
          } else {
            printListing(listed, file: file, jsdoc: isJS)
          }
        default:
          let annotated = try result.annotate(minConfidence: minConfidence, jsdoc: isJS)
          totals.applied += annotated.applied.count
          totals.refused += annotated.refused.count
          guard annotated.bytes != file.bytes else { continue }
          if mode == "apply" {
            do {
              try Data(annotated.bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
              throw CodeIntelError("\(path): cannot write the annotated file: \(error.localizedDescription)")
            }
          } else {
            guard let text = LineDiff.unified(path: path, old: file.bytes, new: annotated.bytes) else {
              throw CodeIntelError(
                "\(path): the annotations would change more than \(LineDiff.maxEdits) lines, too many to show as a "
                  + "diff; raise --min-confidence or run --apply on a copy")
            }
            print(text, terminator: "")
          }
        }
      } catch {
        progress.clear()
        failed = true
        printError("codeintel: \(error)")
      }
    }
    progress.clear()
    var dropped = totals.dropped > 0 ? "; the type checker dropped \(totals.dropped) that added a compiler error" : ""
    if totals.unverifiable > 0 {
      dropped +=
        "; left out \(totals.unverifiable) it cannot judge (the value there is `any`: are the dependencies "
        + "installed? --keep-unverifiable lists them)"
    }
    if checker != nil, !quiet {
      printError("codeintel: checked with TypeScript \(checker?.typescriptVersion ?? "")\(dropped)")
    }
    if json && mode == "list" {
      let data = try JSONSerialization.data(
        withJSONObject: ["files": jsonFiles, "checked": checker != nil], options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
    } else if mode == "list" {
      print(
        "\(totals.suggestions) suggestions at confidence ≥ \((minConfidence * 1000).rounded() / 1000) in \(totals.files) file(s)"
      )
    } else {
      let verb = mode == "apply" ? "wrote" : "would write"
      let refused = totals.refused > 0 ? "; \(totals.refused) refused because they would break the parse" : ""
      if !quiet { printError("codeintel: \(verb) \(totals.applied) annotations in \(totals.files) file(s)\(refused)") }
    }
    return failed ? 1 : 0
  }

  static func describe(_ suggestions: [TypeEvidence.Suggestion], in file: SourceFile) -> [[String: Any]] {
    let lines = LineIndex(file.bytes)
    return suggestions.map { s in
      let p = lines.utf16Position(ofByte: s.nameRange.lowerBound)
      let a = lines.utf16Position(ofByte: s.anchor)
      var described: [String: Any] = [
        "kind": s.kind.rawValue, "name": s.name, "line": p.line + 1, "character": p.character,
        "insertAt": ["line": a.line + 1, "character": a.character],
        "candidates": s.candidates.prefix(TypeSuggestions.listed).map {
          ["type": $0.type, "confidence": $0.confidence, "reason": $0.reason, "source": $0.source]
        },
      ]
      // A class property the compiler accepts only written `name!: T` (assigned outside the constructor).
      if s.definite { described["definite"] = true }
      return described
    }
  }

  static func printListing(_ suggestions: [TypeEvidence.Suggestion], file: SourceFile, jsdoc: Bool) {
    guard !suggestions.isEmpty else { return }
    let lines = LineIndex(file.bytes)
    for s in suggestions {
      let p = lines.utf16Position(ofByte: s.nameRange.lowerBound)
      let what: String
      switch s.kind {
      case .parameter: what = jsdoc ? "@param {\(s.best.type)} \(s.name)" : "\(s.name): \(s.best.type)"
      case .returnType: what = jsdoc ? "@returns {\(s.best.type)}  (\(s.name))" : "\(s.name)(…): \(s.best.type)"
      case .variable, .property: what = "\(s.name)\(s.definite ? "!" : ""): \(s.best.type)"
      }
      let others = s.candidates.dropFirst().prefix(2).map { "\($0.type) \(String(format: "%.2f", $0.confidence))" }
      let alternatives = others.isEmpty ? "" : "  also: " + others.joined(separator: ", ")
      print(
        "\(file.path):\(p.line + 1):\(p.character + 1)  \(what)  \(String(format: "%.2f", s.best.confidence)) \(s.best.reason)\(alternatives)"
      )
    }
  }
}
