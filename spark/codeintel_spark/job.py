"""The Spark pipeline behind `codeintel-spark clones`.

Stages (see docs/SCALE.md for what each costs):
  1. units     per repository on the executors: one `codeintel units` process per partition.
  2. hashes    exact and renamed candidates: groupBy on the canonical hash.
  3. near-miss MinHashLSH self-join on token shingles (cross-repository pairs).
  4. functional BucketedRandomProjectionLSH self-join on the normalised vectors (cross-repository);
               within a repository the binary already did the exact all-pairs search.
  5. grouping  connected components of the candidate pairs (plus each unit's enclosing functions),
               each grouped by `codeintel group-units`: the rules and thresholds of `codeintel clones`.
  6. output    Parquet (units, pairs, groups), summary.md/summary.json, one SARIF file per repository.
"""

import json
import math
import os
import shutil
import subprocess
import tempfile
import time
import zipfile
from functools import partial

from pyspark.ml.feature import BucketedRandomProjectionLSH, MinHashLSH
from pyspark.ml.functions import array_to_vector
from pyspark.ml.linalg import SparseVector, VectorUDT
from pyspark.sql import functions as F, types as T

from . import extract, report

UNIT_SCHEMA = T.StructType([
    T.StructField("uid", T.LongType(), False),
    T.StructField("repoIndex", T.IntegerType(), False),
    T.StructField("repository", T.StringType(), False),
    T.StructField("unit", T.IntegerType(), False),
    T.StructField("path", T.StringType(), False),
    T.StructField("ordinal", T.IntegerType(), False),
    T.StructField("parentOrdinal", T.IntegerType(), True),
    T.StructField("parentUid", T.LongType(), True),
    T.StructField("name", T.StringType(), True),
    T.StructField("kind", T.StringType(), False),
    T.StructField("startLine", T.IntegerType(), False),
    T.StructField("endLine", T.IntegerType(), False),
    T.StructField("startByte", T.IntegerType(), False),
    T.StructField("endByte", T.IntegerType(), False),
    T.StructField("lines", T.IntegerType(), False),
    T.StructField("tokens", T.IntegerType(), False),
    T.StructField("eligible", T.BooleanType(), False),
    T.StructField("exactHash", T.StringType(), False),
    T.StructField("canonicalHash", T.StringType(), False),
    T.StructField("shingles", T.ArrayType(T.IntegerType()), False),
    T.StructField("vector", T.ArrayType(T.FloatType()), False),
])

PAIR_SCHEMA = T.StructType([
    T.StructField("a", T.LongType(), False),
    T.StructField("b", T.LongType(), False),
    T.StructField("source", T.StringType(), False),
    T.StructField("score", T.DoubleType(), True),
])


def uid(repo_index, unit):
    """A unit's id across the run: its repository's position in LIST, then its position there."""
    return (repo_index << 32) | unit


class Settings:
    """What the job shares with the binary (`codeintel units --describe`) plus the LSH knobs."""

    def __init__(self, codeintel, clone_args, minhash_tables=8, brp_tables=12, bucket_length=None,
                 partitions=None):
        described = subprocess.run([codeintel, "units", "--describe", *clone_args], capture_output=True, text=True)
        if described.returncode != 0:
            raise RuntimeError("%s units --describe failed: %s" % (codeintel, described.stderr.strip()))
        self.shared = json.loads(described.stdout)
        self.codeintel = codeintel
        self.clone_args = list(clone_args)
        self.minhash_tables = minhash_tables
        self.brp_tables = brp_tables
        # Unit vectors at cosine c are sqrt(2 - 2c) apart; random projections of d-dimensional unit
        # vectors spread about 1/sqrt(d), so buckets a little wider than that separate neighbours.
        self.distance = math.sqrt(max(0.0, 2 - 2 * self.shared["threshold"]))
        self.bucket_length = bucket_length or 2.0 / math.sqrt(self.shared["dimension"])
        self.partitions = partitions


