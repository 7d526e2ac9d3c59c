#!/usr/bin/python3
"""train_tiny.py -- the recipe of the shipped tiny-gpt2 model, end to end, in plain PyTorch.

Encodes the corpus with GPT-2's BPE, splits it as weights/tiny-gpt2/README.md says, trains a
GPT-2-architecture model, keeps the checkpoint with the best validation loss and exports it in
the Hugging Face GPT-2 layout (config.json, F16 model.safetensors, encoder.json, vocab.bpe) that
`gptwalk --model DIR` reads. Defaults are the recipe of the shipped model; every knob is a flag.
Only PyTorch (Debian's python3-torch 1.13 or any 2.x), numpy and regex are needed.
Usage notes: tools/train_tiny.md.

Shapes: B batch, T tokens, C n_embd, NH heads, HS = C / NH, V vocab, P n_positions, L layers.

  train_tiny.py --out build/train/out                                   # the full recipe (GPU)
  train_tiny.py --out DIR --device cpu --threads 1 --batch 8 --context 128 --n-positions 256 \
                --steps 300 --eval-every 100 --eval-batches 4           # a short CPU check
  train_tiny.py --out DIR --init-from weights/tiny-gpt2 --eval-only     # validate a checkpoint
  train_tiny.py --out DIR --init-from weights/tiny-gpt2 --lr 3e-4 ...   # fine-tune from it
"""
import argparse
import contextlib
import inspect
import json
import math
import os
import shutil
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "reference"))
import tokenizer_ref  # noqa: E402  (GPT-2's byte-level BPE, the project's Python reference)

EOT = 50256  # <|endoftext|>, encoder.json; each corpus file starts with it
# README "Data": files in this order; validation = the last N tokens of each.
CORPUS = [("austen.txt", 25000), ("kjv.txt", 25000), ("tinyshakespeare.txt", 10000)]


# ------------------------------------------------------------------------------ data
def safe_chunks(data, size):
    """Cuts bytes only after a '\\n' that has a printable ASCII character on both sides. GPT-2's
    pre-tokenizer makes such a lone '\\n' a pre-token of its own either way, so encoding the
    chunks one by one gives exactly the ids of the whole text, and lets us print progress."""
    printable = lambda b: 0x21 <= b <= 0x7E
    start = 0
    while start < len(data):
        cut = min(start + size, len(data))
        while cut < len(data) and not (data[cut - 1] == 0x0A and printable(data[cut])
                                       and cut >= 2 and printable(data[cut - 2])):
            cut += 1
        yield data[start:cut]
        start = cut


def encode_corpus(corpus_dir, tokenizer_dir, cache_dir):
    """-> (tokens int64 [N], [(name, n_tokens incl. the EOT prefix)]), cached as tokens.npy
    plus tokens.json (the per-file counts; a cache whose file sizes differ is rebuilt)."""
    npy, meta = os.path.join(cache_dir, "tokens.npy"), os.path.join(cache_dir, "tokens.json")
    sizes = {name: os.path.getsize(os.path.join(corpus_dir, name)) for name, _ in CORPUS}
    if os.path.exists(npy) and os.path.exists(meta):
        with open(meta) as f:
            info = json.load(f)
        if info.get("bytes") == sizes:
            print(f"tokens: cached {npy}", flush=True)
            return np.load(npy).astype(np.int64), [tuple(c) for c in info["counts"]]
    bpe = tokenizer_ref.Reference(tokenizer_dir)  # reads encoder.json and vocab.bpe
    parts, counts, t0 = [], [], time.time()
    for name, _ in CORPUS:
        with open(os.path.join(corpus_dir, name), "rb") as f:
            data = f.read()
        ids, done = [EOT], 0
        for chunk in safe_chunks(data, 1 << 20):
            ids += bpe.encode(chunk)
            done += len(chunk)
            print(f"  encoding {name}: {100 * done / len(data):5.1f}%  {len(ids):,} tokens  "
                  f"{time.time() - t0:.0f}s", flush=True)
        parts.append(np.array(ids, dtype=np.uint16))  # V = 50,257 < 2^16
        counts.append((name, len(ids)))
    tokens = np.concatenate(parts)
    os.makedirs(cache_dir, exist_ok=True)
    np.save(npy, tokens)
    with open(meta, "w") as f:
        json.dump({"bytes": sizes, "counts": counts}, f, indent=1)
    return tokens.astype(np.int64), counts


