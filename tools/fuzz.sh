#!/usr/bin/env bash
# fuzz.sh SECONDS — builds the libFuzzer targets in fuzz/ with clang (ASan + UBSan) and
# runs each for SECONDS, starting from the committed seed corpus fuzz/corpus/<target>/.
# New inputs go to build/fuzz/corpus-<target>/ (not committed); a crash leaves its input
# as build/fuzz/crash-* and fails this script: turn it into a regression test.
# Needs clang and its runtime (Debian: clang libclang-rt-dev; installed here if missing).
set -euo pipefail
seconds=${1:-60}
out=build/fuzz
mkdir -p "$out"
if ! command -v clang++ >/dev/null || ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long){return 0;}' |
     clang++ -x c++ -fsanitize=fuzzer - -o "$out/probe" >/dev/null 2>&1; then
  if command -v apt-get >/dev/null; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq clang libclang-rt-dev
  else
    echo "fuzz.sh: needs clang with libFuzzer (Debian: clang libclang-rt-dev)" >&2; exit 1
  fi
fi
flags="-std=c++17 -O1 -g -Iinclude -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
readers="src/core/json.cpp src/core/mapped_file.cpp"
declare -A sources=(
  [json]="src/core/json.cpp"
  [safetensors]="src/model/safetensors.cpp $readers src/core/tensor.cpp src/core/weight_formats.cpp src/core/output_file.cpp"
  [tokenizer]="src/model/tokenizer.cpp src/model/unicode_classes.cpp $readers"
  [config]="src/model/config.cpp $readers"
  [tokenizer_files]="src/model/tokenizer.cpp src/model/unicode_classes.cpp $readers"
)
status=0
for target in json safetensors tokenizer config tokenizer_files; do
  bin="$out/fuzz_$target"
  # shellcheck disable=SC2086
  clang++ $flags "fuzz/fuzz_$target.cpp" ${sources[$target]} -o "$bin"
  mkdir -p "$out/corpus-$target"
  echo "== fuzz_$target for ${seconds}s"
  if ! GPTWALK_FUZZ_TOKENIZER=weights/tiny-gpt2 "$bin" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/crash-$target-" \
       "$out/corpus-$target" "fuzz/corpus/$target" 2>"$out/fuzz_$target.log"; then
    tail -30 "$out/fuzz_$target.log"; status=1
  else
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$out/fuzz_$target.log" || true
    grep -oE 'cov: [0-9]+ ft: [0-9]+' "$out/fuzz_$target.log" | tail -1 || true
  fi
done
exit $status
