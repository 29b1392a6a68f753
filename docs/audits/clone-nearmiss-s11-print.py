#!/usr/bin/env python3
"""Session-11 fitting-set addition (issue 18): print the pre-registered near-miss groups blind.

usage: clone-nearmiss-s11-print.py shown|hidden REPORT.json REPO_DIR > groups.txt
       clone-nearmiss-s11-print.py ids=3,17,… REPORT.json REPO_DIR > groups.txt   (those groups, of either kind;
       session 11's wrapped-callback labels, docs/audits/clone-thin-callback-prereg.txt)

From a `codeintel clones DIR --format json` report: `shown` prints the first 15 near-miss groups with worth true,
`hidden` the first 10 with worth false (lowest ids = report order), WITHOUT worth, notWorth, tokenOverlap,
similarity, score or the member measurements: each member's path, name and lines, member 1's code in full (90 lines
at most) and every other member as a diff against it (70 diff lines at most). The chosen ids go to stderr.
See docs/audits/clone-nearmiss-s11-fit-prereg.txt."""
import difflib
import json
import sys

which, report, root = sys.argv[1], sys.argv[2], sys.argv[3]
if which not in ("shown", "hidden") and not which.startswith("ids="):
    sys.exit("first argument: shown, hidden or ids=N,N,...")
d = json.load(open(report))
nm = sorted([g for g in d["groups"] if g["kind"] == "near-miss"], key=lambda g: g["id"])
if which.startswith("ids="):
    ids = {int(x) for x in which[4:].split(",") if x}
    nm = sorted([g for g in d["groups"] if g["id"] in ids], key=lambda g: g["id"])
    chosen = nm
else:
    chosen = [g for g in nm if g["worth"]][:15] if which == "shown" else [g for g in nm if not g["worth"]][:10]
print(f"{which}: {[g['id'] for g in chosen]} of {len(nm)} near-miss groups", file=sys.stderr)
cache = {}


def code(m):
    p = m["path"]
    if p not in cache:
        cache[p] = open(f"{root}/{p}", encoding="utf-8", errors="replace").read().split("\n")
    return cache[p][m["startLine"] - 1:m["endLine"]]


CAP1, CAPD = 90, 70
for g in chosen:
    ms = g["members"]
    print(f"\n{'=' * 100}\n### {g['kind']} #{g['id']}: {len(ms)} members, {g['lines']} lines")
    for m in ms:
        print(f"  - {m['path']}:{m['startLine']}-{m['endLine']} {m.get('name', '<anon>')} ({m['kind']})")
    first = code(ms[0])
    print(f"--- member 1 {ms[0]['path']}:{ms[0]['startLine']} {ms[0].get('name', '<anon>')}")
    for line in first[:CAP1]:
        print("    " + line)
    if len(first) > CAP1:
        print(f"    ... ({len(first) - CAP1} more lines)")
    for i, m in enumerate(ms[1:], 2):
        diff = list(difflib.unified_diff([l.strip() for l in first], [l.strip() for l in code(m)], lineterm="", n=1))[2:]
        print(f"--- member {i} {m['path']}:{m['startLine']} {m.get('name', '<anon>')}: diff vs member 1 ({len(diff)} diff lines)")
        for line in diff[:CAPD]:
            print("    " + line)
        if len(diff) > CAPD:
            print(f"    ... ({len(diff) - CAPD} more diff lines)")
