#!/usr/bin/env bash
# Puts codeintel and codeintel-lsp on PATH as symbolic links to the given build folder's binaries:
# in /usr/local/bin when run as root, else in ~/.local/bin ($CODEINTEL_BIN_DIR overrides both).
# Says on screen where they went, and how to add the folder to PATH when it is not there yet.
#   scripts/link-binaries.sh .build/release
set -euo pipefail
from=$(cd "${1:?usage: scripts/link-binaries.sh BUILD_FOLDER}" && pwd)
if [[ -n "${CODEINTEL_BIN_DIR:-}" ]]; then
  dir=$CODEINTEL_BIN_DIR
elif [[ $(id -u) == 0 ]]; then
  dir=/usr/local/bin
else
  dir=$HOME/.local/bin
fi
mkdir -p "$dir"
for name in codeintel codeintel-lsp; do
  [[ -x "$from/$name" ]] || { echo "setup: error: $from/$name is missing; the build did not produce it" >&2; exit 1; }
  ln -sfn "$from/$name" "$dir/$name"
done
echo "setup: linked codeintel and codeintel-lsp into $dir (-> $from)" >&2
case ":$PATH:" in
  *":$dir:"*) ;;
  *) echo "setup: $dir is not on your PATH; add it with: export PATH=\"$dir:\$PATH\" (e.g. in ~/.profile)" >&2 ;;
esac
