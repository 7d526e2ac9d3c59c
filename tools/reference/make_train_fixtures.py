#!/usr/bin/python3
"""make_train_fixtures.py -- float64 PyTorch references for gptwalk's training tests.

Used only to produce golden fixtures; it shares no code with the C++ runtime. GPT-2's forward
pass is written out below in PyTorch (float64), differentiated by autograd, and optimised by
torch.optim.AdamW / plain SGD with torch.nn.utils.clip_grad_norm_. Needs Debian's
python3-torch (1.13) and python3-numpy; run with /usr/bin/python3 from the repository root:

  /usr/bin/python3 tools/reference/make_train_fixtures.py BUILD

BUILD is a build folder holding tools/make_random_gpt2, which writes the two random
checkpoints (the script runs it with the flags in CHECKPOINTS). For each one it writes, in
tests/fixtures/train/<name>/:
  config.json, model.safetensors   the checkpoint, as make_random_gpt2 wrote it (F32)
  grads.json                       one batch (inputs, targets (B, T)) and its mean loss
  grads.safetensors                d loss / d every parameter, F32, the checkpoint's names
  steps.json                       ten optimizer steps (AdamW, and for the first checkpoint
                                   also SGD): settings, the micro-batches, the loss before
                                   each step and after the last
Shapes: B batch, T tokens, C n_embd, NH heads, HS = C / NH, V vocab, P n_positions, L layers.
"""
import json
import math
import os
import shutil
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import gpt2_ref  # noqa: E402  (its safetensors reader and writer; the model below is PyTorch's)

OUT = os.path.join(ROOT, "tests", "fixtures", "train")
SEED = 20240715
# name: make_random_gpt2 flags. std 0.2 (not GPT-2's 0.02) makes activations O(1) and attention
# far from uniform, so every backward carries weight in the gradients.
CHECKPOINTS = {
    "oddheads": ["--n-embd", "48", "--n-head", "3", "--n-layer", "2", "--n-positions", "16",
                 "--vocab", "83", "--seed", "5", "--std", "0.2"],
    "fourheads": ["--n-embd", "64", "--n-head", "4", "--n-layer", "2", "--n-positions", "16",
                  "--vocab", "97", "--seed", "6", "--std", "0.2"],
}


def load(folder):
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    tensors, _, names = gpt2_ref.read_safetensors(os.path.join(folder, "model.safetensors"))
    params = {n: torch.tensor(tensors[n], dtype=torch.float64, requires_grad=True) for n in names}
    return cfg, params, names


def forward(cfg, p, inputs, targets):
    """Mean next-token loss of inputs (B, T) against targets (B, T); float64 throughout."""
    C, NH, L = cfg["n_embd"], cfg["n_head"], cfg["n_layer"]
    HS, eps = C // NH, cfg.get("layer_norm_epsilon", 1e-5)
    B, T = inputs.shape
    x = p["wte.weight"][inputs] + p["wpe.weight"][:T]                        # (B,T,C)
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)       # j > i
    for l in range(L):
        h = lambda k: p[f"h.{l}.{k}"]
        a = F.layer_norm(x, (C,), h("ln_1.weight"), h("ln_1.bias"), eps)
        qkv = a @ h("attn.c_attn.weight") + h("attn.c_attn.bias")           # (B,T,3C), Conv1D [in,out]
        q, k, v = qkv.split(C, dim=-1)
        heads = lambda m: m.view(B, T, NH, HS).transpose(1, 2)              # (B,NH,T,HS)
        q, k, v = heads(q), heads(k), heads(v)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(HS)
        att = torch.softmax(s.masked_fill(mask, float("-inf")), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + y @ h("attn.c_proj.weight") + h("attn.c_proj.bias")
        m = F.layer_norm(x, (C,), h("ln_2.weight"), h("ln_2.bias"), eps)
        f = F.gelu(m @ h("mlp.c_fc.weight") + h("mlp.c_fc.bias"), approximate="tanh")
        x = x + f @ h("mlp.c_proj.weight") + h("mlp.c_proj.bias")
    x = F.layer_norm(x, (C,), p["ln_f.weight"], p["ln_f.bias"], eps)
    logits = x @ p["wte.weight"].T                                           # (B,T,V), tied head
    return F.cross_entropy(logits.reshape(B * T, -1), targets.reshape(B * T))


def lr_at(step, s):
    """gptwalk's schedule (train/optimizer.h): linear warm-up over `warmup` updates to lr, then
    a cosine from lr down towards min_lr over the remaining updates."""
    if step < s["warmup"]:
        return s["lr"] * (step + 1) / s["warmup"]
    ratio = (step - s["warmup"]) / max(1, s["steps"] - s["warmup"])
    return s["min_lr"] + 0.5 * (1 + math.cos(math.pi * ratio)) * (s["lr"] - s["min_lr"])


def train(cfg, p, names, s, batches):
    """s["steps"] updates, each over s["accum"] micro-batches; returns the losses before each
    update and after the last."""
    decay = [p[n] for n in names if p[n].dim() == 2]        # matrices only
    other = [p[n] for n in names if p[n].dim() != 2]
    if s["optimizer"] == "adamw":
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": s["weight_decay"]},
                                 {"params": other, "weight_decay": 0.0}],
                                lr=s["lr"], betas=(0.9, 0.95), eps=1e-8)
    else:
        opt = torch.optim.SGD(decay + other, lr=s["lr"])
    losses, i = [], 0
    for step in range(s["steps"]):
        opt.zero_grad()
        total = 0.0
        for _ in range(s["accum"]):
            inputs, targets = (torch.tensor(a) for a in batches[i])
            i += 1
            loss = forward(cfg, p, inputs, targets) / s["accum"]
            loss.backward()
            total += loss.item()
        losses.append(total)
        if s["clip"] > 0:
            torch.nn.utils.clip_grad_norm_(decay + other, s["clip"])
        for g in opt.param_groups:
            g["lr"] = lr_at(step, s)
        opt.step()
    with torch.no_grad():
        final = sum(forward(cfg, p, *(torch.tensor(a) for a in b)).item() for b in batches[:s["accum"]]) / s["accum"]
    return losses, final


