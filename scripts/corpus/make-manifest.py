#!/usr/bin/env python3
"""Writes Models/corpus-manifest.json from the .dsc files that `apt-get source --download-only`
left in a download folder, and the split table below. Authoring aid only: the product reads the
committed manifest and never runs this.

usage: scripts/corpus/make-manifest.py ~/.cache/codeintel/corpus/debian > Models/corpus-manifest.json
The output has no GitHub repositories: add them afterwards with
`codeintel corpus import-github ../shared/data/github-corpus --held-out-problems ../shared/data/clones-leetcode-js`.
Only orig tarballs present in the folder are listed (the archive answers 404 for some component
tarballs; those are left out and the datasets never depend on them).
"""
import glob, json, os, re, sys

# name: (split, language, exclude prefixes, note)
TABLE = {
    # TypeScript, train
    "node-typescript": ("train", "typescript", ["tests/", "lib/", "scripts/"],
                        "tests/ holds the compiler's test cases, many deliberately ill-typed; lib/ is built output"),
    "node-babel7": ("train", "typescript", [], None),
    "node-zrender": ("train", "typescript", [], None),
    "node-sinclair-typebox": ("train", "typescript", [], None),
    "node-got": ("train", "typescript", [], None),
    "node-parse5": ("train", "typescript", [], None),
    "node-rx": ("train", "typescript", [], None),
    "node-fetch": ("train", "javascript", [], None),
    "node-esprima": ("train", "typescript", [], None),
    "node-yargs": ("train", "typescript", [], None),
    "node-webfont": ("train", "typescript", [], None),
    "node-zx": ("train", "typescript", [], None),
    "node-rollup-pluginutils": ("train", "typescript", [], None),
    "node-free-style": ("train", "typescript", [], None),
    "node-token-types": ("train", "typescript", [], None),
    "node-miragejs": ("train", "javascript", [], None),
    "node-enquirer": ("train", "javascript", [], None),
    "node-istextorbinary": ("train", "typescript", [], None),
    "node-sinclair-typebox": ("train", "typescript", [], None),
    # TypeScript, valid (fb55's HTML/CSS family stays together)
    "node-css-select": ("valid", "typescript", [], "fb55's css-select/domutils/htmlparser2/cheerio family kept in one split"),
    "node-domutils": ("valid", "typescript", [], "fb55 family"),
    "node-htmlparser2": ("valid", "typescript", [], "fb55 family"),
    "node-cheerio": ("valid", "typescript", [], "fb55 family"),
    "node-change-case": ("valid", "typescript", [], None),
    # TypeScript, test
    "node-cronstrue": ("test", "typescript", [], None),
    "node-memfs": ("test", "typescript", [], None),
    "node-js-sdsl": ("test", "typescript", [], None),
    "node-regexpp": ("test", "typescript", [], None),
    "node-cosmiconfig": ("test", "typescript", [], None),
    "node-ip-address": ("test", "typescript", [], None),
    "node-ts-loader": ("test", "typescript", [], None),
    # JavaScript, train
    "eslint": ("train", "javascript", [], None),
    "node-webpack": ("train", "javascript", [], None),
    "pdf.js": ("train", "javascript", [], None),
    "openlayers": ("train", "javascript", [], None),
    "node-moment": ("train", "javascript", [], None),
    "mathjax": ("train", "javascript", [], None),
    "uglify-js": ("train", "javascript", [], None),
    "node-jsdom": ("train", "javascript", [], None),
    "acorn": ("train", "javascript", [], None),
    "node-chart.js": ("train", "javascript", [], None),
    "node-jquery": ("train", "javascript", [], None),
    "jquery": ("train", "javascript", [], None),
    "less.js": ("train", "javascript", [], None),
    # JavaScript, valid
    "node-express": ("valid", "javascript", [], None),
    "leaflet": ("valid", "javascript", [], None),
    "node-estraverse": ("valid", "javascript", [], None),
    # JavaScript, test
    "node-handlebars": ("test", "javascript", [], None),
    "node-commander": ("test", "javascript", [], None),
    "node-q": ("test", "javascript", [], None),
    "node-markdown-it": ("test", "javascript", [], None),
    "node-tape": ("test", "javascript", [], None),
    "node-marked": ("test", "javascript", [], None),
    "node-source-map": ("test", "javascript", [], None),
}


def parse_dsc(path):
    fields, key = {}, None
    for line in open(path, encoding="utf-8"):
        if line.startswith("-----BEGIN PGP SIGNED") or line.startswith("Hash:"):
            continue
        if line.startswith("-----BEGIN PGP SIGNATURE"):
            break
        if line[:1] in " \t" and key:
            fields[key] += "\n" + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def main():
    folder = os.path.expanduser(sys.argv[1])
    packages = []
    for name, (split, language, exclude, note) in sorted(TABLE.items()):
        dscs = sorted(glob.glob(os.path.join(folder, f"{glob.escape(name)}_*.dsc")))
        if not dscs:
            sys.exit(f"no .dsc for {name} in {folder}")
        fields = parse_dsc(dscs[-1])
        assert fields["Source"] == name, dscs[-1]
        tarballs = []
        for line in fields["Checksums-Sha256"].strip().splitlines():
            sha, _size, file = line.split()
            if ".orig" not in file or not os.path.exists(os.path.join(folder, file)):
                continue
            m = re.search(r"\.orig-([A-Za-z0-9][A-Za-z0-9-]*)\.tar\.", file)
            entry = {"file": file, "sha256": sha}
            if m:
                entry["component"] = m.group(1)
            tarballs.append(entry)
        entry = {"name": name, "version": fields["Version"], "split": split, "language": language,
                 "tarballs": tarballs, "exclude": exclude}
        if note:
            entry["note"] = note
        packages.append(entry)
    manifest = {"format": 1, "seed": 20260528,
                "archive": "Debian 12 bookworm main (deb.debian.org; apt sources pinned to snapshot 20250520T000000Z)",
                "packages": packages}
    json.dump(manifest, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
