#!/usr/bin/env python3
"""Writes a natural clone-pair file out in the LeetCode set's layout (issue 16, session 13).

`codeintel eval clones --data OUT` reads OUT/pairs.jsonl ({"a": path, "b": path, "label", "task_a", "task_b"})
and the files it names, so the encoder rows of docs/EVALUATION.md "Pretraining ablation" can be measured on
held-out natural pairs (natural-github-valid.jsonl to choose, natural-github-test.jsonl once after) exactly as on
the LeetCode set. Every distinct text is one file, OUT/solutions/<problem>/<hash>.<ext>; the pairs keep the
file's order (`--limit` then spreads them by class as it does for any set). Nothing is copied into the repository:
OUT lives outside it.
Usage: natural_pairs_to_folder.py DATASETS/clone-pairs/natural-github-valid.jsonl OUT
"""
import hashlib
import json
import os
import sys

src, out = sys.argv[1], sys.argv[2]
paths = {}
lines = []
for n, line in enumerate(open(src), 1):
    if not line.strip():
        continue
    r = json.loads(line)
    names = []
    for side in ("", "b_"):
        text = r["a" if side == "" else "b"]
        problem = r[side + "problem"]
        language = r.get(side + "language", "javascript")
        ext = {"javascript": "js", "typescript": "ts", "tsx": "tsx"}.get(language, "js")
        key = (problem, text)
        if key not in paths:
            slug = problem.replace(":", "_").replace("/", "_")
            h = hashlib.sha1(text.encode()).hexdigest()[:10]
            paths[key] = (f"solutions/{slug}/{h}.{ext}", text)
        names.append(paths[key][0])
    lines.append({"a": names[0], "b": names[1], "label": int(r["label"]), "task_a": r["problem"],
                  "task_b": r["b_problem"]})
for rel, text in paths.values():
    os.makedirs(os.path.join(out, os.path.dirname(rel)), exist_ok=True)
    with open(os.path.join(out, rel), "w") as f:
        f.write(text)
with open(os.path.join(out, "pairs.jsonl"), "w") as f:
    for l in lines:
        f.write(json.dumps(l) + "\n")
positives = sum(l["label"] for l in lines)
print(f"{len(lines)} pairs ({positives} positive), {len(paths)} files")
