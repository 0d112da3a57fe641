#!/usr/bin/env bash
# Speed benchmark: heed against the PyTorch reference (../shared/bench/ref_train.py) in
# the same run, same data, same configuration and thread count; the ratio is the figure.
#
#   scripts/bench.sh [--steps N] [--threads "1 2"] [--models "gru-bahdanau transformer"]
#                    [--skip-multi30k] [--skip-dates] [--skip-translate]
#                    [--precision "fp32 bf16"]
#
# Training: target tokens/s after 5 warm-up steps (heed: its train_log.csv; reference:
# its JSON line), peak RSS, in the benchmark configuration of ../shared/bench/README.md
# (GRU 256/256/256; Transformer d_model 256, 4 heads, 3+3 layers, ff 1024, dropout 0.1;
# 4096-token batches; plain cross-entropy and a constant learning rate on both sides).
# Batches hold the same number of sentences on both sides: the reference counts a
# sentence as its longer side + 2 and sorts by source length, heed counts longer side + 1
# and sorts by both lengths, so heed's budget that gives the reference's batch count
# (Multi30k: 119 batches per epoch at 4096 vs heed's 3600; dates: 83 at 4096 vs heed's
# 3840) is passed to heed. At 4096 heed's batches would hold 13 % more sentences.
# --precision: heed's training precisions to measure (default fp32). A bf16 row is heed
# with --precision bf16 (mixed precision: bf16 matrix products, fp32 weights, optimizer
# and loss) against the same fp32 reference run: a ratio of configurations, not of
# implementations at equal arithmetic; the fp32 row is the like-for-like figure.
# Translation: sentences/s of `heed translate` (greedy) at batch 1 and 32, and for the
# Transformer with and without its key/value cache (--no-cache re-runs the prefix).
# Multi30k needs ../shared/data/multi30k; skipped with a message when absent.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=30
threads_list="1 2"
run_multi30k=1
run_dates=1
run_translate=1
models="gru-bahdanau transformer"
precisions="fp32"
while (($#)); do
  case "$1" in
    --steps) steps=$2; shift 2 ;;
    --threads) threads_list=$2; shift 2 ;;
    --skip-multi30k) run_multi30k=0; shift ;;
    --skip-dates) run_dates=0; shift ;;
    --skip-translate) run_translate=0; shift ;;
    --models) models=$2; shift 2 ;;
    --precision) precisions=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

heed=build/heed
[[ -x $heed ]] || scripts/build.sh --no-tests
shared=${HEED_SHARED:-../shared}
ref=$shared/bench/ref_train.py
python=/usr/bin/python3
work=$(mktemp -d /tmp/heed_bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

have_ref=1
if [[ ! -f $ref ]] || ! $python -c "import torch" 2>/dev/null; then
  echo "note: PyTorch reference unavailable (needs $ref and python3-torch); heed figures only" >&2
  have_ref=0
fi

# heed_train NAME TSV THREADS EXTRA... -> prints "tokens_per_s peak_rss_mb"
heed_train() {
  local name=$1 tsv=$2 threads=$3; shift 3
  rm -rf "$work/$name"
  /usr/bin/time -f "%M" -o "$work/$name.rss" $heed -q train --train "$tsv" --out "$work/$name" \
    --max-steps $((steps + 5)) --valid-every $((steps + 5)) --threads "$threads" "$@" 2>/dev/null
  local tps rss
  tps=$(tail -1 "$work/$name/train_log.csv" | cut -d, -f7)
  rss=$(awk '{printf "%.0f", $1/1024}' "$work/$name.rss")
  echo "$tps $rss"
}

# ref_train MODEL TSV TORCH_THREADS BLAS_THREADS -> prints "tokens_per_s peak_rss_mb"
ref_train() {
  OPENBLAS_NUM_THREADS=$4 $python "$ref" --train "$2" --model "$1" --steps "$steps" --threads "$3" 2>/dev/null |
    $python -c 'import json,sys; d=json.loads(sys.stdin.readlines()[-1]); print(d["target_tokens_per_s"], d["peak_rss_mb"])'
}

row() { printf '%-32s %6s %10s %10s %12s %7s %8s %8s\n' "$@"; }

# The benchmark configuration, as flags for heed.
bench_flags() {
  case $1 in
    gru-bahdanau) echo "--emb 256 --hidden 256 --attention-size 256 --dropout 0.1" ;;
    transformer) echo "--d-model 256 --heads 4 --layers 3 --ff 1024 --dropout 0.1" ;;
  esac
  echo "--lr 0.001 --warmup-steps 0 --label-smoothing 0"
}

