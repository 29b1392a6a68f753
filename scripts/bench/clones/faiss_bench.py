#!/usr/bin/env python3
"""faiss-cpu IndexFlatIP on the same vectors as `clone-index-child vector-bench`.

usage: faiss_bench.py FILE D K QUERIES THRESHOLD [OURS.json]

FILE holds N×D float32 unit vectors (written by `clone-index-child vectors`). Times a batch top-k
search of the first QUERIES vectors, single-query latency (mean of 100), and all pairs with inner
product >= THRESHOLD (range_search of every vector against the index). With OURS.json (the line
vector-bench printed) it also checks that both found the same top-k lists and the same pair count.
"""
import json
import sys
import time

import faiss
import numpy as np


def main() -> None:
    path, d, k, q, threshold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    x = np.fromfile(path, dtype=np.float32).reshape(-1, d)
    index = faiss.IndexFlatIP(d)
    index.add(x)
    t = time.perf_counter()
    _, ids = index.search(x[:q], k)
    topk = time.perf_counter() - t
    t = time.perf_counter()
    for i in range(100):
        index.search(x[i : i + 1], k)
    single = (time.perf_counter() - t) / 100
    t = time.perf_counter()
    pairs = 0
    block = 4096
    for start in range(0, len(x), block):
        # faiss keeps scores > radius; nudge it down so ">= threshold" matches ours.
        lims, dist, labels = index.range_search(x[start : start + block], np.nextafter(np.float32(threshold), np.float32(-1)))
        for r in range(min(block, len(x) - start)):
            row = labels[lims[r] : lims[r + 1]]
            pairs += int(np.count_nonzero(row > start + r))
    allpairs = time.perf_counter() - t
    out = {
        "n": len(x), "d": d, "k": k, "queries": q, "threads": faiss.omp_get_max_threads(),
        "topk_batch_s": topk, "topk_single_query_s": single, "allpairs_s": allpairs, "pairs": pairs,
        "first_query_top": ids[0].tolist(),
    }
    if len(sys.argv) > 6:
        ours = json.loads(open(sys.argv[6]).read())
        out["same_first_query_top"] = ours["first_query_top"] == out["first_query_top"]
        out["same_pair_count"] = ours["pairs"] == pairs
    print(json.dumps(out))


if __name__ == "__main__":
    main()
