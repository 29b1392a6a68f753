#!/usr/bin/env python3
"""What the impure functional groups of `codeintel clones` on a problem/author set are (issue 18, session 7).

Reads a `codeintel clones ROOT --format json` report of a folder laid out as ROOT/<problem>/<author>.js (a copy
of clones-leetcode-js/solutions, or a set built the same way from the corpus's natural clone pairs) and prints,
for the functional groups:

- purity, and the recall over same-problem file pairs (the share that some group links);
- the impure groups by kind: every member a whole solution (a function spanning >= 60 % of its file) by one
  author, or by several; whole solutions mixed with helpers; helpers only;
- the lowest pairwise token-bag overlap inside each group (a crude tokenizer: identifiers, numbers, strings,
  punctuation) and the smallest member in tokens, for pure and impure groups: are the impure groups copies,
  and are they short?

Evaluation only: read it, never fit on it. Usage:
  purity_diagnosis.py REPORT.json ROOT [--author-from-stem | --author-before-dash]
(`--author-before-dash`: files named AUTHOR-HASH.js, as a set built from natural pairs.)
"""
import collections
import itertools
import json
import os
import re
import sys


def main():
    report, root = sys.argv[1], sys.argv[2]
    before_dash = "--author-before-dash" in sys.argv[3:]
    r = json.load(open(report))
    cache = {}

    def problem(m):
        return m["path"].split("/")[0]

    def author(m):
        stem = m["path"].split("/")[1].rsplit(".", 1)[0]
        return stem.rsplit("-", 1)[0] if before_dash else stem

    def source(m):
        p = os.path.join(root, m["path"])
        if p not in cache:
            cache[p] = open(p, "rb").read()
        return cache[p]

    def text(m):
        return source(m)[m["startByte"]:m["endByte"]].decode("utf8", "replace")

    def whole(m):
        return m["endByte"] - m["startByte"] >= 0.6 * len(source(m).strip())

    def tokens(s):
        s = re.sub(r"//[^\n]*|/\*.*?\*/", "", s, flags=re.S)
        return re.findall(r"[A-Za-z_$][\w$]*|\d+(?:\.\d+)?|\"[^\"]*\"|'[^']*'|[^\s\w]", s)

    def overlap(a, b):
        return sum((a & b).values()) / max(sum(a.values()), sum(b.values()), 1)

    counts = collections.Counter(
        p for p in os.listdir(root) if not p.startswith(".") and os.path.isdir(os.path.join(root, p))
        for f in os.listdir(os.path.join(root, p)))
    same_pairs = sum(n * (n - 1) // 2 for n in counts.values())
    groups = [g for g in r["groups"] if g["kind"] == "functional"]
    linked = set()
    kinds = collections.Counter()
    stats = collections.defaultdict(list)
    # Purity by what the members are (every member a whole solution or not) and whose they are (one author or
    # several): in this layout one author has one file per problem, so one author's group of whole solutions can
    # never be pure (session 22).
    cells = collections.defaultdict(lambda: [0, 0])
    for g in groups:
        ms = g["members"]
        files = sorted({m["path"] for m in ms})
        for a, b in itertools.combinations(files, 2):
            if a.split("/")[0] == b.split("/")[0]:
                linked.add((a, b))
        pure = len({problem(m) for m in ms}) == 1
        one_author = len({author(m) for m in ms}) == 1
        if pure:
            cls = "pure, one file" if len(files) == 1 else "pure, several files"
        else:
            wholes = [whole(m) for m in ms]
            if all(wholes):
                cls = "impure: whole solutions, " + ("one author" if one_author else "several authors")
            elif any(wholes):
                cls = "impure: whole solutions mixed with helpers"
            else:
                cls = "impure: helpers only"
        kinds[cls] += 1
        cell = ("whole solutions" if all(whole(m) for m in ms) else "with helpers",
                "one author" if one_author else "several authors")
        cells[cell][0] += 1
        cells[cell][1] += pure
        bags = [collections.Counter(tokens(text(m))) for m in ms]
        low = min(overlap(a, b) for a, b in itertools.combinations(bags, 2))
        small = min(sum(b.values()) for b in bags)
        key = "pure" if pure else ("impure, one author" if one_author else "impure, several authors")
        stats[key].append((low, small))
    pure = sum(v for k, v in kinds.items() if k.startswith("pure"))
    print(f"functional groups {len(groups)}, pure {pure} ({100 * pure / max(len(groups), 1):.1f} %), "
          f"same-problem file pairs linked {len(linked)} of {same_pairs} ({100 * len(linked) / max(same_pairs, 1):.2f} %)")
    for k, v in sorted(kinds.items()):
        print(f"  {v:4d}  {k}")
    print("purity by members and authors:")
    for (what, whose), (n, p) in sorted(cells.items()):
        print(f"  {what:16s} {whose:16s} {n:4d} groups, {p:4d} pure ({100 * p / max(n, 1):.1f} %)")
    print("lowest pairwise token-bag overlap in a group (median; groups >= 0.7) and members under 60 / 100 tokens:")
    for k, v in sorted(stats.items()):
        lows = sorted(x[0] for x in v)
        print(f"  {k:24s} {len(v):4d} groups: median {lows[len(lows) // 2]:.2f}, >= 0.7: {sum(x >= 0.7 for x in lows)}; "
              f"smallest member < 60 tokens: {sum(x[1] < 60 for x in v)}, < 100: {sum(x[1] < 100 for x in v)}")


if __name__ == "__main__":
    main()
