#!/usr/bin/env bash
# The Spark job on many repositories of the GitHub corpus, against `codeintel clones` repository by
# repository (docs/BENCHMARKS.md, "Clone search on Spark").
#   scripts/bench/spark/run.sh LIST OUT BIN [single|units|job|both]
# LIST: one extracted repository folder a line (extract the corpus archives to /tmp, never into the
# repository); OUT: a scratch folder; BIN: a release build of codeintel.
#   single: `codeintel clones` repository by repository;
#   units:  `codeintel units` once for all of LIST, into OUT/units.jsonl (what stage 1 of the job runs);
#   job:    the job in local[2] then local[1] (MASTERS overrides), reading OUT/units.jsonl or the
#           parts in OUT/units/ when they exist (--units-from, so both runs share one extraction),
#           else running stage 1 itself;
#   both:   single then job.
set -euo pipefail
list="$1"; out="$2"; bin="$3"; what="${4:-both}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
job="$here/../../../spark/codeintel-spark"
mkdir -p "$out"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/load.txt"

# 1. codeintel clones, one repository after the other, from a fresh index each.
if [[ $what == single || $what == both ]]; then
start=$(date +%s.%N)
: > "$out/single.tsv"
while read -r repo; do
  rm -rf "$repo/.codeintel"
  /usr/bin/time -o "$out/time.txt" -f "%e %U %S" "$bin" clones "$repo" --format json --quiet --output "$out/single.json" || true
  # repo, units, groups, functional groups, wall s, user+sys CPU s
  python3 -c "
import json,sys; r=json.load(open('$out/single.json')); e,u,s=map(float,open('$out/time.txt').read().split()[-3:])
print('\t'.join(map(str,['$repo', r['units'], len(r['groups']), sum(1 for g in r['groups'] if g['kind']=='functional'), e, round(u+s,2)])))" >> "$out/single.tsv"
  rm -rf "$repo/.codeintel"
done < "$list"
end=$(date +%s.%N)
echo "single: $(python3 -c "print(round($end-$start,1))") s" | tee -a "$out/load.txt"
echo "load after single: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
fi
[[ $what == single ]] && exit 0

# The unit records, once.
if [[ $what == units ]]; then
  /usr/bin/time -o "$out/units-time.txt" -f "%e s wall, %U s user, %S s sys, %M KiB max RSS" \
    "$bin" units --stdin --output "$out/units.jsonl" < "$list"
  cat "$out/units-time.txt"
  echo "units: $(wc -l < "$out/units.jsonl") lines, $(du -m "$out/units.jsonl" | cut -f1) MB" | tee -a "$out/load.txt"
  exit 0
fi
from=()
[[ -f "$out/units.jsonl" ]] && from=(--units-from "$out/units.jsonl")
[[ -d "$out/units" ]] && from=(--units-from "$out/units")  # a folder of JSON-lines parts

# 2. The job in local[1] and local[2].
for master in ${MASTERS:-'local[2]' 'local[1]'}; do
  name="job-${master//[^0-9a-z]/}"
  /usr/bin/time -f "%e s wall (the CPU and RSS figures are the launcher's only, not the JVM's), %U s user, %S s sys, %M KiB max RSS" "$job" clones --repos "$list" --out "$out/$name" \
    --master "$master" --codeintel "$bin" --driver-memory 4g "${from[@]}" 2> "$out/$name.log" || true
  tail -2 "$out/$name.log"
  echo "load after $master: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
done
