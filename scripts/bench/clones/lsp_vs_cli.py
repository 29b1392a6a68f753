#!/usr/bin/env python3
"""Compares the editor's clone matches (`lsp_matches.py --out`) with what `codeintel clones --format json` reports
for the same repository, pair by pair.

    scripts/bench/clones/lsp_vs_cli.py --matches /tmp/lspm/eemeli+yaml.after.json \
        --cli /tmp/lspm/eemeli+yaml.cli.json --repo /tmp/lspm/eemeli+yaml

Every match is an unordered pair of functions (the queried one, found by its file and name line among the index's
units, and the match, by its file and first line), counted once, by what decided it: `renamed` (the server's
canonical-form finder, similarity 1.00), `scorer` (the learned pair scorer) or `cosine` (hashed-feature cosine).
A pair of `scorer` or `cosine` is
- a *copy* when both functions have the same canonical hash in the index (exact or renamed copies);
- else *same group* when `codeintel clones` puts both in one group (of any kind);
- else *linked* when the CLI reports both in groups that share a member (the near-miss rule keeps one member of a
  near-miss group in a functional group, and complete linkage splits chains: the pair is reported through a third
  function);
- else *editor only*: the editor shows it and the command line does not report it.
Prints one JSON line; `--sample N --seed S` also prints N `scorer`/`cosine` pairs that are not copies, drawn at
random, to read.
"""

import argparse
import json
import os
import random
import sqlite3


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--matches", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--sample", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    db = sqlite3.connect(os.path.join(args.repo, ".codeintel", "index.sqlite"))
    units = list(db.execute(
        "SELECT f.path, u.start_line, u.end_line, u.name, u.canonical_hash FROM units u JOIN files f ON f.id = u.file_id"))
    by_start = {(p, s): (p, s, e, n, c) for p, s, e, n, c in units}

    def query_unit(path, line, name):
        # The innermost unit of that name around its name's line.
        best = None
        for p, s, e, n, c in units:
            if p == path and s <= line <= e and n == name and (best is None or e - s < best[2] - best[1]):
                best = (p, s, e, n, c)
        return best

    group_of = {}
    for g in json.load(open(args.cli))["groups"]:
        for m in g["members"]:
            group_of.setdefault((m["path"], m["startLine"]), set()).add(g["id"])

    data = json.load(open(args.matches))
    pairs = {}
    unresolved = 0
    for f in data["functions"]:
        q = query_unit(f["path"], f["line"], f["name"])
        for m in f["matches"]:
            other = by_start.get((m["path"], m["line"]))
            if q is None or other is None:
                unresolved += 1
                continue
            key = tuple(sorted([(q[0], q[1]), (other[0], other[1])]))
            pairs.setdefault(key, (q, other, m["basis"], m["value"]))
    counts = {"renamed": 0, "unresolved_matches": unresolved}
    for b in ("scorer", "cosine"):
        counts[b] = {"pairs": 0, "copies": 0, "same_group": 0, "linked": 0, "editor_only": 0}
    groups = {}
    for members in group_of.values():
        for g in members:
            groups.setdefault(g, set())
    for m, gs in group_of.items():
        for g in gs:
            groups[g].add(m)
    functional = []
    for key, (q, o, basis, value) in pairs.items():
        if basis == "identical":
            counts["renamed"] += 1
            continue
        c = counts[basis]
        c["pairs"] += 1
        if q[4] == o[4]:
            c["copies"] += 1
            continue
        ga, gb = group_of.get(key[0], set()), group_of.get(key[1], set())
        if ga & gb:
            where = "same_group"
        elif any(groups[x] & groups[y] for x in ga for y in gb):
            where = "linked"
        else:
            where = "editor_only"
        c[where] += 1
        functional.append((q, o, basis, value, where))
    print(json.dumps(counts))
    if args.sample:
        functional.sort(key=lambda x: (x[0][0], x[0][1], x[1][0], x[1][1]))
        for q, o, basis, value, where in random.Random(args.seed).sample(functional, min(args.sample, len(functional))):
            print("%s:%d-%d %s  ~  %s:%d-%d %s  (%s %.2f, %s)" % (
                q[0], q[1], q[2], q[3], o[0], o[1], o[2], o[3], basis, value or 0, where))


if __name__ == "__main__":
    main()