def batch(rng, V, B, T):
    return [rng.integers(0, V, size=(B, T)).tolist(), rng.integers(0, V, size=(B, T)).tolist()]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    tool = os.path.join(sys.argv[1], "tools", "make_random_gpt2")
    rng = np.random.default_rng(SEED)
    for index, (name, flags) in enumerate(CHECKPOINTS.items()):
        folder = os.path.join(OUT, name)
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([tool, "--out", folder] + flags, check=True, stdout=subprocess.DEVNULL)
        cfg, p, names = load(folder)
        V, P = cfg["vocab_size"], cfg["n_positions"]

        # Gradients of one batch: B = 2 windows of T = P - 1 tokens.
        inputs, targets = batch(rng, V, 2, P - 1)
        loss = forward(cfg, p, torch.tensor(inputs), torch.tensor(targets))
        loss.backward()
        gpt2_ref.write_safetensors(os.path.join(folder, "grads.safetensors"),
                                   [(n, "F32", p[n].grad.numpy()) for n in names])
        with open(os.path.join(folder, "grads.json"), "w") as f:
            json.dump({"inputs": inputs, "targets": targets, "loss": loss.item()}, f)
            f.write("\n")

        # Ten optimizer steps from the same checkpoint (reloaded: fresh parameters).
        runs = {"adamw": {"optimizer": "adamw", "steps": 10, "accum": 2, "batch": 2, "seq": 8,
                          "lr": 1e-2, "min_lr": 1e-3, "warmup": 3, "weight_decay": 0.1, "clip": 1.0}}
        if index == 0:
            runs["sgd"] = {"optimizer": "sgd", "steps": 10, "accum": 1, "batch": 3, "seq": 12,
                           "lr": 0.2, "min_lr": 0.02, "warmup": 0, "weight_decay": 0.0, "clip": 0.0}
        record = {}
        for key, s in runs.items():
            batches = [batch(rng, V, s["batch"], s["seq"]) for _ in range(s["steps"] * s["accum"])]
            cfg, p, names = load(folder)
            losses, final = train(cfg, p, names, s, batches)
            record[key] = dict(s, batches=batches, losses=losses, final_loss=final)
        with open(os.path.join(folder, "steps.json"), "w") as f:
            json.dump(record, f)
            f.write("\n")
        print(f"{folder}: loss {loss.item():.6f}; adamw losses {record['adamw']['losses'][0]:.4f} -> "
              f"{record['adamw']['final_loss']:.4f}" +
              (f"; sgd {record['sgd']['losses'][0]:.4f} -> {record['sgd']['final_loss']:.4f}" if "sgd" in record else ""))


if __name__ == "__main__":
    main()
