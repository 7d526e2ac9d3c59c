#!/usr/bin/env bash
# bench.sh BUILD — what `make bench` runs: GPT-2 124M speed and memory, as build/bench.md.
#
#   1. once: a GPT-2 124M-shaped checkpoint with random F32 weights (make_random_gpt2,
#      seed 1), cached in build/bench/gpt2-124M-random/ (~475 MiB; speed does not depend
#      on the values, so no download is needed);
#   2. gptwalk bench --roofline at 1 and 2 threads: 128-token prompt, 128 generated tokens,
#      medians of REPEATS runs (default 5) with min and max, and the machine's ceilings
#      (sgemm GFLOP/s, memory read GB/s) measured right after, on the same threads;
#   3. a memory check at the full 1024-token context (896-token prompt + 128 generated);
#   4. gptwalk kernels (vector kernels against their scalar twins);
#   5. training: gptwalk bench --train on the shipped model's shape (8 windows of 64 tokens an
#      update, AdamW) at 1 and 2 threads, interleaved with PyTorch training the same shape,
#      batch and sequence length (tools/reference/train_bench_torch.py under /usr/bin/python3;
#      when torch is missing the peer is skipped and the table says so);
# and writes BUILD/bench.md: a markdown table next to the targets (docs/performance.md).
# The raw JSON of each run stays in build/bench/*.json. Timings on a machine that is busy
# with other work are low and noisy: the script prints the load average next to them.
set -euo pipefail
BUILD=${1:-build}
REPEATS=${REPEATS:-5}
GPTWALK="$BUILD/gptwalk"
CACHE=build/bench
MODEL="$CACHE/gpt2-124M-random"
OUT="$BUILD/bench.md"
mkdir -p "$CACHE"

if [ ! -f "$MODEL/config.json" ] || [ ! -f "$MODEL/model.safetensors" ]; then
  echo "bench: writing a random GPT-2 124M checkpoint to $MODEL (once)"
  rm -rf "$MODEL.tmp"
  "$BUILD/tools/make_random_gpt2" --size 124M --dtype f32 --seed 1 --out "$MODEL.tmp"
  rm -rf "$MODEL" && mv "$MODEL.tmp" "$MODEL"
fi
cat "$MODEL/model.safetensors" >/dev/null  # warm the page cache: the load time is "warm"

# field FILE KEY -> the value of "KEY": in a one-line JSON object (numbers and true/false)
field() { sed -n "s/.*\"$2\": \([^,}]*\).*/\1/p" "$1"; }
# fmt NUMBER DIGITS
fmt() { awk -v x="$1" -v d="$2" 'BEGIN { printf "%.*f", d, x }'; }
# verdict VALUE OP TARGET -> "yes" / "no"
verdict() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = (op == ">=") ? v >= t : v <= t; print ok ? "yes" : "no" }'; }
load_avg() { cut -d' ' -f1-3 /proc/loadavg; }

run_bench() {  # run_bench NAME ARGS... -> $CACHE/NAME.json
  local name=$1; shift
  echo "bench: gptwalk bench $* (load average $(load_avg))"
  "$GPTWALK" bench --model "$MODEL" --json "$@" >"$CACHE/$name.json"
}
LOAD_BEFORE=$(load_avg)
run_bench t1 --threads 1 --repeats "$REPEATS" --roofline
run_bench t2 --threads 2 --repeats "$REPEATS" --roofline
run_bench ctx1024 --threads 1 --repeats 1 --prompt-tokens 896 --gen-tokens 128
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
KERNELS=$(field "$CACHE/t1.json" kernels | tr -d '"')
BLAS=$(ldconfig -p 2>/dev/null | sed -n 's/.*libopenblas.so.0 .*=> //p' | head -1)

