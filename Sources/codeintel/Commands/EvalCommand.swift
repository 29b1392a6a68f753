import CodeIntel
import Corpus
import Foundation
import Model

/// `codeintel eval`: model-quality evaluations whose tables go into docs/EVALUATION.md.
enum EvalCommand: CLICommand {
  static let name = "eval"
  static let summary = "Evaluate clones (AUROC, AP), types (acc@1, acc@5) and names; regenerate docs/EVALUATION.md."
  static let help = """
    USAGE: codeintel eval [all] [--out FILE] [--tsc] [--quick] [--model DIR]... [--tries N] [--clone-pairs N]
                          [--edits LIST] [--types-model DIR]... [--threads N] [--names-model DIR]...
           codeintel eval clones [--data DIR] [--datasets DIR] [--model DIR]... [--no-model] [--random-init]
                                 [--edits 1,2,4,8,16] [--tries N] [--seed S] [--limit N] [--threads N]
                                 [--calibrate] [--no-augmentation-pairs | --no-leetcode] [--quick]
           codeintel eval clones --group-purity [--sweep] [--data DIR]
           codeintel eval clones --scorer [--data DIR] [--datasets DIR] [--limit N]
           codeintel eval types [--datasets DIR] [--split test] [--tsc] [--check [--check-pool N] [--no-compiler-returns]]
                                [--every K] [--limit N] [--types-model DIR]... [--types-partner DIR]...
                                [--no-project | --project-rule SITES,FILES,SHARE[,DEPTH]]
                                [--project-own excluded|file|waiver] [--project-shapes keep|drop|rewrite]
                                [--partly-annotated]
           codeintel eval types --breakage <file-or-dir>... [--min-confidence P] [--limit N]
                                [--types-model DIR | --no-model] [--no-project]
           codeintel eval names [--datasets DIR] [--split test] [--names-model DIR]... [--limit N]

    all      (the default) Runs every section and writes docs/EVALUATION.md: a header with the date, the
             git commit, the model folder and the sha256 of its files, the machine and the commands,
             then Types, Method names and Clones. A section that cannot run becomes one sentence saying
             why. Prose in docs/evaluation-notes/{intro,types,names,clones}.md is copied in verbatim.

    OPTIONS:
      --out FILE     Where to write (default: docs/EVALUATION.md).
      --tsc          Pass --tsc to the types section (the TypeScript compiler rows; slow).
      --quick        Small limits everywhere (smoke runs and tests).
      --model DIR    Passed to the clones section (repeatable); the first one is the header's model.
      --tries N      Passed to the clones section (default 8).
      --edits LIST   Passed to the clones section (default 1,2,4,8,16).
      --types-model DIR, --names-model DIR
                     Head folders for the types and names sections (repeatable; default: the
                     installed heads).
      --clone-pairs N  The clones section's --limit (default: every pair). The full clones section
                     takes roughly 40 minutes on a quiet 2-core machine (estimated from the
                     draft runs in docs/EVALUATION.md).

    clones   Scores the pairs of the LeetCode functional-clone set in DIR (pairs.jsonl + the files it
             names; default: $CODEINTEL_CLONE_DATA, else ../shared/data/clones-leetcode-js) and the
             held-out augmentation pairs (DATASETS/clone-pairs/test.jsonl), on the texts as written and
             identifier-blind (every declared name renamed to v0, v1, … by scope analysis), natural and
             under ContraCode's adversarial edits (k random semantics-preserving transforms on one side;
             positives take the minimum over the tries, negatives the maximum). Rows: token-set Jaccard,
             the clone index's hashed features, each model, and with a model a logistic combination
             (cross-validated, grouped by problem/package) and the calibrated one from the model's
             clone-calibration.json. Prints Markdown.

    OPTIONS:
      --data DIR          The LeetCode clone set's folder.
      --datasets DIR      The datasets folder (default: ~/.cache/codeintel/datasets-v2).
      --model DIR         A model to evaluate; repeat for more rows (default: the installed model).
      --no-model          Only the baselines.
      --random-init       Also the first model's architecture at random initialisation.
      --edits LIST        Adversarial edit counts (default: 1,2,4,8,16; 0 alone: natural only).
      --tries N           Tries per pair (default: 8).
      --seed S            Seed of the edits and the calibration pairs (default: 1).
      --limit N           Only N pairs of each set (half positive), in file order.
      --threads N         Worker threads (default: 2).
      --calibrate         Fit the combination and the decision thresholds on augmentation pairs built
                          from DATASETS/pretrain/valid.jsonl and write clone-calibration.json into the
                          first model's folder.
      --no-augmentation-pairs   Only the LeetCode set.
      --no-leetcode       Only the held-out augmentation pairs.
      --group-purity      Instead of pair scores: run `codeintel clones` on a copy of the LeetCode
                          solutions and report, per kind, the share of pure groups (all members
                          solve the same problem) and what the groups are (one file, one author
                          across problems, several authors), with the learned pair scorer (the
                          default) and by cosine alone at several thresholds. With --sweep, also
                          the learned scorer at other probability thresholds and encoder-cosine
                          floors, with --min-tokens 60 and 100, and with the template rule off or
                          at other counts, with recall (same-problem file pairs linked). --data DIR may name any set laid out the same way
                          (DIR/solutions/<problem>/<author>.js and DIR/pairs.jsonl).
      --scorer            Instead of pair scores: the learned pair scorer (clone-scorer.json) vs
                          token-set Jaccard and the hashed features (AUROC, as written and
                          identifier-blind) and every kind's rule at the defaults (precision,
                          recall) on the LeetCode pairs, DATASETS/clone-pairs/natural-github-test
                          and the held-out augmentation pairs (test, github-test). With
                          --dump-features DIR, each set's feature rows go to DIR/*.tsv (to
                          inspect, never to fit on).
      --quick             --limit 200, 2 tries, edits up to 4.

    types    Scores type predictions on the types dataset's split (default test: held-out
             packages) by acc@1 and acc@5 with `any` excluded, overall, by site kind, for common
             (top-100 in train) vs rare types and for labels with type arguments or unions
             (args/unions): most-frequent type, name only, the deterministic evidence, evidence else
             name only, and with --tsc the TypeScript compiler (scripts/eval/tsc-types.js; needs node
             and node-typescript), and for each --types-model the type head alone and the combined
             system (evidence ≥ 0.8, else head and name prior ranked by confidence, or the head
             folder's learned ranker when it has type-ranker.json; only types in scope; docs/TYPES.md) with its precision and coverage at the head's calibrated display
             threshold (`codeintel finetune type-threshold`).
             With --breakage, on real TypeScript files instead of the dataset: writes each suggestion
             shown at --min-confidence (default: the head's calibrated threshold, else 0.8) alone
             into its file, checks it with the TypeScript compiler (node + node-typescript) and
             reports the share that adds a diagnostic, for every site before the type-in-scope
             check, --all --no-check, the holes unchecked (--no-check), and the default (the holes
             after the compiler check, each kept suggestion again written alone and checked).

    OPTIONS:
      --datasets DIR  The datasets folder (default: ~/.cache/codeintel/datasets-v2); reads types/.
      --split NAME    test (default), github-test, valid, github-valid or train.
      --tsc           Also run the TypeScript compiler peer (slow).
      --every K       Only every K-th file of the split (a sample across its repositories).
      --limit N       Only the first N files of the split (after --every).
      --types-model DIR  A type-head folder (`codeintel finetune types`); repeatable. Rows are
                      labelled from its config.json (with or without pretraining).
      --types-partner DIR  Average another head folder's probabilities with each --types-model's (an
                      ensemble; same vocabulary, windows and tokenizer); repeatable. A head folder
                      can name its own in config.json ("partners").
      --partner-average probability|logit  How partners are averaged: the mean of the softmaxes
                      (default) or the softmax of the mean log-probability ("partnerAverage").
      --evidence-threshold P  The combined rows put evidence first at confidence >= P (default 0.8; not
                      used by a head folder's learned ranker).
      --threads N     Compute threads of the encoder and BLAS (default: BLAS's own).
                      A head folder with type-retrieval.bin also gets the rows "retrieval alone",
                      "head + retrieval" and "combined system without retrieval".
      --dump FILE     Also write one JSON line per scored site and head: label, whether the
                      head could produce it (vocabulary or the site's candidates), the head's
                      ranked types and the combined system's, with confidences and sources;
                      with --tsc the compiler's best effort, with --check the checked ranking.
      --check         Also the row "combined system, checked": each site's candidates as the
                      TypeScript compiler leaves them (what suggest-types and the editor show by
                      default): the first that adds no diagnostic to the de-annotated file, each
                      site alone, then the rest unchecked; none passing, no prediction. Needs node
                      and node-typescript; every import is unresolved (its names are any).
      --check-pool N  How many of the system's candidates the checked row searches (default 10,
                      as suggest-types and the editor do since session 15); the scored list is
                      the first that passes and the ones after it.
      --no-compiler-returns
                      The checked row without the product's first step at return sites (the
                      compiler's own inferred return type tried first when it has no any/unknown
                      and is among the candidates; docs/TYPES.md): for measuring that step.
      --no-project    The combined rows without the project's own annotations (by default, as
                      suggest-types does, a site's name labelled one way in the other files of its
                      package in the split, up to three types each written twice in two files,
                      join its candidates at their share of the name's sites, ranked by
                      confidence; the scored file itself is all holes, so none of its own count
                      unless --partly-annotated; the row
                      "the project's own annotations alone" scores that source by itself).
      --project-rule SITES,FILES,SHARE[,DEPTH]  Another rule (least sites and files per type, the
                      share the first type must reach, how many types; shipped 2,2,0,3).
      --project-own excluded|file|waiver  How the file's own annotations count: not at all, as
                      one more file of the project, or also a type the file itself writes at two
                      sites of the name (docs/TYPES.md, "The file's own annotations").
      --project-shapes keep|drop|rewrite  What a project type becomes where the code shapes the
                      site's type (an array initialiser, an async function's Promise): kept as
                      written, left out, or rewritten as the head's candidates are.
      --partly-annotated  Another protocol, for the file's own annotations: each file keeps half its
                      sites annotated (a fixed hash of path and offset) and is scored on the other
                      half; the text stays fully de-annotated. Never comparable with the usual rows.

    names    Scores method-name heads on the method-names split (default test) by subtoken
             precision, recall, F1 (code2seq's definition) and exact match of the top beam, next to
             a most-frequent-name baseline; one row per --names-model DIR (repeatable; default: the
             installed head). See `codeintel eval names --help` and docs/NAMES.md.
    """

  static func run(_ args: [String]) throws -> Int32 {
    switch args.first {
    case "types": return try EvalTypes.run(Array(args.dropFirst()))
    case "names": return try EvalNames.run(Array(args.dropFirst()))
    case "clones": return try EvalClones.run(Array(args.dropFirst()))
    case "all": return try EvalAll.run(Array(args.dropFirst()))
    case nil: return try EvalAll.run([])
    case let first? where first.hasPrefix("-"): return try EvalAll.run(args)
    default: throw UsageError("say which evaluation: all (the default), clones, types or names")
    }
  }
}
