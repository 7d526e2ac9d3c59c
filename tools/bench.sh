#!/usr/bin/env bash
# bench.sh BUILD — what `make bench` runs: GPT-2 124M's speed and memory with every weight
# type side by side, as BUILD/bench.md.
#
#   1. once: a GPT-2 124M-shaped checkpoint with random F32 weights (make_random_gpt2,
#      seed 1), cached in build/bench/gpt2-124M-random/ (~475 MiB; speed does not depend
#      on the values, so no download is needed);
#   2. at 1 and 2 threads, for each weight type (--weights f32, bf16, f16, q8 converted at
#      load): gptwalk bench --roofline, a 128-token prompt and 128 generated tokens,
#      medians of REPEATS runs (default 5) with min and max, and the machine's ceilings
#      (sgemm GFLOP/s, memory read GB/s) measured right after, on the same threads;
#      with GGML_GPT2=path/to/gpt-2-backend (ggml's GPT-2 example, built outside this
#      repository), that program runs right after ours on the same weights written in
#      its format (tools/to_ggml_gpt2) as F32, F16 and Q8_0, with the same prompt ids;
#   3. a memory check per type at the full 1024-token context (896 + 128 tokens);
#   4. with XL=1: GPT-2 XL's shape (1.5B parameters, random, written once as F16 to
#      build/bench/gpt2-1558M-random-f16/, ~3.1 GB) loaded as q8 and timed at 1 and 2
#      threads, with its peak resident set;
#   5. gptwalk kernels (vector kernels against their scalar twins);
#   6. training: gptwalk bench --train on the shipped model's shape (8 windows of 64 tokens an
#      update, AdamW) at 1 and 2 threads, interleaved with PyTorch training the same shape,
#      batch and sequence length (tools/reference/train_bench_torch.py under /usr/bin/python3;
#      when torch is missing the peer is skipped and the table says so);
# and writes BUILD/bench.md. The raw JSON of each run stays in build/bench/*.json.
# Timings on a machine busy with other work are low and noisy: the load average is
# printed next to them.
set -euo pipefail
BUILD=${1:-build}
REPEATS=${REPEATS:-5}
GGML_GPT2=${GGML_GPT2:-}
XL=${XL:-0}
GPTWALK="$BUILD/gptwalk"
CACHE=build/bench
MODEL="$CACHE/gpt2-124M-random"
XL_MODEL="$CACHE/gpt2-1558M-random-f16"
OUT="$BUILD/bench.md"
TYPES="f32 bf16 f16 q8"
mkdir -p "$CACHE"

# make_model DIR SIZE DTYPE: a random checkpoint, written once.
make_model() {
  if [ ! -f "$1/config.json" ] || [ ! -f "$1/model.safetensors" ]; then
    echo "bench: writing a random GPT-2 $2 checkpoint ($3) to $1 (once)"
    rm -rf "$1.tmp"
    "$BUILD/tools/make_random_gpt2" --size "$2" --dtype "$3" --seed 1 --out "$1.tmp"
    rm -rf "$1" && mv "$1.tmp" "$1"
  fi
}
make_model "$MODEL" 124M f32
cat "$MODEL/model.safetensors" >/dev/null  # warm the page cache: the load time is "warm"

# field FILE KEY -> the value of "KEY": in a one-line JSON object (numbers and true/false)
field() { sed -n "s/.*\"$2\": \([^,}]*\).*/\1/p" "$1"; }
# fmt NUMBER DIGITS
fmt() { awk -v x="$1" -v d="$2" 'BEGIN { printf "%.*f", d, x }'; }
# ratio A B DIGITS -> A / B
ratio() { awk -v a="$1" -v b="$2" -v d="$3" 'BEGIN { if (b > 0) printf "%.*f", d, a / b; else printf "-" }'; }
# verdict VALUE OP TARGET -> "yes" / "no"
verdict() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = (op == ">=") ? v >= t : v <= t; print ok ? "yes" : "no" }'; }
# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
load_avg() { cut -d' ' -f1-3 /proc/loadavg; }

