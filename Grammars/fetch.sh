#!/usr/bin/env bash
# Fetch the pinned grammar sdists from PyPI, check their sha256 against grammars.lock, and lay
# the C sources out for the SwiftPM C target in Grammars/TreeSitterGrammars/:
#   javascript/src/{parser.c,scanner.c,tree_sitter/parser.h}
#   typescript/src/{parser.c,scanner.c,tree_sitter/parser.h}
#   tsx/src/{parser.c,scanner.c,tree_sitter/parser.h}
#   common/scanner.h
# The fetched files are git-ignored. Re-running is a no-op when everything is in place.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$here/TreeSitterGrammars"
stamp="$dest/.fetched"
lock="$here/grammars.lock"
if [[ -f "$stamp" ]] && cmp -s "$stamp" "$lock"; then
  echo "grammars: already in place ($dest)"
  exit 0
fi
cache="${CODEINTEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/codeintel}/sdists"
mkdir -p "$cache"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() { # name version sha256 -> path of the verified sdist
  local name="$1" version="$2" sha="$3"
  local file="${name//-/_}-$version.tar.gz"
  if [[ ! -f "$cache/$file" ]] || ! echo "$sha  $cache/$file" | sha256sum -c --status; then
    echo "grammars: downloading $name==$version from PyPI" >&2
    python3 -m pip download --quiet --no-deps --no-binary :all: "$name==$version" -d "$work/dl" >&2 \
      || { echo "grammars: error: could not download $name==$version from PyPI (is the network reachable?)" >&2; exit 1; }
    mv "$work/dl/$file" "$cache/$file"
  fi
  local got
  got="$(sha256sum "$cache/$file" | cut -d' ' -f1)"
  if [[ "$got" != "$sha" ]]; then
    rm -f "$cache/$file"
    echo "grammars: error: sha256 mismatch for $file: expected $sha, got $got. The download was deleted; if the pin in Grammars/grammars.lock is right, try again, otherwise update the lock deliberately." >&2
    exit 1
  fi
  echo "$cache/$file"
}

declare -A dir
while read -r name version sha; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  sdist="$(fetch "$name" "$version" "$sha")"
  tar -xzf "$sdist" -C "$work"
  dir[$name]="$work/${name//-/_}-$version"
done < "$lock"

js="${dir[tree-sitter-javascript]}"; ts="${dir[tree-sitter-typescript]}"; q="${dir[tree-sitter-qmljs]}"
rm -rf "$dest/javascript" "$dest/typescript" "$dest/tsx" "$dest/common"
for lang in javascript typescript tsx; do mkdir -p "$dest/$lang/src/tree_sitter"; cp "$q/src/tree_sitter/parser.h" "$dest/$lang/src/tree_sitter/"; done
cp "$js/src/parser.c" "$js/src/scanner.c" "$dest/javascript/src/"
cp "$ts/typescript/src/parser.c" "$ts/typescript/src/scanner.c" "$dest/typescript/src/"
cp "$ts/tsx/src/parser.c" "$ts/tsx/src/scanner.c" "$dest/tsx/src/"
mkdir -p "$dest/common"
cp "$q/src/typescript-scanner.h" "$dest/common/scanner.h"
cp "$lock" "$stamp"
echo "grammars: laid out in $dest"
