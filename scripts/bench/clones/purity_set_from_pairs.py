#!/usr/bin/env python3
"""Lays out the texts of a natural clone-pair file as OUT/<problem>/<package>-<hash>.<ext> (issue 18, session 7).

`codeintel clones OUT` then groups them like the LeetCode set, so group purity can be measured on corpus data
(natural-github-valid.jsonl: held out; natural-train.jsonl: the scorer's own training pairs, so optimistic)
before a rule is measured once on the LeetCode evaluation set. Each distinct text of a problem is one file;
`purity_diagnosis.py REPORT OUT --author-before-dash` reads the report.
Usage: purity_set_from_pairs.py DATASETS/clone-pairs/natural-github-valid.jsonl OUT
"""
import collections
import hashlib
import json
import os
import sys

src, out = sys.argv[1], sys.argv[2]
seen = {}
for line in open(src):
    r = json.loads(line)
    for side in ("", "b_"):
        text = r["a" if side == "" else "b"]
        problem, package, language = r[side + "problem"], r[side + "package"], r[side + "language"]
        h = hashlib.sha1(text.encode()).hexdigest()[:8]
        ext = {"javascript": "js", "typescript": "ts"}.get(language, "js")
        if (problem, h) in seen:
            continue
        slug = problem.replace(":", "_").replace("/", "_")
        seen[(problem, h)] = (slug, package.replace("/", "+") + "-" + h + "." + ext, text)
os.makedirs(out, exist_ok=True)
problems = collections.Counter()
for slug, name, text in seen.values():
    os.makedirs(os.path.join(out, slug), exist_ok=True)
    with open(os.path.join(out, slug, name), "w") as f:
        f.write(text)
    problems[slug] += 1
print(f"{len(seen)} files, {len(problems)} problems, {sum(n * (n - 1) // 2 for n in problems.values())} same-problem pairs")
