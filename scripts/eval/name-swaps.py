#!/usr/bin/env python3
"""Precision and recall of `codeintel suggest-names` mismatch warnings on planted name swaps (issue 19).

For each JavaScript/TypeScript file under the given folders (held-out repositories: the corpus's
github-test split), the names of two `function NAME(` declarations of the file are swapped at their
declarations only (a seeded draw), so two functions now carry a name written for another body: a
planted mismatch. `codeintel suggest-names --format json` runs on the original and the swapped copies.
A warning on a swapped function is a true positive; a warning on any other function of a swapped copy
is a false positive (its name is the author's own). Recall is over the swapped functions the tool
examines (the dataset's rules: named, at least two statements).

Every mismatch rule is measured (`--rules all` is added) unless the extra arguments name `--rules`. A binary from
before session 7 has no `--rules` option and no rule off: give it `--legacy`, which adds nothing.

usage: name-swaps.py CODEINTEL OUT_DIR FOLDER... [--seed S] [--max-files N] [--legacy] [-- extra suggest-names args]
"""
import json, os, random, re, shutil, subprocess, sys

def main():
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        i = args.index("--"); extra = args[i + 1:]; args = args[:i]
    seed, max_files = 1, 400
    if "--seed" in args:
        i = args.index("--seed"); seed = int(args[i + 1]); del args[i:i + 2]
    legacy = "--legacy" in args
    if legacy:
        args.remove("--legacy")
    if "--max-files" in args:
        i = args.index("--max-files"); max_files = int(args[i + 1]); del args[i:i + 2]
    codeintel, out, folders = args[0], args[1], args[2:]
    rng = random.Random(seed)
    decl = re.compile(r"\bfunction\s+([A-Za-z_$][\w$]*)\s*\(")
    files = []
    for folder in folders:
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in ("node_modules", "test", "tests", "__tests__"))
            for n in sorted(names):
                if n.endswith((".js", ".ts", ".mjs", ".cjs")) and not n.endswith(".d.ts") and ".test." not in n and ".spec." not in n:
                    files.append(os.path.join(root, n))
    rng.shuffle(files)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out + "/swapped")
    planted = {}  # copy path -> {line: (shown name, true name)}
    for k, path in enumerate(files):
        if len(planted) >= max_files:
            break
        try:
            text = open(path, encoding="utf-8").read()
        except (UnicodeDecodeError, OSError):
            continue
        found = [m for m in decl.finditer(text)]
        names = {}
        for m in found:
            names.setdefault(m.group(1), m)
        if len(names) < 2:
            continue
        a, b = rng.sample(sorted(names), 2)
        ma, mb = names[a], names[b]
        # Swap at the two declarations only (byte offsets of the name groups).
        edits = sorted([(ma.start(1), ma.end(1), b), (mb.start(1), mb.end(1), a)], reverse=True)
        swapped = text
        for s, e, new in edits:
            swapped = swapped[:s] + new + swapped[e:]
        copy = f"{out}/swapped/{k:05d}{os.path.splitext(path)[1]}"
        open(copy, "w", encoding="utf-8").write(swapped)
        # Names hold no newline, so a declaration keeps its line in the swapped copy.
        line_a = text.count("\n", 0, ma.start(1)) + 1
        line_b = text.count("\n", 0, mb.start(1)) + 1
        planted[copy] = {line_a: (b, a), line_b: (a, b)}
    # No rule is on by default since session 7: measure them all unless the extra arguments pick some.
    if "--rules" not in extra and not legacy:
        extra = extra + ["--rules", "all"]
    run = subprocess.run([codeintel, "suggest-names", out + "/swapped", "--format", "json", "--quiet"] + extra,
                         capture_output=True, text=True)
    report = json.loads(run.stdout)
    tp = fp = examined_swapped = 0
    examples = []
    for f in report["files"]:
        swaps = planted.get(f["path"], {})
        for fn in f["functions"]:
            swapped = fn["line"] in swaps and swaps[fn["line"]][0] == fn["name"]
            examined_swapped += swapped
            if fn["mismatch"]:
                if swapped:
                    tp += 1
                else:
                    fp += 1
                examples.append((swapped, f["path"], fn["line"], fn["name"], fn["reasons"][:1], fn["reasons"]))
    flagged = tp + fp
    # Per rule (the first words of each reason; a warning with several reasons counts for each).
    by_rule = {}
    for e in examples:
        for r in e[5]:
            k = rule_of(r)
            t = by_rule.setdefault(k, {"true_positives": 0, "false_positives": 0})
            t["true_positives" if e[0] else "false_positives"] += 1
    print(json.dumps({
        "files": len(planted), "swapped_functions_examined": examined_swapped, "warnings": flagged,
        "true_positives": tp, "false_positives": fp,
        "precision": round(tp / flagged, 3) if flagged else None,
        "recall": round(tp / examined_swapped, 3) if examined_swapped else None,
        "by_rule": by_rule, "extra_args": extra, "seed": seed}, indent=1))
    for e in examples[:30]:
        print(("PLANTED " if e[0] else "OWN     ") + f"{e[1]}:{e[2]} {e[3]} {e[4]}")

def rule_of(reason):
    """The rule a reason comes from (`NameAnalysis`: the model, the predicate, `get…` and `set…` rules)."""
    if reason.startswith("the model reads it"):
        return "model"
    if reason.startswith("named like a predicate"):
        return "predicate"
    if reason.startswith("named `get"):
        return "get"
    if reason.startswith("named `set"):
        return "set"
    return reason[:40]

if __name__ == "__main__":
    main()
