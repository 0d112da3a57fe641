#!/usr/bin/env bash
# Installs what is missing, builds heed with its tests, and runs them with ctest.
# Usage: scripts/test.sh [--sanitize]   (--sanitize: under ASan + UBSan, in build-sanitize/;
# ctest's own options can follow, e.g. scripts/test.sh --sanitize -LE 'learning|crash')
set -euo pipefail
cd "$(dirname "$0")/.."
HEED_WITH_BROWSER=1 scripts/install-deps.sh
dir=build
if [[ "${1:-}" == "--sanitize" ]]; then
  shift
  dir=build-sanitize
  scripts/build.sh --sanitize
else
  scripts/build.sh
fi
cd "$dir"
ctest --output-on-failure -j 2 "$@"