# compare LABEL MODEL TSV CORES HEED_EXTRA...
# Both get CORES cores. heed applies its own thread policy; the reference is run with
# torch.set_num_threads(CORES) and with 1, OpenBLAS at CORES threads, and its faster
# setting is the one compared (on 2 cores, two busy pools slow it down a lot).
compare() {
  local label=$1 model=$2 tsv=$3 cores=$4; shift 4
  local r_tps=- r_rss=- r_setting=-
  if ((have_ref)); then
    read -r r_tps r_rss < <(ref_train "$model" "$tsv" "$cores" "$cores")
    r_setting="t$cores/b$cores"
    if ((cores > 1)); then
      read -r r1_tps r1_rss < <(ref_train "$model" "$tsv" 1 "$cores")
      if $python -c "import sys; sys.exit(0 if $r1_tps > $r_tps else 1)"; then
        r_tps=$r1_tps; r_rss=$r1_rss; r_setting="t1/b$cores"
      fi
    fi
  fi
  local precision suffix h_tps h_rss ratio
  for precision in $precisions; do
    suffix=""
    [[ $precision != fp32 ]] && suffix=" $precision"
    read -r h_tps h_rss < <(heed_train "bench_$(basename "$tsv" .tsv)_${cores}_$precision" "$tsv" "$cores" \
      --model "$model" --precision "$precision" "$@")
    ratio=-
    ((have_ref)) && ratio=$($python -c "print(f'{$h_tps/$r_tps:.2f}')")
    row "$label$suffix" "$cores" "$h_tps" "$r_tps" "($r_setting)" "$ratio" "$h_rss" "$r_rss"
  done
}

echo "training throughput, target tokens/s ($steps steps after 5 warm-up steps; ratio = heed / reference)"
row "task" "cores" "heed" "reference" "(ref torch/blas)" "ratio" "heed MB" "ref MB"

if ((run_dates)); then
  $heed data dates --count 20000 --seed 1 --out "$work/dates.tsv"
  # The reference splits on whitespace; give both the same characters as tokens.
  $python - "$work/dates.tsv" "$work/dates_chars.tsv" <<'PY'
import sys
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as g:
    for line in f:
        s, t = line.rstrip("\n").split("\t")
        g.write(" ".join(s.replace(" ", "_")) + "\t" + " ".join(t) + "\n")
PY
  for model in $models; do
    for threads in $threads_list; do
      # shellcheck disable=SC2046
      compare "dates (chars, $model)" "$model" "$work/dates_chars.tsv" "$threads" --tokenizer word \
        --batch-tokens 3840 $(bench_flags "$model")
    done
  done
fi

m30=$shared/data/multi30k/tok
if ((run_multi30k)) && [[ -f $m30/train.lc.norm.tok.de ]]; then
  paste "$m30/train.lc.norm.tok.de" "$m30/train.lc.norm.tok.en" > "$work/m30k.tsv"
  for model in $models; do
    for threads in $threads_list; do
      # shellcheck disable=SC2046
      compare "multi30k de-en ($model)" "$model" "$work/m30k.tsv" "$threads" --tokenizer word --max-vocab 8004 \
        --batch-tokens 3600 $(bench_flags "$model")
    done
  done
elif ((run_multi30k)); then
  echo "note: $m30 not found; Multi30k skipped" >&2
fi

# sentences_per_s MODEL_DIR INPUT THREADS BATCH EXTRA...
sentences_per_s() {
  local model=$1 input=$2 threads=$3 batch=$4; shift 4
  local start end lines
  lines=$(wc -l < "$input")
  start=$(date +%s.%N)
  $heed translate --model "$model" --threads "$threads" --batch-size "$batch" "$@" < "$input" > /dev/null
  end=$(date +%s.%N)
  $python -c "print(f'{$lines/($end-$start):.1f}')"
}

if ((run_dates && run_translate)); then
  echo
  echo "translation, greedy: 1000 held-out dates (char tokenizer), models trained 300 steps, sentences/s"
  $heed data dates --count 1000 --seed 2 | cut -f1 > "$work/dates_test.txt"
  printf '%-16s %-8s %6s %8s %10s %10s\n' model cache threads batch sent/s
  for model in $models; do
    # shellcheck disable=SC2046
    $heed -q train --train "$work/dates.tsv" --tokenizer char --max-steps 300 --valid-every 300 \
      --model "$model" $(bench_flags "$model") --out "$work/dates_$model" 2>/dev/null
    caches="on"
    [[ $model == transformer ]] && caches="on off"
    for cache in $caches; do
      extra=()
      [[ $cache == off ]] && extra=(--no-cache)
      for threads in $threads_list; do
        for batch in 1 32; do
          printf '%-16s %-8s %6s %8s %10s\n' "$model" "$cache" "$threads" "$batch" \
            "$(sentences_per_s "$work/dates_$model" "$work/dates_test.txt" "$threads" "$batch" "${extra[@]}")"
        done
      done
    done
  done
fi
