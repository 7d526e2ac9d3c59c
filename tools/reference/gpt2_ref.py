#!/usr/bin/python3
"""gpt2_ref.py -- an independent float64 reference forward pass for GPT-2 checkpoints.

Used only to produce golden fixtures for gptwalk's C++ tests; it shares no code with
the C++ runtime. Needs nothing but numpy (run with Debian's /usr/bin/python3).

A checkpoint is a folder with config.json and model.safetensors in the Hugging Face
GPT-2 layout. Every tensor is widened to float64 (F16 and BF16 convert exactly), and
all arithmetic is float64, so the only differences from a float32 runtime are its own
rounding errors.

Shapes: T tokens, C n_embd, NH heads, HS = C / NH, V vocab, P n_positions.

CLI:
  gpt2_ref.py logits DIR --ids 1,2,3 --out logits.npy   # (T, V) float32
  gpt2_ref.py greedy DIR --ids 1,2,3 -n 12               # prints the new ids
  gpt2_ref.py trace  DIR --ids 1,2,3 --out FOLDER        # every trace point as <name>.npy
  --weights f32|bf16|f16|q8 (any command): the big matrices rounded or quantized as gptwalk's
  --weights does (with_weights), the arithmetic still float64.
"""
import argparse
import json
import math
import os
import struct
import sys

import numpy as np

# ---------------------------------------------------------------- safetensors
# File: [u64 little-endian N][N bytes of JSON header][data]. Each header entry:
# {"dtype": ..., "shape": [...], "data_offsets": [begin, end]} relative to the data.

_NUMPY_DTYPE = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2"), "BF16": np.dtype("<u2")}


def bf16_bits_to_f32(bits):
    """bfloat16 is the top half of a float32: shift the 16 bits up (exact)."""
    return (bits.astype(np.uint32) << 16).view(np.float32)


def f32_to_bf16_bits(x):
    """Round-to-nearest-even float32 -> bfloat16 bits (no NaNs expected here)."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounding = ((bits >> 16) & 1) + 0x7FFF
    return ((bits + rounding) >> 16).astype(np.uint16)


def read_safetensors(path):
    """Returns ({name: float64 array}, {name: dtype string}, [names in header order])."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    header.pop("__metadata__", None)
    tensors, dtypes = {}, {}
    for name, info in header.items():
        dt = info["dtype"]
        if dt not in _NUMPY_DTYPE:
            raise ValueError(f"{path}: tensor {name}: unsupported dtype {dt}")
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        count = int(np.prod(shape, dtype=np.int64))
        if end - begin != count * _NUMPY_DTYPE[dt].itemsize or end > len(data):
            raise ValueError(f"{path}: tensor {name}: bad data_offsets")
        raw = np.frombuffer(data[begin:end], dtype=_NUMPY_DTYPE[dt])
        if dt == "BF16":
            raw = bf16_bits_to_f32(raw)
        tensors[name] = raw.astype(np.float64).reshape(shape)
        dtypes[name] = dt
    return tensors, dtypes, list(header.keys())


