"""Ranking, the readable summary and per-repository SARIF (plain Python, no Spark)."""

import hashlib
import json
import os
import re
from urllib.parse import quote

RULES = {
    "exact": ("Exact duplicate function",
              "The function's tokens are identical to another function's, apart from whitespace, comments and its name."),
    "renamed": ("Duplicate function with renamed variables",
                "The function is identical to another once local names are renamed and type annotations dropped."),
    "near-miss": ("Copy of a function with edits",
                  "The function's tokens, as written and with local names blinded, mostly match another function's "
                  "(token-bag overlap)."),
    "functional": ("Functionally similar function",
                   "The function's embedding is at least as similar to another function's as the chosen threshold."),
}


def rank(groups, located):
    """Groups with their members located, ranked like `codeintel clones` (score, then first member)."""
    out = []
    for g in groups:
        members = [located[m] for m in g["members"] if m in located]
        if len(members) < 2:
            continue
        repositories = sorted({m["repository"] for m in members})
        out.append(dict(g, members=members, repositories=len(repositories), crossRepository=len(repositories) > 1))
    out.sort(key=lambda g: (-g["score"], g["members"][0]["repository"], g["members"][0]["path"],
                            g["members"][0]["startLine"]))
    for i, g in enumerate(out):
        g["id"] = i + 1
    return out


def label(m, with_repository=True):
    where = "%s:%d-%d" % (m["path"], m["startLine"], m["endLine"])
    return "%s:%s" % (m["repository"], where) if with_repository else where


def summary_markdown(summary, ranked, top=20):
    lines = ["# Cross-repository clones", ""]
    lines.append("%d repositories (%d failed), %d files, %d units (%d within the size limits), %d groups "
                 "(%d across repositories)." % (
                     summary["repositories"], len(summary["failed"]), summary["files"], summary["units"],
                     summary["eligibleUnits"], summary["groups"], summary["crossRepositoryGroups"]))
    lines.append("")
    lines.append("Candidate pairs by source: " + ", ".join(
        "%s %d" % (k, v) for k, v in sorted(summary["candidatePairs"].items())) + ".")
    if summary["failed"]:
        lines += ["", "## Repositories that failed", ""]
        lines += ["- %s: %s" % (f["repository"], f["error"]) for f in summary["failed"]]
    cross = [g for g in ranked if g["crossRepository"]]
    lines += ["", "## Top cross-repository groups", ""]
    if not cross:
        lines.append("None.")
    for g in cross[:top]:
        lines.append("%d. %s, %d members in %d repositories, similarity %.2f, %d lines" % (
            g["id"], g["kind"], len(g["members"]), g["repositories"], g["similarity"], g["lines"]))
        for m in g["members"]:
            lines.append("   - %s%s" % (label(m), " `%s`" % m["name"] if m.get("name") else ""))
    return "\n".join(lines) + "\n"


def sarif_for(repository, ranked):
    """SARIF 2.1.0 for one repository: one result per member of a group that lies in it; members in
    the same repository are related locations, those elsewhere are named in the message."""
    kinds = list(RULES)
    rules = [{
        "id": "clone/" + k, "name": "Clone" + k.capitalize(),
        "shortDescription": {"text": RULES[k][0]}, "fullDescription": {"text": RULES[k][1]},
        "help": {"text": "Extract the shared logic into one function and call it from each place."},
        "defaultConfiguration": {"level": "note" if k == "functional" else "warning"},
        "properties": {"tags": ["maintainability", "duplicate-code"]},
    } for k in kinds]
    results = []
    for g in ranked:
        for i, m in enumerate(g["members"]):
            if m["repository"] != repository:
                continue
            others = [o for j, o in enumerate(g["members"]) if j != i]
            local = [o for o in others if o["repository"] == repository]
            remote = [o for o in others if o["repository"] != repository]
            related = [{"id": n + 1, "physicalLocation": physical(o), "message": {"text": o.get("name") or o["kind"]}}
                       for n, o in enumerate(local)]
            mentions = ["[%s](%d)" % (label(o, False), n + 1) for n, o in enumerate(local)]
            mentions += [label(o) for o in remote]
            what = {"exact": "is an exact copy of", "renamed": "is a copy, up to renamed variables, of",
                    "near-miss": "is a copy with edits (%.2f token overlap) of" % g["similarity"],
                    "functional": "is similar (%.2f) to" % g["similarity"]}.get(g["kind"], "resembles")
            name = "`%s`" % m["name"] if m.get("name") else "This function"
            text = "%s %s %d other function%s: %s" % (name, what, len(others), "" if len(others) == 1 else "s",
                                                    ", ".join(mentions))
            key = "|".join([g["kind"], m["path"], m.get("name") or "",
                            ",".join(o["repository"] + "/" + o["path"] for o in g["members"])])
            results.append({
                "ruleId": "clone/" + g["kind"], "ruleIndex": kinds.index(g["kind"]) if g["kind"] in kinds else 0,
                "level": "note" if g["kind"] == "functional" else "warning", "message": {"text": text},
                "locations": [{"physicalLocation": physical(m)}], "relatedLocations": related,
                "partialFingerprints": {"cloneGroup/v1": hashlib.sha256(key.encode()).hexdigest()[:16]},
                "properties": {"group": g["id"], "similarity": g["similarity"], "members": len(g["members"]),
                               "repositories": g["repositories"]},
            })
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "codeintel", "informationUri": "https://github.com/codeintel/codeintel",
                                      "semanticVersion": "0.1.0", "rules": rules}},
                  "results": results, "columnKind": "utf16CodeUnits"}],
    }


def physical(m):
    return {"artifactLocation": {"uri": "/".join(quote(s, safe="-._~@+") for s in m["path"].split("/")),
                                 "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": m["startLine"], "endLine": m["endLine"]}}


def sarif_name(index, repository):
    """A file name for a repository's SARIF: its LIST position and a readable slug."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", repository.rstrip("/").split("/")[-1].split("#")[0])[:60] or "repo"
    return "%04d-%s.sarif" % (index, slug)


def write(out_dir, entries, ranked, summary):
    with open(os.path.join(out_dir, "summary.md"), "w") as f:
        f.write(summary_markdown(summary, ranked))
    folder = os.path.join(out_dir, "sarif")
    os.makedirs(folder, exist_ok=True)
    failed = {f["repository"] for f in summary["failed"]}
    for i, entry in enumerate(entries):
        if entry in failed:
            continue
        with open(os.path.join(folder, sarif_name(i, entry)), "w") as f:
            json.dump(sarif_for(entry, ranked), f, indent=1, sort_keys=True)
