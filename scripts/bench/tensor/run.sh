#!/usr/bin/env bash
# Side-by-side benchmark for issue 4: codeintel's Tensor encoder stack vs the same architecture in
# PyTorch CPU, same configuration and thread count, alternated in one session so both see the same load.
#
#   scripts/bench/tensor/run.sh                    # 2 threads, 2 rounds
#   THREADS=1 ROUNDS=3 scripts/bench/tensor/run.sh
#
# Needs: a release build (`swift build -c release --product codeintel`) whose CLI runs
# `EncoderBenchmark.run` as `codeintel bench tensor`, or SWIFT_BENCH pointing at any command that does;
# and PyTorch in a throw-away venv: python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
threads=${THREADS:-2}
rounds=${ROUNDS:-2}
iterations=${ITERATIONS:-10}
swift_bench=${SWIFT_BENCH:-.build/release/codeintel bench tensor}
torch_python=${TORCH_PYTHON:-/tmp/torchvenv/bin/python}
echo "# $(date -u +%FT%TZ) $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= rounds; r++)); do
  echo "## round $r"
  $swift_bench --threads "$threads" --iterations "$iterations"
  "$torch_python" scripts/bench/tensor/torch_encoder.py --threads "$threads" --iterations "$iterations"
  echo "# load: $(cut -d' ' -f1-3 /proc/loadavg)"
done
