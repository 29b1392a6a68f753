#!/usr/bin/env bash
# Installs everything codeintel needs on a fresh Debian 12 machine and builds it.
#   scripts/setup.sh            system packages (with node and Debian's TypeScript compiler, which
#                               checks type suggestions), grammar sources, release build of codeintel
#                               and codeintel-lsp, linked into /usr/local/bin (root) or ~/.local/bin
#   scripts/setup.sh --tests    the same, plus what the tests need (neovim, emacs, Python packages)
#   scripts/setup.sh --spark    (with or without --tests) also Java, pyspark and numpy for the Spark
#                               job in spark/, and a codeintel-spark link in ~/.local/bin
# Steps that are already done are skipped, so a second run is fast.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tests=0
spark=0
for arg in "$@"; do
  case "$arg" in
    --tests) tests=1 ;;
    --spark) spark=1 ;;
    *) echo "setup: error: unknown option $arg (use --tests and/or --spark)" >&2; exit 2 ;;
  esac
done

# node-typescript (TypeScript 4.8.4, run by node) is the compiler that `suggest-types` and the editor's
# hints check each type suggestion with by default, so that accepting one does not break the build.
need=(libtree-sitter-dev libopenblas-dev libsqlite3-dev node-typescript)
command -v node >/dev/null || need+=(nodejs)
# Tests: node also runs the execution checks of the transforms; terser's sources are real code for the
# scope and rename tests; Neovim and Emacs+eglot are the editors of the LSP end-to-end tests.
if [[ $tests == 1 ]]; then
  need+=(neovim emacs-nox elpa-eglot node-terser)
fi
# The Spark job: Spark 4 runs on Java 17; git fetches repositories named by URL.
if [[ $spark == 1 ]]; then
  command -v java >/dev/null || need+=(openjdk-17-jre-headless)
  command -v git >/dev/null || need+=(git)
fi
missing=()
for p in "${need[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if (( ${#missing[@]} )); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [[ $(id -u) != 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [[ $tests == 1 ]]; then
  python3 -c "import safetensors, numpy" 2>/dev/null || python3 -m pip install --quiet "numpy" "safetensors" >&2
fi
if [[ $spark == 1 ]]; then
  python3 -c "import pyspark, numpy" 2>/dev/null || python3 -m pip install --quiet "pyspark>=4,<5" "numpy" >&2
  mkdir -p "$HOME/.local/bin"
  ln -sf "$PWD/spark/codeintel-spark" "$HOME/.local/bin/codeintel-spark"
fi
Grammars/fetch.sh
if [[ $tests == 0 ]]; then
  # Both executables: the command line and the language server that every set-up in Editors/ runs.
  for product in codeintel codeintel-lsp; do
    swift build -c release --product "$product" 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
    test -x ".build/release/$product" || { echo "setup: error: the release build of $product failed; see the messages above" >&2; exit 1; }
  done
  scripts/link-binaries.sh .build/release
fi
