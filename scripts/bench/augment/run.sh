#!/bin/sh
# Corpus check + speed comparison for the Augment pipeline; see docs/benchmarks/augment.md.
#   scripts/bench/augment/run.sh [CORPUS_SRC] [OUT_DIR] [extra augment-bench flags, e.g. --functions 50000]
# CORPUS_SRC: unpacked Debian source packages, one folder each (default ~/.cache/codeintel/corpus/src).
# Builds a release-mode benchmark against Sources/Syntax and Sources/Augment in a scratch package (so the
# rest of the project need not build), runs it, then runs terser on the same JavaScript functions.
set -eu
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
CORPUS=${1:-$HOME/.cache/codeintel/corpus/src}
OUT=${2:-/tmp/augment-bench-out}
[ $# -ge 2 ] && shift 2 || shift $#
PKG=${AUGMENT_BENCH_PKG:-/tmp/augment-bench-pkg}
mkdir -p "$PKG/Sources" "$PKG/Grammars" "$OUT"
ln -sfn "$ROOT/Sources/Syntax" "$PKG/Sources/Syntax"
ln -sfn "$ROOT/Sources/Augment" "$PKG/Sources/Augment"
ln -sfn "$ROOT/Sources/Randomness" "$PKG/Sources/Randomness"
ln -sfn "$ROOT/Sources/CTreeSitter" "$PKG/Sources/CTreeSitter"
ln -sfn "$ROOT/Grammars/TreeSitterGrammars" "$PKG/Grammars/TreeSitterGrammars"
ln -sfn "$ROOT/scripts/bench/augment/Bench" "$PKG/Sources/augment-bench"
cat > "$PKG/Package.swift" <<'SWIFT'
// swift-tools-version: 6.0
import PackageDescription
let package = Package(
  name: "augment-bench",
  targets: [
    .systemLibrary(name: "CTreeSitter", path: "Sources/CTreeSitter"),
    .target(name: "TreeSitterGrammars", path: "Grammars/TreeSitterGrammars", cSettings: [.unsafeFlags(["-O2", "-w"])]),
    .target(name: "Syntax", dependencies: ["CTreeSitter", "TreeSitterGrammars"]),
    .target(name: "Randomness"),
    .target(name: "Augment", dependencies: ["Syntax", "Randomness"]),
    .executableTarget(name: "augment-bench", dependencies: ["Augment", "Syntax"]),
  ],
  swiftLanguageModes: [.v6]
)
SWIFT
(cd "$PKG" && swift build -c release --product augment-bench >&2)
"$PKG/.build/release/augment-bench" "$CORPUS" "$OUT" "$@"
NODE_PATH=/usr/share/nodejs node "$ROOT/scripts/bench/augment/terser-bench.js" "$OUT/terser-input.json"
