#!/usr/bin/env python3
"""How many of codeintel's exact/renamed clone groups jscpd also finds.

usage: compare_jscpd.py CODEINTEL.json JSCPD_REPORT.json

A group counts as found when some jscpd duplicate has one fragment covering at least half the lines
of one member and the other fragment covering at least half the lines of another member.
"""
import json
import sys
from collections import defaultdict


def covered(member, fragment):
    lo = max(member["startLine"], fragment[0])
    hi = min(member["endLine"], fragment[1])
    lines = member["endLine"] - member["startLine"] + 1
    return hi >= lo and (hi - lo + 1) * 2 >= lines


def fragment(f):
    # jscpd's JSON gives "startLoc"/"endLoc" objects with a "line" (and "start"/"end" line numbers).
    start = (f.get("startLoc") or {}).get("line", f.get("start"))
    end = (f.get("endLoc") or {}).get("line", f.get("end"))
    return f["name"], (start, end)


def main() -> None:
    ours = json.load(open(sys.argv[1]))
    theirs = json.load(open(sys.argv[2]))
    dups = defaultdict(list)  # file -> [(range, other file, other range)]
    for d in theirs.get("duplicates", []):
        (fa, ra), (fb, rb) = fragment(d["firstFile"]), fragment(d["secondFile"])
        dups[fa].append((ra, fb, rb))
        dups[fb].append((rb, fa, ra))
    counts = defaultdict(lambda: [0, 0])
    for g in ours["groups"]:
        if g["kind"] == "functional":
            continue
        found = False
        members = g["members"]
        for i, m in enumerate(members):
            for r, other_file, other_range in dups.get(m["path"], []):
                if not covered(m, r):
                    continue
                if any(j != i and n["path"] == other_file and covered(n, other_range) for j, n in enumerate(members)):
                    found = True
                    break
            if found:
                break
        counts[g["kind"]][0] += 1
        counts[g["kind"]][1] += found
    print(json.dumps({"jscpd_duplicates": len(theirs.get("duplicates", [])),
                      "groups": {k: {"ours": v[0], "jscpd_found": v[1]} for k, v in counts.items()}}))


if __name__ == "__main__":
    main()