def split_tokens(tokens, counts):
    """README: validation = the last 25,000 of Austen + last 25,000 of KJV + last 10,000 of
    Shakespeare; training = the rest. Each split is the concatenation of its three pieces."""
    train, val, at = [], [], 0
    for (name, n), (_, n_val) in zip(counts, CORPUS):
        train.append(tokens[at:at + n - n_val])
        val.append(tokens[at + n - n_val:at + n])
        at += n
    return torch.from_numpy(np.concatenate(train)), torch.from_numpy(np.concatenate(val))


def random_windows(data, batch, context, gen):
    """Random windows of context+1 tokens -> x (B, T) inputs and y (B, T) next-token targets."""
    starts = torch.randint(0, len(data) - context, (batch,), generator=gen)
    chunk = data[starts[:, None] + torch.arange(context + 1)]  # (B, T+1)
    return chunk[:, :-1], chunk[:, 1:]


# ------------------------------------------------------------------------------ model
class Conv1D(nn.Module):
    """y = x @ weight + bias with weight stored [in, out], as Hugging Face GPT-2 stores it.
    Keeping the checkpoint's orientation (not nn.Linear's [out, in]) means export and
    --init-from copy tensors as they are, with no transposes to get wrong."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out))  # (in, out)
        self.bias = nn.Parameter(torch.zeros(n_out))          # (out)

    def forward(self, x):
        return x @ self.weight + self.bias


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        C, self.n_head, self.p = cfg["n_embd"], cfg["n_head"], cfg["attn_pdrop"]
        self.c_attn = Conv1D(C, 3 * C)
        self.c_proj = Conv1D(C, C)

    def forward(self, x):                                      # x (B, T, C)
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)               # 3 x (B, T, C)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
                   for t in (q, k, v))                         # 3 x (B, NH, T, HS)
        p = self.p if self.training else 0.0
        if hasattr(F, "scaled_dot_product_attention"):          # PyTorch 2: fused, same math
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        else:  # softmax(q k^T / sqrt(HS) + causal mask) v, with dropout on the probabilities
            att = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))       # (B, NH, T, T)
            mask = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
            att = F.dropout(att.masked_fill(~mask, float("-inf")).softmax(-1), p, self.training)
            y = att @ v                                                    # (B, NH, T, HS)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))             # (B, T, C)


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc = Conv1D(cfg["n_embd"], 4 * cfg["n_embd"])
        self.c_proj = Conv1D(4 * cfg["n_embd"], cfg["n_embd"])

    def forward(self, x):  # (B, T, C) -> (B, T, 4C) -> (B, T, C); gelu_new is the tanh form
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        eps, self.p = cfg["layer_norm_epsilon"], cfg["resid_pdrop"]
        self.ln_1, self.attn = nn.LayerNorm(cfg["n_embd"], eps=eps), Attention(cfg)
        self.ln_2, self.mlp = nn.LayerNorm(cfg["n_embd"], eps=eps), MLP(cfg)

    def forward(self, x):  # pre-norm residual block; dropout on both residual branches
        x = x + F.dropout(self.attn(self.ln_1(x)), self.p, self.training)
        return x + F.dropout(self.mlp(self.ln_2(x)), self.p, self.training)


class GPT(nn.Module):
    """Attribute names are the checkpoint keys: state_dict() is the HF tensor list."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg["vocab_size"], cfg["n_embd"])   # (V, C), also the head
        self.wpe = nn.Embedding(cfg["n_positions"], cfg["n_embd"])  # (P, C)
        self.h = nn.ModuleList(Block(cfg) for _ in range(cfg["n_layer"]))
        self.ln_f = nn.LayerNorm(cfg["n_embd"], eps=cfg["layer_norm_epsilon"])

    def forward(self, idx):                                     # idx (B, T) -> logits (B, T, V)
        pos = torch.arange(idx.size(1), device=idx.device)
        x = F.dropout(self.wte(idx) + self.wpe(pos), self.cfg["embd_pdrop"], self.training)
        for block in self.h:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.t()               # tied head: x . wte^T


