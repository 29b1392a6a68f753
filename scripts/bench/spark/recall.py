"""Recall of the LSH joins on a sample: exact cross-repository pairs vs the pairs the job found.
   python3 scripts/bench/spark/recall.py OUT/job-local2 [SAMPLE]"""
import json
import os
import random
import sys

import numpy as np
from pyspark.sql import SparkSession, functions as F

out = sys.argv[1]
sample = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
summary = json.load(open(os.path.join(out, "summary.json")))
threshold = summary["settings"]["threshold"]
jaccard = summary["settings"]["nearMissJaccard"]
spark = (SparkSession.builder.master("local[2]").config("spark.driver.memory", "3g")
         .config("spark.ui.showConsoleProgress", "false").getOrCreate())
units = spark.read.parquet(os.path.join(out, "units")).filter("eligible")
reps = units.groupBy("canonicalHash").agg(F.min("uid").alias("uid")).join(units.drop("canonicalHash"), "uid")
rows = reps.select("uid", "repoIndex", "vector", "shingles").collect()
random.Random(1).shuffle(rows)
rows = rows[:sample]
ids = [r["uid"] for r in rows]
wanted = set(ids)
found = {}
for r in spark.read.parquet(os.path.join(out, "pairs")).filter(F.col("source").isin("brp", "minhash")).collect():
    if r["a"] in wanted and r["b"] in wanted:
        found.setdefault(r["source"], set()).add((min(r["a"], r["b"]), max(r["a"], r["b"])))
v = np.array([r["vector"] for r in rows], dtype=np.float32)
repo = np.array([r["repoIndex"] for r in rows])
sims = v @ v.T
cross = repo[:, None] != repo[None, :]
upper = np.triu(np.ones_like(cross), 1).astype(bool)
exact_cos = {(min(ids[i], ids[j]), max(ids[i], ids[j])) for i, j in zip(*np.nonzero((sims >= threshold) & cross & upper))}
sets = [set(r["shingles"]) for r in rows]
exact_jac = set()
for i in range(len(rows)):
    for j in range(i + 1, len(rows)):
        if repo[i] != repo[j] and sets[i] and sets[j]:
            inter = len(sets[i] & sets[j])
            if inter and inter / len(sets[i] | sets[j]) >= jaccard:
                exact_jac.add((min(ids[i], ids[j]), max(ids[i], ids[j])))
brp = found.get("brp", set())
mh = found.get("minhash", set())
n = len(rows)
print(json.dumps({
    "sample": n, "crossRepositoryPairsInSample": int((cross & upper).sum()),
    "exactCosinePairs": len(exact_cos), "brpFound": len(brp & exact_cos),
    "brpRecall": round(len(brp & exact_cos) / max(1, len(exact_cos)), 3),
    "exactJaccardPairs": len(exact_jac), "minhashFound": len(mh & exact_jac),
    "minhashRecall": round(len(mh & exact_jac) / max(1, len(exact_jac)), 3),
}, indent=1))
spark.stop()
