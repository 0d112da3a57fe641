#!/usr/bin/env bash
# Multi30k de→en results: trains each model with its recipe (data/recipes/multi30k-*.toml)
# in a fixed wall-clock budget, translates test2016 greedily, and scores it as published
# results are scored (the lowercased, tokenised files of ../shared/data/multi30k/tok,
# BLEU with --tokenize none, plus chrF2). With --reference it also trains the PyTorch
# reference (../shared/bench/ref_train.py, its default bench configuration) for the
# same models in --reference-budget seconds on the same machine (LibTorch 1 thread,
# OpenBLAS --threads: its faster setting) and scores its output with the same scorer.
#
#   scripts/multi30k.sh [--models "gru-bahdanau transformer"] [--budget 1800]
#                       [--reference] [--reference-budget 1500] [--skip-heed] [--threads 2]
#                       [--out runs/multi30k] [--precision fp32|bf16] [--nproc N]
#
# --precision overrides the recipe's training precision (heed train --precision).
# --nproc N trains on N processes (heed train --nproc; each with --threads / N threads):
# the effective batch is N times the recipe's, as a user who adds --nproc gets.
#
# Prints one result line per system and writes results.tsv in the output directory.
# Runs one training at a time: on a 2-core machine two would halve each other's budget.
set -euo pipefail
cd "$(dirname "$0")/.."
models="gru-bahdanau transformer"
budget=1800
reference=0
skip_heed=0
reference_budget=1500
threads=2
out=runs/multi30k
precision_flags=()
nproc=1
while (($#)); do
  case "$1" in
    --models) models=$2; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    --reference) reference=1; shift ;;
    --skip-heed) skip_heed=1; shift ;;
    --reference-budget) reference_budget=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --precision) precision_flags=(--precision "$2"); shift 2 ;;
    --nproc) nproc=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

shared=${HEED_SHARED:-../shared}
tok=$shared/data/multi30k/tok
if [[ ! -f $tok/train.lc.norm.tok.de ]]; then
  echo "multi30k.sh: $tok not found (../shared/data is not part of the repository); nothing to do" >&2
  exit 0
fi
heed=build/heed
[[ -x $heed ]] || scripts/build.sh --no-tests
mkdir -p "$out"
test_src=$tok/test_2016_flickr.lc.norm.tok.de
test_ref=$tok/test_2016_flickr.lc.norm.tok.en
results=$out/results.tsv
[[ -f $results ]] || printf 'system\tmodel\tbudget_s\tbleu\tchrf\tnote\n' > "$results"

# score HYP: "BLEU chrF" on test2016, as published results are scored.
score() {
  local bleu chrf
  bleu=$($heed score --ref "$test_ref" --tokenize none < "$1" | cut -d' ' -f1)
  chrf=$($heed score --ref "$test_ref" --metric chrf < "$1" | cut -d' ' -f1)
  echo "$bleu $chrf"
}

for model in $models; do
  ((skip_heed)) && break
  recipe=data/recipes/multi30k-$model.toml
  name=heed-$model
  ((nproc > 1)) && name=$name-nproc$nproc
  dir=$out/$name
  rm -rf "$dir"
  echo "== heed $model: $recipe, ${budget}s, $nproc process(es)" >&2
  $heed train --config "$recipe" --time-budget "$budget" --threads $((threads > nproc ? threads / nproc : 1)) --nproc "$nproc" \
    "${precision_flags[@]}" --out "$dir" 2> "$out/$name.log" || { tail -5 "$out/$name.log" >&2; exit 1; }
  $heed translate --model "$dir" --threads "$threads" < "$test_src" > "$out/$name.test2016.en"
  read -r bleu chrf < <(score "$out/$name.test2016.en")
  $heed eval --model "$dir" --test-src "$test_src" --test-tgt "$test_ref" --tokenize none --threads "$threads" \
    > "$out/$name.eval.txt"
  steps=$(python3 -c "import json;print(json.load(open('$dir/MANIFEST.json'))['step'])" 2>/dev/null || echo "?")
  printf 'heed\t%s\t%s\t%s\t%s\t%s steps, %s process(es)\n' "$model" "$budget" "$bleu" "$chrf" "$steps" "$nproc" >> "$results"
  echo "heed $model: BLEU $bleu chrF2 $chrf (test2016, greedy, ${budget}s, $steps steps, $nproc process(es))"
done

if ((reference)); then
  python=/usr/bin/python3
  tsv=$out/train.tsv
  paste "$tok/train.lc.norm.tok.de" "$tok/train.lc.norm.tok.en" > "$tsv"
  for model in $models; do
    echo "== reference $model: ${reference_budget}s" >&2
    # LibTorch 1 thread, OpenBLAS $threads: the reference's faster setting on 2 cores (with
    # both pools at 2 threads they busy-wait against each other; scripts/bench.sh measures it).
    OPENBLAS_NUM_THREADS=$threads $python "$shared/bench/ref_train.py" --train "$tsv" --model "$model" --threads 1 \
      --time-budget "$reference_budget" --translate "$test_src" --hyp-out "$out/ref-$model.test2016.en" \
      > "$out/ref-$model.json" 2> "$out/ref-$model.log"
    read -r bleu chrf < <(score "$out/ref-$model.test2016.en")
    printf 'reference\t%s\t%s\t%s\t%s\t%s\n' "$model" "$reference_budget" "$bleu" "$chrf" "ref_train.py defaults" >> "$results"
    echo "reference $model: BLEU $bleu chrF2 $chrf (test2016, greedy, ${reference_budget}s)"
  done
fi
