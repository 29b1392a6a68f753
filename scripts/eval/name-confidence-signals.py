#!/usr/bin/env python3
"""Which confidence signal says a suggested method name is right? (issue 19, session 7)

Reads the JSON lines of `codeintel finetune name-threshold --out HEAD --dump FILE` (every listed suggestion of
the VALID functions: its decoder probability, length-normalised score, margin to the next suggestion, the first
step's and the weakest step's log-probability, <eos>'s, the pointer-generator gate's mean over its subtokens,
whether its subtokens are words of the body, its length, the function's length, and the two outcomes: at least
one subtoken right, exactly right) and prints, for the first suggestions and for all listed ones:

- each signal's AUROC for both outcomes and its precision-coverage curve (top n: any-subtoken % / exact %),
  and whether a level with >= 30 suggestions reaches the display bar (>= 60 % any-subtoken AND >= 30 % exact);
- the held-out check: the packages split in two halves (three seeded draws); the level is chosen on one half
  (for a combination: two logistic regressions, of "any subtoken right" and of "exact", fitted on that half,
  ranked by the sum of their probabilities) and applied to the other half.

With `--apply TEST.jsonl` (the same dump written for a test split: a datasets folder whose method-names/valid.jsonl
and github-valid.jsonl are the test splits), the level each single signal reaches on all of DUMP (valid) is applied
to the test suggestions: how many are shown there and their shares. Report only; never choose on it.

usage: name-confidence-signals.py DUMP.jsonl [--seeds N] [--apply TEST.jsonl]
"""
import json, sys
import numpy as np

BAR_ANY, BAR_EXACT, MIN_SUPPORT = 0.6, 0.3, 30


def auroc(s, y):
    order = np.argsort(s, kind="mergesort")
    s2 = s[order]
    ranks = np.empty(len(s))
    i = 0
    while i < len(s2):  # average ranks over ties
        j = i
        while j + 1 < len(s2) and s2[j + 1] == s2[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    p = y.sum()
    n = len(y) - p
    return (ranks[y == 1].sum() - p * (p + 1) / 2) / (p * n) if p and n else float("nan")


def prefix_shares(s, a, e):
    order = np.argsort(-s, kind="mergesort")
    k = np.arange(1, len(s) + 1)
    return s[order], np.cumsum(a[order]) / k, np.cumsum(e[order]) / k, k


def level(s, a, e):
    """The lowest level (value, shown, any, exact) whose shown set meets the bar; ties move together."""
    sv, ca, ce, k = prefix_shares(s, a, e)
    last_of_tie = np.r_[sv[1:] != sv[:-1], True]
    ok = (k >= MIN_SUPPORT) & (ca >= BAR_ANY) & (ce >= BAR_EXACT) & last_of_tie
    if not ok.any():
        return None
    i = np.where(ok)[0].max()
    return sv[i], int(k[i]), ca[i], ce[i]


def logistic(Z, y, l2=1e-2, iterations=50):
    Z = np.hstack([Z, np.ones((len(Z), 1))])
    b = np.zeros(Z.shape[1])
    ridge = np.r_[np.ones(len(b) - 1), 0] * l2
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-Z @ b))
        g = Z.T @ (p - y) / len(y) + ridge * b
        H = (Z * (p * (1 - p))[:, None]).T @ Z / len(y) + np.diag(ridge)
        b -= np.linalg.solve(H, g)
    return b


def predict(b, Z):
    return 1 / (1 + np.exp(-(np.hstack([Z, np.ones((len(Z), 1))]) @ b)))


def signals(R):
    g = lambda k: np.array([r[k] for r in R], float)
    return {
        "probability": g("probability"),
        "score": g("score"),
        "margin": g("margin"),
        "firstStepLogP": g("firstLogProbability"),
        "weakestStepLogP": g("minStepLogProbability"),
        "eosLogP": g("eosLogProbability"),
        "copyShare": 1 - g("gateMean"),
        "allInBody": g("allInBody"),
        "inBodyShare": g("inBodyShare"),
        "fewerSubtokens": -g("subtokens"),
        "shorterFunction": -g("tokens"),
    }


