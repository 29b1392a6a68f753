#!/usr/bin/env python3
"""Session 11, issue 18: the pre-registered candidates (docs/audits/clone-nearmiss-s11-fit-prereg.txt) measured on
the enlarged fitting set. Scratch-level measuring script; the rules live in CloneWorth.

  check REPORT.json...            re-derives every near-miss/functional verdict with this script's port of
                                  CloneWorth.judge and compares it with the report's (the port must agree)
  fit OLD_NEW_DIR OLD_DIR NEW_DIR the labelled groups: docs/audits/clone-worth-fit.tsv (session 8) matched by members
                                  to OLD_NEW_DIR/OWNER+NAME.json (main's reports now) through session 8's reports
                                  OLD_DIR/OWNER+NAME.json (the ids its labels use), and clone-worth-fit-s11.tsv
                                  whose ids are those of NEW_DIR/OWNER+NAME.json
  count REPORT.json...            shown near-miss / functional groups each candidate would newly hide (counts only)
"""
import collections, csv, json, math, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
CANDS = [('L', t) for t in (30, 40, 50, 60)] + [('M', t) for t in (30, 40, 50, 60)] + \
        [('R', 300), ('R', 400), ('R', math.inf)]
NAME = lambda c: f'{c[0]}{"inf" if c[1] == math.inf else c[1]}'

PAIRS = [
    ("add", "remove"), ("add", "delete"), ("insert", "remove"), ("insert", "delete"), ("get", "set"), ("to", "from"),
    ("before", "after"), ("start", "stop"), ("start", "end"), ("begin", "end"), ("open", "close"), ("show", "hide"),
    ("next", "previous"), ("next", "prev"), ("push", "pop"), ("shift", "unshift"), ("encode", "decode"),
    ("serialize", "deserialize"), ("up", "down"), ("left", "right"), ("top", "bottom"), ("x", "y"),
    ("horizontal", "vertical"), ("width", "height"), ("row", "column"), ("rows", "columns"), ("in", "out"),
    ("enter", "leave"), ("enter", "exit"), ("on", "off"), ("enable", "disable"), ("activate", "deactivate"),
    ("attach", "detach"), ("subscribe", "unsubscribe"), ("mount", "unmount"), ("bind", "unbind"), ("lock", "unlock"),
    ("register", "unregister"), ("load", "unload"), ("load", "save"), ("read", "write"), ("import", "export"),
    ("first", "last"), ("head", "tail"), ("inc", "dec"), ("increment", "decrement"), ("expand", "collapse"),
    ("forward", "backward"), ("asc", "desc"), ("ascending", "descending"), ("union", "intersection"),
    ("undo", "redo"), ("connect", "disconnect"), ("wrap", "unwrap"), ("pack", "unpack"), ("compress", "decompress"),
    ("encrypt", "decrypt"), ("send", "receive"), ("focus", "blur"), ("select", "deselect"), ("check", "uncheck"),
    ("pause", "resume"), ("acquire", "release"), ("create", "destroy"), ("setup", "teardown"), ("prefix", "suffix"),
    ("leading", "trailing"), ("above", "below"), ("ltr", "rtl"), ("add", "subtract"), ("multiply", "divide"),
]
MIRROR = {f'{a}|{b}' for a, b in PAIRS} | {f'{b}|{a}' for a, b in PAIRS}


def words(name):
    out, cur = [], ''
    for i, c in enumerate(name):
        if not c.isalnum():
            if cur:
                out.append(cur)
            cur = ''
            continue
        prev = name[i - 1] if i > 0 else None
        nxt = name[i + 1] if i + 1 < len(name) else None
        boundary = c.isupper() and ((prev is not None and (prev.islower() or prev.isdigit())) or
                                    (prev is not None and prev.isupper() and nxt is not None and nxt.islower()))
        if boundary and cur:
            out.append(cur)
            cur = ''
        cur += c
    if cur:
        out.append(cur)
    return [w.lower() for w in out]


def mirrored(a, b):
    x, y = words(a), words(b)
    if len(x) != len(y) or not x or x == y:
        return False
    differ = [i for i in range(len(x)) if x[i] != y[i]]
    if len(differ) == 1:
        return f'{x[differ[0]]}|{y[differ[0]]}' in MIRROR
    if 'to' in x and 'to' in y:
        t = x.index('to')
        left, right = x[:t], x[t + 1:]
        return bool(left) and bool(right) and y == right + ['to'] + left
    return all(f'{x[i]}|{y[i]}' in MIRROR for i in differ)


def judge(g, mirror_bar=200):
    """CloneWorth.judge ported (the current rules; `mirror_bar` for the R candidates)."""
    ms = g['members']
    if g['kind'] not in ('near-miss', 'functional') or len(ms) < 2:
        return None
    if any(m.get('statements') is None or m.get('bodyTokens') is None for m in ms):
        return None
    if all(m['statements'] <= 2 and m.get('compoundStatements', 0) == 0 for m in ms):
        return 'thin'
    toks = [m['bodyTokens'] for m in ms]
    largest = max(toks)
    if len(ms) == 2 and ms[0].get('name') and ms[1].get('name') and mirrored(ms[0]['name'], ms[1]['name']) \
            and largest < mirror_bar:
        return 'mirror'
    if sum(toks) - largest < 60:
        return 'small'
    if g['kind'] == 'functional' and g.get('runOverlap') is not None and g['runOverlap'] < 0.25 \
            and (g.get('blindRunOverlap') or 0) < 0.6:
        return 'unlike'
    return None


