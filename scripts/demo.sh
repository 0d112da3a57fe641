#!/usr/bin/env bash
# The main job on the built-in dates task: install what is missing, build, generate
# data, train a GRU + Bahdanau model, translate a few dates, dump their attention.
# Usage: scripts/demo.sh [WORK_DIR]   (default: runs/demo; a few minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-runs/demo}
budget=${HEED_DEMO_SECONDS:-150}

scripts/install-deps.sh
scripts/build.sh --no-tests
heed=build/heed
mkdir -p "$work"

echo "== generating the dates task"
$heed data dates --count 20000 --seed 1 --out "$work/train.tsv"
$heed data dates --count 500 --seed 2 --out "$work/valid.tsv"
$heed data dates --count 1000 --seed 3 --out "$work/test.tsv"

echo "== training gru-bahdanau for ${budget}s"
rm -rf "$work/model"
$heed train --model gru-bahdanau --tokenizer char --train "$work/train.tsv" --valid "$work/valid.tsv" \
  --time-budget "$budget" --best-metric exact --out "$work/model"

echo "== translating"
printf '%s\n' "3 may 1979" "tuesday, march 3, 1970" "5/30/70" "the 8th of october 2011" "oct 8, 2011" \
  > "$work/sample.txt"
$heed translate --model "$work/model" < "$work/sample.txt" | paste "$work/sample.txt" -

echo "== scoring on 1000 held-out dates"
$heed eval --model "$work/model" --test "$work/test.tsv"

echo "== attention"
$heed dump-attention --model "$work/model" --input "$work/sample.txt" --out "$work/attention.csv"
$heed dump-attention --model "$work/model" --input "$work/sample.txt" --format matrix --out-dir "$work/matrices"
echo "wrote $work/attention.csv ($(wc -l < "$work/attention.csv") rows) and $(ls "$work/matrices" | wc -l) matrices in $work/matrices"
head -5 "$work/attention.csv"
