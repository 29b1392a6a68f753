#!/usr/bin/env python3
"""The functional clones a `codeintel-lsp` binary shows in the editor, for every named function of a repository.

Drives the server over stdio as an editor would: `initialize` with the repository as the workspace, then opens
every file the repository's clone index holds (`REPO/.codeintel/index.sqlite`, from `codeintel clones REPO`), one
at a time, and records its `functional-clone` diagnostics (one per named function with a match; every match is in
the diagnostic's related information, at most 10). Name diagnostics, hints, the type checker and the server's own
workspace indexing are off, so only the clone index speaks (plus renamed copies among the files opened so far).

    scripts/bench/clones/lsp_matches.py --lsp .build/release/codeintel-lsp --repo /tmp/lspm/eemeli+yaml \
        --out /tmp/lspm/yaml.after.json

Prints a summary line; `--out` keeps every function's matches (name, file, line, strength) for reading.
"""

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.parse


def uri(path):
    return "file://" + urllib.parse.quote(os.path.abspath(path))


class Server:
    def __init__(self, binary, root, log):
        self.p = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
        self.next_id = 0
        self.pending = []

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise EOFError("the server closed its output")
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.p.stdout.read(length))

    def wait(self, predicate, timeout):
        for i, m in enumerate(self.pending):
            if predicate(m):
                return self.pending.pop(i)
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.read()
            if "method" in m and "id" in m:  # a request from the server: accept it
                self.send({"jsonrpc": "2.0", "id": m["id"], "result": None})
                continue
            if predicate(m):
                return m
            self.pending.append(m)
        raise TimeoutError("no answer in %d s" % timeout)

    def request(self, method, params, timeout=120):
        self.next_id += 1
        rid = self.next_id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == rid and "method" not in m, timeout)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})


def language(path):
    ext = path.rsplit(".", 1)[-1]
    return {"ts": "typescript", "mts": "typescript", "cts": "typescript", "tsx": "typescriptreact"}.get(ext, "javascript")


STRENGTH = re.compile(r"\((scorer|similarity) ([0-9.]+)\)$")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lsp", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--out")
    ap.add_argument("--log", default="/dev/null", help="where the server's stderr goes")
    ap.add_argument("--timeout", type=int, default=300, help="seconds to wait for one file's diagnostics")
    args = ap.parse_args()
    root = os.path.abspath(args.repo)
    db = os.path.join(root, ".codeintel", "index.sqlite")
    if not os.path.exists(db):
        sys.exit("lsp_matches: %s has no clone index; run `codeintel clones %s` first" % (root, root))
    paths = [r[0] for r in sqlite3.connect(db).execute("SELECT path FROM files ORDER BY path")]
    log = open(args.log, "w")
    s = Server(args.lsp, root, log)
    options = {"codeintel": {
        "diagnostics": {"debounceMs": 0, "budgetMs": 3_600_000, "names": False},
        "inlayHints": {"enabled": False}, "typeCheck": {"enabled": False}, "index": {"enabled": False}}}
    s.request("initialize", {"processId": None, "rootUri": uri(root), "capabilities": {},
                             "initializationOptions": options})
    s.notify("initialized", {})
    started = time.time()
    functions = []
    for path in paths:
        full = os.path.join(root, path)
        with open(full, encoding="utf-8", errors="replace") as f:
            text = f.read()
        u = uri(full)
        lines = text.split("\n")
        s.notify("textDocument/didOpen", {"textDocument": {"uri": u, "languageId": language(path), "version": 1,
                                                           "text": text}})
        m = s.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == u,
                   args.timeout)
        for d in m["params"]["diagnostics"]:
            if d.get("code") != "functional-clone":
                continue
            matches = []
            for r in d.get("relatedInformation", []):
                g = STRENGTH.search(r["message"])
                other = urllib.parse.unquote(r["location"]["uri"][len("file://"):])
                matches.append({
                    "name": r["message"].split("`")[1] if "`" in r["message"] else None,
                    "path": os.path.relpath(other, root), "line": r["location"]["range"]["start"]["line"] + 1,
                    "basis": "scorer" if g and g.group(1) == "scorer" else
                             ("identical" if g and float(g.group(2)) >= 0.995 else "cosine"),
                    "value": float(g.group(2)) if g else None})
            # The diagnostic sits on the function's name (its message names the match).
            start, end = d["range"]["start"], d["range"]["end"]
            row = lines[start["line"]] if start["line"] < len(lines) else ""
            name = row[start["character"]:end["character"]] if start["line"] == end["line"] else None
            functions.append({"path": path, "line": start["line"] + 1, "name": name, "matches": matches})
        s.notify("textDocument/didClose", {"textDocument": {"uri": u}})
    seconds = time.time() - started
    s.request("shutdown", None)
    s.notify("exit", None)
    s.p.wait(timeout=30)
    count = {b: sum(1 for f in functions for x in f["matches"] if x["basis"] == b)
             for b in ("scorer", "cosine", "identical")}
    with_functional = sum(1 for f in functions if any(x["basis"] != "identical" for x in f["matches"]))
    summary = {"repo": os.path.basename(root), "files": len(paths), "seconds": round(seconds, 1),
               "functions_with_a_match": len(functions), "functions_with_a_functional_match": with_functional,
               "matches": count}
    print(json.dumps(summary))
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"summary": summary, "functions": functions}, f, indent=1)


if __name__ == "__main__":
    main()