run_bench() {  # run_bench NAME ARGS... -> $CACHE/NAME.json
  local name=$1; shift
  echo "bench: gptwalk bench $* (load average $(load_avg))"
  "$GPTWALK" bench --json "$@" >"$CACHE/$name.json"
}

# ggml's GPT-2 example, on our weights in its format. Its one timing is "predict time", the
# forward passes of a run: with -n 1 that is the prompt's prefill (-b 128: one batch); with
# -n 129, the prefill and 128 one-token steps. Decode = 128 / (the difference).
ggml_type() { case $1 in f32) echo f32 ;; f16) echo f16 ;; q8) echo q8_0 ;; *) echo "" ;; esac; }
ggml_ms() {  # ggml_ms FILE THREADS N -> predict milliseconds
  "$GGML_GPT2" -m "$1" -f "$CACHE/ggml-prompt.txt" -n "$3" -b 128 -t "$2" --ignore-eos -s 1 2>/dev/null |
    sed -n 's/.*predict time = *\([0-9.]*\) ms.*/\1/p'
}
run_ggml() {  # run_ggml TYPE THREADS -> $CACHE/ggml_tTHREADS_TYPE.txt: "prefill_tok_s decode_tok_s"
  local file="$CACHE/ggml-$(ggml_type "$1").bin" pre=() all=() i
  echo "bench: $GGML_GPT2 ($(ggml_type "$1"), $2 thread(s), $REPEATS x 2 runs; load average $(load_avg))"
  for ((i = 0; i < REPEATS; i++)); do
    pre+=("$(ggml_ms "$file" "$2" 1)")
    all+=("$(ggml_ms "$file" "$2" 129)")
  done
  local p a
  p=$(printf '%s\n' "${pre[@]}" | median); a=$(printf '%s\n' "${all[@]}" | median)
  awk -v p="$p" -v a="$a" 'BEGIN { printf "%.1f %.1f\n", 128000 / p, (a > p) ? 128000 / (a - p) : 0 }' \
    >"$CACHE/ggml_t$2_$1.txt"
}
if [ -n "$GGML_GPT2" ]; then
  [ -x "$GGML_GPT2" ] || { echo "bench: GGML_GPT2='$GGML_GPT2' is not an executable" >&2; exit 1; }
  for t in f32 f16 q8_0; do
    [ -f "$CACHE/ggml-$t.bin" ] || "$BUILD/tools/to_ggml_gpt2" --model "$MODEL" --out "$CACHE/ggml-$t.bin" --type "$t" \
      --bench-prompt 128 --prompt-out "$CACHE/ggml-prompt.txt"
  done
fi

LOAD_BEFORE=$(load_avg)
for th in 1 2; do
  for w in $TYPES; do
    run_bench "t${th}_$w" --model "$MODEL" --weights "$w" --threads "$th" --repeats "$REPEATS" --roofline
    if [ -n "$GGML_GPT2" ] && [ -n "$(ggml_type "$w")" ]; then run_ggml "$w" "$th"; fi
  done
done
for w in $TYPES; do
  run_bench "ctx1024_$w" --model "$MODEL" --weights "$w" --threads 1 --repeats 1 --prompt-tokens 896 --gen-tokens 128
done
if [ "$XL" = 1 ]; then
  make_model "$XL_MODEL" 1558M f16
  for th in 1 2; do
    run_bench "xl_t$th" --model "$XL_MODEL" --weights q8 --threads "$th" --repeats 1 --prompt-tokens 128 --gen-tokens 64
  done
fi
echo "bench: gptwalk kernels"
"$GPTWALK" kernels --repeats 11 >"$CACHE/kernels.txt"

