#!/usr/bin/env bash
# Decoding speed of `heed translate` on Multi30k test2016 (1,000 sentences), with the
# models scripts/multi30k.sh trains from the recipes.
#
#   scripts/bench-decode.sh [--models "gru-bahdanau transformer"] [--dir runs/multi30k]
#                           [--threads "1 2"] [--batches "1 64"] [--beams "1 5"]
#                           [--precisions "fp32-blas fp32 bf16 int8"] [--profile-sentences 200]
#                           [--latency-sentences 200] [--uncached-sentences 100]
#
# For each model, thread count, batch size, beam and precision (translate --precision;
# fp32-blas is fp32 with --fp32-blas, the BLAS library's products instead of heed's
# packed float32 ones):
# sentences/s and output tokens/s (heed's own timing, model loading excluded), peak RSS,
# and BLEU of the output (so a faster setting cannot hide a worse one). Then, from a
# second run on the first --profile-sentences sentences with --profile: the share of the
# time spent in the linear layers' matrix products, their GFLOP/s, and that rate as a
# share of the machine's GEMM rate in the same precision and thread count (heed
# gemm-rate, measured first in the same run). At batch 1: p50/p95 latency per sentence,
# measured as a user sees it — one line written into translate's stdin, the time until
# its translation comes back. For the Transformer: cached vs uncached (--no-cache)
# decoding on the test sentences whose greedy output has at least 30 tokens.
# The ratios asked for are printed at the end: beam 5 / greedy time at batch 64, and
# uncached / cached time. Last, for the GRU at batch 1 (greedy): a vocabulary shortlist
# (heed shortlist from the Multi30k training pairs, --frequent 100 --per-source 50) against
# the full output layer, in each precision: sentences/s and BLEU.
set -euo pipefail
cd "$(dirname "$0")/.."
models="gru-bahdanau transformer"
dir=runs/multi30k
threads_list="1 2"
batches="1 64"
beams="1 5"
precisions="fp32-blas fp32 bf16 int8"
profile_sentences=200
latency_sentences=200
uncached_sentences=100
while (($#)); do
  case "$1" in
    --models) models=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --threads) threads_list=$2; shift 2 ;;
    --batches) batches=$2; shift 2 ;;
    --beams) beams=$2; shift 2 ;;
    --precisions) precisions=$2; shift 2 ;;
    --profile-sentences) profile_sentences=$2; shift 2 ;;
    --latency-sentences) latency_sentences=$2; shift 2 ;;
    --uncached-sentences) uncached_sentences=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

shared=${HEED_SHARED:-../shared}
tok=$shared/data/multi30k/tok
test_src=$tok/test_2016_flickr.lc.norm.tok.de
test_ref=$tok/test_2016_flickr.lc.norm.tok.en
if [[ ! -f $test_src ]]; then
  echo "bench-decode.sh: $test_src not found (../shared/data is not part of the repository); nothing to do" >&2
  exit 0
fi
heed=build/heed
[[ -x $heed ]] || scripts/build.sh --no-tests
work=$(mktemp -d /tmp/heed_bench_decode.XXXXXX)
trap 'rm -rf "$work"' EXIT

# translate MODEL_DIR INPUT THREADS EXTRA... -> "sentences_per_s tokens_per_s rss_mb seconds" ($work/out)
# The translate flags of a precision column: fp32-blas is --precision fp32 --fp32-blas.
precision_flags() {
  if [[ $1 == fp32-blas ]]; then echo "--precision fp32 --fp32-blas"; else echo "--precision $1"; fi
}

translate() {
  local model_dir=$1 input=$2 threads=$3; shift 3
  /usr/bin/time -f "%M" -o "$work/rss" $heed translate --model "$model_dir" --threads "$threads" "$@" \
    < "$input" > "$work/out" 2> "$work/log"
  # "translated N sentences, M output tokens in S s: X sentences/s, Y tokens/s"
  local line
  line=$(grep -o 'translated .*' "$work/log" | tail -1)
  awk -v rss="$(cat "$work/rss")" '{gsub(/[:,]/, ""); printf "%s %s %.0f %s\n", $10, $12, rss / 1024, $8}' <<< "$line"
}

