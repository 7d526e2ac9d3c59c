#!/usr/bin/python3
"""train_bench_torch.py -- the peer of `gptwalk bench --train`: PyTorch training the same shape.

A reference for `make bench` (tools/bench.sh), not a dependency: GPT-2 written out in PyTorch
(float32 on the CPU, the same ops as gptwalk's training step: embedding, layer norms, Conv1D
products, causal attention with an explicit masked softmax, tanh GELU, the tied head, softmax
cross-entropy), AdamW (betas 0.9, 0.95, weight decay 0.1 on matrices) with gradient clipping
at 1.0, on random token windows. It times `--steps` updates after `--warmup` untimed ones and
prints one JSON object: tokens per second (median over the timed steps, with min and max),
tokens per CPU-second of the whole process, and the peak resident memory.

  /usr/bin/python3 tools/reference/train_bench_torch.py --model weights/tiny-gpt2 --batch 8 --seq 64 --threads 1

Needs Debian's python3-torch and python3-numpy only. --model reads only config.json (the
shape); the weights are GPT-2's random init, as speed does not depend on them.
"""
import argparse
import json
import math
import os
import resource
import time

import torch
import torch.nn.functional as F


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="weights/tiny-gpt2")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    with open(os.path.join(a.model, "config.json")) as f:
        cfg = json.load(f)
    C, NH, L = cfg["n_embd"], cfg["n_head"], cfg["n_layer"]
    V, P = cfg["vocab_size"], cfg.get("n_positions", cfg.get("n_ctx"))
    HS, eps = C // NH, cfg.get("layer_norm_epsilon", 1e-5)

    def normal(*shape, std=0.02):
        return (torch.randn(*shape) * std).requires_grad_()

    def zeros(*shape, value=0.0):
        return torch.full(shape, value).requires_grad_()

    p = {"wte": normal(V, C), "wpe": normal(P, C, std=0.01), "ln_f_w": zeros(C, value=1.0), "ln_f_b": zeros(C)}
    proj_std = 0.02 / math.sqrt(2 * L)
    blocks = []
    for _ in range(L):
        blocks.append({"ln_1_w": zeros(C, value=1.0), "ln_1_b": zeros(C), "attn_w": normal(C, 3 * C),
                       "attn_b": zeros(3 * C), "proj_w": normal(C, C, std=proj_std), "proj_b": zeros(C),
                       "ln_2_w": zeros(C, value=1.0), "ln_2_b": zeros(C), "fc_w": normal(C, 4 * C),
                       "fc_b": zeros(4 * C), "mlp_w": normal(4 * C, C, std=proj_std), "mlp_b": zeros(C)})
    params = list(p.values()) + [t for b in blocks for t in b.values()]
    decay = [t for t in params if t.dim() == 2]
    other = [t for t in params if t.dim() != 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}],
                            lr=3e-4, betas=(0.9, 0.95), eps=1e-8)
    B, T = a.batch, a.seq
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)

    def loss_of(inputs, targets):
        x = p["wte"][inputs] + p["wpe"][:T]
        for b in blocks:
            h = F.layer_norm(x, (C,), b["ln_1_w"], b["ln_1_b"], eps)
            q, k, v = (h @ b["attn_w"] + b["attn_b"]).split(C, dim=-1)
            q, k, v = (m.view(B, T, NH, HS).transpose(1, 2) for m in (q, k, v))
            att = torch.softmax(((q @ k.transpose(-1, -2)) / math.sqrt(HS)).masked_fill(mask, float("-inf")), dim=-1)
            x = x + (att @ v).transpose(1, 2).reshape(B, T, C) @ b["proj_w"] + b["proj_b"]
            h = F.layer_norm(x, (C,), b["ln_2_w"], b["ln_2_b"], eps)
            x = x + F.gelu(h @ b["fc_w"] + b["fc_b"], approximate="tanh") @ b["mlp_w"] + b["mlp_b"]
        x = F.layer_norm(x, (C,), p["ln_f_w"], p["ln_f_b"], eps)
        return F.cross_entropy((x @ p["wte"].T).reshape(B * T, V), targets.reshape(B * T))

    gen = torch.Generator().manual_seed(a.seed)
    times, losses, cpu0 = [], [], 0.0
    for step in range(a.warmup + a.steps):
        if step == a.warmup:
            cpu0 = time.process_time()  # CPU seconds of every thread of the process
        ids = torch.randint(0, V, (B, T + 1), generator=gen)
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_of(ids[:, :-1], ids[:, 1:])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        elapsed = time.perf_counter() - start
        if step >= a.warmup:
            times.append(elapsed)
            losses.append(loss.item())
    cpu_tok_s = B * T * len(times) / (time.process_time() - cpu0)
    rates = sorted(B * T / t for t in times)
    n = len(rates)
    median = rates[n // 2] if n % 2 else 0.5 * (rates[n // 2 - 1] + rates[n // 2])
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: kilobytes
    print(json.dumps({"peer": "torch", "torch": torch.__version__, "threads": a.threads, "batch": B, "seq": T,
                      "parameters": sum(t.numel() for t in params), "tok_s": median, "tok_s_min": rates[0],
                      "tok_s_max": rates[-1], "cpu_tok_s": cpu_tok_s, "steps": n, "peak_rss_mb": peak_kb / 1024.0, "last_loss": losses[-1]}))


if __name__ == "__main__":
    main()
