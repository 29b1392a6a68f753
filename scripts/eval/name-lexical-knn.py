#!/usr/bin/env python3
"""Exploratory (issue 19): how good is the name of the lexically nearest train function?

Bag of the body's identifier subtokens (camelCase/snake_case split, lower case, one-letter ones and the
METHOD_NAME placeholder dropped), log-tf · idf, hashed into D dimensions, cosine; the 1-nearest train function's
name is the prediction. Scored with code2seq's subtoken F1 and exact match on `valid` and `github-valid`
(each --sample functions spread evenly over the split), against --train functions spread evenly over train.
Not part of the product: it tells whether a lexical datastore would be worth building (docs/NAMES.md).

usage: name-lexical-knn.py DATASETS_DIR [--train N] [--sample N] [--dim D]
"""
import collections, json, re, sys
import numpy as np

def subtokens(text):
    out = []
    for word in re.findall(r"[A-Za-z_$][A-Za-z0-9_$]*", text):
        if word == "METHOD_NAME":
            continue
        for p in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", word):
            if len(p) > 1:
                out.append(p.lower())
    return out

def spread(path, k):
    lines = [l for l in open(path) if l.strip()]
    k = min(k, len(lines))
    return [json.loads(lines[i * len(lines) // k]) for i in range(k)]

def scores(pairs):
    tp = fp = fn = exact = 0
    for p, a in pairs:
        tp += sum(s in a for s in p); fp += sum(s not in a for s in p); fn += sum(s not in p for s in a)
        exact += p == a
    P = tp / max(tp + fp, 1); R = tp / max(tp + fn, 1)
    return 100 * 2 * P * R / max(P + R, 1e-9), 100 * exact / max(len(pairs), 1)

def main():
    args = sys.argv[1:]
    opt = lambda name, default: int(args[args.index(name) + 1]) if name in args else default
    root = args[0] + "/method-names/"
    n_train, n_sample, dim = opt("--train", 20000), opt("--sample", 300), opt("--dim", 4096)
    train = spread(root + "train.jsonl", n_train)
    bags = [collections.Counter(subtokens(r["input"])) for r in train]
    df = collections.Counter()
    for b in bags: df.update(b.keys())
    def vec(bag):
        v = np.zeros(dim, np.float32)
        for w, k in bag.items():
            v[hash(w) % dim] += (1 + np.log(k)) * np.log(len(train) / (1 + df.get(w, 0)))
        return v / (np.linalg.norm(v) + 1e-9)
    X = np.stack([vec(b) for b in bags])
    for split in ("valid", "github-valid"):
        records = spread(root + split + ".jsonl", n_sample)
        Q = np.stack([vec(collections.Counter(subtokens(r["input"]))) for r in records])
        nearest = (Q @ X.T).argmax(1)
        pairs = [([s.lower() for s in train[j]["target"]], [s.lower() for s in r["target"]]) for j, r in zip(nearest, records)]
        f1, ex = scores(pairs)
        print(f"{split}: {len(records)} functions, {len(train)} train functions: 1-NN name F1 {f1:.1f}, exact {ex:.1f} %")

if __name__ == "__main__":
    main()
