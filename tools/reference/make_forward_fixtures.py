#!/usr/bin/python3
"""make_forward_fixtures.py -- golden fixtures for gptwalk's forward-pass tests.

  make_forward_fixtures.py forward [--out tests/fixtures/forward]
      Small random GPT-2 checkpoints in the exact Hugging Face layout (f32,
      f16_prefix, bf16_oddheads), each with expected logits, trace points and
      greedy continuations from gpt2_ref.py (float64).
  make_forward_fixtures.py weights [--out tests/fixtures/forward]
      For each checkpoint made by `forward` (read back, no random numbers): the logits
      for its ids.txt with the big matrices held as f32, bf16, f16 and q8 (gpt2_ref's
      with_weights), as logits_<type>.npy.
  make_forward_fixtures.py tiny [--model weights/tiny-gpt2] [--out tests/fixtures/tiny-gpt2]
      Greedy continuations of the shipped model for three fixed prompts, tokenized
      by tools/reference/tokenizer_ref.py.

Deterministic: the random checkpoints come from numpy.random.default_rng(SEED).
Run from the repository root with Debian's /usr/bin/python3 (numpy only).
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt2_ref  # noqa: E402

SEED = 20240607
GREEDY_N = 12
MIN_GAP = 1e-2      # required top-1 minus top-2 logit gap at every greedy step (stricter than 1e-3)
MIN_DISTINCT = 5    # required distinct tokens among the greedy ids (no one-token loops)
TRACE_T = 7

# name: shapes, storage dtype, and the quirks of older Hugging Face files it carries.
FIXTURES = {
    "f32": dict(n_embd=64, n_head=4, n_layer=2, n_positions=32, vocab_size=101,
                dtype="F32", prefix="", lm_head=False, buffers=False),
    "f16_prefix": dict(n_embd=64, n_head=8, n_layer=2, n_positions=20, vocab_size=97,
                       dtype="F16", prefix="transformer.", lm_head=True, buffers=True),
    "bf16_oddheads": dict(n_embd=60, n_head=5, n_layer=3, n_positions=24, vocab_size=89,
                          dtype="BF16", prefix="", lm_head=False, buffers=False),
}


def random_weights(rng, C, L, P, V):
    """HF GPT-2 tensors as float64, keyed without prefix. Standard deviations are
    larger than GPT-2's N(0, 0.02) init so that activations are O(1), attention
    patterns are far from uniform, and logits spread by a few units. Position
    vectors and the blocks' output projections are larger still: with a tied head
    and small blocks, each token would mostly predict itself and greedy decoding
    would repeat one token, which tests little."""
    n = lambda std, *shape: rng.normal(0.0, std, size=shape)
    w = {"wte.weight": n(0.2, V, C), "wpe.weight": n(0.3, P, C)}
    for l in range(L):
        h = f"h.{l}."
        w[h + "ln_1.weight"] = 1.0 + n(0.1, C)
        w[h + "ln_1.bias"] = n(0.05, C)
        w[h + "attn.c_attn.weight"] = n(0.15, C, 3 * C)   # [in, out]: q | k | v
        w[h + "attn.c_attn.bias"] = n(0.1, 3 * C)
        w[h + "attn.c_proj.weight"] = n(0.2, C, C)
        w[h + "attn.c_proj.bias"] = n(0.05, C)
        w[h + "ln_2.weight"] = 1.0 + n(0.1, C)
        w[h + "ln_2.bias"] = n(0.05, C)
        w[h + "mlp.c_fc.weight"] = n(0.15, C, 4 * C)
        w[h + "mlp.c_fc.bias"] = n(0.1, 4 * C)
        w[h + "mlp.c_proj.weight"] = n(0.1, 4 * C, C)
        w[h + "mlp.c_proj.bias"] = n(0.05, C)
    w["ln_f.weight"] = 1.0 + n(0.1, C)
    w["ln_f.bias"] = n(0.05, C)
    return w


def write_checkpoint(folder, spec, weights):
    C, NH, L, P, V = (spec[k] for k in ("n_embd", "n_head", "n_layer", "n_positions", "vocab_size"))
    config = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"],
              "n_embd": C, "n_head": NH, "n_layer": L, "n_positions": P, "n_ctx": P,
              "vocab_size": V, "layer_norm_epsilon": 1e-05, "activation_function": "gelu_new",
              "bos_token_id": V - 1, "eos_token_id": V - 1}
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
        f.write("\n")
    tensors = {spec["prefix"] + k: v for k, v in weights.items()}
    if spec["buffers"]:
        # What older Hugging Face GPT-2 files carry: the causal mask and the old
        # masking constant, stored like the weights. Loaders must skip them.
        for l in range(L):
            tensors[f"{spec['prefix']}h.{l}.attn.bias"] = np.tril(np.ones((P, P))).reshape(1, 1, P, P)
            tensors[f"{spec['prefix']}h.{l}.attn.masked_bias"] = np.array(-1e4)
    if spec["lm_head"]:
        tensors["lm_head.weight"] = weights["wte.weight"]  # tied: identical values
    # Data in name order, as the safetensors library writes tensors of one dtype.
    items = [(name, spec["dtype"], tensors[name]) for name in sorted(tensors)]
    gpt2_ref.write_safetensors(os.path.join(folder, "model.safetensors"), items,
                               metadata={"format": "pt"})


def write_ids(path, ids):
    with open(path, "w") as f:
        f.write(" ".join(str(i) for i in ids) + "\n")


def float32_error(params, ids, logits64):
    """Max |logits| error of the same forward pass run in float32: a guide for tolerances."""
    p32 = {k: (v.astype(np.float32) if isinstance(v, np.ndarray) else v) for k, v in params.items()}
    p32["h"] = [{k: v.astype(np.float32) for k, v in b.items()} for b in params["h"]]
    logits32 = gpt2_ref.forward(p32, ids)[0]
    assert logits32.dtype == np.float32
    return float(np.max(np.abs(logits32.astype(np.float64) - logits64)))


def make_forward(out):
    rng = np.random.default_rng(SEED)
    summary = {}
    for name, spec in FIXTURES.items():
        folder = os.path.join(out, name)
        os.makedirs(os.path.join(folder, "trace"), exist_ok=True)
        C, L, P, V = (spec[k] for k in ("n_embd", "n_layer", "n_positions", "vocab_size"))
        write_checkpoint(folder, spec, random_weights(rng, C, L, P, V))
        params = gpt2_ref.load(folder)  # the stored (rounded) values, widened exactly

        # 1. Full context: T = n_positions.
        ids = [int(i) for i in rng.integers(0, V, size=P)]
        logits, _ = gpt2_ref.forward(params, ids)
        write_ids(os.path.join(folder, "ids.txt"), ids)
        np.save(os.path.join(folder, "logits.npy"), logits.astype(np.float32))

        # 2. Every trace point for a short prompt.
        trace_ids = [int(i) for i in rng.integers(0, V, size=TRACE_T)]
        _, trace = gpt2_ref.forward(params, trace_ids)
        gpt2_ref.save_trace(trace, os.path.join(folder, "trace"))
        write_ids(os.path.join(folder, "trace", "ids.txt"), trace_ids)

        # 3. Greedy: retry prompts until no step is a near tie.
        for attempt in range(100):
            prompt = [int(i) for i in rng.integers(0, V, size=5)]
            new, gaps = gpt2_ref.greedy(params, prompt, GREEDY_N)
            if min(gaps) > MIN_GAP and len(set(new)) >= MIN_DISTINCT:
                break
        else:
            raise RuntimeError(f"{name}: no prompt with gaps > {MIN_GAP} and {MIN_DISTINCT} distinct ids")
        with open(os.path.join(folder, "greedy.json"), "w") as f:
            json.dump({"prompt": prompt, "n": GREEDY_N, "ids": new,
                       "min_gap": round(min(gaps), 6)}, f)
            f.write("\n")
        pattern = trace["h.0.attn_pattern"]
        summary[name] = {
            "prompt_attempts": attempt + 1, "greedy_min_gap": min(gaps),
            "logits_absmax": float(np.abs(logits).max()),
            "f32_numpy_logits_err": float32_error(params, ids, logits),
            "attn_row_max_last": float(pattern[:, -1, :].max()),
            "mlp_pre_std": float(trace["h.0.mlp_pre"].std()),
        }
    for name, s in summary.items():
        print(name, {k: (round(v, 7) if isinstance(v, float) else v) for k, v in s.items()})


WEIGHT_TYPES = ("f32", "bf16", "f16", "q8")


def make_weights(out):
    for name in FIXTURES:
        folder = os.path.join(out, name)
        params = gpt2_ref.load(folder)
        with open(os.path.join(folder, "ids.txt")) as f:
            ids = [int(i) for i in f.read().split()]
        as_stored = gpt2_ref.forward(params, ids)[0]
        for wtype in WEIGHT_TYPES:
            logits = gpt2_ref.forward(gpt2_ref.with_weights(params, wtype), ids)[0]
            np.save(os.path.join(folder, f"logits_{wtype}.npy"), logits.astype(np.float32))
            print(name, wtype, f"max |logit - as stored| {np.abs(logits - as_stored).max():.3g}")


TINY_PROMPTS = ["It is a truth universally acknowledged", "In the beginning", "ROMEO:"]
TINY_N = 20


def make_tiny(model, out):
    import tokenizer_ref  # tools/reference/tokenizer_ref.py, the independent BPE reference
    tok = tokenizer_ref.Reference(model)
    # Decoding is a table lookup (id -> printable characters -> bytes), not BPE.
    to_byte = {ch: b for b, ch in tokenizer_ref.byte_alphabet().items()}
    to_text = {i: s for s, i in tok.ids.items()}
    decode = lambda ids: bytes(to_byte[ch] for i in ids for ch in to_text[i]).decode("utf-8", "replace")
    params = gpt2_ref.load(model)
    cases, overall = [], float("inf")
    for text in TINY_PROMPTS:
        prompt = tok.encode(text.encode("utf-8"))
        new, gaps = gpt2_ref.greedy(params, prompt, TINY_N)
        cases.append({"text": text, "prompt": prompt, "ids": new,
                      "continuation": decode(new), "min_gap": round(min(gaps), 6)})
        overall = min(overall, min(gaps))
        print(repr(text), prompt, new, f"min gap {min(gaps):.4f}")
        print("   ", repr(cases[-1]["continuation"]))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "greedy.json"), "w") as f:
        # One case per line: small enough to read, diff and hand-check.
        rows = ",\n  ".join(json.dumps(c) for c in cases)
        f.write(f'{{"n": {TINY_N}, "min_gap": {round(overall, 6)}, "cases": [\n  {rows}\n]}}\n')


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("forward")
    f.add_argument("--out", default="tests/fixtures/forward")
    w = sub.add_parser("weights")
    w.add_argument("--out", default="tests/fixtures/forward")
    t = sub.add_parser("tiny")
    t.add_argument("--model", default="weights/tiny-gpt2")
    t.add_argument("--out", default="tests/fixtures/tiny-gpt2")
    args = ap.parse_args(argv)
    if args.cmd == "forward":
        make_forward(args.out)
    elif args.cmd == "weights":
        make_weights(args.out)
    else:
        make_tiny(args.model, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