# latency MODEL_DIR THREADS EXTRA... -> "p50_ms p95_ms": one line at a time through a pipe.
latency() {
  local model_dir=$1 threads=$2; shift 2
  head -n "$latency_sentences" "$test_src" > "$work/latency.in"
  /usr/bin/python3 - "$heed" "$model_dir" "$threads" "$work/latency.in" "$@" <<'PY'
import subprocess, sys, time
heed, model, threads, path, extra = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
p = subprocess.Popen([heed, "-q", "translate", "--model", model, "--threads", threads, "--batch-size", "1"] + extra,
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
p.stdin.write("ein hund .\n"); p.stdin.flush(); p.stdout.readline()  # model loaded, first call warm
times = []
for line in open(path, encoding="utf-8"):
    start = time.perf_counter()
    p.stdin.write(line); p.stdin.flush()
    p.stdout.readline()
    times.append((time.perf_counter() - start) * 1000)
p.stdin.close(); p.wait()
times.sort()
print(f"{times[len(times) // 2]:.1f} {times[min(len(times) - 1, int(len(times) * 0.95))]:.1f}")
PY
}

bleu() { $heed score --ref "$test_ref" --tokenize none < "$1" | cut -d' ' -f1; }

# profile MODEL_DIR THREADS EXTRA... -> "products_percent gflops": translate --profile's log line.
profile() {
  local model_dir=$1 threads=$2; shift 2
  head -n "$profile_sentences" "$test_src" > "$work/profile.in"
  $heed translate --model "$model_dir" --threads "$threads" --profile "$@" < "$work/profile.in" > /dev/null 2> "$work/profile.log"
  # "matrix products (int8): N calls, S s (P% of the time), G GFLOP, R GFLOP/s"
  sed -n 's/.*matrix products ([a-z0-9]*): [0-9]* calls, [0-9.]* s (\([0-9.]*\)% of the time), [0-9.]* GFLOP, \([0-9.]*\) GFLOP\/s.*/\1 \2/p' \
    "$work/profile.log" | tail -1
}

row() { printf '%-14s %7s %6s %5s %5s %9s %9s %7s %6s %7s %7s %6s %8s %6s\n' "$@"; }
declare -A seconds
declare -A peak

echo "GEMM rate of this machine (heed gemm-rate: 512 x 512 x 8192, best of 10), GFLOP/s:"
for threads in $threads_list; do
  while read -r precision _ _ _ _ rate; do
    peak[$precision,$threads]=$rate
    printf '  %-9s threads %s: %s\n' "$precision" "$threads" "$rate"
  done < <($heed gemm-rate --threads "$threads" | tail -n +2)
done
echo

echo "heed translate on Multi30k test2016 (1000 sentences); time excludes model loading"
row "model" "threads" "batch" "beam" "prec" "sent/s" "tok/s" "RSS MB" "BLEU" "p50 ms" "p95 ms" "prod %" "GFLOP/s" "peak %"
for model in $models; do
  model_dir=$dir/heed-$model
  if [[ ! -f $model_dir/config.json ]]; then
    echo "bench-decode.sh: no model in $model_dir: run scripts/multi30k.sh --models $model first" >&2
    continue
  fi
  for threads in $threads_list; do
    for batch in $batches; do
      for beam in $beams; do
        for precision in $precisions; do
          flags=(--batch-size "$batch" --beam "$beam" $(precision_flags "$precision"))
          read -r sps tps rss secs < <(translate "$model_dir" "$test_src" "$threads" "${flags[@]}")
          seconds[$model,$threads,$batch,$beam,$precision]=$secs
          score=$(bleu "$work/out")
          p50=-; p95=-
          if ((batch == 1)); then read -r p50 p95 < <(latency "$model_dir" "$threads" --beam "$beam" $(precision_flags "$precision")); fi
          read -r share rate < <(profile "$model_dir" "$threads" "${flags[@]}")
          of_peak=$(awk -v r="$rate" -v p="${peak[$precision,$threads]:-0}" 'BEGIN {if (p > 0) printf "%.0f", 100 * r / p; else print "-"}')
          row "$model" "$threads" "$batch" "$beam" "$precision" "$sps" "$tps" "$rss" "$score" "$p50" "$p95" "$share" "$rate" "$of_peak"
        done
      done
    done
  done
done

echo
echo "throughput against fp32 (heed's packed products; same model, threads, batch and beam):"
for model in $models; do
  for threads in $threads_list; do
    for batch in $batches; do
      for beam in $beams; do
        base=${seconds[$model,$threads,$batch,$beam,fp32]:-}
        [[ -n $base ]] || continue
        line=""
        for precision in $precisions; do
          [[ $precision == fp32 ]] && continue
          s=${seconds[$model,$threads,$batch,$beam,$precision]:-}
          [[ -n $s ]] && line+=$(printf ' %s %.2fx' "$precision" "$(awk -v a="$base" -v b="$s" 'BEGIN {print a / b}')")
        done
        printf '  %-14s threads %s batch %-3s beam %s:%s\n' "$model" "$threads" "$batch" "$beam" "$line"
      done
    done
  done
done

echo
echo "beam 5 / greedy time at batch 64 (goal <= 3):"
for model in $models; do
  for threads in $threads_list; do
    greedy=${seconds[$model,$threads,64,1,fp32]:-}
    beam5=${seconds[$model,$threads,64,5,fp32]:-}
    [[ -n $greedy && -n $beam5 ]] || continue
    printf '  %-14s threads %s: %.2f\n' "$model" "$threads" "$(awk -v a="$beam5" -v b="$greedy" 'BEGIN {print a / b}')"
  done
done

if [[ " $models " == *" transformer "* && -f $dir/heed-transformer/config.json ]]; then
  # The sentences whose greedy output has >= 30 tokens (the issue's 30-token outputs).
  model_dir=$dir/heed-transformer
  $heed -q translate --model "$model_dir" --threads 2 --output jsonl < "$test_src" > "$work/greedy.jsonl"
  /usr/bin/python3 - "$work/greedy.jsonl" "$test_src" "$uncached_sentences" > "$work/long.in" <<'PY'
import json, sys
sources = open(sys.argv[2], encoding="utf-8").read().splitlines()
picked = [sources[i] for i, line in enumerate(open(sys.argv[1], encoding="utf-8"))
          if len(json.loads(line)["tokens"]) >= 30]
# Few test outputs are that long: repeat them up to the requested count.
out = (picked * (int(sys.argv[3]) // max(1, len(picked)) + 1))[: int(sys.argv[3])]
print("\n".join(out))
PY
  echo
  echo "transformer, cached vs uncached decoding, $(wc -l < "$work/long.in") sentences with >= 30-token greedy outputs:"
  for threads in $threads_list; do
    read -r _ _ _ cached < <(translate "$model_dir" "$work/long.in" "$threads" --batch-size 1)
    read -r _ _ _ uncached < <(translate "$model_dir" "$work/long.in" "$threads" --batch-size 1 --no-cache)
    printf '  threads %s, batch 1: cached %.2f s, uncached %.2f s: %.2fx\n' "$threads" "$cached" "$uncached" \
      "$(awk -v a="$uncached" -v b="$cached" 'BEGIN {print a / b}')"
  done
fi

if [[ " $models " == *" gru-bahdanau "* && -f $dir/heed-gru-bahdanau/config.json && " $batches " == *" 1 "* ]]; then
  model_dir=$dir/heed-gru-bahdanau
  $heed -q shortlist --model "$model_dir" --train-src "$tok/train.lc.norm.tok.de" --train-tgt "$tok/train.lc.norm.tok.en" \
    --frequent 100 --per-source 50 --out "$work/shortlist.txt"
  echo
  echo "gru-bahdanau at batch 1, greedy: full output layer against a shortlist (--frequent 100 --per-source 50):"
  for threads in $threads_list; do
    for precision in $precisions; do
      read -r full_sps _ _ _ < <(translate "$model_dir" "$test_src" "$threads" --batch-size 1 $(precision_flags "$precision"))
      full_bleu=$(bleu "$work/out")
      read -r short_sps _ _ _ < <(translate "$model_dir" "$test_src" "$threads" --batch-size 1 $(precision_flags "$precision") \
                                    --shortlist "$work/shortlist.txt")
      short_bleu=$(bleu "$work/out")
      printf '  threads %s %-9s: full %7s sent/s BLEU %s | shortlist %7s sent/s BLEU %s | %.2fx\n' "$threads" "$precision" \
        "$full_sps" "$full_bleu" "$short_sps" "$short_bleu" "$(awk -v a="$short_sps" -v b="$full_sps" 'BEGIN {print a / b}')"
    done
  done
fi
