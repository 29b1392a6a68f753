#!/usr/bin/env python3
"""Session 11, issue 18: the wrapped-callback candidate W (docs/audits/clone-thin-callback-prereg.txt) on the ten
fitting reports. Scratch-level; the rules live in CloneWorth.

  agree MEAS_DIR NEW_DIR OLD_NEW_DIR     the node script's current-rule measurements against the reports' own
  shown MEAS_DIR NEW_DIR OLD_NEW_DIR     the groups W newly shows, per repository (ids), and which carry a label
  decide MEAS_DIR NEW_DIR OLD_NEW_DIR OLD_DIR   the decision (a)-(c), with docs/audits/clone-thin-callback-labels.tsv

MEAS_DIR holds m-OWNER+NAME.json from clone-thin-callback-measure.js; NEW_DIR the four session-11 reports,
OLD_NEW_DIR the six session-8 repositories' reports of today, OLD_DIR session 8's reports (the ids its labels use).
"""
import collections, copy, csv, importlib.util, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('m11', f'{HERE}/clone-nearmiss-s11-measure.py')
m11 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m11)
NEW = ['medusajs+medusa', 'payloadcms+payload', 'tensorflow+tfjs', 'angular+components']
OLD = ['ajv-validator+ajv', 'codemirror+view', 'elysiajs+elysia', 'knex+knex', 'moment+luxon', 'taskforcesh+bullmq']


def load(meas, new_dir, old_new_dir):
    out = {}
    for k in NEW + OLD:
        d = json.load(open(f'{new_dir if k in NEW else old_new_dir}/{k}.json'))
        out[k] = (m11.judged(d), json.load(open(f'{meas}/m-{k}.json')))
    return out


def under_w(g, ms):
    """The group with W's statements/compound (a member the script could not find keeps the report's)."""
    h = copy.deepcopy(g)
    for m, x in zip(h['members'], ms):
        if x is not None and x['cur'] == [m.get('statements'), m.get('compoundStatements', 0)]:
            m['statements'], m['compoundStatements'] = x['w']
    return h


def newly_shown(data):
    res = {}
    for k, (groups, meas) in data.items():
        res[k] = [g for g in groups if not g['worth'] and m11.judge(under_w(g, meas[str(g['id'])])) is None]
    return res


def agree(meas, new_dir, old_new_dir):
    tot = same = missing = 0
    for k, (groups, ms) in load(meas, new_dir, old_new_dir).items():
        t = s = mi = 0
        for g in groups:
            for m, x in zip(g['members'], ms[str(g['id'])]):
                if m.get('statements') is None:
                    continue
                t += 1
                if x is None:
                    mi += 1
                elif x['cur'] == [m['statements'], m.get('compoundStatements', 0)]:
                    s += 1
        print(f'{k}: members {t}, same statements/compound {s}, not found {mi}')
        tot, same, missing = tot + t, same + s, missing + mi
    print(f'all: members {tot}, same {same} ({same / tot:.1%}), not found {missing}')


def labels(old_new_dir, old_dir):
    """(report key, id) -> (kind, verdict) for the session-8 labels (matched by members) and session 11's."""
    mset = lambda g: frozenset((m['path'], m['startByte'], m['endByte']) for m in g['members'])
    out = {}
    for r in csv.DictReader(open(f'{HERE}/clone-worth-fit.tsv'), delimiter='\t'):
        k = r['repo'].replace('/', '+')
        old = {g['id']: g for g in json.load(open(f'{old_dir}/{k}.json'))['groups']}
        now = {(g['kind'], mset(g)): g for g in m11.judged(json.load(open(f'{old_new_dir}/{k}.json')))}
        g = now.get((r['kind'], mset(old[int(r['id'])])))
        if g is not None:
            out[(k, g['id'])] = (r['kind'], r['verdict'], 's8')
    for r in csv.DictReader(open(f'{HERE}/clone-worth-fit-s11.tsv'), delimiter='\t'):
        out[(r['repo'].replace('/', '+'), int(r['id']))] = (r['kind'], r['verdict'], 's11')
    p = f'{HERE}/clone-thin-callback-labels.tsv'
    if os.path.exists(p):
        for r in csv.DictReader(open(p), delimiter='\t'):
            out[(r['repo'].replace('/', '+'), int(r['id']))] = (r['kind'], r['verdict'], 'w')
    return out


def shown(meas, new_dir, old_new_dir, old_dir=None):
    ns = newly_shown(load(meas, new_dir, old_new_dir))
    lab = labels(old_new_dir, old_dir) if old_dir else {}
    for k, gs in ns.items():
        kinds = collections.Counter(g['kind'] for g in gs)
        print(f'{k}: newly shown {len(gs)} (near-miss {kinds["near-miss"]}, functional {kinds["functional"]}); '
              f'first 15 ids: {[g["id"] for g in gs[:15]]}')
        for g in gs[:15]:
            if (k, g['id']) in lab:
                print(f'    #{g["id"]} already labelled {lab[(k, g["id"])]}')


def decide(meas, new_dir, old_new_dir, old_dir):
    data = load(meas, new_dir, old_new_dir)
    ns = newly_shown(data)
    lab = labels(old_new_dir, old_dir)
    first = {(k, g['id']) for k, gs in ns.items() for g in gs[:15]}
    unl = sorted(x for x in first if x not in lab)
    print('newly shown, first 15 per repository:', len(first), '; unlabelled among them:', unl)
    v = collections.Counter(lab[x][1] for x in first if x in lab)
    print('newly shown labelled, by verdict:', dict(v))
    allns = {(k, g['id']) for k, gs in ns.items() for g in gs}
    worth_all = sorted(x for x in allns if x in lab and lab[x][1] == 'worth')
    print('(a) labelled worthwhile groups newly shown:', len(worth_all), worth_all)
    n = sum(v.values())
    print(f'(b) worth among newly shown labelled: {v["worth"]} of {n}')
    shown_now = {(k, g['id']) for k, (gs, _) in data.items() for g in gs if g['worth']}
    today = collections.Counter(lab[x][1] for x in shown_now if x in lab)
    after = collections.Counter(lab[x][1] for x in shown_now | allns if x in lab)
    sh = lambda c: c['worth'] / sum(c.values())
    print(f'(c) labelled shown today: {dict(today)} share {sh(today):.3f}; under W: {dict(after)} share {sh(after):.3f}')
    ok = len(worth_all) >= 2 and n > 0 and 2 * v['worth'] >= n and sh(after) >= sh(today)
    print('adopt W:', 'yes' if ok else 'no')


if __name__ == '__main__':
    mode, args = sys.argv[1], sys.argv[2:]
    {'agree': agree, 'shown': shown, 'decide': decide}[mode](*args)
