#!/usr/bin/env bash
# The Spark job on many repositories of the GitHub corpus, against `codeintel clones` repository by
# repository (docs/BENCHMARKS.md, "Clone search on Spark").
#   scripts/bench/spark/run.sh LIST OUT BIN
# LIST: one extracted repository folder a line (extract the corpus archives to /tmp, never into the
# repository); OUT: a scratch folder; BIN: a release build of codeintel.
set -euo pipefail
list="$1"; out="$2"; bin="$3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
job="$here/../../../spark/codeintel-spark"
mkdir -p "$out"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/load.txt"

# 1. codeintel clones, one repository after the other, from a fresh index each.
start=$(date +%s.%N)
: > "$out/single.tsv"
while read -r repo; do
  rm -rf "$repo/.codeintel"
  t0=$(date +%s.%N)
  "$bin" clones "$repo" --format json --quiet --output "$out/single.json" || true
  t1=$(date +%s.%N)
  python3 -c "
import json,sys; r=json.load(open('$out/single.json'))
print('\t'.join(map(str,['$repo', r['units'], len(r['groups']), sum(1 for g in r['groups'] if g['kind']=='functional'), round($t1-$t0,2)])))" >> "$out/single.tsv"
  rm -rf "$repo/.codeintel"
done < "$list"
end=$(date +%s.%N)
echo "single: $(python3 -c "print(round($end-$start,1))") s" | tee -a "$out/load.txt"
echo "load after single: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"

# 2. The job in local[1] and local[2].
for master in 'local[1]' 'local[2]'; do
  name="job-${master//[^0-9a-z]/}"
  /usr/bin/time -f "%e s wall, %M KiB max RSS (driver)" "$job" clones --repos "$list" --out "$out/$name" \
    --master "$master" --codeintel "$bin" --driver-memory 4g 2> "$out/$name.log" || true
  tail -2 "$out/$name.log"
  echo "load after $master: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
done
