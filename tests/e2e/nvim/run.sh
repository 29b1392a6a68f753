#!/usr/bin/env bash
# End-to-end test of codeintel-lsp in a real editor: headless Neovim (0.7.2+) opens
# Examples/lsp/sample.ts, waits for diagnostics, requests inlay hints, hover, code actions and a
# command, applies a code action's edit and checks the results (tests/e2e/nvim/lsp_test.lua).
#
#   tests/e2e/nvim/run.sh [path/to/codeintel-lsp]
#
# The server binary: the argument, else $CODEINTEL_LSP, else .build/debug/codeintel-lsp.
# Exit status 0 when every check passes, 1 when one fails, 2 when something is missing.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
server=${1:-${CODEINTEL_LSP:-$root/.build/debug/codeintel-lsp}}
if [[ ! -x $server ]]; then
  echo "run.sh: error: no codeintel-lsp at $server; build it with 'swift build --product codeintel-lsp'" \
    "or pass its path (or set CODEINTEL_LSP)" >&2
  exit 2
fi
if ! command -v nvim >/dev/null; then
  echo "run.sh: error: nvim is not installed; 'apt-get install -y neovim' (scripts/setup.sh --tests does it)" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A copy, so that the test's edits never touch the example.
cp "$root/Examples/lsp/sample.ts" "$work/sample.ts"
status=0
CODEINTEL_LSP=$(cd "$(dirname "$server")" && pwd)/$(basename "$server") SAMPLE="$work/sample.ts" \
  CODEINTEL_LSP_LOG=${CODEINTEL_LSP_LOG:-warning} \
  timeout 120 nvim --headless --clean -u NONE -c "luafile $here/lsp_test.lua" || status=$?
if [[ $status == 0 ]]; then echo "nvim e2e: all checks passed" >&2; else echo "nvim e2e: FAILED (status $status)" >&2; fi
exit $status