def init_weights(model):
    """README 'Recipe': N(0, 0.02) for wte, c_attn, c_fc; N(0, 0.01) for wpe;
    N(0, 0.02 / sqrt(2 L)) for the two output projections of each block (they add into the
    residual stream 2 L times); biases 0; layer norms weight 1, bias 0 (nn.LayerNorm's default)."""
    std_out = 0.02 / math.sqrt(2 * model.cfg["n_layer"])
    nn.init.normal_(model.wte.weight, 0.0, 0.02)
    nn.init.normal_(model.wpe.weight, 0.0, 0.01)
    for block in model.h:
        for proj, std in ((block.attn.c_attn, 0.02), (block.mlp.c_fc, 0.02),
                          (block.attn.c_proj, std_out), (block.mlp.c_proj, std_out)):
            nn.init.normal_(proj.weight, 0.0, std)
            nn.init.zeros_(proj.bias)


# ------------------------------------------------------------------------------ checkpoints
def hf_names(n_layer):
    """The tensor names in the order of the shipped model.safetensors (no lm_head, no attn.bias)."""
    names = ["wte.weight", "wpe.weight", "ln_f.weight", "ln_f.bias"]
    for l in range(n_layer):
        for m in ("ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj"):
            names += [f"h.{l}.{m}.weight", f"h.{l}.{m}.bias"]
    return names


