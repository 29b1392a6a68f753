#!/usr/bin/env bash
# Side-by-side benchmark (issues 4, 16, 22): codeintel's Tensor encoder stack vs the same architecture in
# PyTorch CPU, same configuration and thread count, alternated in one session so all see the same load.
#
#   scripts/bench/tensor/run.sh                    # 2 threads, 2 rounds, the issue-4 shape (4 layers, d=256)
#   THREADS=1 ROUNDS=3 scripts/bench/tensor/run.sh
#   CORETYPES="Prescott Haswell SkylakeX Cooperlake auto fallback" scripts/bench/tensor/run.sh   # issue 22
#   ARGS="--small --moco" BEFORE_BENCH="/tmp/old/codeintel bench tensor" scripts/bench/tensor/run.sh  # issue 16
#
# CORETYPES: one codeintel row per entry: a core type forces OPENBLAS_CORETYPE, `auto` sets nothing, and
# `fallback` simulates a CPU OpenBLAS does not know (OPENBLAS_CORETYPE=Prescott with
# CODEINTEL_OPENBLAS_SIMULATE_FALLBACK=1, so codeintel's start-up selection replaces it). BEFORE_BENCH: a
# second codeintel build (e.g. before a change), run first in each round. ARGS go to every command.
# TORCH_PYTHON=none skips the PyTorch rows.
#
# Needs: a release build (`swift build -c release --product codeintel`), or SWIFT_BENCH pointing at any
# command that runs `codeintel bench tensor`; and PyTorch in a throw-away venv:
# python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
threads=${THREADS:-2}
rounds=${ROUNDS:-2}
iterations=${ITERATIONS:-10}
swift_bench=${SWIFT_BENCH:-.build/release/codeintel bench tensor}
torch_python=${TORCH_PYTHON:-/tmp/torchvenv/bin/python}
coretypes=${CORETYPES:-auto}
args=${ARGS:-}
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); load: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= rounds; r++)); do
  echo "## round $r"
  if [[ -n "${BEFORE_BENCH:-}" ]]; then
    echo "### before: $BEFORE_BENCH"
    $BEFORE_BENCH --threads "$threads" --iterations "$iterations" $args
  fi
  for core in $coretypes; do
    case $core in
      auto) echo "### codeintel, no OPENBLAS_CORETYPE"; env -u OPENBLAS_CORETYPE $swift_bench --threads "$threads" --iterations "$iterations" $args ;;
      fallback) echo "### codeintel, simulated fallback (OpenBLAS starts with Prescott, codeintel selects)"
        OPENBLAS_CORETYPE=Prescott CODEINTEL_OPENBLAS_SIMULATE_FALLBACK=1 $swift_bench --threads "$threads" --iterations "$iterations" $args ;;
      *) echo "### codeintel, OPENBLAS_CORETYPE=$core"; OPENBLAS_CORETYPE=$core $swift_bench --threads "$threads" --iterations "$iterations" $args ;;
    esac
  done
  if [[ "$torch_python" != none ]]; then
    echo "### PyTorch"
    "$torch_python" scripts/bench/tensor/torch_encoder.py --threads "$threads" --iterations "$iterations" $args
  fi
  echo "# load: $(cut -d' ' -f1-3 /proc/loadavg)"
done
