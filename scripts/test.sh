#!/usr/bin/env bash
# Installs everything the tests need (skipping what is already there), builds, and runs every test:
# the Swift unit and integration tests, then the end-to-end checks under tests/e2e/.
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh --tests
echo "test: building (debug, with tests)" >&2
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]|^Compiling|^Write|^Linking|^Building|^Build complete' || true
swift build --build-tests >/dev/null 2>&1 || { echo "test: error: the build failed; see the messages above" >&2; exit 1; }
bin="$(swift build --show-bin-path)"
export CODEINTEL_BIN="$bin/codeintel" CODEINTEL_LSP="$bin/codeintel-lsp"
swift test --skip-build 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]|^◇ Test .* started\.$|^Test Case .* started'
status=${PIPESTATUS[0]}
[[ $status == 0 ]] || { echo "test: swift test failed (exit $status)" >&2; exit "$status"; }
for e2e in tests/e2e/*/run.sh; do
  [[ -f "$e2e" ]] || continue
  echo "test: end-to-end $e2e" >&2
  bash "$e2e"
done
echo "test: all tests passed" >&2