def write_safetensors(path, tensors):
    """[u64 LE header length][JSON header, space-padded to a multiple of 8][raw LE data].
    tensors: ordered {name: numpy array}; written to path.partial, then renamed."""
    dtype_name = {np.dtype("<f2"): "F16", np.dtype("<f4"): "F32"}
    header, offset = {}, 0
    for name, a in tensors.items():
        header[name] = {"dtype": dtype_name[a.dtype], "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    header["__metadata__"] = {"format": "pt"}
    blob = json.dumps(header).encode("utf-8")
    blob += b" " * (-len(blob) % 8)
    with open(path + ".partial", "wb") as f:
        f.write(struct.pack("<Q", len(blob)) + blob)
        for a in tensors.values():
            f.write(np.ascontiguousarray(a).tobytes())
    os.replace(path + ".partial", path)


def read_safetensors(path):
    """-> ordered {name: (dtype string, shape, numpy array widened to float32)}."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        begin, end = (8 + n + o for o in info["data_offsets"])
        raw = np.frombuffer(blob[begin:end], dtype={"F16": "<f2", "F32": "<f4", "BF16": "<u2"}
                            [info["dtype"]])
        if info["dtype"] == "BF16":  # bfloat16 = the top 16 bits of a float32
            raw = (raw.astype(np.uint32) << 16).view(np.float32)
        out[name] = (info["dtype"], info["shape"], raw.astype(np.float32).reshape(info["shape"]))
    return out


def make_config(args):
    """The fields of the shipped config.json; n_ctx = n_positions as in GPT-2's own files."""
    return {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"],
            "n_embd": args.n_embd, "n_head": args.n_head, "n_layer": args.n_layer,
            "n_positions": args.n_positions, "n_ctx": args.n_positions, "vocab_size": 50257,
            "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new",
            "bos_token_id": EOT, "eos_token_id": EOT,
            "resid_pdrop": args.dropout, "embd_pdrop": args.dropout, "attn_pdrop": args.dropout}


def export_hf(out_dir, cfg, state, tokenizer_dir):
    """The best weights -> out_dir in the shipped layout: F16, HF names, Conv1D [in, out]."""
    sd = {k: v.detach().float().cpu().numpy() for k, v in state.items()}
    write_safetensors(os.path.join(out_dir, "model.safetensors"),
                      {name: sd[name].astype("<f2") for name in hf_names(cfg["n_layer"])})
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    for name in ("encoder.json", "vocab.bpe"):
        shutil.copyfile(os.path.join(tokenizer_dir, name), os.path.join(out_dir, name))


def load_hf(model, directory):
    """--init-from: copy every tensor of DIR/model.safetensors into the model, shapes checked."""
    tensors = read_safetensors(os.path.join(directory, "model.safetensors"))
    tensors = {k[len("transformer."):] if k.startswith("transformer.") else k: v
               for k, v in tensors.items()}
    own = model.state_dict()
    for name in hf_names(model.cfg["n_layer"]):
        if name not in tensors:
            sys.exit(f"{directory}: tensor {name} missing")
        _, shape, a = tensors[name]
        if list(own[name].shape) != list(shape):
            sys.exit(f"{directory}: {name} is {shape}, the model wants {list(own[name].shape)}")
        own[name].copy_(torch.from_numpy(a))


# ------------------------------------------------------------------------------ training
def lr_at(i, args):
    """lr of update i (0-based). Linear warm-up to --lr over --warmup updates, then a cosine
    from --lr down to --min-lr whose phase runs over all --steps counted from update 0
    (fitted to the lr column of the shipped train_log.txt, which prints the lr of update s-1
    on the line 'step s')."""
    if i < args.warmup:
        return args.lr * (i + 1) / args.warmup
    return args.min_lr + (args.lr - args.min_lr) * 0.5 * (1 + math.cos(math.pi * i / args.steps))


def autocast(args):
    """bf16 autocast on CUDA with --amp bf16; otherwise plain float32."""
    if args.amp != "bf16":
        return contextlib.nullcontext()
    return torch.autocast(device_type="cuda", dtype=torch.bfloat16)


@torch.no_grad()
def evaluate(model, val, args):
    """Mean loss over --eval-batches random val windows drawn by a generator reset to
    --eval-seed each time, so every evaluation sees the very same batches."""
    model.eval()
    gen, total = torch.Generator().manual_seed(args.eval_seed), 0.0
    for _ in range(args.eval_batches):
        x, y = random_windows(val, args.batch, args.context, gen)
        with autocast(args):
            logits = model(x.to(args.device))
        total += F.cross_entropy(logits.float().flatten(0, 1), y.to(args.device).flatten()).item()
    model.train()
    return total / args.eval_batches


@torch.no_grad()
def evaluate_full(model, val, args, windows_per_batch=16):
    """Mean loss over the whole val split cut into consecutive --context-token windows
    (each window predicts its --context next tokens; deterministic, no sampling)."""
    model.eval()
    n = (len(val) - 1) // args.context
    starts = torch.arange(n) * args.context
    total = 0.0
    for b in range(0, n, windows_per_batch):
        chunk = val[starts[b:b + windows_per_batch, None] + torch.arange(args.context + 1)]
        with autocast(args):
            logits = model(chunk[:, :-1].to(args.device))
        total += F.cross_entropy(logits.float().flatten(0, 1), chunk[:, 1:].to(args.device)
                                 .flatten(), reduction="sum").item()
    model.train()
    return total / (n * args.context)


def make_optimizer(model, args):
    """AdamW; weight decay on matrices (dim >= 2: wte, wpe, Conv1D weights) only,
    never on biases and layer-norm gains."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": args.weight_decay},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    extra = {}
    if args.device.startswith("cuda") and "fused" in inspect.signature(torch.optim.AdamW).parameters:
        extra["fused"] = True
    return torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.95), eps=1e-8, **extra)


def train(model, train_data, val, args, log):
    opt = make_optimizer(model, args)
    step_model = torch.compile(model) if args.compile else model
    gen = torch.Generator().manual_seed(args.seed)
    best, best_step, t0 = float("inf"), 0, time.time()
    for step in range(1, args.steps + 1):  # 'step s' = after s updates, as in the shipped log
        lr = lr_at(step - 1, args)
        for group in opt.param_groups:
            group["lr"] = lr
        x, y = random_windows(train_data, args.batch, args.context, gen)
        with autocast(args):
            logits = step_model(x.to(args.device, non_blocking=True))
        loss = F.cross_entropy(logits.float().flatten(0, 1), y.to(args.device).flatten())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        if step <= 5 or step % args.log_every == 0:
            log(f"step {step} loss {loss.item():.4f} lr {lr:.2e} {time.time() - t0:.0f}s")
        if step % args.eval_every == 0 or step == args.steps:
            v = evaluate(model, val, args)
            log(f"step {step} train {loss.item():.3f} val {v:.3f} lr {lr:.2e} "
                f"{time.time() - t0:.0f}s")
            if v < best:
                best, best_step = v, step
                export_hf(args.out, model.cfg, model.state_dict(), args.tokenizer)
    log(f"best val {best:.3f} at step {best_step} tokens seen {best_step * args.batch * args.context}")
    log(f"wall time {time.time() - t0:.0f}s")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    a = p.add_argument
    a("--out", required=True, help="output folder: the export, tokens.npy, train_log.txt")
    a("--corpus", default="/work/shared/data/corpus", help="folder with the three .txt files")
    a("--tokenizer", default=os.path.join(ROOT, "weights", "tiny-gpt2"),
      help="folder with GPT-2's encoder.json and vocab.bpe")
    a("--tokens", help="a tokens.npy cache to reuse (its tokens.json beside it); default OUT/")
    a("--init-from", help="start from this HF checkpoint folder (its config sets the shape)")
    a("--eval-only", action="store_true", help="evaluate (needs --init-from) and exit")
    a("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a("--threads", type=int, help="torch.set_num_threads (CPU runs)")
    a("--amp", choices=["none", "bf16"], default="none", help="bf16 autocast (CUDA only)")
    a("--compile", action="store_true", help="torch.compile the model (PyTorch 2)")
    a("--steps", type=int, default=4842)
    a("--batch", type=int, default=64)
    a("--context", type=int, default=256, help="tokens per training window")
    a("--n-positions", type=int, help="rows of wpe (default: --context)")
    a("--n-embd", type=int, default=192)
    a("--n-layer", type=int, default=8)
    a("--n-head", type=int, default=6)
    a("--dropout", type=float, default=0.1)
    a("--lr", type=float, default=1.5e-3)
    a("--min-lr", type=float, default=1.5e-4)
    a("--warmup", type=int, default=200)
    a("--weight-decay", type=float, default=0.1)
    a("--clip", type=float, default=1.0)
    a("--eval-every", type=int, default=250)
    a("--eval-batches", type=int, default=40)
    a("--eval-seed", type=int, default=1234, help="seed of the fixed validation generator")
    a("--log-every", type=int, default=50)
    a("--seed", type=int, default=1337)
    args = p.parse_args()
    if args.amp == "bf16" and not args.device.startswith("cuda"):
        p.error("--amp bf16 is for CUDA devices")
    if args.eval_only and not args.init_from:
        p.error("--eval-only evaluates a checkpoint: give --init-from DIR")
    if args.init_from:  # the checkpoint fixes the shape
        with open(os.path.join(args.init_from, "config.json")) as f:
            c = json.load(f)
        args.n_embd, args.n_layer, args.n_head = c["n_embd"], c["n_layer"], c["n_head"]
        args.n_positions = c["n_positions"]
    args.n_positions = args.n_positions or args.context
    if args.context > args.n_positions or args.n_embd % args.n_head:
        p.error("need --context <= n_positions and n_embd divisible by n_head")
    return args


def main():
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    logf = open(os.path.join(args.out, "train_log.txt" if not args.eval_only else "eval_log.txt"),
                "w")

    def log(line):
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    torch.manual_seed(args.seed)
    cache = os.path.dirname(os.path.abspath(args.tokens)) if args.tokens else args.out
    tokens, counts = encode_corpus(args.corpus, args.tokenizer, cache)
    train_data, val = split_tokens(tokens, counts)
    cfg = make_config(args)
    model = GPT(cfg)
    init_weights(model)
    if args.init_from:
        load_hf(model, args.init_from)
    model.to(args.device)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"device {args.device} torch {torch.__version__} train tokens {len(train_data)} "
        f"val tokens {len(val)} params {n_params}")
    log("files " + " ".join(f"{name} {n}" for name, n in counts) + "  (each incl. its EOT prefix)")
    log("args " + " ".join(f"{k}={v}" for k, v in sorted(vars(args).items())))
    if args.eval_only:
        log(f"val (random windows: {args.eval_batches} x {args.batch} x {args.context}, "
            f"eval-seed {args.eval_seed}) {evaluate(model, val, args):.4f}")
        log(f"val (whole split, consecutive {args.context}-token windows) "
            f"{evaluate_full(model, val, args):.4f}")
        logf.close()
        return
    train(model, train_data, val, args, log)
    logf.close()


if __name__ == "__main__":
    main()
