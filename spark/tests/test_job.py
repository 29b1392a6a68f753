"""Tests of the Spark job: planted cross-repository clones in small repositories made here.

Run with `python3 -m unittest discover -s spark/tests -v` (scripts/test.sh does, after installing
pyspark, numpy and Java). They need the codeintel binary: $CODEINTEL_BIN, else .build/debug/codeintel.
When pyspark or Java is missing every test is skipped with the reason.
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SPARK_DIR = os.path.dirname(HERE)
ROOT = os.path.dirname(SPARK_DIR)
sys.path.insert(0, SPARK_DIR)

try:
    import pyspark  # noqa: F401
    import numpy  # noqa: F401
    MISSING = None
except ImportError as error:
    MISSING = "pyspark/numpy not installed (%s): run scripts/setup.sh --spark" % error
if MISSING is None and shutil.which("java") is None:
    MISSING = "no java on PATH: run scripts/setup.sh --spark"
BINARY = os.environ.get("CODEINTEL_BIN") or os.path.join(ROOT, ".build", "debug", "codeintel")
if MISSING is None and not os.access(BINARY, os.X_OK):
    MISSING = "no codeintel binary at %s: build first or set CODEINTEL_BIN" % BINARY

# --- The planted functions --------------------------------------------------------------------

ESCAPE = """function escapeHtml(text) {
  let out = "";
  for (const ch of text) {
    if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else if (ch === "&") out += "&amp;";
    else out += ch;
  }
  return out;
}
"""
# Exact copy: other name, other layout, a comment.
ESCAPE_COPY = """// copied from the web app
function escapeText(text) {
  let out = "";
  for (const ch of text) {
    if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else if (ch === "&") out += "&amp;";
    else
      out += ch;
  }
  return out;
}
"""
TOTAL = """function totalPrice(items, taxRate) {
  let sum = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    sum += item.price * item.quantity;
  }
  return Math.round(sum * (1 + taxRate) * 100) / 100;
}
"""
# Renamed copy: every local renamed.
TOTAL_RENAMED = """function orderTotal(lines, rate) {
  let acc = 0;
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k];
    acc += line.price * line.quantity;
  }
  return Math.round(acc * (1 + rate) * 100) / 100;
}
"""
QUERY = """function parseQuery(query) {
  const result = {};
  const parts = query.replace(/^\\?/, "").split("&");
  for (const part of parts) {
    if (!part) continue;
    const [key, value] = part.split("=");
    result[decodeURIComponent(key)] = decodeURIComponent(value || "");
  }
  return result;
}
"""
# Near-miss copy: one statement added, one operator changed.
QUERY_EDITED = """function parseQuery(query) {
  const result = {};
  const parts = query.replace(/^\\?/, "").split("&");
  for (const part of parts) {
    if (!part) continue;
    const [key, value] = part.split("=");
    if (key in result) continue;
    result[decodeURIComponent(key)] = decodeURIComponent(value ?? "");
  }
  return result;
}
"""
CHUNK = """function chunk(list, size) {
  const chunks = [];
  for (let i = 0; i < list.length; i += size) {
    chunks.push(list.slice(i, i + size));
  }
  return chunks;
}
"""
# Functional copy: the same job written as a while loop.
CHUNK_WHILE = """function splitIntoChunks(array, n) {
  const out = [];
  let start = 0;
  while (start < array.length) {
    out.push(array.slice(start, start + n));
    start += n;
  }
  return out;
}
"""
# Unrelated code, so the repositories are not only clones.
FILLER = [
    """export class Cache {
  constructor(limit) {
    this.limit = limit;
    this.map = new Map();
  }
  get(key) {
    if (!this.map.has(key)) return undefined;
    const value = this.map.get(key);
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }
}
""",
    """export async function retry(fn, attempts, delayMs) {
  let lastError;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await fn();
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, delayMs * 2 ** attempt));
    }
  }
  throw lastError;
}
""",
    """export function formatDuration(seconds) {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = Math.floor(seconds % 60);
  const parts = [];
  if (hours) parts.push(hours + "h");
  if (minutes) parts.push(minutes + "m");
  parts.push(rest + "s");
  return parts.join(" ");
}
""",
    """export function debounce(fn, wait) {
  let timer = null;
  return function (...args) {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn.apply(this, args);
    }, wait);
  };
}
""",
]


def write(root, files):
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)


def make_repositories(base):
    """Four repositories (the fourth a Git repository named by URL#COMMIT) and two that fail."""
    a, b, c, d = (os.path.join(base, n) for n in ("alpha", "beta", "gamma", "delta"))
    write(a, {"src/html.js": ESCAPE, "src/cart.js": TOTAL, "src/query.js": QUERY, "src/list.js": CHUNK,
              "src/cache.js": FILLER[0]})
    write(b, {"lib/escape.js": ESCAPE_COPY, "lib/chunks.js": CHUNK_WHILE, "lib/retry.js": FILLER[1]})
    write(c, {"app/order.ts": TOTAL_RENAMED, "app/time.js": FILLER[2]})
    write(d, {"web/params.js": QUERY_EDITED, "web/debounce.js": FILLER[3]})
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", d]
    subprocess.run(["git", "init", "-q", d], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "planted"], check=True)
    commit = subprocess.run(["git", "-C", d, "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    shutil.rmtree(os.path.join(d, "web"))  # the job must read the commit, not this checkout
    return [a, b, c, "file://%s#%s" % (d, commit), os.path.join(base, "no-such-folder"),
            "file://%s/missing.git#%s" % (base, commit)]


def member_sets(out):
    """Groups from the Parquet table as {(kind, frozenset of (repository tail, name))}."""
    from pyspark.sql import SparkSession
    spark = SparkSession.getActiveSession()
    rows = spark.read.parquet(os.path.join(out, "groups")).collect()
    return [(r["kind"], frozenset((m["repository"].rstrip("/").split("/")[-1].split("#")[0], m["name"])
                                  for m in r["members"])) for r in rows]


@unittest.skipIf(MISSING, MISSING or "")
class LocalJobTests(unittest.TestCase):
    """local[2]: the planted groups, failures reported, and one repository equal to `codeintel clones`."""

    @classmethod
    def setUpClass(cls):
        from pyspark.sql import SparkSession
        from codeintel_spark import job
        cls.job = job
        cls.spark = (SparkSession.builder.master("local[2]").appName("codeintel-spark tests")
                     .config("spark.ui.enabled", "false")
                     .config("spark.ui.showConsoleProgress", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate())
        cls.spark.sparkContext.setLogLevel("ERROR")
        cls.base = tempfile.mkdtemp(prefix="codeintel-spark-test-")
        cls.entries = make_repositories(cls.base)
        cls.out = os.path.join(cls.base, "out")
        cls.settings = job.Settings(BINARY, [])
        cls.logged = []
        cls.summary = job.run(cls.spark, cls.entries, cls.out, cls.settings, log=cls.logged.append)

    @classmethod
    def tearDownClass(cls):
        cls.spark.stop()
        shutil.rmtree(cls.base, ignore_errors=True)

    def test_finds_the_planted_cross_repository_groups(self):
        groups = member_sets(self.out)
        self.assertIn(("exact", frozenset({("alpha", "escapeHtml"), ("beta", "escapeText")})), groups)
        self.assertIn(("renamed", frozenset({("alpha", "totalPrice"), ("gamma", "orderTotal")})), groups)
        self.assertIn(("functional", frozenset({("alpha", "chunk"), ("beta", "splitIntoChunks")})), groups)
        self.assertIn(("near-miss", frozenset({("alpha", "parseQuery"), ("delta", "parseQuery")})), groups)
        # Nothing else: the filler functions are unrelated.
        self.assertEqual(len(groups), 4, groups)

    def test_near_miss_copy_is_a_minhash_candidate(self):
        pairs = self.spark.read.parquet(os.path.join(self.out, "pairs"))
        units = self.spark.read.parquet(os.path.join(self.out, "units")).filter("name = 'parseQuery'")
        ids = sorted(r["uid"] for r in units.collect())
        self.assertEqual(len(ids), 2)
        sources = {r["source"] for r in pairs.filter((pairs.a == ids[0]) & (pairs.b == ids[1])).collect()}
        self.assertIn("minhash", sources)
        self.assertIn("brp", sources)

    def test_failed_repositories_are_reported_and_the_rest_finish(self):
        failed = {f["repository"]: f["error"] for f in self.summary["failed"]}
        self.assertEqual(set(failed), {self.entries[4], self.entries[5]})
        self.assertIn("no-such-folder", failed[self.entries[4]])
        self.assertIn("cannot fetch", failed[self.entries[5]])
        self.assertEqual(len(self.logged), 2)
        self.assertEqual(self.summary["repositories"], 6)
        sarifs = sorted(os.path.basename(p) for p in glob.glob(os.path.join(self.out, "sarif", "*.sarif")))
        self.assertEqual(len(sarifs), 4, sarifs)

    def test_summary_and_sarif_name_the_other_repository(self):
        with open(os.path.join(self.out, "summary.md")) as f:
            text = f.read()
        self.assertIn("4 groups (4 across repositories)", text)
        self.assertIn("lib/escape.js", text)
        sarif_path = glob.glob(os.path.join(self.out, "sarif", "0001-beta.sarif"))[0]
        with open(sarif_path) as f:
            sarif = json.load(f)
        results = sarif["runs"][0]["results"]
        self.assertEqual({r["ruleId"] for r in results}, {"clone/exact", "clone/functional"})
        exact = [r for r in results if r["ruleId"] == "clone/exact"][0]
        self.assertEqual(exact["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "lib/escape.js")
        self.assertIn("alpha:src/html.js:1-10", exact["message"]["text"])

    def test_records_written_once_by_codeintel_units_give_the_same_groups(self):
        folders = self.entries[:3]
        records = os.path.join(self.base, "units.jsonl")
        subprocess.run([BINARY, "units", *folders, "--output", records], check=True, capture_output=True)
        out = os.path.join(self.base, "from-units")
        logged = []
        summary = self.job.run(self.spark, folders + [self.entries[4]], out, self.settings, log=logged.append,
                               units_from=records)
        groups = member_sets(out)
        self.assertEqual(sorted(groups), sorted([
            ("exact", frozenset({("alpha", "escapeHtml"), ("beta", "escapeText")})),
            ("renamed", frozenset({("alpha", "totalPrice"), ("gamma", "orderTotal")})),
            ("functional", frozenset({("alpha", "chunk"), ("beta", "splitIntoChunks")}))]))
        # A LIST entry without records is reported, not silently dropped.
        self.assertEqual([f["repository"] for f in summary["failed"]], [self.entries[4]])
        self.assertIn("no unit records", logged[0])

    def test_one_repository_gives_the_groups_of_codeintel_clones(self):
        demo = os.path.join(self.base, "demo")
        shutil.copytree(os.path.join(ROOT, "Examples", "clones-demo"), demo)
        # With a near-miss copy and a test file that copies a function (test code is not reported).
        write(demo, {"src/query.js": QUERY, "lib/params.js": QUERY_EDITED, "test/query.test.js": QUERY})
        out = os.path.join(self.base, "demo-out")
        self.job.run(self.spark, [demo], out, self.settings, log=lambda s: None)
        # The job scores functional candidates by cosine alone; `clones` also gates them with the learned pair
        # scorer by default (clone-scorer.json), so the comparison is with the scorer off (docs/SCALE.md).
        single = json.loads(subprocess.run([BINARY, "clones", demo, "--no-scorer", "--format", "json", "--quiet"],
                                           capture_output=True, text=True, check=True).stdout)
        expected = [(g["kind"], round(g["similarity"], 4), [(m["path"], m["startLine"], m["endLine"])
                                                           for m in g["members"]]) for g in single["groups"]]
        rows = self.spark.read.parquet(os.path.join(out, "groups")).orderBy("id").collect()
        got = [(r["kind"], round(r["similarity"], 4), [(m["path"], m["startLine"], m["endLine"])
                                                       for m in r["members"]]) for r in rows]
        self.assertGreaterEqual(len(expected), 5)
        self.assertIn("near-miss", {g[0] for g in expected})
        # The same groups; `clones` ranks them by the code a refactor would remove, the job's table by id.
        self.assertEqual(sorted(got), sorted(expected))


@unittest.skipIf(MISSING, MISSING or "")
class LocalClusterTests(unittest.TestCase):
    """The command line on local-cluster[2,1,1024]: separate executor JVMs and Python workers."""

    def test_command_on_local_cluster_finds_the_planted_groups(self):
        base = tempfile.mkdtemp(prefix="codeintel-spark-cluster-")
        try:
            entries = make_repositories(base)
            listing = os.path.join(base, "repos.txt")
            with open(listing, "w") as f:
                f.write("# planted\n" + "\n".join(entries) + "\n")
            out = os.path.join(base, "out")
            result = subprocess.run(
                [os.path.join(SPARK_DIR, "codeintel-spark"), "clones", "--repos", listing, "--out", out,
                 "--master", "local-cluster[2,1,1024]", "--codeintel", BINARY, "--ship-binary", "--driver-memory", "1g"],
                capture_output=True, text=True, timeout=400)
            self.assertEqual(result.returncode, 3, result.stderr[-3000:])  # two repositories failed
            with open(os.path.join(out, "summary.json")) as f:
                summary = json.load(f)
            self.assertEqual(summary["master"], "local-cluster[2,1,1024]")
            self.assertEqual(len(summary["failed"]), 2)
            self.assertEqual(summary["groupsByKind"], {"exact": 1, "functional": 1, "near-miss": 1, "renamed": 1})
            self.assertEqual(summary["crossRepositoryGroups"], 4)
            with open(os.path.join(out, "summary.md")) as f:
                text = f.read()
            for where in ("alpha:src/html.js", "beta:lib/escape.js", "gamma:app/order.ts", "delta#"):
                self.assertIn(where.split("#")[0], text)
        finally:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
