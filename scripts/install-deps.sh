#!/usr/bin/env bash
# Installs heed's build dependencies from Debian packages when they are missing.
# Safe to run any number of times; uses sudo when not root.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libtorch-dev libcli11-dev libspdlog-dev libgtest-dev nlohmann-json3-dev libtomlplusplus-dev
  libsentencepiece-dev
  libcpp-httplib-dev  # heed serve
  libgloo-dev  # the headers of the Gloo transport under LibTorch's c10d (training on several processes)
  libopenblas0-pthread  # LibTorch's matrix products run ~15x slower on the reference BLAS
)
# Optional extras: the benchmark's PyTorch reference needs python3-torch.
if [[ "${HEED_WITH_BENCH:-0}" == 1 ]]; then packages+=(python3-torch); fi
# The tests render the attention pages in a real, headless browser (scripts/test.sh).
if [[ "${HEED_WITH_BROWSER:-0}" == 1 ]]; then packages+=(chromium); fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "heed: all build dependencies are installed" >&2
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "heed: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "heed: dependencies installed" >&2
