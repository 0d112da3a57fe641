#!/usr/bin/env bash
# Data-parallel training, measured: for each model in the Multi30k benchmark configuration
# (scripts/bench.sh), target tokens/s of 1 process x 2 threads against 2 processes x 1
# thread (heed train --nproc 2) on this machine, the time per update spent in the
# gradient all-reduce, and from those the projected scaling efficiency on N machines.
#
#   scripts/bench-dist.sh [--steps N] [--models "gru-bahdanau transformer"] [--latency-us 50]
#
# Projection (ring all-reduce):
#   t_comm(N) = 2 (N-1)/N * S / B + 2 (N-1) * latency        S: gradient bytes, B: link bytes/s
#   efficiency(N) = t_step / (t_step + exposed)              t_step: one machine's update time
#   exposed = t_comm(N)                                      sums after the backward pass
#   exposed = max(t_comm(N) - 2/3 t_step, t_comm(N) / K)     sums overlapped with it (heed's
#             default): the backward pass is about 2/3 of an update, and the last of the K
#             buckets (the first layers' gradients, final last) cannot overlap
# with t_step measured here (1 process, 2 threads, one batch per update): each machine
# computes one batch per update, and N machines give N x the batch. The 2 x 1 runs are
# made with the sums overlapped (default) and after the backward pass
# (HEED_GRADIENT_OVERLAP=0); on one machine the transfer is a memory copy, so the two
# differ little here: the projection is where overlap matters.
# Needs ../shared/data/multi30k; skipped with a message when absent.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=30
models="gru-bahdanau transformer"
latency_us=50
while (($#)); do
  case "$1" in
    --steps) steps=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --latency-us) latency_us=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
heed=build/heed
[[ -x $heed ]] || scripts/build.sh --no-tests
shared=${HEED_SHARED:-../shared}
m30k=$shared/data/multi30k/tok
if [[ ! -f $m30k/train.lc.norm.tok.de ]]; then
  echo "note: $m30k is absent; nothing to measure" >&2
  exit 0
fi
work=$(mktemp -d /tmp/heed_bench_dist.XXXXXX)
trap 'rm -rf "$work"' EXIT

bench_flags() {
  case $1 in
    gru-bahdanau) echo "--emb 256 --hidden 256 --attention-size 256 --dropout 0.1" ;;
    transformer) echo "--d-model 256 --heads 4 --layers 3 --ff 1024 --dropout 0.1" ;;
  esac
  echo "--lr 0.001 --warmup-steps 0 --label-smoothing 0 --batch-tokens 3600"
}

# run NAME EXTRA... -> the log of a training run of $steps + 5 updates
run() {
  local name=$1; shift
  rm -rf "$work/$name"
  # shellcheck disable=SC2046
  $heed train --train-src "$m30k/train.lc.norm.tok.de" --train-tgt "$m30k/train.lc.norm.tok.en" \
    --tokenizer word --min-count 2 --max-steps $((steps + 5)) --valid-every $((steps + 5)) \
    --save-every-minutes 0 --out "$work/$name" "$@" 2>"$work/$name.log" >/dev/null
}
tokens_per_s() { tail -1 "$1/train_log.csv" | cut -d, -f7; }

printf '%-14s %11s %11s %11s %7s %13s %13s %8s %8s %8s\n' model "1x2 tok/s" "2x1 tok/s" "2x1 after" ratio \
  "allreduce ms" "(after) ms" "grad MB" buckets "step ms"
declare -A step_ms grad_mb buckets
for model in $models; do
  # shellcheck disable=SC2046
  run "$model-1x2" --model "$model" $(bench_flags "$model") --threads 2
  # shellcheck disable=SC2046
  run "$model-2x1" --model "$model" $(bench_flags "$model") --nproc 2 --threads 1
  # shellcheck disable=SC2046
  HEED_GRADIENT_OVERLAP=0 run "$model-2x1-after" --model "$model" $(bench_flags "$model") --nproc 2 --threads 1
  one=$(tokens_per_s "$work/$model-1x2")
  two=$(tokens_per_s "$work/$model-2x1")
  after=$(tokens_per_s "$work/$model-2x1-after")
  line=$(grep "gradient sums:" "$work/$model-2x1.log")
  reduce_ms=$(sed -E 's/.*gradient sums: ([0-9.]+) ms.*/\1/' <<<"$line")
  after_ms=$(grep "gradient sums:" "$work/$model-2x1-after.log" | sed -E 's/.*gradient sums: ([0-9.]+) ms.*/\1/')
  grad_mb[$model]=$(sed -E 's/.*\(([0-9.]+) MB.*/\1/' <<<"$line")
  buckets[$model]=$(sed -E 's/.* in ([0-9]+) buckets.*/\1/' <<<"$line")
  # One machine's update: the 1-process run's training time over its updates (its first
  # updates, slower while caches warm, included: a slight overestimate of t_step, which
  # flatters the projection a little).
  step_ms[$model]=$(python3 - "$work/$model-1x2/train_log.csv" <<'PY'
import sys
rows = [l.split(",") for l in open(sys.argv[1]).read().split("\n")[1:] if l]
step, elapsed = int(rows[-1][0]), float(rows[-1][7])
print(f"{1000 * elapsed / step:.0f}")
PY
)
  ratio=$(python3 -c "print(f'{$two / $one:.2f}')")
  printf '%-14s %11s %11s %11s %7s %13s %13s %8s %8s %8s\n' "$model" "$one" "$two" "$after" "$ratio" "$reduce_ms" \
    "$after_ms" "${grad_mb[$model]}" "${buckets[$model]}" "${step_ms[$model]}"
done

echo
echo "projected scaling efficiency (ring all-reduce, latency ${latency_us} us per hop)"
printf '%-24s %8s %8s %8s %8s %8s %8s\n' model "1G N=4" "1G N=8" "1G N=16" "10G N=4" "10G N=8" "10G N=16"
for model in $models; do
  python3 - "${step_ms[$model]}" "${grad_mb[$model]}" "$latency_us" "$model" "${buckets[$model]}" <<'PY'
import sys
step_s, size, latency = float(sys.argv[1]) / 1000, float(sys.argv[2]) * 1e6, float(sys.argv[3]) * 1e-6
model, buckets = sys.argv[4], int(sys.argv[5])
for overlapped in (False, True):
    cells = []
    for gbit in (1, 10):
        for n in (4, 8, 16):
            comm = 2 * (n - 1) / n * size / (gbit * 1e9 / 8) + 2 * (n - 1) * latency
            exposed = max(comm - 2 / 3 * step_s, comm / buckets) if overlapped else comm
            cells.append(f"{100 * step_s / (step_s + exposed):.0f}%")
    label = f"{model} ({'overlapped' if overlapped else 'after'})"
    print(f"{label:<24} " + " ".join(f"{c:>8}" for c in cells))
PY
done
