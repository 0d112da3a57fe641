#!/usr/bin/env bash
# Measures LibTorch intra-op threads against OpenBLAS threads for GRU training
# (target tokens/s), to choose heed's thread policy (src/util/threads.cpp).
#   scripts/bench-threads.sh [TSV] [STEPS]
# Default data: Multi30k de-en from ../shared/data when present, else generated dates.
set -euo pipefail
cd "$(dirname "$0")/.."
heed=build/heed
[[ -x $heed ]] || scripts/build.sh --no-tests
work=$(mktemp -d /tmp/heed_threads.XXXXXX)
trap 'rm -rf "$work"' EXIT
tsv=${1:-}
steps=${2:-25}
m30=${HEED_SHARED:-../shared}/data/multi30k/tok
if [[ -z $tsv ]]; then
  if [[ -f $m30/train.lc.norm.tok.de ]]; then
    paste "$m30/train.lc.norm.tok.de" "$m30/train.lc.norm.tok.en" > "$work/data.tsv"
    extra=(--tokenizer word --max-vocab 8000)
  else
    $heed data dates --count 20000 --seed 1 --out "$work/data.tsv"
    extra=(--tokenizer char)
  fi
  tsv=$work/data.tsv
else
  extra=(--tokenizer word --max-vocab 8000)
fi
printf '%-14s %-14s %12s\n' "torch threads" "blas threads" "tokens/s"
for torch_threads in 1 2; do
  for blas_threads in 1 2; do
    rm -rf "$work/model"
    HEED_TORCH_THREADS=$torch_threads HEED_BLAS_THREADS=$blas_threads \
      $heed -q train --train "$tsv" "${extra[@]}" --max-steps "$steps" --valid-every "$steps" \
      --out "$work/model" 2>/dev/null
    printf '%-14s %-14s %12s\n' "$torch_threads" "$blas_threads" "$(tail -1 "$work/model/train_log.csv" | cut -d, -f7)"
  done
done
