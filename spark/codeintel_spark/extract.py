"""Executor side: fetch repositories and run one `codeintel` process per partition.

Nothing here imports pyspark, so it is tested and reused without a Spark session.
"""

import json
import os
import shutil
import subprocess
import tempfile


def split_entry(entry):
    """A LIST entry is a local folder, or a Git URL (`scheme://…` or `git@host:…`) optionally pinned
    as URL#COMMIT; returns (url, commit), or (None, None) for a folder."""
    entry = entry.strip()
    if "://" not in entry and not entry.startswith("git@"):
        return None, None
    url, _, commit = entry.partition("#")
    return url, (commit or None)


def fetch(entry, workdir):
    """The local folder holding `entry`'s sources: the folder itself, or a fresh clone at the commit."""
    url, commit = split_entry(entry)
    if url is None:
        return entry
    target = tempfile.mkdtemp(prefix="repo-", dir=workdir)
    steps = [["git", "clone", "--quiet", "--no-checkout", url, target]]
    steps.append(["git", "-C", target, "checkout", "--quiet", commit or "HEAD"])
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, env=dict(os.environ, GIT_TERMINAL_PROMPT="0"))
        if result.returncode != 0:
            message = (result.stderr.strip().splitlines() or ["exit status %d" % result.returncode])[-1]
            raise RuntimeError("cannot fetch %s: %s" % (entry, message))
    return target


def units_partition(items, codeintel, extra_args=()):
    """For (index, entry) pairs, yields the records of `codeintel units` (dicts, with "repoIndex"),
    one process for the whole partition. Every entry ends with a "done" or an "error" record."""
    items = list(items)
    if not items:
        return
    workdir = tempfile.mkdtemp(prefix="codeintel-spark-")
    try:
        lines = []
        index_of = {}
        finished = set()
        failures = []
        for index, entry in items:
            index_of[entry] = index
            try:
                folder = fetch(entry, workdir)
            except Exception as error:  # a failed clone is reported, the rest go on
                failures.append({"record": "error", "repository": entry, "error": str(error), "repoIndex": index})
                continue
            lines.append("%s\t%s\n" % (entry, folder))
        for failure in failures:
            finished.add(failure["repoIndex"])
            yield failure
        if lines:
            # The paths go through a file, so a large output never blocks against a full stdin pipe.
            feed = tempfile.TemporaryFile("w+")
            feed.writelines(lines)
            feed.seek(0)
            process = subprocess.Popen(
                [codeintel, "units", "--stdin", *extra_args],
                stdin=feed, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            feed.close()
            for line in process.stdout:
                record = json.loads(line)
                record["repoIndex"] = index_of.get(record["repository"], -1)
                if record["record"] in ("done", "error"):
                    finished.add(record["repoIndex"])
                yield record
            stderr = process.stderr.read()
            process.wait()
            for index, entry in items:
                if index not in finished:
                    tail = (stderr.strip().splitlines() or ["no output"])[-1]
                    yield {"record": "error", "repository": entry, "repoIndex": index,
                           "error": "codeintel stopped (exit status %d): %s" % (process.returncode, tail)}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def group_partition(components, codeintel, extra_args=()):
    """For component dicts, yields the group dicts of one `codeintel group-units` process."""
    with tempfile.TemporaryFile("w+") as feed:
        count = 0
        for component in components:
            feed.write(json.dumps(component, separators=(",", ":")))
            feed.write("\n")
            count += 1
        if count == 0:
            return
        feed.seek(0)
        result = subprocess.run([codeintel, "group-units", *extra_args], stdin=feed, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("codeintel group-units failed (exit status %d): %s"
                           % (result.returncode, result.stderr.strip()[-2000:]))
    for line in result.stdout.splitlines():
        if line:
            yield json.loads(line)
