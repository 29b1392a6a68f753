#!/usr/bin/env python3
"""Holds out whole repositories of a natural clone-pair file as a second selection set (issue 16, session 14).

natural-github-valid has 76 positive pairs, too few to choose among natural-stage variants 0.01 AUROC apart. This
splits natural-train.jsonl by **repository** (the `package` / `b_package` fields): the sorted repository list is
shuffled with SEED and its first K repositories are held out. It writes
- OUT/train.jsonl: one solution line ({"text", "problem", "language", "package"}) per distinct positive-pair solution
  of every other repository (the natural stage reads only positive lines and groups them by problem, so this is
  natural-train with the held-out repositories' code taken out and nothing else lost);
- OUT/heldout-pairs.jsonl: in natural-pair format, every pair of distinct held-out solutions of one problem from two
  different held-out repositories (label 1), and for each of them a negative (label 0): the same `a` with a held-out
  solution of another problem drawn at random (seeded), as docs/DATASETS.md builds the natural pairs' negatives.
Write the held-out pairs out for `codeintel eval clones --data` with natural_pairs_to_folder.py.
Nothing is copied into the repository: OUT lives outside it.
Usage: holdout_natural_repos.py NATURAL_TRAIN.jsonl OUT [--seed 16] [--repos 5]
"""
import argparse
import itertools
import json
import os
import random

ap = argparse.ArgumentParser()
ap.add_argument("src")
ap.add_argument("out")
ap.add_argument("--seed", type=int, default=16)
ap.add_argument("--repos", type=int, default=5)
o = ap.parse_args()

rows = [json.loads(l) for l in open(o.src) if l.strip()]
repos = sorted({r["package"] for r in rows} | {r["b_package"] for r in rows})
shuffled = repos[:]
random.Random(o.seed).shuffle(shuffled)
held = set(shuffled[: o.repos])

# Distinct solutions of the positive lines, per problem, in order of first appearance.
solutions = {}  # problem -> list of (package, language, text)
for r in rows:
    if int(r["label"]) != 1:
        continue
    for side in ("", "b_"):
        key = (r[side + "package"], r.get(side + "language", "javascript"), r["a" if side == "" else "b"])
        bucket = solutions.setdefault(r[side + "problem"], [])
        if key not in bucket:
            bucket.append(key)

os.makedirs(o.out, exist_ok=True)
train = heldout_solutions = 0
with open(os.path.join(o.out, "train.jsonl"), "w") as f:
    for problem, sols in solutions.items():
        for package, language, text in sols:
            if package in held:
                heldout_solutions += 1
                continue
            train += 1
            f.write(json.dumps({"text": text, "problem": problem, "language": language, "package": package}) + "\n")

rnd = random.Random(o.seed + 1)
pool = [(p, s) for p, sols in solutions.items() for s in sols if s[0] in held]
pairs = []
for problem, sols in solutions.items():
    h = [s for s in sols if s[0] in held]
    for a, b in itertools.combinations(h, 2):
        if a[0] == b[0]:
            continue
        pairs.append((1, problem, a, problem, b))
        while True:
            q, c = rnd.choice(pool)
            if q != problem:
                break
        pairs.append((0, problem, a, q, c))
with open(os.path.join(o.out, "heldout-pairs.jsonl"), "w") as f:
    for label, pa, a, pb, b in pairs:
        f.write(json.dumps({"label": label, "problem": pa, "package": a[0], "language": a[1], "a": a[2],
                            "b_problem": pb, "b_package": b[0], "b_language": b[1], "b": b[2]}) + "\n")
positives = sum(p[0] for p in pairs)
print(f"held out {len(held)} of {len(repos)} repositories (seed {o.seed}): {', '.join(sorted(held))}")
print(f"train: {train} solutions of the other repositories; held out: {heldout_solutions} solutions, "
      f"{positives} positive pairs over {len({p[1] for p in pairs if p[0] == 1})} problems, {len(pairs) - positives} negatives")