def write_safetensors(path, items, metadata=None):
    """items: list of (name, dtype string, float array) written in that order.
    Values are converted to the dtype (F16 and BF16 round to nearest even)."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = dict(metadata)
    for name, dt, values in items:
        values = np.asarray(values)
        if dt == "F32":
            raw = values.astype("<f4").tobytes()
        elif dt == "F16":
            raw = values.astype(np.float32).astype("<f2").tobytes()
        elif dt == "BF16":
            raw = f32_to_bf16_bits(values).astype("<u2").tobytes()
        else:
            raise ValueError(f"unsupported dtype {dt}")
        header[name] = {"dtype": dt, "shape": list(values.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)  # pad so the data section starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for c in chunks:
            f.write(c)


# ---------------------------------------------------------------- loading

def load(folder):
    """Reads config.json + model.safetensors. Returns a dict:
    {"config": dict, "wte": (V,C), "wpe": (P,C), "ln_f.weight"/"ln_f.bias": (C),
     "h": [ {HF key without 'h.{l}.': array}, ... ]}, all float64."""
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    config.setdefault("n_positions", config.get("n_ctx"))
    config.setdefault("layer_norm_epsilon", 1e-5)
    act = config.setdefault("activation_function", "gelu_new")
    if act != "gelu_new":
        raise ValueError(f"unsupported activation_function {act}")
    raw, _, _ = read_safetensors(os.path.join(folder, "model.safetensors"))
    t = {}
    for name, value in raw.items():
        key = name[len("transformer."):] if name.startswith("transformer.") else name
        if key.endswith(".attn.bias") or key.endswith(".attn.masked_bias"):
            continue  # causal-mask buffers, not weights
        t[key] = value
    C, V = config["n_embd"], config["vocab_size"]
    P, L = config["n_positions"], config["n_layer"]
    params = {"config": config, "wte": t.pop("wte.weight"), "wpe": t.pop("wpe.weight"),
              "ln_f.weight": t.pop("ln_f.weight"), "ln_f.bias": t.pop("ln_f.bias")}
    assert params["wte"].shape == (V, C) and params["wpe"].shape == (P, C)
    head = t.pop("lm_head.weight", None)
    if head is not None and not np.array_equal(head, params["wte"]):
        raise ValueError("lm_head.weight differs from wte.weight (untied head unsupported)")
    params["h"] = []
    for l in range(L):
        prefix = f"h.{l}."
        block = {k[len(prefix):]: t.pop(k) for k in list(t) if k.startswith(prefix)}
        params["h"].append(block)
    if t:
        raise ValueError(f"unexpected tensors: {sorted(t)}")
    return params


# ---------------------------------------------------------------- weight types
# The big matrices (wte and each layer's four Conv1D weights) as gptwalk holds them with
# --weights f32|bf16|f16|q8 (include/core/weight_formats.h describes the formats; this is a
# second, numpy implementation of the same description). Everything else stays as stored.

MATRICES = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")
Q8_BLOCK = 32


def q8_rows(x):
    """(R, K) float32 -> the Q8 values d * q as float32, blocks of 32 along each row (the
    last block of a row may be short): d = F16(amax / 127) rounded from float32, then
    q = round-half-even(x / d) clamped to [-127, 127]; d == 0 gives q = 0."""
    x = np.asarray(x, dtype=np.float32)
    out = np.empty_like(x)
    for b in range(0, x.shape[1], Q8_BLOCK):
        blk = x[:, b:b + Q8_BLOCK]
        amax = np.max(np.abs(blk), axis=1)
        d = (amax / np.float32(127)).astype(np.float32).astype(np.float16).astype(np.float32)
        safe = np.where(d > 0, d, np.float32(1))
        q = np.where(d[:, None] > 0, np.rint(blk / safe[:, None]), np.float32(0))
        q = np.clip(q, -127, 127).astype(np.float32)
        out[:, b:b + Q8_BLOCK] = q * d[:, None]  # exact: 7-bit q times 11-bit d
    return out


def as_type(x, wtype, blocks_along_rows):
    """A matrix (as stored, float64) in gptwalk's weight type, back as float64.
    blocks_along_rows: Q8 blocks run along each row (wte (V, C)) or down each column
    (a Conv1D weight (IC, OC): blocks of 32 inputs for each output)."""
    x32 = np.asarray(x, dtype=np.float32)  # exact: the stored values are F32, F16 or BF16
    if wtype == "f32":
        y = x32
    elif wtype == "bf16":
        y = bf16_bits_to_f32(f32_to_bf16_bits(x32))
    elif wtype == "f16":
        y = x32.astype(np.float16).astype(np.float32)  # numpy rounds to nearest even
        if np.isinf(y).any() and not np.isinf(x32).any():
            raise ValueError("a value does not fit F16")
    elif wtype == "q8":
        y = q8_rows(x32) if blocks_along_rows else q8_rows(x32.T).T
    else:
        raise ValueError(f"unknown weight type {wtype}")
    return y.astype(np.float64)


def with_weights(params, wtype):
    """A copy of params whose big matrices are held as wtype."""
    out = dict(params)
    out["wte"] = as_type(params["wte"], wtype, blocks_along_rows=True)
    out["h"] = [{k: (as_type(v, wtype, blocks_along_rows=False) if k in MATRICES else v) for k, v in b.items()}
                for b in params["h"]]
    return out


# ---------------------------------------------------------------- the model

def layer_norm(x, w, b, eps):
    """(T,C) -> (T,C): (x - mean) / sqrt(biased variance + eps) * w + b."""
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def gelu_new(x):
    """The tanh approximation GPT-2 uses: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def softmax_rows(s):
    """Row-wise softmax; entries of -inf become exactly 0."""
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def block_forward(x, p, cfg, l, trace):
    """One transformer block on the residual stream x (T,C); records trace points."""
    T, C = x.shape
    NH = cfg["n_head"]
    HS = C // NH
    eps = cfg["layer_norm_epsilon"]
    trace[f"h.{l}.resid_pre"] = x
    a = layer_norm(x, p["ln_1.weight"], p["ln_1.bias"], eps)             # (T,C)
    trace[f"h.{l}.ln_1"] = a
    qkv = a @ p["attn.c_attn.weight"] + p["attn.c_attn.bias"]            # (T,3C), Conv1D [in,out]
    q, k, v = qkv[:, :C], qkv[:, C:2 * C], qkv[:, 2 * C:]                 # (T,C) each
    trace[f"h.{l}.q"], trace[f"h.{l}.k"], trace[f"h.{l}.v"] = q, k, v
    split = lambda m: m.reshape(T, NH, HS).transpose(1, 0, 2)             # (NH,T,HS)
    qh, kh, vh = split(q), split(k), split(v)
    scores = qh @ kh.transpose(0, 2, 1) / math.sqrt(HS)                  # (NH,T,T)
    future = np.triu(np.ones((T, T), dtype=bool), k=1)                   # j > i
    scores = np.where(future, -np.inf, scores)
    pattern = softmax_rows(scores)                                       # (NH,T,T)
    trace[f"h.{l}.attn_pattern"] = pattern
    heads = (pattern @ vh).transpose(1, 0, 2).reshape(T, C)              # (T,C), heads side by side
    trace[f"h.{l}.attn_heads"] = heads
    attn_out = heads @ p["attn.c_proj.weight"] + p["attn.c_proj.bias"]   # (T,C)
    trace[f"h.{l}.attn_out"] = attn_out
    x = x + attn_out
    trace[f"h.{l}.resid_mid"] = x
    m = layer_norm(x, p["ln_2.weight"], p["ln_2.bias"], eps)
    trace[f"h.{l}.ln_2"] = m
    pre = m @ p["mlp.c_fc.weight"] + p["mlp.c_fc.bias"]                  # (T,4C)
    trace[f"h.{l}.mlp_pre"] = pre
    act = gelu_new(pre)
    trace[f"h.{l}.mlp_act"] = act
    mlp_out = act @ p["mlp.c_proj.weight"] + p["mlp.c_proj.bias"]        # (T,C)
    trace[f"h.{l}.mlp_out"] = mlp_out
    x = x + mlp_out
    trace[f"h.{l}.resid_post"] = x
    return x


