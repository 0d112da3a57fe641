#!/usr/bin/env bash
# Configures and builds heed (Release) into build/. Usage: scripts/build.sh [--no-tests]
set -euo pipefail
cd "$(dirname "$0")/.."
tests=ON
if [[ "${1:-}" == "--no-tests" ]]; then tests=OFF; fi
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DHEED_BUILD_TESTS=$tests >/dev/null
cmake --build build -j "$jobs"
