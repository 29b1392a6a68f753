#!/usr/bin/env python3
"""Does a pair's likeness outside the repository's templates separate same-task edges from the rest? (issue 18, s13)

Reads the index of a set laid out as ROOT/<problem>/<author>.js (`codeintel clones ROOT` wrote
ROOT/.codeintel/index.sqlite) and a `codeintel clones ROOT --format json` report of it. For every pair of members
of a functional group (complete linkage: every such pair is an accepted edge) it computes, from the units'
identifier-blind token streams as the index stores them:

- the document frequency of every run of K consecutive blind tokens (a shingle) over the repository's outermost
  function units (a nested function is counted through the function it sits in), and the template: the shingles
  in at least M units;
- rem_jaccard: Jaccard of the two members' shingle sets after taking the template out;
- rem_containment: the shared non-template shingles over the smaller member's non-template shingles;
- shared_nontemplate: of the shingles both members have, the share that is not template;
- and, to compare, plain shingle Jaccard (nothing taken out);

and prints the AUROC of each (same problem = positive) for each K and M. Evaluation of an idea, read only: never
fit on the LeetCode set with it. Usage:
  template_remainder.py ROOT REPORT.json [--k 6,8,10] [--m 3,5,10,20] [--all-units] [--dump FILE]
"""
import collections
import itertools
import json
import os
import sqlite3
import struct
import sys


def args():
    a = sys.argv[1:]
    opts = {"k": [6, 8, 10], "m": [3, 5, 10, 20], "all": False, "dump": None}
    pos = []
    i = 0
    while i < len(a):
        if a[i] == "--k":
            opts["k"] = [int(x) for x in a[i + 1].split(",")]
            i += 2
        elif a[i] == "--m":
            opts["m"] = [float(x) for x in a[i + 1].split(",")]
            i += 2
        elif a[i] == "--all-units":
            opts["all"] = True
            i += 1
        elif a[i] == "--dump":
            opts["dump"] = a[i + 1]
            i += 2
        else:
            pos.append(a[i])
            i += 1
    return pos[0], pos[1], opts


def auroc(pos, neg):
    scored = [(s, 1) for s in pos] + [(s, 0) for s in neg]
    scored.sort()
    ranks = {}
    i = 0
    while i < len(scored):
        j = i
        while j < len(scored) and scored[j][0] == scored[i][0]:
            j += 1
        for t in range(i, j):
            ranks[t] = (i + j + 1) / 2
        i = j
    rsum = sum(ranks[t] for t, (_, y) in enumerate(scored) if y)
    n1, n0 = len(pos), len(neg)
    return (rsum - n1 * (n1 + 1) / 2) / (n1 * n0) if n1 and n0 else float("nan")


def shingles(stream, k):
    return {tuple(stream[i:i + k]) for i in range(len(stream) - k + 1)}


def main():
    root, report, opts = args()
    db = sqlite3.connect(os.path.join(root, ".codeintel", "index.sqlite"))
    units = {}
    for uid, path, sb, eb, parent, blind in db.execute(
            "SELECT u.id, f.path, u.start_byte, u.end_byte, u.parent_ordinal, u.blind_tokens "
            "FROM units u JOIN files f ON f.id = u.file_id"):
        stream = list(struct.unpack("<%dI" % (len(blind) // 4), blind)) if blind else []
        units[(path, sb, eb)] = (parent is None, stream)
    r = json.load(open(report))
    edges = []
    for g in r["groups"]:
        if g["kind"] != "functional":
            continue
        ms = [(m["path"], m["startByte"], m["endByte"]) for m in g["members"]]
        for a, b in itertools.combinations(ms, 2):
            if a in units and b in units:
                edges.append((a, b, a[0].split("/")[0] == b[0].split("/")[0]))
    print(f"{len(edges)} edges: {sum(e[2] for e in edges)} same problem, {sum(not e[2] for e in edges)} across; "
          f"{len(units)} units, {sum(o for o, _ in units.values())} outermost")
    dump = []
    for k in opts["k"]:
        df = collections.Counter()
        counted = [s for (o, s) in units.values() if o or opts["all"]]
        for s in counted:
            df.update(shingles(s, k))
        sets = {}
        for key in {x for e in edges for x in e[:2]}:
            sets[key] = shingles(units[key][1], k)
        plain = ([], [])
        for a, b, same in edges:
            A, B = sets[a], sets[b]
            plain[0 if same else 1].append(len(A & B) / max(len(A | B), 1))
        print(f"k={k}: plain shingle Jaccard AUROC {auroc(*plain):.3f}")
        for m in opts["m"]:
            mm = m if m >= 1 else m * len(counted)
            feats = collections.defaultdict(lambda: ([], []))
            for a, b, same in edges:
                A = {s for s in sets[a] if df[s] < mm}
                B = {s for s in sets[b] if df[s] < mm}
                shared_all = sets[a] & sets[b]
                shared = A & B
                f = {
                    "rem_jaccard": len(shared) / max(len(A | B), 1),
                    "rem_containment": len(shared) / max(min(len(A), len(B)), 1),
                    "shared_nontemplate": len(shared) / max(len(shared_all), 1) if shared_all else 1.0,
                    "template_cover_min": -min(len(sets[a] - A) / max(len(sets[a]), 1),
                                               len(sets[b] - B) / max(len(sets[b]), 1)),
                }
                for name, v in f.items():
                    feats[name][0 if same else 1].append(v)
                dump.append((k, m, a[0], b[0], same, f))
            print(f"  m={m:g}: " + ", ".join(f"{n} {auroc(*v):.3f}" for n, v in feats.items()))
    if opts["dump"]:
        with open(opts["dump"], "w") as out:
            for row in dump:
                out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
