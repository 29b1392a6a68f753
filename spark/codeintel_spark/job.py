"""The Spark pipeline behind `codeintel-spark clones`.

Stages (see docs/SCALE.md for what each costs):
  1. units     per repository on the executors: one `codeintel units` process per partition (or
               records read from --units-from).
  2. hashes    exact and renamed candidates: groupBy on the canonical hash.
  3. near-miss MLlib MinHash of the identifier-blind token bags, banded, bounded buckets
               (cross-repository pairs).
  4. functional SimHash signatures of the normalised vectors, banded, bounded buckets
               (cross-repository); within a repository the binary already did the exact searches.
  5. grouping  connected components of the candidate pairs (plus each unit's enclosing functions),
               each grouped by `codeintel group-units`: the rules and thresholds of `codeintel clones`.
  6. output    Parquet (units, pairs, groups), summary.md/summary.json, one SARIF file per repository.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
import zipfile
from functools import partial

from pyspark.ml.feature import MinHashLSH
from pyspark.ml.linalg import SparseVector, VectorUDT
from pyspark.sql import functions as F, types as T

from . import candidates, extract, report

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
    T.StructField("testCallback", T.BooleanType(), False),
    T.StructField("exactHash", T.StringType(), False),
    T.StructField("canonicalHash", T.StringType(), False),
    T.StructField("shingles", T.ArrayType(T.IntegerType()), False),
    T.StructField("vector", T.ArrayType(T.FloatType()), False),
    T.StructField("rawTokens", T.ArrayType(T.LongType()), False),
    T.StructField("blindTokens", T.ArrayType(T.LongType()), False),
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

    def __init__(self, codeintel, clone_args, minhash_rows=4, minhash_bands=16, brp_rows=10, brp_bands=24,
                 partitions=None, bucket_cap=256, window=64):
        described = subprocess.run([codeintel, "units", "--describe", *clone_args], capture_output=True, text=True)
        if described.returncode != 0:
            raise RuntimeError("%s units --describe failed: %s" % (codeintel, described.stderr.strip()))
        self.shared = json.loads(described.stdout)
        self.codeintel = codeintel
        self.clone_args = list(clone_args)
        self.minhash_rows = minhash_rows
        self.minhash_bands = minhash_bands
        self.brp_rows = brp_rows
        self.brp_bands = brp_bands
        # A band of `brp_rows` SimHash signs is one bucket key (AND); a pair is a candidate when any of
        # `brp_bands` bands agrees (OR).
        # A bucket of at most `bucket_cap` units is scored whole; a larger one in the order of its units'
        # other hash values, each unit against the next `window` (codeintel_spark.candidates), so the
        # scored pairs grow linearly with the units.
        self.bucket_cap = bucket_cap
        self.window = window
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
            r.get("testCallback", False), r["exactHash"], r["canonicalHash"], r["shingles"],
            [float(x) for x in r["vector"]], r.get("rawTokens", []), r.get("blindTokens", []))


def run(spark, entries, out_dir, settings, log=print, ship_binary=False, tables=None, units_from=None):
    """Runs the whole job on `entries` (LIST lines) and writes `out_dir` (a folder of the driver's file
    system: summary and SARIF); the Parquet tables go to `tables` (any Spark path: hdfs://, s3a://,
    a shared folder), by default `out_dir` too. With `units_from` (a JSON-lines file or folder of
    them, as `codeintel units` writes, any Spark path) stage 1 reads those records instead of
    running the binary; each entry must be a "repository" there. Returns the summary dict."""
    tables = tables or out_dir
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
    records = None
    if units_from:
        units, repos, within = _read_units(spark, entries, units_from)
    else:
        records = (sc.parallelize(list(enumerate(entries)), partitions)
                   .mapPartitions(partial(_units, binary=binary, args=settings.clone_args))
                   .persist())
        units = spark.createDataFrame(records.filter(lambda r: r["record"] == "unit").map(unit_row),
                                      UNIT_SCHEMA).persist()
        repos = records.filter(lambda r: r["record"] in ("done", "error")).collect()
        within = spark.createDataFrame(records.filter(lambda r: r["record"] == "pair").map(
            lambda r: (uid(r["repoIndex"], r["a"]), uid(r["repoIndex"], r["b"]), "within", float(r["score"]))),
            PAIR_SCHEMA)
    unit_count = units.count()
    timings["units"] = time.time() - t
    finished = {r["repoIndex"] for r in repos}
    repos += [{"record": "error", "repository": e, "repoIndex": i, "error": "no unit records in %s" % units_from}
              for i, e in enumerate(entries) if units_from and i not in finished]
    failed = sorted((r for r in repos if r["record"] == "error"), key=lambda r: r["repoIndex"])
    for f in failed:
        log("codeintel-spark: %s: %s" % (f["repository"], f["error"]))

    eligible = units.filter(F.col("eligible"))
    # One unit per canonical class (the smallest id) stands for its class in the joins.
    reps = eligible.groupBy("canonicalHash").agg(F.min("uid").alias("uid")).join(
        eligible.drop("canonicalHash"), "uid").persist()  # read by both LSH stages and the summary

    # 2. Exact and renamed: every class member linked to the class's first unit.
    t = time.time()
    classes = eligible.groupBy("canonicalHash").agg(F.sort_array(F.collect_list("uid")).alias("m")).filter(F.size("m") >= 2)
    hash_pairs = classes.select(F.col("m")[0].alias("a"), F.explode(F.slice("m", 2, 1 << 30)).alias("b")) \
        .select("a", "b", F.lit("hash").alias("source"), F.lit(1.0).alias("score"))
    timings["hashes"] = time.time() - t

    # 3. Near-miss candidates: MLlib MinHash signatures of the identifier-blind token bags (each token
    # occurrence one element), banded (AND of `minhash_rows` hashes per band, OR over `minhash_bands`
    # bands); a bucket keeps the cross-repository pairs whose bag Jaccard reaches the least Jaccard a
    # near-miss pair can have (`nearMissJaccard`); `codeintel group-units` applies the rule itself.
    t = time.time()
    space = settings.shared["shingleSpace"]
    compared = {"minhash": sc.accumulator(0), "brp": sc.accumulator(0)}
    bag = F.udf(partial(candidates.bag_elements, space=space), T.ArrayType(T.IntegerType()))
    to_sparse = F.udf(lambda s: SparseVector(space, s, [1.0] * len(s)), VectorUDT())
    shingled = reps.filter(F.size("blindTokens") > 0).select("uid", "repoIndex", bag("blindTokens").alias("bag")) \
        .select("uid", "repoIndex", "bag", to_sparse("bag").alias("features"))
    minhash = MinHashLSH(inputCol="features", outputCol="hashes",
                         numHashTables=settings.minhash_rows * settings.minhash_bands, seed=1)
    if settings.shared.get("nearMiss", True) and not shingled.isEmpty():  # no bags: --no-near-miss, old records
        near_pairs = spark.createDataFrame(
            _banded(minhash.fit(shingled).transform(shingled).select("uid", "repoIndex", "bag", "hashes").rdd
                    .flatMap(partial(_minhash_items, rows=settings.minhash_rows, bands=settings.minhash_bands)),
                    partial(_score_jaccard, minimum=settings.shared["nearMissJaccard"], cap=settings.bucket_cap,
                            window=settings.window, counter=compared["minhash"])),
            PAIR_SCHEMA)
    else:
        near_pairs = spark.createDataFrame([], PAIR_SCHEMA)

    # 4. Functional candidates: SimHash signatures of the normalised vectors (one sign bit per random
    # direction: what MLlib's BucketedRandomProjectionLSH gives with buckets wider than any projection,
    # computed here with numpy one partition at a time, since MLlib hands each of its 240 hashes to
    # Python as a vector of its own), banded like the MinHash signatures.
    planes = sc.broadcast(candidates.projections(settings.shared["dimension"], settings.brp_rows * settings.brp_bands))
    close_pairs = spark.createDataFrame(
        _banded(reps.select("uid", "repoIndex", "vector").rdd
                .mapPartitions(partial(_brp_items, planes=planes, rows=settings.brp_rows, bands=settings.brp_bands)),
                partial(_score_cosine, minimum=settings.shared["threshold"], cap=settings.bucket_cap,
                        window=settings.window, counter=compared["brp"])),
        PAIR_SCHEMA)

    pairs = (within.unionByName(hash_pairs).unionByName(near_pairs)
             .unionByName(close_pairs)).persist()
    pairs.write.mode("overwrite").parquet(_join(tables, "pairs"))
    pair_counts = {r["source"]: r["count"] for r in pairs.groupBy("source").count().collect()}
    compared_pairs = {k: a.value for k, a in compared.items()}
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
        "startByte", "endByte", "tokens", "exactHash", "canonicalHash", "vector", "testCallback", "rawTokens",
        "blindTokens")
    by_component = member_units.rdd.map(lambda r: (r["cid"], r.asDict())).groupByKey()
    edge_rdd = sc.parallelize([(component[a], (a, b)) for a, b in edges if a in component], partitions).groupByKey()
    components = by_component.leftOuterJoin(edge_rdd).map(_component_json)
    groups = components.mapPartitions(partial(_groups, binary=binary, args=settings.clone_args)).collect()
    timings["grouping"] = time.time() - t

    # 6. Output.
    t = time.time()
    units.write.mode("overwrite").parquet(_join(tables, "units"))
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
        .write.mode("overwrite").parquet(_join(tables, "groups"))
    summary = {
        "repositories": len(entries),
        "failed": [{"repository": f["repository"], "error": f["error"]} for f in failed],
        "files": sum(r.get("files", 0) for r in repos if r["record"] == "done"),
        "units": unit_count,
        "eligibleUnits": eligible.count(),
        "canonicalClasses": reps.count(),
        "candidatePairs": pair_counts,
        # Cross-repository pairs whose exact score the LSH buckets led to computing (by join, repeats
        # across bands counted), against all of them.
        "lshComparedPairs": sum(compared_pairs.values()),
        "lshComparedPairsBySource": compared_pairs,
        "allCrossRepositoryPairs": _cross_pairs(reps),
        "groups": len(ranked),
        "crossRepositoryGroups": sum(1 for g in ranked if g["crossRepository"]),
        "groupsByKind": {k: sum(1 for g in ranked if g["kind"] == k) for k in sorted({g["kind"] for g in ranked})},
        "settings": dict(settings.shared, brpRows=settings.brp_rows, brpBands=settings.brp_bands,
                         minhashRows=settings.minhash_rows,
                         minhashBands=settings.minhash_bands, bucketCap=settings.bucket_cap, window=settings.window),
        "master": sc.master,
        "unitsFrom": units_from,
    }
    report.write(out_dir, entries, ranked, summary)
    timings["output"] = time.time() - t
    timings["total"] = time.time() - started
    summary["seconds"] = {k: round(v, 1) for k, v in timings.items()}
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
    if records is not None:
        records.unpersist()
    units.unpersist()
    reps.unpersist()
    pairs.unpersist()
    shutil.rmtree(workdir, ignore_errors=True)
    return summary


# Every field of the records `codeintel units` writes (unit, pair, done, error), for Spark's JSON reader.
RECORD_SCHEMA = T.StructType(
    [T.StructField("record", T.StringType())]
    + [T.StructField(f.name, f.dataType, True) for f in UNIT_SCHEMA.fields
     if f.name not in ("uid", "repoIndex", "parentUid")]
    + [T.StructField("parent", T.IntegerType()), T.StructField("a", T.IntegerType()),
       T.StructField("b", T.IntegerType()), T.StructField("score", T.DoubleType()),
       T.StructField("files", T.IntegerType()), T.StructField("error", T.StringType())])


def _read_units(spark, entries, path):
    """Stage 1 from records written by `codeintel units` (Spark's JSON reader, no Python per record):
    (units DataFrame, done/error records of LIST's repositories, within-repository pairs)."""
    index = spark.createDataFrame([(e, i) for i, e in enumerate(entries)], "repository string, repoIndex int")
    records = spark.read.schema(RECORD_SCHEMA).json(path).join(F.broadcast(index), "repository")

    def uid_of(column):
        return F.shiftleft(F.col("repoIndex").cast("long"), 32) + F.col(column).cast("long")

    defaults = {"testCallback": F.lit(False), "rawTokens": F.array().cast(T.ArrayType(T.LongType())),
                "blindTokens": F.array().cast(T.ArrayType(T.LongType()))}
    columns = []
    for f in UNIT_SCHEMA.fields:
        if f.name == "uid":
            columns.append(uid_of("unit").alias("uid"))
        elif f.name == "parentUid":
            columns.append(F.when(F.col("parent").isNotNull(), uid_of("parent")).alias("parentUid"))
        elif f.name in defaults:
            columns.append(F.coalesce(F.col(f.name), defaults[f.name]).alias(f.name))
        else:
            columns.append(F.col(f.name))
    units = records.filter(F.col("record") == "unit").select(*columns).persist()
    repos = [r.asDict() for r in records.filter(F.col("record").isin("done", "error"))
             .select("record", "repository", "repoIndex", "files", "error").collect()]
    within = records.filter(F.col("record") == "pair").select(
        uid_of("a").alias("a"), uid_of("b").alias("b"), F.lit("within").alias("source"),
        F.col("score").alias("score"))
    return units, repos, within


def _banded(items, score_bucket):
    """Buckets of (band, key, item) records, each scored exactly (`score_bucket`), each pair once
    however many bands it shares."""
    found = items.map(lambda x: ((x[0], x[1]), x[2])).groupByKey().flatMap(lambda kv: score_bucket(list(kv[1])))
    return found.map(lambda p: ((p[0], p[1]), p)).reduceByKey(lambda x, y: x).values()


def _brp_items(units, planes, rows, bands, chunk=4096):
    """(band, key, item) for a partition's units, the signatures computed a chunk at a time."""
    from itertools import islice
    from codeintel_spark import candidates as c
    import numpy as np
    units = iter(units)
    while True:
        batch = list(islice(units, chunk))
        if not batch:
            return
        v = np.array([u["vector"] for u in batch], dtype=np.float32)
        for u, vector, signature in zip(batch, v, c.signatures(v, planes.value)):
            item = (u["uid"], u["repoIndex"], vector.tobytes())
            for band, key, order in c.band_items(signature, rows, bands):
                yield band, key, item + (order,)


def _minhash_items(r, rows, bands):
    from codeintel_spark import candidates as c
    for band, key, order in c.value_items([int(v[0]) for v in r["hashes"]], rows, bands):
        yield band, key, (r["uid"], r["repoIndex"], r["bag"], order)


def _score_cosine(items, minimum, cap, window, counter):
    from codeintel_spark import candidates as c
    pairs, compared = c.cosine_pairs(items, minimum, cap, window)
    counter.add(compared)
    return [(a, b, "brp", s) for a, b, s in pairs]


def _score_jaccard(items, minimum, cap, window, counter):
    from codeintel_spark import candidates as c
    pairs, compared = c.jaccard_pairs(items, minimum, cap, window)
    counter.add(compared)
    return [(a, b, "minhash", s) for a, b, s in pairs]


def _cross_pairs(reps):
    """The number of cross-repository pairs among the class representatives (what all-pairs would score)."""
    sizes = [r["count"] for r in reps.groupBy("repoIndex").count().collect()]
    total = sum(sizes)
    return (total * total - sum(n * n for n in sizes)) // 2


def _join(base, name):
    return base.rstrip("/") + "/" + name


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
              "canonicalHash": m["canonicalHash"], "vector": m["vector"], "testCallback": m["testCallback"],
              "rawTokens": m["rawTokens"], "blindTokens": m["blindTokens"]} for m in members]
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
