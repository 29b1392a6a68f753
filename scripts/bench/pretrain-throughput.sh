#!/bin/sh
# Training throughput of the real shipped-size hybrid step (issue 16): `codeintel pretrain` with
# Models/configs/hybrid-small.json (2 layers, d = 128, 4 heads, FFN 512, 128 tokens, batch 32, MLM on the
# functions as written + MoCo, queue 4,096), warm-started from Models/contracode-moco-small, on a fixed
# sample of real train-split functions, augmentation and tokenisation included. Two binaries alternate,
# BEFORE then AFTER in odd rounds, AFTER then BEFORE in even ones, so both see the same load.
#
#   BEFORE=/work/main/.build/release/codeintel AFTER=.build/release/codeintel scripts/bench/pretrain-throughput.sh
#
# Environment (defaults): BEFORE (main's release build), AFTER (this checkout's), ROUNDS (3), STEPS (40 per
# run; the first log window of 10 steps is the warm-up and is not counted), TRAIN (the train split of
# ~/.cache/codeintel/datasets-v2-892b7ec5, the data the shipped model trained on), FUNCTIONS (4000: a seeded
# sample of that many), EXTRA (more `pretrain` arguments for both, e.g. "--data-parallel 1").
# About 25 s a run on a quiet 2-core machine, so ROUNDS=3 takes ~3 minutes.
#
# Prints one line per run: round, pairs/s over the counted log windows (wall time), process CPU seconds per
# counted step (all threads: the run's total from /usr/bin/time minus the CPU it had used when step 10 was
# logged, read from /proc; the same measure for any binary; binaries from session 6 on also log their own
# per-window figure), then the medians and the AFTER/BEFORE ratios, and the best three 10-step log windows of
# each binary (on a shared machine, the windows nothing else ran in). Reads nothing but the train file; writes
# only under a temp folder.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BEFORE=${BEFORE:-/work/main/.build/release/codeintel}
AFTER=${AFTER:-$ROOT/.build/release/codeintel}
ROUNDS=${ROUNDS:-3}
STEPS=${STEPS:-40}
TRAIN=${TRAIN:-$HOME/.cache/codeintel/datasets-v2-892b7ec5/pretrain/train.jsonl}
FUNCTIONS=${FUNCTIONS:-4000}
EXTRA=${EXTRA:-}
for b in "$BEFORE" "$AFTER"; do
  [ -x "$b" ] || { echo "pretrain-throughput: no executable at $b" >&2; exit 1; }
