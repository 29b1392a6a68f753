import CloneIndex
import CodeIntel
import Foundation
import Heads
import Model

/// `codeintel suggest-names`: predicted method names, and names that disagree with their bodies.
enum SuggestNamesCommand: CLICommand {
  static let name = "suggest-names"
  static let summary = "Predict function names from their bodies; flag names that disagree with what the body does."
  static let help = """
    USAGE: codeintel suggest-names FILE|DIR... [--top K] [--format text|json] [--only-mismatches]
                                   [--names-model DIR] [--beam N] [--min-gap G] [--min-probability P] [--no-model]
                                   [--all-names] [--rules default|all|none|R,…] [--quiet]

    For each named function (not constructors, not one-letter names, bodies of at least two
    statements: the functions the method-name dataset keeps), the name head reads the function with
    its own name hidden (recursive calls become METHOD_NAME, as in training; a head trained with
    --context path also reads the file's last two folders and name, and one trained with --context
    path+siblings, the shipped one since session 19, also up to 8 other function names of the file;
    a name another declaration of the same scope holds is never proposed) and proposes
    the top K names in camelCase with probabilities (the calibrated confidence for a head that has
    one; with a retrieval datastore the names of the most similar train functions join the
    decoder's). A function is flagged as a MISMATCH when the name disagrees strongly with the body; the evidence of
    the rules that are on, combined as independent (1 - Π(1 - s)), flag at ≥ 0.5:
      - predicate (0.8): an is/has/can/should… name whose every return is a string, number, object
        or array literal;
      - get (0.8): a get… function that returns nothing (not callback-style, not filling a
        parameter, a field or a state setter);
      - set (0.8): a set… function that returns a value and assigns nothing;
      - model: no subtoken of the current name is in the top K, and the name's own length-normalised
        log-probability is ≥ G nats per subtoken below the best name's (score 0 at G-1 rising to 1
        at G+1), counted only when the head's calibrated display level lets its best name through.
    NO RULE IS ON BY DEFAULT, so without --rules nothing is flagged: a rule would be on only where
    its warnings were right ≥ 80 % of the time both on planted name swaps and on real repositories
    it was not written against (at least 5 warnings each). All body rules pass on planted swaps
    (46 of 46) but not on real code (predicate 1 of 11, get 0 of 128, set 0 of 1, in 170,351
    functions). The model rule (session 9, session 8's head at its level 0.5457): none right on
    planted swaps (1 warning in 390 swapped functions, on a name left as written), 0 of 5 on
    github-valid code (members of an interface's object literal), none on 1,914 functions of three
    github-test solution collections; session 16, session 15's head at its level 0.69: 1 of 1 on
    planted swaps (recall 1 of 173), 0 of 1 on real github-valid code; session 19, the siblings head
    at 0.5644: 2 of 2 planted (recall 2 of 173), 0 of 3 on real github-valid code: too few and
    wrong on real code); it stays off (docs/NAMES.md). Names an interface
    fixes (Proxy traps, toString, framework hooks, HTTP route handlers, overrides, subclass members,
    event handlers, members of an object literal passed to a call or given a declared type) and stubs
    whose every path throws are never judged, and where an interface fixes the name no other name is
    suggested (renaming would break the contract). A name another declaration of the same scope
    already has (another function, class, variable or import of the module or block; another member
    of the class or key of the object literal) is never suggested: the rename would clash, and the
    head, which reads the file's name, tends to copy it onto the file's other functions.
    Each flag says why. A progress bar goes to stderr when it is a terminal.

    OPTIONS:
      --top K              Names per function (default 5; orderings of the same words count once,
                           so fewer may be listed). Each shows the probability the decoder gives it.
      --beam N             Beam width (default 5; at least K is used).
      --min-gap G          Model evidence threshold in nats per subtoken (default 2).
      --min-probability P  The model's reading counts as mismatch evidence only when its best name has
                           at least this probability (default 0.2): an unsure model disagrees with
                           almost every name. The body rules do not depend on it.
      --only-mismatches    List flagged functions only.
      --rules LIST         Which mismatch rules count: default (none), all, none, or a
                           comma-separated list of predicate, get, set, model.
      --names-model DIR    The name head folder (default: $CODEINTEL_NAMES_MODEL, else names/ inside
                           the default model folder, e.g. Models/contracode-hybrid-small/names/).
      --no-model           Only the deterministic body evidence (no suggestions).
      --all-names          Show every suggestion. By default a head folder with a display.json
                           (`codeintel finetune name-threshold`) shows only names at or above the
                           level where, on EACH valid split (Debian valid, github-valid; judged by
                           the Wilson lower bound, z 1.645), >= 60 % of shown names share a
                           subtoken with the real name and >= 30 % are exact, and the model's
                           disagreement counts as mismatch evidence only from there (docs/NAMES.md);
                           --all-names lists more names but does not change that.
                           The level applies to the calibrated confidence (the fitted probability
                           that the name is exactly right) for a head with a retrieval datastore
                           (retrieval.bin: names of the most similar train functions ranked with
                           the decoder's), else to the decoder's probability.
      --quiet              No progress bar and no notices on stderr (errors are still printed).
      --format text|json   Output (default text). JSON: {"files": [{"path", "functions": [{"name",
                           "kind", "line" (1-based), "character" (UTF-16, 0-based), "suggestions":
                           [{"name", "probability", "score", "confidence" (calibrated, when the
                           head has one)}], "currentScore" (or absent),
                           "mismatch" (bool), "mismatchScore" (0-1), "reasons": [string], "hidden" (suggestions held
                           back under the display threshold), "fixedByAPI" (true when an API
                           fixes the name: only the name as written may be suggested)}]}],
                           "model": head folder or null}.
    Exit status: 0, or 1 when a path could not be read or parsed (missing, a symbolic link loop,
    unreadable, binary): each is reported on one line and the others are still analysed.
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    let top = try scanner.int("--top", "-k", in: 1...50) ?? 5
    let beam = try scanner.int("--beam", in: 1...64) ?? 5
    let minGap = try scanner.double("--min-gap", in: 0...100) ?? 2
    let minProbability = try scanner.double("--min-probability", in: 0...1) ?? NameAnalysis.defaultMinProbability
    let json = try scanner.choice("--format", from: ["text", "json"]) == "json"
    let only = scanner.flag("--only-mismatches")
    let modelDir = try scanner.option("--names-model")
    let noModel = scanner.flag("--no-model")
    let showAll = scanner.flag("--all-names")
    let quiet = scanner.flag("--quiet", "-q")
    let rulesText = try scanner.option("--rules")
    let paths = try scanner.finish()
    guard !paths.isEmpty else { throw UsageError("give at least one file or directory") }
    if noModel && modelDir != nil { throw UsageError("--no-model and --names-model do not go together") }
    var rules = NameAnalysis.defaultRules
    if let rulesText {
      guard let parsed = MismatchRule.parseList(rulesText) else {
        throw UsageError(
          "--rules takes default, all, none, or a comma-separated list of predicate, get, set, model (got '\(rulesText)')"
        )
      }
      rules = parsed
    }
    var head: NameHead?
    var failed = false
    if !noModel {
      do {
        head = try NameHead.loadDefault(explicit: modelDir)
      } catch PretrainError.modelNotFound {
        if !quiet { printError("codeintel: no name head found, so no suggestions, only body evidence") }
      } catch {
        if modelDir != nil { throw error }
        // Found but unusable: that is not "no head", and the run says so in its exit status too.
        printError("codeintel: the name head cannot be used, so no suggestions, only body evidence: \(error)")
        failed = true
      }
    }
    if let display = head?.display, !showAll, !quiet {
      // the shares on held-out code: the weakest valid split's where the fit judged each split (session 9)
      let judged = (display.splits ?? []).filter { $0.shown > 0 }
      let any = judged.map(\.anyRightShare).min() ?? display.anyRightShare
      let exact = judged.map(\.exactShare).min() ?? display.exactShare
      printError(
        display.minProbability == nil
          ? "codeintel: this name head reached no confidence level where its names are right often enough on held-out code (display.json), so it shows no names; --all-names shows them anyway"
          : String(
            format:
              "codeintel: names are shown at %@ >= %.3g (on held-out code%@ %.0f %% of them share a word with the real name, %.0f %% are exact); --all-names shows all",
            display.confidence == nil ? "probability" : "calibrated confidence", display.minProbability!,
            judged.isEmpty ? "" : ", on each valid split, at least", any * 100, exact * 100))
    }
    let files = SourceFile.collect(paths)
    let progress = ProgressPrinter(quiet: quiet, verbose: false)
    var out: [[String: Any]] = []
    var totals = (functions: 0, flagged: 0)
    for (i, path) in files.enumerated() {
      progress.handle(.progress(done: i, total: files.count))
      do {
        let parsed = try ParsedFile(try SourceFile.load(path))
        var reports = NameAnalysis.analyze(
          tree: parsed.tree, units: parsed.units, head: head, path: path, top: top, beam: max(beam, top), minGap: minGap,
          minProbability: minProbability, showAll: showAll, rules: rules)
        totals.functions += reports.count
        totals.flagged += reports.filter(\.mismatch).count
        if only { reports = reports.filter(\.mismatch) }
        if json {
          let data = try JSONEncoder().encode(reports)
          let functions = try JSONSerialization.jsonObject(with: data)
          out.append(["path": path, "functions": functions])
        } else {
          for r in reports { printText(r, path: path) }
        }
      } catch {
        failed = true
        progress.finish()
        printError("codeintel: \(error)")
      }
    }
    progress.handle(.progress(done: files.count, total: files.count))
    if json {
      let object: [String: Any] = ["files": out, "model": head?.directory.path ?? NSNull()]
      let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
    } else {
      print("\(totals.flagged) of \(totals.functions) functions flagged in \(files.count) file(s)")
    }
    return failed ? 1 : 0
  }

  static func printText(_ r: NameReport, path: String) {
    // The decoder's probability of the whole name: most names built from the body's words (the copy bias)
    // are below 1 %, where two decimals would print a row of 0.00.
    let names = r.suggestions.map {
      let p = $0.confidence ?? $0.probability
      return "\($0.name) \(p >= 0.01 ? String(format: "%.2f", p) : "<0.01")"
    }.joined(separator: ", ")
    var line = "\(path):\(r.line):\(r.character + 1)  \(r.name)"
    if !names.isEmpty { line += "  → \(names)" }
    if r.mismatch { line += String(format: "  MISMATCH %.2f", r.mismatchScore) }
    print(line)
    if r.mismatch { for reason in r.reasons { print("    - \(reason)") } }
  }
}