# Training, ours and PyTorch's in turn at each thread count (the same minutes of machine load).
TRAIN_MODEL=weights/tiny-gpt2 TRAIN_B=8 TRAIN_T=64 TRAIN_STEPS=${TRAIN_STEPS:-5}
TORCH=no
if /usr/bin/python3 -c "import torch" 2>/dev/null; then TORCH=yes; fi
for t in 1 2; do
  echo "bench: gptwalk bench --train --threads $t (load average $(load_avg))"
  "$GPTWALK" bench --train --model "$TRAIN_MODEL" --batch $TRAIN_B --seq $TRAIN_T --threads $t \
    --repeats "$TRAIN_STEPS" --json >"$CACHE/train_t$t.json"
  if [ $TORCH = yes ]; then
    echo "bench: PyTorch training the same shape, $t thread(s) (load average $(load_avg))"
    /usr/bin/python3 tools/reference/train_bench_torch.py --model "$TRAIN_MODEL" --batch $TRAIN_B --seq $TRAIN_T \
      --threads $t --steps "$TRAIN_STEPS" >"$CACHE/torch_t$t.json"
  fi
done
LOAD_AFTER=$(load_avg)

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
NCPU=$(nproc)
KERNELS=$(field "$CACHE/t1_f32.json" kernels | tr -d '"')
BLAS=$(ldconfig -p 2>/dev/null | sed -n 's/.*libopenblas.so.0 .*=> //p' | head -1)

row() {  # row THREADS TYPE -> one row of the side-by-side table
  local f="$CACHE/t$1_$2.json" base="$CACHE/t$1_f32.json"
  local pre dec db at
  pre=$(field "$f" prefill_tok_s); dec=$(field "$f" decode_tok_s); db=$(field "$f" decode_bound_tok_s)
  at=$(awk -v a="$dec" -v b="$db" 'BEGIN { printf "%.0f%%", (b > 0) ? 100 * a / b : 0 }')
  echo "| $1 | $2 | $(fmt "$pre" 1) ($(fmt "$(field "$f" prefill_tok_s_min)" 0)–$(fmt "$(field "$f" prefill_tok_s_max)" 0)) | $(fmt "$dec" 1) ($(fmt "$(field "$f" decode_tok_s_min)" 1)–$(fmt "$(field "$f" decode_tok_s_max)" 1)) | $(ratio "$dec" "$(field "$base" decode_tok_s)" 2)× | $(fmt "$(field "$f" decode_step_mb)" 1) | $(fmt "$(field "$f" decode_gb_s)" 1) | $(fmt "$(field "$f" read_gb_s)" 1) | $(fmt "$db" 1) | $at | $(fmt "$(field "$f" load_s)" 2) s |"
}
ggml_row() {  # ggml_row THREADS TYPE
  local f="$CACHE/t$1_$2.json" g="$CACHE/ggml_t$1_$2.txt"
  [ -f "$g" ] || return 0
  local gp gd
  read -r gp gd <"$g"
  echo "| $1 | $(ggml_type "$2") | $gp | $gd | $(fmt "$(field "$f" prefill_tok_s)" 1) / $(fmt "$(field "$f" decode_tok_s)" 1) | $(ratio "$(field "$f" prefill_tok_s)" "$gp" 2)× | $(ratio "$(field "$f" decode_tok_s)" "$gd" 2)× |"
}
mem_row() {  # mem_row TYPE
  local f="$CACHE/ctx1024_$1.json" peak expect
  peak=$(field "$f" peak_rss_mb); expect=$(field "$f" expected_mb)
  echo "| $1 | $(fmt "$peak" 1) | $(fmt "$expect" 1) = $(fmt "$(field "$f" weights_mb)" 1) + $(fmt "$(field "$f" kv_cache_mb)" 1) + $(fmt "$(field "$f" activations_mb)" 1) | $(ratio "$peak" "$expect" 3) | $(verdict "$(ratio "$peak" "$expect" 3)" "<=" 1.15) |"
}
shares() {  # shares FILE PHASE -> "matmul 81%, lm_head 12%, ..."
  sed -n "s/.*\"$2_shares\": {\([^}]*\)}.*/\1/p" "$1" | tr ',' '\n' |
    awk -F': ' '{ gsub(/[" ]/, "", $1); printf "%s%s %.1f%%", (NR > 1 ? ", " : ""), $1, 100 * $2 }'
}

