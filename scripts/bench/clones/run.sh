#!/usr/bin/env bash
# Benchmarks for docs/benchmarks/clones.md. Usage: scripts/bench/clones/run.sh [TS_SRC] [VENV]
#   TS_SRC  a copy of src/ from Debian's node-typescript 4.8.4 orig tarball (default /tmp/clones/ts-src)
#   VENV    a virtual environment with `pip install faiss-cpu numpy jscpd` (default /tmp/clones/venv)
# Builds the release helper, then: clones cold and warm on TS_SRC, jscpd on TS_SRC and the overlap,
# and 100k-vector top-k / all-pairs against faiss IndexFlatIP.
set -euo pipefail
cd "$(dirname "$0")/../../.."
TS_SRC=${1:-/tmp/clones/ts-src}
VENV=${2:-/tmp/clones/venv}
OUT=${OUT:-/tmp/clones/bench}
mkdir -p "$OUT"
swift build -c release --scratch-path .build-clones --product clone-index-child >/dev/null
swift build -c release --scratch-path .build-clones --product codeintel >/dev/null
BIN=.build-clones/release/clone-index-child
CLI=.build-clones/release/codeintel

echo "== machine"; nproc; uptime
echo "== clones cold (index removed)"
rm -rf "$TS_SRC/.codeintel"
/usr/bin/time -v $CLI clones "$TS_SRC" --format json --quiet > "$OUT/ours.json" 2> "$OUT/cold.time"
grep -E "Elapsed|User time|Maximum resident" "$OUT/cold.time"
echo "== clones warm (no change)"
/usr/bin/time -v $CLI clones "$TS_SRC" --format json --quiet > "$OUT/ours-warm.json" 2> "$OUT/warm.time"
grep -E "Elapsed|Maximum resident" "$OUT/warm.time"
cmp "$OUT/ours.json" "$OUT/ours-warm.json" && echo "warm report identical"
python3 -c "
import json,collections; r=json.load(open('$OUT/ours.json'))
print('files', r['files'], 'units', r['units'], collections.Counter(g['kind'] for g in r['groups']))"

echo "== jscpd"
rm -rf "$OUT/jscpd"
/usr/bin/time -v "$VENV/bin/jscpd" --format typescript --reporters json --output "$OUT/jscpd" --silent "$TS_SRC" \
  > /dev/null 2> "$OUT/jscpd.time" || true
grep -E "Elapsed|Maximum resident" "$OUT/jscpd.time"
python3 scripts/bench/clones/compare_jscpd.py "$OUT/ours.json" "$OUT/jscpd/jscpd-report.json"

echo "== vectors: 100k x 256, k=10, 1000 batch queries, all pairs >= 0.3"
$BIN vectors 100000 256 42 "$OUT/vectors.f32"
$BIN vector-bench "$OUT/vectors.f32" 256 10 1000 0.3 | tee "$OUT/ours-vectors.json"
"$VENV/bin/python" scripts/bench/clones/faiss_bench.py "$OUT/vectors.f32" 256 10 1000 0.3 "$OUT/ours-vectors.json"
