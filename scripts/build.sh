#!/usr/bin/env bash
# Configures and builds heed. Usage: scripts/build.sh [--no-tests] [--sanitize]
#   default      Release build into build/ (the binary is build/heed)
#   --sanitize   AddressSanitizer + UndefinedBehaviorSanitizer build (RelWithDebInfo) into
#                build-sanitize/; run its tests with scripts/test.sh --sanitize
set -euo pipefail
cd "$(dirname "$0")/.."
tests=ON
dir=build
flags=(-DCMAKE_BUILD_TYPE=Release -DHEED_SANITIZE=OFF)
for arg in "$@"; do
  case "$arg" in
    --no-tests) tests=OFF ;;
    --sanitize) dir=build-sanitize; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEED_SANITIZE=ON) ;;
    *) echo "usage: scripts/build.sh [--no-tests] [--sanitize]" >&2; exit 2 ;;
  esac
done
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$dir" "${flags[@]}" -DHEED_BUILD_TESTS=$tests >/dev/null
cmake --build "$dir" -j "$jobs"