done
[ "$STEPS" -gt 10 ] || { echo "pretrain-throughput: STEPS must be above 10 (the first 10 are not counted)" >&2; exit 1; }
[ -r "$TRAIN" ] || { echo "pretrain-throughput: cannot read the train file $TRAIN (set TRAIN=)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/pretrain-throughput.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
python3 - "$ROOT/Models/configs/hybrid-small.json" "$TRAIN" "$FUNCTIONS" "$WORK" <<'EOF'
import json, random, sys
config, train, functions, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
lines = open(train, "rb").read().splitlines()
random.Random(16).shuffle(lines)  # a fixed sample: the same functions for both binaries and every run
open(work + "/train.jsonl", "wb").write(b"\n".join(lines[:functions]) + b"\n")
c = json.load(open(config))
c.update(trainData=work + "/train.jsonl", evalCandidates=0, logEvery=10, warmupSteps=5, checkpointMinutes=100000)
json.dump(c, open(work + "/config.json", "w"), indent=1)
EOF
cd "$ROOT"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "before: $BEFORE"
echo "after:  $AFTER"
echo "config: hybrid-small.json, $FUNCTIONS functions of $TRAIN, $STEPS steps a run (first 10 not counted) $EXTRA"
run() {  # run NAME BINARY ROUND -> prints "NAME ROUND pairs/s cpu-s/step"
  out="$WORK/$1-$3"
  # shellcheck disable=SC2086
  /usr/bin/time -f "%U %S" -o "$out.time" "$2" pretrain --config "$WORK/config.json" --out "$out" \
    --warm-start "$ROOT/Models/contracode-moco-small" --steps "$STEPS" $EXTRA >"$out.log" 2>&1 &
  timer=$!
  # the process CPU when step 10's log line appears: what start-up and the warm-up steps cost
  ticks10=""
  while kill -0 "$timer" 2>/dev/null; do
    if [ -z "$ticks10" ] && grep -q '"step":10,' "$out/metrics.jsonl" 2>/dev/null; then
      child=$(pgrep -P "$timer" | head -1)
      ticks10=$(awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || true)
    fi
    sleep 0.05
  done
  wait "$timer" || { echo "pretrain-throughput: $1 failed, see below" >&2; tail -5 "$out.log" >&2; exit 1; }
  python3 - "$out/metrics.jsonl" "$out.time" "$STEPS" "$1" "$3" "${ticks10:-}" "$(getconf CLK_TCK)" <<'EOF'
import json, sys
metrics, timing, steps, name, rnd, ticks10, hz = sys.argv[1:8]
steps = int(steps)
w = [json.loads(l) for l in open(metrics) if '"train"' in l]
w = [r for r in w if r["step"] > 10]
pairs = sum(r["pairs_per_s"] for r in w) / len(w)
u, s = map(float, open(timing).read().split()[-2:])
# process CPU (all threads) of steps 11..STEPS (and the final checkpoint and export), per step: the whole run's
# CPU minus what it had used when step 10 was logged; the same measure for any binary
cpu = (u + s - int(ticks10) / int(hz)) / (steps - 10) if ticks10 else (u + s) / steps
extra = "" if ticks10 else " (whole run: step 10 was not caught)"
if all("cpu_s_per_step" in r for r in w):  # binaries from session 6 on also log CPU per log window
    extra += " (logged: %.3f)" % (sum(r["cpu_s_per_step"] for r in w) / len(w))
fill = [r["token_fill"] for r in w if "token_fill" in r]
if fill:
    extra += " real-token share %.3f" % (sum(fill) / len(fill))
print(f"{name} {rnd} {pairs:.1f} {cpu:.3f}{extra}")
with open(metrics.rsplit("/", 2)[0] + "/windows", "a") as f:  # every counted window, for the best-window summary
    f.writelines(f"{name} {r['pairs_per_s']}\n" for r in w)
EOF
}
: >"$WORK/results"
r=1
while [ "$r" -le "$ROUNDS" ]; do
  if [ $((r % 2)) -eq 1 ]; then order="before after"; else order="after before"; fi
  for which in $order; do
    if [ "$which" = before ]; then bin=$BEFORE; else bin=$AFTER; fi
    line=$(run "$which" "$bin" "$r") || exit 1
    echo "  $line  (load $(cut -d' ' -f1 /proc/loadavg))" | sed 's/^  \([a-z]*\) \([0-9]*\) \([0-9.]*\) \([0-9.]*\)/  \1, round \2: \3 pairs\/s, \4 CPU s\/step/'
    echo "$line" >>"$WORK/results"
  done
  r=$((r + 1))
done
python3 - "$WORK/results" "$WORK/windows" <<'EOF'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1])]
by = {}
for name, rnd, pairs, cpu, *_ in rows:
    by.setdefault(name, {})[rnd] = (float(pairs), float(cpu))
b, a = by["before"], by["after"]
ratios = [a[r][0] / b[r][0] for r in sorted(b) if r in a]
print("pairs/s median: before %.1f, after %.1f;  after/before per round: %s, median %.2fx" % (
    st.median(v[0] for v in b.values()), st.median(v[0] for v in a.values()),
    ", ".join("%.2f" % x for x in ratios), st.median(ratios)))
print("CPU s per step median: before %.3f, after %.3f (%.2fx less CPU per step)" % (
    st.median(v[1] for v in b.values()), st.median(v[1] for v in a.values()),
    st.median(v[1] for v in b.values()) / st.median(v[1] for v in a.values())))
# on a shared machine a foreign job landing in one window decides a round; the best windows of each binary (those
# with nothing else running) are the nearest thing to a quiet measurement
win = {}
for l in open(sys.argv[2]):
    name, pairs = l.split()
    win.setdefault(name, []).append(float(pairs))
top = {n: sorted(v, reverse=True) for n, v in win.items()}
print("10-step windows, best three: before %s, after %s; best/best %.2fx" % (
    ", ".join("%.1f" % x for x in top["before"][:3]), ", ".join("%.1f" % x for x in top["after"][:3]),
    top["after"][0] / top["before"][0]))
EOF