def package_zip(workdir):
    """This package as a zip for `addPyFile`, so executors on other machines can import it."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(workdir, "codeintel_spark.zip")
    with zipfile.ZipFile(path, "w") as z:
        for name in sorted(os.listdir(here)):
            if name.endswith(".py"):
                z.write(os.path.join(here, name), "codeintel_spark/" + name)
    return path


def unit_row(r):
    i = r["repoIndex"]
    return (uid(i, r["unit"]), i, r["repository"], r["unit"], r["path"], r["ordinal"], r.get("parentOrdinal"),
            uid(i, r["parent"]) if r.get("parent") is not None else None, r.get("name"), r["kind"],
            r["startLine"], r["endLine"], r["startByte"], r["endByte"], r["lines"], r["tokens"], r["eligible"],
            r["exactHash"], r["canonicalHash"], r["shingles"], [float(x) for x in r["vector"]])


def run(spark, entries, out_dir, settings, log=print, ship_binary=False):
    """Runs the whole job on `entries` (LIST lines) and writes `out_dir`; returns the summary dict."""
    sc = spark.sparkContext
    started = time.time()
    timings = {}
    os.makedirs(out_dir, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="codeintel-spark-driver-")
    sc.addPyFile(package_zip(workdir))
    binary = settings.codeintel
    if ship_binary:
        sc.addFile(binary)
        binary = "SPARKFILES:" + os.path.basename(binary)
    partitions = settings.partitions or max(1, min(len(entries), sc.defaultParallelism * 4))
    if spark.conf.get("spark.sql.shuffle.partitions") == "200":  # Spark's default, sized for big clusters
        spark.conf.set("spark.sql.shuffle.partitions", str(max(4, sc.defaultParallelism * 2)))

    # 1. Units, per repository on the executors.
    t = time.time()
    records = (sc.parallelize(list(enumerate(entries)), partitions)
               .mapPartitions(partial(_units, binary=binary, args=settings.clone_args))
               .persist())
    units = spark.createDataFrame(records.filter(lambda r: r["record"] == "unit").map(unit_row), UNIT_SCHEMA).persist()
    repos = records.filter(lambda r: r["record"] in ("done", "error")).collect()
    within = records.filter(lambda r: r["record"] == "pair").map(
        lambda r: (uid(r["repoIndex"], r["a"]), uid(r["repoIndex"], r["b"]), "within", float(r["score"])))
    unit_count = units.count()
    timings["units"] = time.time() - t
    failed = sorted((r for r in repos if r["record"] == "error"), key=lambda r: r["repoIndex"])
    for f in failed:
        log("codeintel-spark: %s: %s" % (f["repository"], f["error"]))

    eligible = units.filter(F.col("eligible"))
    # One unit per canonical class (the smallest id) stands for its class in the joins.
    reps = eligible.groupBy("canonicalHash").agg(F.min("uid").alias("uid")).join(eligible.drop("canonicalHash"), "uid")

    # 2. Exact and renamed: every class member linked to the class's first unit.
    t = time.time()
    classes = eligible.groupBy("canonicalHash").agg(F.sort_array(F.collect_list("uid")).alias("m")).filter(F.size("m") >= 2)
    hash_pairs = classes.select(F.col("m")[0].alias("a"), F.explode(F.slice("m", 2, 1 << 30)).alias("b")) \
        .select("a", "b", F.lit("hash").alias("source"), F.lit(1.0).alias("score"))
    timings["hashes"] = time.time() - t

    # 3. Near-miss candidates: MinHash over token shingles, across repositories.
    t = time.time()
    space = settings.shared["shingleSpace"]
    to_sparse = F.udf(lambda s: SparseVector(space, s, [1.0] * len(s)), VectorUDT())
    shingled = reps.filter(F.size("shingles") > 0).select("uid", "repoIndex", to_sparse("shingles").alias("features"))
    minhash = MinHashLSH(inputCol="features", outputCol="hashes", numHashTables=settings.minhash_tables, seed=1)
    near = minhash.fit(shingled).approxSimilarityJoin(
        shingled, shingled, 1 - settings.shared["nearMissJaccard"], distCol="d")
    near_pairs = near.filter((F.col("datasetA.uid") < F.col("datasetB.uid"))
                             & (F.col("datasetA.repoIndex") != F.col("datasetB.repoIndex"))) \
        .select(F.col("datasetA.uid").alias("a"), F.col("datasetB.uid").alias("b"),
                F.lit("minhash").alias("source"), (1 - F.col("d")).alias("score"))

    # 4. Functional candidates: random projections of the normalised vectors, across repositories.
    vectors = reps.select("uid", "repoIndex", array_to_vector("vector").alias("features"))
    brp = BucketedRandomProjectionLSH(inputCol="features", outputCol="hashes", bucketLength=settings.bucket_length,
                                      numHashTables=settings.brp_tables, seed=1)
    close = brp.fit(vectors).approxSimilarityJoin(vectors, vectors, settings.distance, distCol="d")
    close_pairs = close.filter((F.col("datasetA.uid") < F.col("datasetB.uid"))
                               & (F.col("datasetA.repoIndex") != F.col("datasetB.repoIndex"))) \
        .select(F.col("datasetA.uid").alias("a"), F.col("datasetB.uid").alias("b"),
                F.lit("brp").alias("source"), (1 - F.col("d") * F.col("d") / 2).alias("score"))

    pairs = (spark.createDataFrame(within, PAIR_SCHEMA).unionByName(hash_pairs).unionByName(near_pairs)
             .unionByName(close_pairs)).persist()
    pairs.write.mode("overwrite").parquet(os.path.join(out_dir, "pairs"))
    pair_counts = {r["source"]: r["count"] for r in pairs.groupBy("source").count().collect()}
    timings["candidates"] = time.time() - t

    # 5. Components (on the driver: there are far fewer pairs than units), with each paired unit's
    # enclosing functions, whose presence the nested-function rule needs.
    t = time.time()
    edges = [(r["a"], r["b"]) for r in pairs.select("a", "b").collect()]
    parent_of = {r["uid"]: r["parentUid"] for r in units.filter(F.col("parentUid").isNotNull())
                 .select("uid", "parentUid").collect()}
    component = _components(edges, parent_of)
    membership = spark.createDataFrame(list(component.items()), "uid long, cid long")
    member_units = units.join(membership, "uid").select(
        "cid", "uid", "repository", "path", "ordinal", "parentOrdinal", "name", "kind", "startLine", "endLine",
        "startByte", "endByte", "tokens", "exactHash", "canonicalHash", "vector")
    by_component = member_units.rdd.map(lambda r: (r["cid"], r.asDict())).groupByKey()
    edge_rdd = sc.parallelize([(component[a], (a, b)) for a, b in edges if a in component], partitions).groupByKey()
    components = by_component.leftOuterJoin(edge_rdd).map(_component_json)
    groups = components.mapPartitions(partial(_groups, binary=binary, args=settings.clone_args)).collect()
    timings["grouping"] = time.time() - t

    # 6. Output.
    t = time.time()
    units.write.mode("overwrite").parquet(os.path.join(out_dir, "units"))
    member_ids = sorted({m for g in groups for m in g["members"]})
    located = {}
    if member_ids:
        ids = spark.createDataFrame([(m,) for m in member_ids], "uid long")
        for r in units.join(ids, "uid").select("uid", "repository", "path", "name", "kind", "startLine",
                                                 "endLine").collect():
            located[r["uid"]] = r.asDict()
    ranked = report.rank(groups, located)
    group_schema = T.StructType([
        T.StructField("id", T.IntegerType()), T.StructField("kind", T.StringType()),
        T.StructField("similarity", T.DoubleType()), T.StructField("minSimilarity", T.DoubleType()),
        T.StructField("lines", T.IntegerType()), T.StructField("score", T.DoubleType()),
        T.StructField("repositories", T.IntegerType()), T.StructField("crossRepository", T.BooleanType()),
        T.StructField("members", T.ArrayType(T.StructType([
            T.StructField("uid", T.LongType()), T.StructField("repository", T.StringType()),
            T.StructField("path", T.StringType()), T.StructField("name", T.StringType()),
            T.StructField("kind", T.StringType()), T.StructField("startLine", T.IntegerType()),
            T.StructField("endLine", T.IntegerType())])))])
    rows = [(g["id"], g["kind"], float(g["similarity"]), float(g["minSimilarity"]), g["lines"], float(g["score"]),
             g["repositories"], g["crossRepository"],
             [(m["uid"], m["repository"], m["path"], m.get("name"), m["kind"], m["startLine"], m["endLine"])
              for m in g["members"]]) for g in ranked]
    spark.createDataFrame(rows, group_schema) \
        .write.mode("overwrite").parquet(os.path.join(out_dir, "groups"))
    summary = {
        "repositories": len(entries),
        "failed": [{"repository": f["repository"], "error": f["error"]} for f in failed],
        "files": sum(r.get("files", 0) for r in repos if r["record"] == "done"),
        "units": unit_count,
        "eligibleUnits": eligible.count(),
        "canonicalClasses": reps.count(),
        "candidatePairs": pair_counts,
        "groups": len(ranked),
        "crossRepositoryGroups": sum(1 for g in ranked if g["crossRepository"]),
        "groupsByKind": {k: sum(1 for g in ranked if g["kind"] == k) for k in sorted({g["kind"] for g in ranked})},
        "settings": dict(settings.shared, brpTables=settings.brp_tables, bucketLength=settings.bucket_length,
                         minhashTables=settings.minhash_tables),
        "master": sc.master,
    }
    report.write(out_dir, entries, ranked, summary)
    timings["output"] = time.time() - t
    timings["total"] = time.time() - started
    summary["seconds"] = {k: round(v, 1) for k, v in timings.items()}
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
    records.unpersist()
    units.unpersist()
    pairs.unpersist()
    shutil.rmtree(workdir, ignore_errors=True)
    return summary


def _binary(binary):
    if binary.startswith("SPARKFILES:"):
        from pyspark import SparkFiles
        path = SparkFiles.get(binary[len("SPARKFILES:"):])
        os.chmod(path, 0o755)
        return path
    return binary


def _units(items, binary, args):
    from codeintel_spark import extract as ex
    return ex.units_partition(items, _binary(binary), args)


def _groups(components, binary, args):
    from codeintel_spark import extract as ex
    return ex.group_partition(components, _binary(binary), args)


def _component_json(item):
    cid, (members, edges) = item
    members = list(members)
    position = {m["uid"]: i for i, m in enumerate(members)}
    units = [{"id": m["uid"], "repository": m["repository"], "path": m["path"], "ordinal": m["ordinal"],
              "parentOrdinal": m["parentOrdinal"], "name": m["name"], "kind": m["kind"],
              "startLine": m["startLine"], "endLine": m["endLine"], "startByte": m["startByte"],
              "endByte": m["endByte"], "tokens": m["tokens"], "exactHash": m["exactHash"],
              "canonicalHash": m["canonicalHash"], "vector": m["vector"]} for m in members]
    pairs = [[position[a], position[b]] for a, b in (edges or []) if a in position and b in position]
    return {"component": cid, "units": units, "pairs": pairs}


def _components(edges, parent_of):
    """Union-find over the candidate pairs and, for every paired unit, its chain of enclosing units."""
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for a, b in edges:
        union(a, b)
    for u in list(parent):
        p = parent_of.get(u)
        while p is not None:
            union(u, p)
            p = parent_of.get(p)
    return {u: find(u) for u in parent}
