import CloneIndex
import CodeIntel
import Foundation
import Heads

/// `codeintel clones`: reports groups of duplicated and functionally similar functions.
enum ClonesCommand: CLICommand {
  static let name = "clones"
  static let summary = "Report exact, renamed and functionally similar function groups in a repository."
  static let help = """
    USAGE: codeintel clones <repo> [--min-lines N] [--min-tokens N] [--threshold S] [--max-group N]
                            [--model hashed|encoder|DIR] [--no-near-miss] [--no-functional] [--no-scorer]
                            [--no-template-rule] [--[no-]input-rule] [--[no-]output-rule] [--include-tests] [--include-build] [--include-examples]
                            [--include-benchmarks] [--include GLOB]... [--exclude GLOB]... [--all]
                            [--format text|json|sarif] [--output FILE]
                            [--fail-on-clones] [--quiet] [--verbose]

    Updates the repository's index (see `codeintel index`), then reports clone groups:
      exact       the same tokens, whitespace, comments and the function's own name aside (type 1)
      renamed     the same once locals are renamed and type annotations dropped (type 2)
      near-miss   copies with edits: the bags of tokens, as written and with local names blinded,
                  overlap in >= 80 % and >= 85 % of the larger function (type 3)
      functional  pairs at embedding cosine >= 0.75 (hashed syntax features) that the learned pair
                  scorer also accepts (clone-scorer.json in the model folder: token-set, IDF-weighted
                  and bag overlaps, syntax cosine, size, and the model's encoder cosine, computed
                  only for the functions in such pairs; trained on natural clone pairs; its
                  calibrated threshold); with --threshold, --no-scorer or another --model, cosine
                  similarity >= the threshold alone; and, unless --no-template-rule, alike
                  beyond the repository's template: runs of six identifier-blind tokens that
                  occur in 5 or more of its outermost functions (an author's pasted union-find,
                  a wrapper repeated everywhere) are taken out, and the two must still share a run;
                  unless --no-input-rule, some number of arguments must call both (read from the
                  parameter lists: defaults and ? make a parameter optional, ...rest takes any
                  number; a function reading `arguments` is never told apart); and unless
                  --no-output-rule, the two must not return different kinds of value (read from the
                  code: a boolean and an array, a promise and a number; a function whose returns
                  cannot all be read is never told apart)
    Near-miss and functional groups are formed by complete linkage: every member is a clone of
    every other. Test code (test folders and files such as *.test.ts, Storybook *.stories.tsx,
    test-runner configurations such as karma.conf.js and jest.config.ts, and describe/it/test
    callbacks) is left out unless --include-tests; build output (dist/, build/, umd/, bundles/, lib/
    beside src/, *.bundle.js, *.umd.js, files most of whose functions copy functions of several other
    files, and generated files, whose leading comment says @generated, auto-generated, Code generated
    by, do not edit, ...) unless --include-build; example apps (folders named examples, example, demo,
    demos, playground or playgrounds; or with examples, example, demo or demos as a -/_/. separated
    word: dev-examples/, examples-node/)
    unless --include-examples; benchmark code (folders named benchmark, benchmarks, bench, benches or
    __benchmarks__, or with benchmark(s) as a -/_/. separated word; files such as router.bench.ts,
    parse.benchmark.js: one task repeated per library or input on purpose) unless
    --include-benchmarks. The report says how many functions each rule left out. Only the
    outermost function is reported: a member nested in another member of its group leaves it. Groups
    are ranked by the lines a refactor would remove (all members but the longest) x similarity.

    Only groups worth a refactor are shown: a near-miss or functional group is hidden when it is
    alike but small or parallel (the summary counts them; --all shows them, marked):
      thin     every member's body is at most 2 statements, none a branch, loop, switch, try or
               block (wrappers, one-line predicates)
      mirror   two members named as mirror images (addX/removeX, toDOM/fromDOM, aToB/bToA,
               min/max) with bodies under 200 tokens (the two directions of one operation)
      small    the body tokens of all members but the largest sum to under 60
      unlike   functional groups with two members that share under 25 % of their runs of six
               tokens as written and under 60 % identifier-blind (alike in role only: parallel
               jobs of one shape; a copy with edits or renamed locals keeps its runs)
    Exact and renamed groups are always shown. JSON holds every group, with "worth" and
    "notWorth" on near-miss and functional groups; SARIF holds what the text shows.

    Settings can also come from <repo>/.codeintel.json, {"clones": {"minLines": 8, "exclude":
    ["src/generated/"], ...}} (keys: minLines, minTokens, threshold, maxGroup, model, nearMiss,
    functional, includeTests, includeBuild, includeExamples, includeBenchmarks, include, exclude,
    allGroups, templateRule, templateMinFunctions, templateMinRemainder, inputRule, outputRule); flags win over
    the file.

    OPTIONS:
      --min-lines N      Ignore functions shorter than N lines (default: 5).
      --min-tokens N     Ignore functions with fewer than N tokens (default: 30).
      --threshold S      Judge functional pairs by cosine similarity >= S in 0...1 instead of the
                         learned scorer (0.75 for the hashed features without the scorer, chosen to
                         keep chance matches between unrelated code rare; see docs/CLONES.md).
      --max-group N      Largest near-miss or functional group, in functions (default: 20).
      --model M          The embedder for functional clones: hashed (default: hashed syntax
                         features), encoder (the shipped ContraCode model) or a model folder. The
                         default threshold is then the model's calibrated one
                         (clone-calibration.json); changing the model re-embeds the index.
      --no-near-miss     No near-miss groups.
      --no-functional    No functional groups.
      --no-scorer        Functional pairs by cosine >= the threshold, without the learned scorer.
      --no-template-rule Do not take the repository's template out of functional pairs (see above).
      --no-input-rule    Keep functional pairs that no number of arguments calls both of (the
                         input rule, on by default since session 20; docs/CLONES.md).
      --no-output-rule   Keep functional pairs whose functions return different kinds of value
                         (the output rule, on by default since session 20).
      --input-rule, --output-rule
                         Turn a rule back on over "inputRule"/"outputRule": false in .codeintel.json.
      --include-tests    Report test code too.
      --include-build    Report build output (bundles, dist/, …) too.
      --include-examples Report example and demo apps too.
      --include-benchmarks
                         Report benchmark suites too.
      --include GLOB     Only report paths matching GLOB (gitignore syntax; repeatable).
      --exclude GLOB     Never report paths matching GLOB (gitignore syntax; repeatable).
      --all              Show every group, also those alike but small or parallel (see above).
      --format F         text (default), json (schema in docs/CLONES.md) or sarif (SARIF 2.1.0,
                         for GitHub code scanning; paths are relative to the repository root).
      --output FILE      Write the report to FILE instead of stdout.
      --fail-on-clones   Exit with status 3 when any group is reported (for CI).
      --quiet            No progress or notices on stderr.
      --verbose          List skipped paths and indexed files on stderr.

    Exit status: 0 success, 1 error, 2 usage error, 3 clones found with --fail-on-clones.
    """