def main():
    path = sys.argv[1]
    seeds = int(sys.argv[sys.argv.index("--seeds") + 1]) if "--seeds" in sys.argv else 3
    rows = [json.loads(line) for line in open(path)]
    print(f"{len(rows)} suggestions of {len({r['function'] for r in rows})} valid functions")
    for label, R in (("first suggestions", [r for r in rows if r["position"] == 0]), ("all listed", rows)):
        a = np.array([r["anyRight"] for r in R], float)
        e = np.array([r["exact"] for r in R], float)
        F = signals(R)
        print(f"\n## {label}: {len(R)} (any-subtoken {a.mean() * 100:.1f} %, exact {e.mean() * 100:.1f} %)")
        print("| signal | AUROC any | AUROC exact | top 30 | top 50 | top 100 | top 200 | top 400 | level on all valid |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, s in F.items():
            _, ca, ce, _ = prefix_shares(s, a, e)
            cells = [f"{ca[n - 1] * 100:.0f} / {ce[n - 1] * 100:.0f}" for n in (30, 50, 100, 200, 400)]
            t = level(s, a, e)
            lv = "none" if t is None else f"{t[1]} shown, {t[2] * 100:.0f} / {t[3] * 100:.0f}"
            print(f"| {name} | {auroc(s, a):.3f} | {auroc(s, e):.3f} | " + " | ".join(cells) + f" | {lv} |")
        combos = {
            "copyShare": ["copyShare"],
            "firstStepLogP": ["firstStepLogP"],
            "probability": ["probability"],
            "fit: firstStep + copyShare": ["firstStepLogP", "copyShare"],
            "fit: firstStep + copyShare + logP": ["firstStepLogP", "copyShare", "logP"],
            "fit: all signals": ["firstStepLogP", "copyShare", "logP", "score", "margin", "weakestStepLogP",
                                 "eosLogP", "allInBody", "fewerSubtokens", "shorterFunction"],
        }
        F["logP"] = np.maximum(np.log(np.maximum(F["probability"], 1e-300)), -30)
        packages = sorted({r["package"] for r in R})
        print("\nheld-out halves (by package): level chosen on one half -> what it shows on the other (any % / exact %)")
        print("| signal | " + " | ".join(f"seed {s} {d}" for s in range(seeds) for d in ("A→B", "B→A")) + " |")
        print("|---|" + "---|" * (2 * seeds))
        for name, fs in combos.items():
            X = np.stack([F[f] for f in fs], 1)
            cells = []
            for seed in range(seeds):
                rng = np.random.RandomState(seed)
                p2 = list(packages)
                rng.shuffle(p2)
                half = set(p2[: len(p2) // 2])
                A = np.array([r["package"] in half for r in R])
                for tr, te in ((A, ~A), (~A, A)):
                    if len(fs) == 1:
                        s_tr, s_te = X[tr, 0], X[te, 0]
                    else:
                        mu, sd = X[tr].mean(0), X[tr].std(0) + 1e-9
                        Zt, Ze = (X[tr] - mu) / sd, (X[te] - mu) / sd
                        ba, be = logistic(Zt, a[tr]), logistic(Zt, e[tr])
                        s_tr, s_te = predict(ba, Zt) + predict(be, Zt), predict(ba, Ze) + predict(be, Ze)
                    t = level(s_tr, a[tr], e[tr])
                    if t is None:
                        cells.append("no level")
                        continue
                    shown = s_te >= t[0]
                    n = int(shown.sum())
                    cells.append(
                        f"{t[1]}→{n}" + (f": {a[te][shown].mean() * 100:.0f} / {e[te][shown].mean() * 100:.0f}" if n else ""))
            print(f"| {name} | " + " | ".join(cells) + " |")


def apply(valid_path, test_path):
    valid = [json.loads(line) for line in open(valid_path)]
    test = [json.loads(line) for line in open(test_path)]
    print(f"\n## levels chosen on all of valid, applied to {test_path} ({len({r['function'] for r in test})} functions)")
    print("| suggestions | signal | valid: shown, any % / exact % | test: shown, any % / exact % |")
    print("|---|---|---|---|")
    for label, keep in (("first", lambda r: r["position"] == 0), ("all listed", lambda r: True)):
        V = [r for r in valid if keep(r)]
        T = [r for r in test if keep(r)]
        va = np.array([r["anyRight"] for r in V], float)
        ve = np.array([r["exact"] for r in V], float)
        ta = np.array([r["anyRight"] for r in T], float)
        te = np.array([r["exact"] for r in T], float)
        FV, FT = signals(V), signals(T)
        for name in FV:
            t = level(FV[name], va, ve)
            if t is None:
                continue
            shown = FT[name] >= t[0]
            n = int(shown.sum())
            tcell = f"{n}, {ta[shown].mean() * 100:.0f} / {te[shown].mean() * 100:.0f}" if n else "0"
            print(f"| {label} | {name} | {t[1]}, {t[2] * 100:.0f} / {t[3] * 100:.0f} | {tcell} |")


if __name__ == "__main__":
    if "--apply" in sys.argv:
        apply(sys.argv[1], sys.argv[sys.argv.index("--apply") + 1])
    else:
        main()
