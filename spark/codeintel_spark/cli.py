"""`codeintel-spark clones --repos LIST --out DIR [--master URL]`."""

import argparse
import os
import shutil
import sys

USAGE_EPILOG = """LIST is a file with one repository a line (or - for stdin): a local folder, or a Git URL,
optionally pinned as URL#COMMIT. Blank lines and lines starting with # are ignored.
Writes DIR/units, DIR/pairs, DIR/groups (Parquet), DIR/summary.md, DIR/summary.json and
DIR/sarif/NNNN-NAME.sarif (one per repository). Exit status: 0 done, 1 error, 2 usage error,
3 done but some repositories failed (listed in the summary)."""


def main(argv=None):
    parser = argparse.ArgumentParser(prog="codeintel-spark", epilog=USAGE_EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("clones", help="clone groups across many repositories", epilog=USAGE_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("--repos", required=True, metavar="LIST")
    c.add_argument("--out", required=True, metavar="DIR")
    c.add_argument("--tables", default=None, metavar="PATH",
                   help="where the Parquet tables go (any Spark path: hdfs://, s3a://, a shared folder; default: DIR)")
    c.add_argument("--master", default=None,
                   help="Spark master URL (default: local[2], or spark-submit's --master when launched by it)")
    c.add_argument("--codeintel", default=None,
                   help="the codeintel binary (default: $CODEINTEL_BIN, then codeintel on PATH)")
    c.add_argument("--ship-binary", action="store_true",
                   help="send the binary to the executors with the job (SparkContext.addFile) instead of "
                        "expecting it at the same path on every node")
    c.add_argument("--units-from", default=None, metavar="PATH",
                   help="read the unit records from PATH (a JSON-lines file or folder of them written by "
                        "`codeintel units`, any Spark path) instead of running the binary per repository; every "
                        "LIST entry must be a repository named there")
    c.add_argument("--partitions", type=int, default=None, help="repository partitions (default: 4 x cores)")
    c.add_argument("--minhash-rows", type=int, default=4, help="MinHash values per band (AND; default 4)")
    c.add_argument("--minhash-bands", type=int, default=16, help="MinHash bands (OR; default 16)")
    c.add_argument("--brp-rows", type=int, default=10, help="projection signs per band (AND; default 10)")
    c.add_argument("--brp-bands", type=int, default=24, help="projection bands (OR; default 24)")
    c.add_argument("--bucket-cap", type=int, default=256,
                   help="a band bucket of at most this many units is scored whole (default 256)")
    c.add_argument("--window", type=int, default=64,
                   help="in a larger bucket each unit is scored against the next N in the order of its other "
                        "hash values (default 64), so scored pairs grow linearly with the units")
    c.add_argument("--driver-memory", default="2g")
    for flag in ("--min-lines", "--min-tokens", "--max-group"):
        c.add_argument(flag, type=int, default=None, help="as for `codeintel clones`")
    c.add_argument("--threshold", type=float, default=None, help="as for `codeintel clones`")
    args = parser.parse_args(argv)

    codeintel = args.codeintel or os.environ.get("CODEINTEL_BIN") or shutil.which("codeintel")
    if not codeintel or not os.access(codeintel, os.X_OK):
        print("codeintel-spark: error: no codeintel binary; pass --codeintel PATH or set CODEINTEL_BIN", file=sys.stderr)
        return 2
    codeintel = os.path.abspath(codeintel)
    try:
        entries = read_list(args.repos)
    except OSError as error:
        print("codeintel-spark: error: cannot read %s: %s" % (args.repos, error.strerror), file=sys.stderr)
        return 2
    if not entries:
        print("codeintel-spark: error: %s names no repositories" % args.repos, file=sys.stderr)
        return 2
    if len(set(entries)) != len(entries):
        print("codeintel-spark: error: %s names a repository twice" % args.repos, file=sys.stderr)
        return 2
    clone_args = []
    for flag in ("min_lines", "min_tokens", "max_group", "threshold"):
        value = getattr(args, flag)
        if value is not None:
            clone_args += ["--" + flag.replace("_", "-"), str(value)]

    from pyspark.sql import SparkSession
    from . import job

    settings = job.Settings(codeintel, clone_args, minhash_rows=args.minhash_rows, minhash_bands=args.minhash_bands,
                            brp_rows=args.brp_rows, brp_bands=args.brp_bands,
                            partitions=args.partitions, bucket_cap=args.bucket_cap, window=args.window)
    builder = (SparkSession.builder.appName("codeintel-spark clones").config("spark.driver.memory", args.driver_memory)
               .config("spark.ui.showConsoleProgress", "false"))
    # Under spark-submit (which starts the JVM first and passes its gateway) the master is already set.
    if args.master or "PYSPARK_GATEWAY_PORT" not in os.environ:
        builder = builder.master(args.master or "local[2]")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        summary = job.run(spark, entries, args.out, settings, log=lambda s: print(s, file=sys.stderr),
                          ship_binary=args.ship_binary, tables=args.tables, units_from=args.units_from)
    finally:
        spark.stop()
    print("codeintel-spark: %d repositories, %d units, %d groups (%d across repositories) in %.0f s; wrote %s" % (
        summary["repositories"], summary["units"], summary["groups"], summary["crossRepositoryGroups"],
        summary["seconds"]["total"], args.out), file=sys.stderr)
    return 3 if summary["failed"] else 0


def read_list(path):
    text = sys.stdin.read() if path == "-" else open(path).read()
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


if __name__ == "__main__":
    sys.exit(main())