  static func run(_ args: [String]) throws -> Int32 {
    var scanner = ArgumentScanner(args)
    let minLines = try scanner.int("--min-lines", in: 1...100_000)
    let minTokens = try scanner.int("--min-tokens", in: 0...1_000_000)
    let threshold = try scanner.double("--threshold", in: 0...1)
    let maxGroup = try scanner.int("--max-group", in: 2...100_000)
    let noFunctional = scanner.flag("--no-functional")
    let noNearMiss = scanner.flag("--no-near-miss")
    let noScorer = scanner.flag("--no-scorer")
    let noTemplateRule = scanner.flag("--no-template-rule")
    let outputRule = scanner.flag("--output-rule")
    let noOutputRule = scanner.flag("--no-output-rule")
    let inputRule = scanner.flag("--input-rule")
    let noInputRule = scanner.flag("--no-input-rule")
    let includeTests = scanner.flag("--include-tests")
    let includeBuild = scanner.flag("--include-build")
    let includeExamples = scanner.flag("--include-examples")
    let includeBenchmarks = scanner.flag("--include-benchmarks")
    let include = try scanner.all("--include")
    let exclude = try scanner.all("--exclude")
    let allGroups = scanner.flag("--all")
    let modelFlag = try scanner.option("--model")
    let format = CloneReportFormat(rawValue: try scanner.choice("--format", from: ["text", "json", "sarif"]) ?? "text")
    let output = try scanner.option("--output", "-o")
    let failOnClones = scanner.flag("--fail-on-clones")
    let quiet = scanner.flag("--quiet", "-q")
    let verbose = scanner.flag("--verbose", "-v")
    let positionals = try scanner.finish()
    guard positionals.count == 1 else { throw UsageError("give exactly one repository folder") }
    let root =
      positionals[0].count > 1 && positionals[0].hasSuffix("/") ? String(positionals[0].dropLast()) : positionals[0]

    for g in include + exclude where PathGlob(g) == nil { throw UsageError("'\(g)' is not a path glob") }
    // Defaults, then <repo>/.codeintel.json, then flags.
    let settings = try RepositorySettings.load(root: root) ?? RepositorySettings()
    var options = settings.applied(to: CloneOptions())
    if let minLines { options.minLines = minLines }
    if let minTokens { options.minTokens = minTokens }
    if let maxGroup { options.maxGroupSize = maxGroup }
    if noFunctional { options.functional = false }
    if noNearMiss { options.nearMiss = false }
    if includeTests { options.includeTests = true }
    if includeBuild { options.includeBuild = true }
    if includeExamples { options.includeExamples = true }
    if includeBenchmarks { options.includeBenchmarks = true }
    if !include.isEmpty { options.include = include }
    if !exclude.isEmpty { options.exclude = exclude }
    if allGroups { options.allGroups = true }
    if noTemplateRule { options.templateRule = false }
    if outputRule && noOutputRule { throw UsageError("--output-rule and --no-output-rule contradict each other") }
    if inputRule && noInputRule { throw UsageError("--input-rule and --no-input-rule contradict each other") }
    if outputRule { options.outputRule = true }
    if noOutputRule { options.outputRule = false }
    if inputRule { options.inputRule = true }
    if noInputRule { options.inputRule = false }
    let model = modelFlag ?? settings.model
    let chosen = try CloneModelChoice.resolve(model)
    if let threshold {
      options.threshold = Float(threshold)
    } else if settings.threshold != nil && modelFlag == nil {
      // The file's threshold stands (it was written for the file's model).
    } else if let calibrated = chosen.threshold {
      options.threshold = calibrated
    } else if options.functional {
      throw UsageError("\(model ?? "the model") has no clone-calibration.json: give --threshold")
    }
    let printer = ProgressPrinter(quiet: quiet, verbose: verbose)
    // The learned pair scorer judges functional candidates of the hashed features unless a cosine threshold
    // was asked for (flag or file) or --no-scorer.
    let gate: LearnedPairGate? =
      noScorer || threshold != nil || settings.threshold != nil || !options.functional
      ? nil : try LearnedPairGate.locateDefault()
    if let gate, !quiet, gate.embedderID != chosen.embedder.modelID {
      printError(
        "codeintel: note: the learned pair scorer needs the hashed features; functional clones of \(chosen.embedder.modelID) use the cosine threshold"
      )
    }
    let report = try CloneFinder(embedder: chosen.embedder, options: options, gate: gate).report(
      root: root, log: printer.handle)
    printer.finish()
    let writer = CloneReportWriter(all: options.allGroups)
    let text = try writer.render(report, format: format ?? .text, root: root)
    // JSON holds every group (each with `worth`); text and SARIF what they show.
    let reported = format == .json ? report.groups : writer.shown(report)
    if let output {
      try FileBytes.write(Array(text.utf8), to: output)
      if !quiet { printError("codeintel: wrote \(reported.count) clone groups to \(output)") }
    } else {
      FileHandle.standardOutput.write(Data(text.utf8))
    }
    return failOnClones && !writer.shown(report).isEmpty ? 3 : 0
  }
}
