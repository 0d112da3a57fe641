#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang-14, ASan + UBSan) into build-fuzz/ and runs
# each on a copy of its seed corpus (fuzz/corpus/TARGET/).
# Usage: scripts/fuzz.sh [--seconds S] [--jobs N] [--no-run] [TARGET...]
#   --seconds S  fuzzing time per target (default 60)
#   --jobs N     parallel compile jobs (default: all cores; HEED_FUZZ_JOBS works too)
#   --no-run     build only
#   TARGET       utf8 tokenizers sentencepiece vocabulary corpus config_file model_json
#                weights bleu alignment csv (default: all)
# Prints per target the executions, the corpus size and any crash file; exits 1 when a
# target found something (its input is kept in build-fuzz/runs/TARGET/findings/), unless
# it is a known bug of a library heed links (fuzz/known/signatures.txt): that is printed
# but not counted. A target stops at its first finding.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(utf8 tokenizers sentencepiece vocabulary corpus config_file model_json weights bleu alignment csv)
seconds=60
jobs=${HEED_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
run=1
targets=()
while (($#)); do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --no-run) run=0; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *)
      if [[ ! " ${all_targets[*]} " == *" $1 "* ]]; then
        echo "fuzz.sh: unknown target $1 (known: ${all_targets[*]})" >&2
        exit 2
      fi
      targets+=("$1"); shift ;;
  esac
done
if ((${#targets[@]} == 0)); then targets=("${all_targets[@]}"); fi

# clang-14 with its libFuzzer and sanitizer runtimes, and heed's own dependencies.
compiler=/usr/bin/clang++-14
if [[ ! -x $compiler ]] || ! compgen -G "/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  echo "heed: installing clang-14 and libclang-rt-14-dev (libFuzzer)" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null
fi
scripts/install-deps.sh

start=$(date +%s)
cmake -S fuzz -B build-fuzz -DCMAKE_CXX_COMPILER="$compiler" >/dev/null
cmake --build build-fuzz -j "$jobs" --target "${targets[@]/#/fuzz_}"
echo "heed: fuzz targets built in $(($(date +%s) - start)) s" >&2
((run)) || exit 0

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0}
found=0
summary=()
for target in "${targets[@]}"; do
  work=build-fuzz/runs/$target
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/findings"
  if [[ -d fuzz/corpus/$target ]]; then cp fuzz/corpus/"$target"/* "$work/corpus/" 2>/dev/null || true; fi
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
           -artifact_prefix="$work/findings/")
  if [[ -f fuzz/dict/$target.dict ]]; then options+=(-dict=fuzz/dict/"$target".dict); fi
  echo "heed: fuzzing $target for $seconds s" >&2
  status=0
  build-fuzz/fuzz_"$target" "${options[@]}" "$work/corpus" >"$work/log" 2>&1 || status=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  corpus_files=$(find "$work/corpus" -type f | wc -l)
  corpus_bytes=$(du -sb "$work/corpus" | cut -f1)
  findings=$(find "$work/findings" -type f | sort)
  line="$target: ${executions:-?} executions, corpus $corpus_files files ($corpus_bytes bytes)"
  if [[ $status -ne 0 || -n $findings ]]; then
    grep -a -m1 -E "ERROR: |runtime error|==fuzz== invariant|terminate called" "$work/log" >&2 || true
    # A known bug of a library heed links (fuzz/known/): reported, not counted.
    known=""
    while IFS='|' read -r known_target pattern description; do
      if [[ $known_target == "$target" ]] && grep -aqE "$pattern" "$work/log"; then
        known=$description
        break
      fi
    done < <(grep -v '^#' fuzz/known/signatures.txt 2>/dev/null || true)
    if [[ -n $known ]]; then
      line+=", known third-party issue, not counted ($known): ${findings:-see $work/log}"
    else
      found=1
      line+=", FOUND (exit $status): ${findings:-see $work/log}"
    fi
  fi
  summary+=("$line")
  echo "heed: $line" >&2
done

echo
echo "fuzzing summary ($seconds s per target; logs in build-fuzz/runs/TARGET/log):"
printf '  %s\n' "${summary[@]}"
exit $found
