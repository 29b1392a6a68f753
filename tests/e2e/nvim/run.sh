#!/usr/bin/env bash
# End-to-end test of codeintel-lsp in a real editor: headless Neovim (0.7.2+) opens
# Examples/lsp/sample.ts, waits for diagnostics, requests inlay hints, hover, code actions and a
# command, applies a code action's edit and checks the results (tests/e2e/nvim/lsp_test.lua).
#
#   tests/e2e/nvim/run.sh [path/to/codeintel-lsp]
#
# The server is found on PATH, as the editor set-up (Editors/neovim/codeintel.lua, used unchanged) finds
# it after scripts/setup.sh; an argument or $CODEINTEL_LSP puts that binary's folder first on PATH.
# Exit status 0 when every check passes, 1 when one fails, 2 when something is missing.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
server=${1:-${CODEINTEL_LSP:-}}
if [[ -n $server ]]; then
  if [[ ! -x $server || $(basename "$server") != codeintel-lsp ]]; then
    echo "run.sh: error: $server is not an executable named codeintel-lsp" >&2
    exit 2
  fi
  PATH="$(cd "$(dirname "$server")" && pwd):$PATH"
fi
if ! command -v codeintel-lsp >/dev/null; then
  echo "run.sh: error: codeintel-lsp is not on PATH; run scripts/setup.sh (or pass the binary's path," \
    "or set CODEINTEL_LSP)" >&2
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
# From the sample's folder: the set-up takes the workspace root from there (Neovim 0.7 has no vim.fs).
(cd "$work" && EDITORS="$root/Editors" SAMPLE="$work/sample.ts" CODEINTEL_LSP_LOG=${CODEINTEL_LSP_LOG:-warning} \
  timeout 120 nvim --headless --clean -u NONE -c "luafile $here/lsp_test.lua") || status=$?
if [[ $status == 0 ]]; then echo "nvim e2e: all checks passed" >&2; else echo "nvim e2e: FAILED (status $status)" >&2; fi
exit $status