row() {  # row FILE THREADS
  local f=$1 t=$2
  local pre dec
  pre=$(field "$f" prefill_tok_s); dec=$(field "$f" decode_tok_s)
  local pre_target=500 dec_target=45
  if [ "$t" = 2 ]; then pre_target=800; dec_target=75; fi
  echo "| $t | $(fmt "$pre" 1) ($(fmt "$(field "$f" prefill_tok_s_min)" 0)–$(fmt "$(field "$f" prefill_tok_s_max)" 0)) | ≥ $pre_target | $(verdict "$pre" ">=" $pre_target) | $(fmt "$dec" 1) ($(fmt "$(field "$f" decode_tok_s_min)" 1)–$(fmt "$(field "$f" decode_tok_s_max)" 1)) | ≥ $dec_target | $(verdict "$dec" ">=" $dec_target) | $(fmt "$(field "$f" prefill_cpu_tok_s)" 0) / $(fmt "$(field "$f" decode_cpu_tok_s)" 1) |"
}
roof() {  # roof FILE THREADS -> one row of the roofline table
  local f=$1
  local pre dec pb db
  pre=$(field "$f" prefill_tok_s); dec=$(field "$f" decode_tok_s)
  pb=$(field "$f" prefill_bound_tok_s); db=$(field "$f" decode_bound_tok_s)
  echo "| $2 | $(fmt "$(field "$f" gemm_gflop_s)" 1) | $(fmt "$(field "$f" prefill_gflop_s)" 1) | $(fmt "$pb" 0) | $(awk -v a="$pre" -v b="$pb" 'BEGIN { printf "%.0f%%", 100 * a / b }') | $(fmt "$(field "$f" read_gb_s)" 1) | $(fmt "$(field "$f" decode_gb_s)" 1) | $(fmt "$db" 1) | $(awk -v a="$dec" -v b="$db" 'BEGIN { printf "%.0f%%", 100 * a / b }') |"
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

C=$CACHE/ctx1024.json
PEAK=$(field "$C" peak_rss_mb); EXPECT=$(field "$C" expected_mb)
RATIO=$(awk -v p="$PEAK" -v e="$EXPECT" 'BEGIN { printf "%.3f", p / e }')
LOAD=$(field "$CACHE/t1.json" load_s)
{
  echo "# gptwalk benchmark"
  echo
  echo "- CPU: $CPU ($NCPU logical CPUs); OpenBLAS: ${BLAS:-?}; OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset}"
  echo "- model: GPT-2 124M shape (L 12, C 768, NH 12, V 50257, P 1024), random F32 weights, mapped"
  echo "- run: 128-token prompt (seeded random ids), then 128 greedy tokens; kernels $KERNELS; medians of $REPEATS runs (min–max)"
  echo "- load average before / after: $LOAD_BEFORE / $LOAD_AFTER (on $NCPU CPUs: above ~0.5 the numbers are low and noisy)"
  echo
  echo "| threads | prefill tok/s | target | met | decode tok/s | target | met | per CPU-second: prefill / decode |"
  echo "|---|---|---|---|---|---|---|---|"
  row "$CACHE/t1.json" 1
  row "$CACHE/t2.json" 2
  echo
  echo "Against this machine's ceilings, measured by the same runs right after timing (best of 5; lesson 15):"
  echo
  echo "| threads | sgemm GFLOP/s | prefill GFLOP/s | prefill bound tok/s | prefill at | read GB/s | decode GB/s | decode bound tok/s | decode at |"
  echo "|---|---|---|---|---|---|---|---|---|"
  roof "$CACHE/t1.json" 1
  roof "$CACHE/t2.json" 2
  echo
  echo "| measure | value | target | met |"
  echo "|---|---|---|---|"
  echo "| load time (warm page cache) | $(fmt "$LOAD" 4) s (min $(fmt "$(field "$CACHE/t1.json" load_s_min)" 4), max $(fmt "$(field "$CACHE/t1.json" load_s_max)" 4)) | ≤ 0.2 s | $(verdict "$LOAD" "<=" 0.2) |"
  echo "| first prefill after load (first touch of the mapped weights + compute) | $(fmt "$(field "$CACHE/t1.json" first_prefill_s)" 3) s | — | — |"
  echo "| weights mapped, not copied (F32) | $(field "$CACHE/t1.json" weights_mapped) | true | $( [ "$(field "$CACHE/t1.json" weights_mapped)" = true ] && echo yes || echo no) |"
  echo "| peak RSS at the 1024-token context | $(fmt "$PEAK" 1) MiB | ≤ 1.10 × expected | $(verdict "$RATIO" "<=" 1.10) |"
  echo "| expected = weights + KV cache + activations | $(fmt "$EXPECT" 1) MiB = $(fmt "$(field "$C" weights_mb)" 1) + $(fmt "$(field "$C" kv_cache_mb)" 1) + $(fmt "$(field "$C" activations_mb)" 1) | | ratio $RATIO |"
  echo
  echo "Where the time goes (1 thread):"
  echo
  echo "- prefill: $(shares "$CACHE/t1.json" prefill)"
  echo "- decode: $(shares "$CACHE/t1.json" decode)"
  echo
  echo "Where the time goes (2 threads):"
  echo
  echo "- prefill: $(shares "$CACHE/t2.json" prefill)"
  echo "- decode: $(shares "$CACHE/t2.json" decode)"
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
  echo "Vector kernels against their scalar twins (\`gptwalk kernels\`; target ≥ 4× for the chosen set):"
  echo
  echo '```'
  cat "$CACHE/kernels.txt"
  echo '```'
  echo
  echo "Rerun: \`make bench\` (REPEATS=N to change the repeats). Method and history: docs/performance.md."
} >"$OUT"
cat "$OUT"
echo "bench: wrote $OUT"
