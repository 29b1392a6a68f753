#!/usr/bin/env python3
"""Copies a clone set in the LeetCode layout (pairs.jsonl + the files it names) with every local renamed to random
words by `codeintel augment --transforms rename` (parameters and variables; function names kept), one seed per
file (issue 16, session 13): a renamed view that is not the v0, v1, ... rendering of the identifier-blind view, to
check that an encoder's blind gain is name invariance rather than that rendering. Evaluation data: write OUT
outside the repository.
Usage: renamed_view.py SET_FOLDER OUT CODEINTEL_BINARY"""
import hashlib, json, os, shutil, subprocess, sys
src, out, binary = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)
shutil.copy(os.path.join(src, "pairs.jsonl"), out)
pairs = [json.loads(l) for l in open(os.path.join(src, "pairs.jsonl"))]
files = sorted({p["a"] for p in pairs} | {p["b"] for p in pairs})
changed = failed = 0
for rel in files:
    seed = int(hashlib.sha1(rel.encode()).hexdigest()[:8], 16)
    r = subprocess.run(["nice", "-n", "10", binary, "augment", os.path.join(src, rel), "-n", "1", "--seed", str(seed),
                        "--transforms", "rename", "--format", "json"], capture_output=True, text=True)
    text = open(os.path.join(src, rel)).read()
    try:
        v = json.loads(r.stdout)[0]["text"]
        changed += v != text
        text = v
    except Exception:
        failed += 1
    os.makedirs(os.path.join(out, os.path.dirname(rel)), exist_ok=True)
    open(os.path.join(out, rel), "w").write(text)
print(f"{len(files)} files, {changed} renamed, {failed} failed (kept as written)")