train_row() {  # train_row THREADS -> gptwalk vs torch
  local g=$CACHE/train_t$1.json p=$CACHE/torch_t$1.json ours
  ours="$(fmt "$(field "$g" train_tok_s)" 1) ($(fmt "$(field "$g" train_tok_s_min)" 0)–$(fmt "$(field "$g" train_tok_s_max)" 0))"
  if [ $TORCH = yes ]; then
    local ratio
    ratio=$(awk -v a="$(field "$g" train_tok_s)" -v b="$(field "$p" tok_s)" 'BEGIN { printf "%.2f", a / b }')
    echo "| $1 | $ours | $(fmt "$(field "$p" tok_s)" 1) ($(fmt "$(field "$p" tok_s_min)" 0)–$(fmt "$(field "$p" tok_s_max)" 0)) | ${ratio}× | ≥ 1 | $(verdict "$ratio" ">=" 1) | $(fmt "$(field "$g" cpu_tok_s)" 0) / $(fmt "$(field "$p" cpu_tok_s)" 0) |"
  else
    echo "| $1 | $ours | skipped: /usr/bin/python3 has no torch | — | ≥ 1 | — | $(fmt "$(field "$g" cpu_tok_s)" 0) / — |"
  fi
}
train_shares() {  # train_shares FILE -> "fwd_matmul 8.1%, ..." (parts of at least 0.5%)
  sed -n 's/.*"shares": {\([^}]*\)}.*/\1/p' "$1" | tr ',' '\n' |
    awk -F': ' '{ gsub(/[" ]/, "", $1); if ($2 >= 0.005) printf "%s%s %.1f%%", (n++ ? ", " : ""), $1, 100 * $2 }'
}

