#!/usr/bin/env python3
"""Session 10, issue 18: the pre-registered `tiny` candidates (docs/audits/clone-worth-tiny-prereg.txt) measured
over `codeintel clones DIR --format json` reports. Scratch-level measuring script; the rules live in CloneWorth.

  fit  NEW_DIR OLD_DIR   labelled groups (docs/audits/clone-worth-fit.tsv) matched by members to NEW_DIR/OWNER+NAME.json
                         through session 8's reports OLD_DIR/OWNER+NAME.json (the ids the labels use)
  count REPORT.json...   shown near-miss / functional groups each candidate would hide (counts only)
  purity REPORT.json     LeetCode: shown groups and their purity (members in one problem folder) per candidate
"""
import collections, csv, json, os, sys

CANDS = [('L', t) for t in (30, 40, 50, 60)] + [('M', t) for t in (30, 40, 50, 60)]


def hides(c, toks):
    kind, t = c
    s = sorted(toks)
    return (s[-1] < t) if kind == 'L' else (s[(len(s) - 1) // 2] < t)


def judged(d):
    return [g for g in d['groups'] if g['kind'] in ('near-miss', 'functional')]


def toks(g):
    return [m['bodyTokens'] for m in g['members']]


def fit(new_dir, old_dir):
    tsv = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'clone-worth-fit.tsv')
    labels = list(csv.DictReader(open(tsv), delimiter='\t'))
    mset = lambda g: frozenset((m['path'], m['startByte'], m['endByte']) for m in g['members'])
    hidden = {c: collections.Counter() for c in CANDS}
    unlab = collections.Counter()
    shown = collections.Counter()
    missing = []
    for repo in sorted({r['repo'] for r in labels}):
        key = repo.replace('/', '+')
        old = {g['id']: g for g in json.load(open(f'{old_dir}/{key}.json'))['groups']}
        new = judged(json.load(open(f'{new_dir}/{key}.json')))
        by = {(g['kind'], mset(g)): g for g in new}
        seen = set()
        for row in (r for r in labels if r['repo'] == repo):
            g = by.get((row['kind'], mset(old[int(row['id'])])))
            if g is None:
                missing.append((repo, row['kind'], row['id'], row['verdict']))
                continue
            seen.add(g['id'])
            if not g['worth']:
                continue
            shown[row['verdict']] += 1
            for c in CANDS:
                if hides(c, toks(g)):
                    hidden[c][row['verdict']] += 1
                    print(f'  {c[0]}{c[1]} hides {repo} {row["kind"]} #{row["id"]} {row["verdict"]} {toks(g)}')
        for g in new:
            if g['id'] not in seen and g['worth']:
                unlab['shown'] += 1
                for c in CANDS:
                    unlab[c] += hides(c, toks(g))
    print('not matched:', missing)
    print('labelled shown now:', dict(shown), '; unlabelled shown:', unlab['shown'])
    print('candidate\tworth\treal\tnoise\tunlabelled')
    for c in CANDS:
        h = hidden[c]
        print(f'{c[0]}{c[1]}\t{h["worth"]}\t{h["real"]}\t{h["noise"]}\t{unlab[c]}')


def count(paths):
    for p in paths:
        shown = [g for g in judged(json.load(open(p))) if g['worth']]
        k = collections.Counter(g['kind'] for g in shown)
        print(p, f'shown near-miss {k["near-miss"]} functional {k["functional"]}')
        for c in CANDS:
            h = collections.Counter(g['kind'] for g in shown if hides(c, toks(g)))
            print(f'  {c[0]}{c[1]}: near-miss {h["near-miss"]} functional {h["functional"]}')


def purity(path):
    d = json.load(open(path))
    for kind in ('functional', 'near-miss'):
        shown = [g for g in d['groups'] if g['kind'] == kind and g.get('worth')]
        for c in [None] + CANDS:
            keep = [g for g in shown if c is None or not hides(c, toks(g))]
            pure = sum(len({m['path'].split('/')[0] for m in g['members']}) == 1 for g in keep)
            name = 'now' if c is None else f'{c[0]}{c[1]}'
            print(f'{kind} {name}: shown {len(keep)} pure {pure} ({100 * pure / max(1, len(keep)):.1f} %)')


if __name__ == '__main__':
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == 'fit':
        fit(*args)
    elif mode == 'count':
        count(args)
    elif mode == 'purity':
        purity(args[0])
    else:
        sys.exit(f'unknown mode {mode!r}: fit, count or purity')
