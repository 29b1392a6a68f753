#!/bin/bash
# The template rule's settings on a set laid out like LeetCode (issue 18, session 13; docs/audits/clones-s13-template.md).
# Usage: scripts/bench/clones/template_sweep.sh SET   (SET from purity_set_from_pairs.py; writes SET.*.json beside it)
# Runs `codeintel clones SET` with the rule off and at m in {3, 5, 10, 20} x c in {1e-9, 0.02, 0.05} (by a
# .codeintel.json in SET, removed afterwards) and prints purity_diagnosis.py's first line for each.
set -euo pipefail
SET=${1:?usage: template_sweep.sh SET}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
B=${CODEINTEL:-$ROOT/.build/release/codeintel}
export CODEINTEL_MODEL=${CODEINTEL_MODEL:-$ROOT/Models/contracode-hybrid-small}
trap 'rm -f "$SET/.codeintel.json"' EXIT
rm -f "$SET/.codeintel.json"
nice -n 10 "$B" clones "$SET" --format json --output "$SET.off.json" --quiet --no-template-rule
echo "off: $(python3 "$HERE/purity_diagnosis.py" "$SET.off.json" "$SET" --author-before-dash 2>/dev/null | head -1)"
for m in 3 5 10 20; do
  for c in 1e-9 0.02 0.05; do
    echo "{\"clones\": {\"templateMinFunctions\": $m, \"templateMinRemainder\": $c}}" > "$SET/.codeintel.json"
    nice -n 10 "$B" clones "$SET" --format json --output "$SET.m$m-c$c.json" --quiet
    echo "m=$m c=$c: $(python3 "$HERE/purity_diagnosis.py" "$SET.m$m-c$c.json" "$SET" --author-before-dash 2>/dev/null | head -1)"
  done
done