{
  echo "# gptwalk benchmark"
  echo
  echo "- CPU: $CPU ($NCPU logical CPUs); OpenBLAS: ${BLAS:-?}; OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset}"
  echo "- model: GPT-2 124M shape (L 12, C 768, NH 12, V 50257, P 1024), random weights stored as F32, converted at load by --weights"
  echo "- run: 128-token prompt (seeded random ids), then 128 greedy tokens; kernels $KERNELS; medians of $REPEATS runs (min–max)"
  echo "- load average before / after: $LOAD_BEFORE / $LOAD_AFTER (on $NCPU CPUs: above ~0.5 the numbers are low and noisy)"
  echo
  echo "Every type side by side. MB/token: what a decode step reads (the matrices in their type, the rest and the KV cache as F32); read GB/s: this machine's streaming-read ceiling measured right after the run, on the same threads; bound: read GB/s ÷ MB/token."
  echo
  echo "| threads | weights | prefill tok/s | decode tok/s | decode vs f32 | MB/token | decode GB/s | read GB/s | decode bound tok/s | at | load |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for th in 1 2; do for w in $TYPES; do row "$th" "$w"; done; done
  echo
  echo "Targets (issue 16): bf16 and f16 decode ≥ 1.8× f32's, q8 ≥ 2.4×; prefill with every type at least f32's."
  if [ -n "$GGML_GPT2" ]; then
    echo
    echo "ggml's GPT-2 example ($GGML_GPT2) on the same weights and prompt ids, run right after ours (tok/s; medians of $REPEATS):"
    echo
    echo "| threads | ggml type | ggml prefill | ggml decode | gptwalk prefill / decode | prefill ratio | decode ratio |"
    echo "|---|---|---|---|---|---|---|"
    for th in 1 2; do for w in f32 f16 q8; do ggml_row "$th" "$w"; done; done
  fi
  echo
  echo "Memory at the full 1024-token context (896-token prompt + 128 generated, 1 thread):"
  echo
  echo "| weights | peak RSS MiB | expected MiB = weights + KV cache + activations | ratio | ≤ 1.15 |"
  echo "|---|---|---|---|---|"
  for w in $TYPES; do mem_row "$w"; done
  if [ "$XL" = 1 ]; then
    echo
    echo "GPT-2 XL's shape (1.5B, random, stored F16, loaded as q8; 128-token prompt, 64 generated):"
    echo
    echo "| threads | load s | decode tok/s | prefill tok/s | peak RSS MB | < 2200 MB |"
    echo "|---|---|---|---|---|---|"
    for th in 1 2; do
      f="$CACHE/xl_t$th.json"
      peak=$(awk -v m="$(field "$f" peak_rss_mb)" 'BEGIN { printf "%.0f", m * 1.048576 }')  # MiB -> MB
      echo "| $th | $(fmt "$(field "$f" load_s)" 1) | $(fmt "$(field "$f" decode_tok_s)" 1) | $(fmt "$(field "$f" prefill_tok_s)" 1) | $peak | $(verdict "$peak" "<=" 2200) |"
    done
  fi
  echo
  echo "Where the time goes (1 thread):"
  echo
  for w in $TYPES; do echo "- $w decode: $(shares "$CACHE/t1_$w.json" decode)"; done
  echo
  echo "## Training"
  echo
  echo "The shipped model's shape ($(field "$CACHE/train_t1.json" parameters) parameters), random init, $TRAIN_B windows of $TRAIN_T tokens an update (AdamW, clip 1.0), $TRAIN_STEPS timed updates after one untimed; medians (min–max) of the updates' tokens/s. PyTorch $( [ $TORCH = yes ] && field "$CACHE/torch_t1.json" torch | tr -d '"' ) (float32, the same model, optimizer and windows; tools/reference/train_bench_torch.py) ran right after gptwalk at each thread count."
  echo
  echo "| threads | gptwalk tok/s | PyTorch tok/s | ratio | goal | met | tokens per CPU-second: gptwalk / PyTorch |"
  echo "|---|---|---|---|---|---|---|"
  train_row 1
  train_row 2
  echo
  G1=$CACHE/train_t1.json
  echo "Memory (gptwalk, 1 thread): peak RSS $(fmt "$(field "$G1" peak_rss_mb)" 1) MiB against $(fmt "$(field "$G1" expected_mb)" 1) MiB expected = weights $(fmt "$(field "$G1" params_mb)" 1) + gradients $(fmt "$(field "$G1" grads_mb)" 1) + AdamW moments $(fmt "$(field "$G1" moments_mb)" 1) + activations $(fmt "$(field "$G1" activations_mb)" 1) (ratio $(awk -v p="$(field "$G1" peak_rss_mb)" -v e="$(field "$G1" expected_mb)" 'BEGIN { printf "%.3f", p / e }'))$( [ $TORCH = yes ] && echo "; PyTorch's peak RSS $(fmt "$(field "$CACHE/torch_t1.json" peak_rss_mb)" 1) MiB")."
  echo
  echo "Where an update's time goes (gptwalk):"
  echo
  echo "- 1 thread: $(train_shares "$CACHE/train_t1.json")"
  echo "- 2 threads: $(train_shares "$CACHE/train_t2.json")"
  echo
  echo "Vector kernels against their scalar twins (\`gptwalk kernels\`):"
  echo
  echo '```'
  cat "$CACHE/kernels.txt"
  echo '```'
  echo
  echo "Rerun: \`make bench\` (REPEATS=N, GGML_GPT2=path, XL=1). Method and history: docs/performance.md."
} >"$OUT"
cat "$OUT"
echo "bench: wrote $OUT"
