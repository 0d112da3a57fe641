#!/usr/bin/env bash
# Installs what is missing, builds heed with its tests, and runs them with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
HEED_WITH_BROWSER=1 scripts/install-deps.sh
scripts/build.sh
cd build
ctest --output-on-failure -j 2