def hides(c, g):
    """Whether candidate `c` newly hides `g`, a group the current rules show."""
    kind, t = c
    if kind == 'R':
        return judge(g, mirror_bar=t) is not None
    s = sorted(m['bodyTokens'] for m in g['members'])
    return (s[-1] < t) if kind == 'L' else (s[(len(s) - 1) // 2] < t)


def judged(d):
    return [g for g in d['groups'] if g['kind'] in ('near-miss', 'functional')]


def check(paths):
    for p in paths:
        bad = [(g['id'], g.get('notWorth'), judge(g)) for g in judged(json.load(open(p)))
               if (g.get('notWorth') or None) != judge(g)]
        print(p, 'disagreements:', bad[:10], len(bad))


def fit(old_new_dir, old_dir, new_dir):
    mset = lambda g: frozenset((m['path'], m['startByte'], m['endByte']) for m in g['members'])
    rows = []   # (labelled row, current group or None, report key)
    reports = {}
    old_labels = list(csv.DictReader(open(f'{HERE}/clone-worth-fit.tsv'), delimiter='\t'))
    missing = []
    for repo in sorted({r['repo'] for r in old_labels}):
        key = repo.replace('/', '+')
        old = {g['id']: g for g in json.load(open(f'{old_dir}/{key}.json'))['groups']}
        new = judged(json.load(open(f'{old_new_dir}/{key}.json')))
        reports[('s8', key)] = new
        by = {(g['kind'], mset(g)): g for g in new}
        for r in (r for r in old_labels if r['repo'] == repo):
            g = by.get((r['kind'], mset(old[int(r['id'])])))
            if g is None:
                missing.append((repo, r['kind'], r['id'], r['verdict']))
            rows.append(('s8', r, g, key))
    new_labels = list(csv.DictReader(open(f'{HERE}/clone-worth-fit-s11.tsv'), delimiter='\t'))
    for repo in sorted({r['repo'] for r in new_labels}):
        key = repo.replace('/', '+')
        new = judged(json.load(open(f'{new_dir}/{key}.json')))
        reports[('s11', key)] = new
        byid = {g['id']: g for g in new}
        for r in (r for r in new_labels if r['repo'] == repo):
            rows.append(('s11', r, byid.get(int(r['id'])), key))
    print('old labels not matched now:', missing)
    shown = [(s, r, g, k) for s, r, g, k in rows if g is not None and g['worth']]
    tally = collections.Counter((s, r['kind'], r['verdict']) for s, r, g, k in shown)
    print('labelled and shown now:', dict(sorted(tally.items())))
    n_not = sum(1 for s, r, g, k in shown if r['kind'] == 'near-miss' and r['verdict'] != 'worth')
    need = math.ceil(n_not / 3)
    print(f'N (shown near-miss labelled not worth) = {n_not}; a candidate needs >= {need} of them and <= 1 worth')
    labelled_ids = {(k, g['id']) for s, r, g, k in rows if g is not None}
    print('candidate\tnm-notworth hidden (of N)\tworth hidden (nm/fn)\tnm real/noise\tfn real/noise\t'
          'unlabelled shown hidden (of M)\tqualifies')
    results = []
    for c in CANDS:
        h = [(s, r, g, k) for s, r, g, k in shown if hides(c, g)]
        nm_not = sum(1 for s, r, g, k in h if r['kind'] == 'near-miss' and r['verdict'] != 'worth')
        w = [(s, r, g, k) for s, r, g, k in h if r['verdict'] == 'worth']
        wk = collections.Counter(r['kind'] for s, r, g, k in w)
        v = collections.Counter((r['kind'], r['verdict']) for s, r, g, k in h)
        unl = [(k, g) for (src, k), gs in reports.items() for g in gs
               if g['worth'] and (k, g['id']) not in labelled_ids]
        unl_h = sum(1 for k, g in unl if hides(c, g))
        q = nm_not >= need and len(w) <= 1 and nm_not > 0
        results.append((c, nm_not, len(w), unl_h, q))
        print(f'{NAME(c)}\t{nm_not}\t{len(w)} ({wk["near-miss"]}/{wk["functional"]})\t'
              f'{v[("near-miss", "real")]}/{v[("near-miss", "noise")]}\t{v[("functional", "real")]}/'
              f'{v[("functional", "noise")]}\t{unl_h} (of {len(unl)})\t{"yes" if q else "no"}')
        for s, r, g, k in h:
            print(f'    hides {s} {r["repo"]} {r["kind"]} #{r["id"]} {r["verdict"]} '
                  f'tokens {sorted(m["bodyTokens"] for m in g["members"])} names '
                  f'{[m.get("name") for m in g["members"]][:4]}')
    q = [x for x in results if x[4]]
    order = lambda x: (-x[1], x[2], x[3], x[0][1], 'LMR'.index(x[0][0]) if x[0][0] != 'R' else 9)
    print('qualifying:', [NAME(x[0]) for x in sorted(q, key=order)] or 'none')


def count(paths):
    for p in paths:
        shown = [g for g in judged(json.load(open(p))) if g['worth']]
        k = collections.Counter(g['kind'] for g in shown)
        print(p, f'shown near-miss {k["near-miss"]} functional {k["functional"]}')
        for c in CANDS:
            h = collections.Counter(g['kind'] for g in shown if hides(c, g))
            print(f'  {NAME(c)}: near-miss {h["near-miss"]} functional {h["functional"]}')


if __name__ == '__main__':
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == 'check':
        check(args)
    elif mode == 'fit':
        fit(*args)
    elif mode == 'count':
        count(args)
    else:
        sys.exit(f'unknown mode {mode!r}: check, fit or count')
