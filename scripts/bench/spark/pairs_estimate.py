"""From `codeintel units` output: how many cross-repository pairs reach the thresholds, and what share
of all cross-repository pairs the banded LSH of the job would compare (same bands as the job's
defaults, hyperplanes drawn here with numpy, so the rate, not the exact buckets, is reproduced).
   codeintel units --stdin < LIST > units.jsonl; python3 scripts/bench/spark/pairs_estimate.py units.jsonl"""
import json
import sys
from collections import defaultdict

import numpy as np

threshold, rows, bands = 0.66, 10, 16
units, within = [], 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["record"] == "unit" and r["eligible"]:
        units.append(r)
    elif r["record"] == "pair":
        within += 1
seen, reps = set(), []
for u in units:
    if u["canonicalHash"] not in seen:
        seen.add(u["canonicalHash"])
        reps.append(u)
names = sorted({u["repository"] for u in reps})
repo = np.array([names.index(u["repository"]) for u in reps])
v = np.array([u["vector"] for u in reps], dtype=np.float32)
n = len(reps)
sizes = np.bincount(repo)
cross_all = (n * n - int((sizes.astype(np.int64) ** 2).sum())) // 2
above = 0
for s in range(0, n, 2048):
    sim = v[s:s + 2048] @ v.T
    r = np.arange(s, min(s + 2048, n))[:, None]
    mask = (repo[r] != repo[None, :]) & (r < np.arange(n)[None, :])
    above += int((mask & (sim >= threshold)).sum())
rng = np.random.default_rng(1)
planes = rng.normal(size=(v.shape[1], rows * bands)).astype(np.float32)
bits = (v @ planes) >= 0
compared = 0
for b in range(bands):
    buckets = defaultdict(list)
    keys = np.packbits(bits[:, b * rows:(b + 1) * rows], axis=1)
    for i, k in enumerate(map(bytes, keys)):
        buckets[k].append(repo[i])
    for members in buckets.values():
        c = np.bincount(members)
        m = len(members)
        compared += (m * m - int((c.astype(np.int64) ** 2).sum())) // 2
print(json.dumps({"repositories": len(names), "eligibleUnits": len(units), "classes": n,
                  "withinRepositoryPairs": within, "crossRepositoryPairs": cross_all,
                  "crossPairsAtThreshold": above, "bandComparisons(upper bound, with repeats)": compared,
                  "comparedShare": round(compared / max(1, cross_all), 4)}, indent=1))
