#!/usr/bin/env bash
# End-to-end test of codeintel-lsp in Emacs 28 + eglot 1.9 (batch mode), like tests/e2e/nvim.
#   tests/e2e/emacs/run.sh [path/to/codeintel-lsp]   (default: $CODEINTEL_LSP, .build/debug/codeintel-lsp)
# Needs `apt-get install -y emacs-nox elpa-eglot`; exits 2 when they are missing.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
server=${1:-${CODEINTEL_LSP:-$root/.build/debug/codeintel-lsp}}
[[ -x $server ]] || { echo "run.sh: error: no codeintel-lsp at $server" >&2; exit 2; }
command -v emacs >/dev/null || { echo "run.sh: error: emacs is not installed (apt-get install -y emacs-nox elpa-eglot)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/Examples/lsp/sample.ts" "$work/sample.ts"
status=0
CODEINTEL_LSP=$(cd "$(dirname "$server")" && pwd)/$(basename "$server") SAMPLE="$work/sample.ts" \
  CODEINTEL_LSP_LOG=${CODEINTEL_LSP_LOG:-warning} HOME="$work" \
  timeout 120 emacs --batch -Q \
    --eval "(dolist (d (file-expand-wildcards \"/usr/share/emacs/site-lisp/elpa/*\")) (add-to-list (quote load-path) d))" -l "$here/lsp-test.el" || status=$?
if [[ $status == 0 ]]; then echo "emacs e2e: all checks passed" >&2; else echo "emacs e2e: FAILED (status $status)" >&2; fi
exit $status
