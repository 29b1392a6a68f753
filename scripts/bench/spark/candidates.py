"""Functional candidate pairs of the job's bands on `codeintel units` output, without Spark: how many
cross-repository pairs the bands make the job score (against all of them, n^2/2) and how many of the
cross-repository pairs at cosine >= threshold they find (recall against exact all-pairs on a sample).

    codeintel units --stdin --output units.jsonl < LIST
    python3 scripts/bench/spark/candidates.py [--sample N] [--setting ROWSxBANDS/CAP/WINDOW ...] units.jsonl...

The signatures, banding and per-bucket rule are the job's own (codeintel_spark.candidates, same
seed), so the buckets are those of a job run on the same units."""
import argparse
import json
import os
import sys
import time
from collections import defaultdict

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "spark"))
from codeintel_spark import candidates  # noqa: E402


def load(paths):
    reps, seen, threshold = [], set(), None
    for path in paths:
        for line in open(path):
            r = json.loads(line)
            if r["record"] == "unit" and r["eligible"] and r["canonicalHash"] not in seen:
                seen.add(r["canonicalHash"])
                reps.append((r["repository"], np.asarray(r["vector"], dtype=np.float32)))
    names = sorted({r[0] for r in reps})
    index = {n: i for i, n in enumerate(names)}
    return np.array([index[r[0]] for r in reps]), np.stack([r[1] for r in reps]), len(names)


def exact_pairs(v, repo, members, threshold):
    """Cross-repository pairs at >= threshold among `members` (indices), by blocked products."""
    sub = v[members]
    out = set()
    for s in range(0, len(members), 1024):
        sims = sub[s:s + 1024] @ sub.T
        r = np.arange(s, min(s + 1024, len(members)))[:, None]
        mask = (repo[members][r] != repo[members][None, :]) & (r < np.arange(len(members))[None, :]) & (sims >= threshold)
        for i, j in zip(*np.nonzero(mask)):
            out.add((int(members[s + i]), int(members[j])))
    return out


def top_pairs(v, repo, queries, threshold, k):
    """For each query unit, its k most similar units of other repositories at >= threshold (exact):
    the pairs a group of at most k + 1 members can use."""
    out = set()
    for s in range(0, len(queries), 512):
        q = queries[s:s + 512]
        sims = v[q] @ v.T
        sims[repo[q][:, None] == repo[None, :]] = -2
        best = np.argsort(-sims, axis=1)[:, :k]
        for row, i in enumerate(q):
            for j in best[row]:
                if sims[row, j] >= threshold:
                    out.add((min(int(i), int(j)), max(int(i), int(j))))
    return out


def run(v, repo, rows, bands, cap, window, threshold, center):
    planes = candidates.projections(v.shape[1], rows * bands)
    hashed = v - v.mean(axis=0) if center else v
    buckets = defaultdict(list)
    for i, signature in enumerate(candidates.signatures(hashed, planes)):
        for band, key, order in candidates.band_items(signature, rows, bands):
            buckets[(band, key)].append((i, int(repo[i]), v[i], order))
    found, compared, largest = set(), 0, 0
    for items in buckets.values():
        largest = max(largest, len(items))
        pairs, c = candidates.cosine_pairs(items, threshold, cap, window)
        compared += c
        found.update((a, b) for a, b, _ in pairs)
    return found, compared, largest


def main():
    p = argparse.ArgumentParser()
    p.add_argument("units", nargs="+")
    p.add_argument("--threshold", type=float, default=0.75)
    p.add_argument("--sample", type=int, default=0, help="recall on this many random units (0: all)")
    p.add_argument("--top", type=int, default=20, help="also the recall of each of 2,000 random units' k best "
                   "cross-repository neighbours (default 20, the group size cap)")
    p.add_argument("--setting", action="append", default=None, help="ROWSxBANDS/CAP/WINDOW[/c], e.g. 10x24/64/16; /c: hash the vectors minus their mean")
    args = p.parse_args()
    repo, v, repositories = load(args.units)
    n = len(repo)
    sizes = np.bincount(repo).astype(np.int64)
    cross_all = (n * n - int((sizes ** 2).sum())) // 2
    members = np.arange(n)
    if args.sample and args.sample < n:
        members = np.sort(np.random.default_rng(2).choice(n, args.sample, replace=False))
    t = time.time()
    exact = exact_pairs(v, repo, members, args.threshold)
    print(json.dumps({"repositories": repositories, "classes": n, "crossRepositoryPairs": cross_all,
                      "recallSample": len(members), "exactPairsInSample": len(exact),
                      "exactSeconds": round(time.time() - t, 1)}), flush=True)
    inside = set(members.tolist())
    queries = np.sort(np.random.default_rng(3).choice(n, min(n, 2000), replace=False))
    best = top_pairs(v, repo, queries, args.threshold, args.top)
    print(json.dumps({"topQueries": len(queries), "top": args.top, "topPairs": len(best)}), flush=True)
    for setting in args.setting or ["10x16/1000000000/0", "10x24/64/16"]:
        center = setting.endswith("/c")
        shape, cap, window = setting.split("/")[:3]
        rows, bands = map(int, shape.split("x"))
        t = time.time()
        found, compared, largest = run(v, repo, rows, bands, int(cap), int(window), args.threshold, center)
        hit = sum(1 for a, b in found if a in inside and b in inside and (a, b) in exact)
        print(json.dumps({"setting": setting, "compared": compared, "comparedShare": round(compared / max(1, cross_all), 5),
                          "comparedPerClass": round(compared / n, 1), "largestBucket": largest,
                          "foundPairs": len(found), "recall": round(hit / max(1, len(exact)), 4),
                          "recallTop": round(len(best & found) / max(1, len(best)), 4),
                          "seconds": round(time.time() - t, 1)}), flush=True)


if __name__ == "__main__":
    main()
