#!/usr/bin/env bash
# heed serve under load: N concurrent clients, each sending one sentence per request, as
# fast as answers come, against `heed translate --batch-size 64` on the same sentences.
#
#   scripts/bench-serve.sh MODEL_DIR SENTENCES_FILE [--clients "1 4 16 64"] [--sentences 1000]
#                          [--threads N] [--workers N] [--max-batch 64] [--max-wait-ms 5] [--precision fp32]
#
# Prints, per client count: sentences/s, p50/p95/p99 latency (ms), errors, the server's
# peak RSS; then the offline throughput and each row's share of it. The client is Python's
# standard library (one thread per client, HTTP keep-alive), so it needs no package; it
# runs on the same machine, and takes CPU time from the server as a remote client would not.
#
# Threads: the server runs with --threads / --workers N if given, else its defaults (one
# worker per core, each with a second thread for its large products while cores are idle);
# translate runs with every thread count from 1 to all cores, and the fastest is the
# offline figure each row is a share of.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?model directory}
input=${2:?a file of source sentences, one per line}
shift 2
clients_list="1 4 16 64"
count=1000
threads=
workers=
max_batch=64
max_wait=5
precision=fp32
while (($#)); do
  case "$1" in
    --clients) clients_list=$2; shift 2 ;;
    --sentences) count=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --max-batch) max_batch=$2; shift 2 ;;
    --max-wait-ms) max_wait=$2; shift 2 ;;
    --precision) precision=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
heed=build/heed
[[ -x $heed ]] || scripts/build.sh --no-tests
work=$(mktemp -d /tmp/heed_bench_serve.XXXXXX)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
head -n "$count" "$input" > "$work/sentences.txt"
count=$(wc -l < "$work/sentences.txt")

# Offline: the whole file through `heed translate` at batch 64, its own rate (model loading
# excluded, as it is from the server's figures: the server is up before the clients start).
offline=0
offline_threads=0
offline_rates=""
for t in $(seq "$(nproc)"); do
  $heed translate --model "$model" --batch-size 64 --threads "$t" --precision "$precision" \
    < "$work/sentences.txt" > "$work/offline.txt" 2> "$work/offline.log"
  # "translated N sentences, M output tokens in S s: X sentences/s, Y tokens/s"
  rate=$(grep -o 'translated .*' "$work/offline.log" | tail -1 | awk '{gsub(/[:,]/, ""); printf "%.1f", $10}')
  offline_rates="$offline_rates --threads $t: $rate;"
  if python3 -c "import sys; sys.exit(0 if $rate > $offline else 1)"; then
    offline=$rate
    offline_threads=$t
  fi
done

$heed serve --model "$model" --port 0 ${threads:+--threads "$threads"} ${workers:+--workers "$workers"} --precision "$precision" --max-batch "$max_batch" --max-wait-ms "$max_wait" \
  --max-queue 100000 2> "$work/serve.log" &
server=$!
port=""
for _ in $(seq 600); do
  port=$(sed -nE 's#.*serving on http://127\.0\.0\.1:([0-9]+)/.*#\1#p' "$work/serve.log")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { echo "the server did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }

printf '%-8s %12s %9s %9s %9s %7s %10s %12s\n' clients sentences/s p50_ms p95_ms p99_ms errors rss_MB "of offline"
for clients in $clients_list; do
  python3 - "$port" "$clients" "$work/sentences.txt" "$work/offline.txt" > "$work/row.txt" <<'PY'
import http.client, json, sys, threading, time
port, clients, sentences = int(sys.argv[1]), int(sys.argv[2]), open(sys.argv[3]).read().split("\n")[:-1]
offline = open(sys.argv[4]).read().split("\n")[:-1]
latencies, errors, mismatches, lock, next_index = [], 0, 0, threading.Lock(), [0]
def client():
    global errors, mismatches
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while True:
        with lock:
            i = next_index[0]
            next_index[0] += 1
        if i >= len(sentences):
            return
        body = json.dumps({"text": sentences[i]})
        started = time.perf_counter()
        try:
            connection.request("POST", "/v1/translate", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            answer = json.loads(response.read())
            ok = response.status == 200
        except Exception:
            ok = False
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        elapsed = time.perf_counter() - started
        with lock:
            if ok:
                latencies.append(elapsed)
                if answer["translations"][0]["hypothesis"] != offline[i]:
                    mismatches += 1
            else:
                errors += 1
threads = [threading.Thread(target=client) for _ in range(clients)]
started = time.perf_counter()
for t in threads: t.start()
for t in threads: t.join()
wall = time.perf_counter() - started
latencies.sort()
q = lambda p: 1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")
print(f"{len(latencies) / wall:.1f} {q(0.50):.1f} {q(0.95):.1f} {q(0.99):.1f} {errors} {mismatches}")
PY
  read -r rate p50 p95 p99 errors mismatches < "$work/row.txt"
  rss=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$server/status")
  share=$(python3 -c "print(f'{100 * $rate / $offline:.0f}%')")
  printf '%-8s %12s %9s %9s %9s %7s %10s %12s\n' "$clients" "$rate" "$p50" "$p95" "$p99" "$errors" "$rss" "$share"
  ((mismatches == 0)) || echo "  $mismatches answers differ from heed translate's" >&2
done
server_threads=$(sed -nE 's/.*decoding on ([0-9]+ workers? of [0-9]+ threads?).*/\1/p' "$work/serve.log" | head -1)
echo "server: ${server_threads:-?}, --max-batch $max_batch, --max-wait-ms $max_wait, --precision $precision"
echo "offline: heed translate --batch-size 64 ($count sentences):${offline_rates%;} sentences/s; fastest $offline (--threads $offline_threads)"
