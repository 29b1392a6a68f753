#!/usr/bin/env python3
"""Subtoken F1 of `codeintel eval names --predictions FILE` per row, on all functions and on the repositories whose
name does / does not contain a word (default `leetcode`): the github-test split holds many LeetCode solution
collections, whose files are named after the problem and so after the function (docs/NAMES.md, "Session 15").
The metric is `SubtokenMetrics` (code2seq's, micro-averaged): same counts, so the "all" column equals the eval's."""
import collections, json, sys

def add(m, predicted, actual):
    p = [s.lower() for s in predicted]; a = [s.lower() for s in actual]
    ps, as_ = set(p), set(a)
    for s in p:
        m['tp' if s in as_ else 'fp'] += 1
    for s in a:
        if s not in ps: m['fn'] += 1
    m['exact'] += p == a; m['n'] += 1

def f1(m):
    p = m['tp'] / max(1, m['tp'] + m['fp']); r = m['tp'] / max(1, m['tp'] + m['fn'])
    return 0 if p + r == 0 else 2 * p * r / (p + r)

def main():
    if len(sys.argv) < 2: sys.exit('usage: names-subsets.py PREDICTIONS.jsonl [WORD]')
    word = sys.argv[2] if len(sys.argv) > 2 else 'leetcode'
    table = collections.defaultdict(lambda: {k: collections.Counter() for k in ('all', 'with', 'without')})
    for line in open(sys.argv[1]):
        r = json.loads(line)
        part = 'with' if word in r['package'].lower() else 'without'
        row = r['row'] + (f" ({r['head']})" if r.get('head') else '')
        for k in ('all', part):
            add(table[row][k], r['predicted'], r['target'])
    print(f'| row | all: F1 (functions) | repositories named *{word}* | the others |')
    print('|---|---|---|---|')
    for row, t in table.items():
        cells = [f"{100 * f1(t[k]):.1f} ({t[k]['n']})" for k in ('all', 'with', 'without')]
        print(f'| {row} | ' + ' | '.join(cells) + ' |')

main()