def forward(params, ids):
    """ids: sequence of T token ids (T <= P). Returns (logits (T,V) float64, trace dict)."""
    cfg = params["config"]
    ids = np.asarray(ids, dtype=np.int64)
    T = len(ids)
    if T < 1 or T > cfg["n_positions"]:
        raise ValueError(f"need 1..{cfg['n_positions']} tokens, got {T}")
    if ids.min() < 0 or ids.max() >= cfg["vocab_size"]:
        raise ValueError("token id out of range")
    trace = {}
    x = params["wte"][ids] + params["wpe"][np.arange(T)]                 # (T,C)
    trace["embed"] = x
    for l, p in enumerate(params["h"]):
        x = block_forward(x, p, cfg, l, trace)
    h = layer_norm(x, params["ln_f.weight"], params["ln_f.bias"], cfg["layer_norm_epsilon"])
    trace["ln_f"] = h                                                    # the context vectors
    logits = h @ params["wte"].T                                         # (T,V), tied head
    trace["logits"] = logits
    return logits, trace


def greedy(params, ids, n):
    """n new tokens, each the argmax of the last position's logits (full recompute).
    Returns (new ids, list of top-1 minus top-2 logit gaps at each step)."""
    seq, new, gaps = list(ids), [], []
    for _ in range(n):
        last = forward(params, seq)[0][-1]
        top2 = np.sort(last)[-2:]
        nxt = int(np.argmax(last))
        gaps.append(float(top2[1] - top2[0]))
        seq.append(nxt)
        new.append(nxt)
    return new, gaps


def save_trace(trace, folder):
    """Every trace point as float32 <name>.npy."""
    os.makedirs(folder, exist_ok=True)
    for name, value in trace.items():
        np.save(os.path.join(folder, name + ".npy"), value.astype(np.float32))


# ---------------------------------------------------------------- CLI

def _parse_ids(text):
    return [int(s) for s in text.split(",") if s.strip()]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for cmd in ("logits", "greedy", "trace"):
        s = sub.add_parser(cmd)
        s.add_argument("dir")
        s.add_argument("--ids", required=True, help="comma-separated token ids")
        s.add_argument("--weights", choices=("f32", "bf16", "f16", "q8"))
        if cmd == "greedy":
            s.add_argument("-n", type=int, default=12)
        else:
            s.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    params = load(args.dir)
    if args.weights:
        params = with_weights(params, args.weights)
    ids = _parse_ids(args.ids)
    if args.cmd == "logits":
        np.save(args.out, forward(params, ids)[0].astype(np.float32))
    elif args.cmd == "trace":
        save_trace(forward(params, ids)[1], args.out)
    else:
        new, gaps = greedy(params, ids, args.n)
        print(",".join(str(i) for i in new))
        print(f"min top-2 gap {min(gaps):.6g}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
