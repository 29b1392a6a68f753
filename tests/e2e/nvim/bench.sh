#!/usr/bin/env bash
# Latency and peak memory of codeintel-lsp from headless Neovim (see docs/benchmarks/lsp.md).
#   tests/e2e/nvim/bench.sh [path/to/codeintel-lsp]     (default: .build/release/codeintel-lsp)
# BENCH_ITERATIONS (150) and BENCH_EXTRA_FILES (50 workspace files to index) and BENCH_LINES (3000, the size of every file) tune the run.
# BENCH_HINTS_OUT=FILE writes the last whole-file hint list (after all edits) to FILE, one "line:character label" a line.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
server=${1:-${CODEINTEL_LSP:-$root/.build/release/codeintel-lsp}}
[[ -x $server ]] || { echo "bench.sh: error: no codeintel-lsp at $server; build it with 'swift build -c release --product codeintel-lsp'" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CODEINTEL_LSP=$(cd "$(dirname "$server")" && pwd)/$(basename "$server") BENCH_DIR=$work CODEINTEL_LSP_LOG=warning \
  timeout 600 nvim --headless --clean -u NONE -c "luafile $here/bench.lua"
