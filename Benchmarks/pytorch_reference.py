#!/usr/bin/env python3
"""The PyTorch side of Benchmarks/run.sh: the official Mirror-BERT recipe (cambridgeltl/mirror-bert
train.py + src/contrastive_learning.py, without AMP/CUDA): batch of B texts, view 2 span-masked,
both views padded to max_length, random-init BertModel of the given shape (or, with --model, the
real weights of a Hugging Face folder via AutoModel), NTXentLoss(τ 0.04) from pytorch-metric-learning,
AdamW lr 2e-5 wd 0.01, mean pooling over all positions. Also an encode pass (the first --lines
sentences in corpus order, batches of 64 padded to the longest, tokenization inside the timed loop,
masked-mean pooling as sentence-transformers' mean). Prints one JSON line; "shape" is the shape name
or the model folder's basename.

usage: python Benchmarks/pytorch_reference.py train|encode --shape bert-base|minilm-l12|minilm-l6
         --corpus FILE --tokenizer DIR [--steps 3] [--threads 2]
       python Benchmarks/pytorch_reference.py encode --model models/all-MiniLM-L6-v2 --corpus FILE
         [--max-length 128] [--lines 2000] [--threads 2] [--autocast bf16]
Pinned: torch 2.13.0 (CPU wheel), transformers 5.24.0, pytorch-metric-learning 2.9.0
(Scripts/reference/requirements.txt; ../shared/scripts/reference-venv.sh makes the venv).
"""
import argparse
import contextlib
import json
import os
import resource
import time

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer, BertConfig, BertModel

SHAPES = {"bert-base": (12, 768, 12, 3072), "minilm-l12": (12, 384, 12, 1536), "minilm-l6": (6, 384, 12, 1536)}


def erase_and_mask(s, mask_len=5):  # the reference's augmentation (src/data_loader.py)
    if len(s) <= mask_len or len(s) < 30:
        return s
    ind = np.random.randint(len(s) - mask_len)
    left, right = s.split(s[ind:ind + mask_len], 1)
    return " ".join([left, "[MASK]", right])


def load_pretrained(folder):
    """AutoModel with the folder's weights, strictly: a weight the model needs but the file lacks is an
    error (transformers would otherwise leave it randomly initialised). The pooler is exempt: pooled
    output is never used here."""
    model, info = AutoModel.from_pretrained(folder, output_loading_info=True)
    missing = [k for k in info["missing_keys"] if not k.startswith("pooler.")]
    if missing or info["mismatched_keys"]:
        raise SystemExit(f"{folder}: weights missing {missing} or mismatched {info['mismatched_keys']}")
    return model.eval()


def encode_batch(model, tok, batch, max_length, autocast=contextlib.nullcontext):
    """Sentence embeddings (B, H) in fp32: padded to the batch's longest, masked mean over tokens."""
    enc = tok(batch, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    with torch.no_grad(), autocast():
        h = model(**enc).last_hidden_state.float()  # (B, T, H)
    m = enc["attention_mask"].unsqueeze(-1).float()  # (B, T, 1)
    return (h * m).sum(1) / m.sum(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["train", "encode"])
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--shape", choices=sorted(SHAPES), help="random weights of this shape")
    which.add_argument("--model", help="a Hugging Face model folder (weights, config, tokenizer)")
    p.add_argument("--corpus", required=True)
    p.add_argument("--tokenizer", help="tokenizer folder; required with --shape, defaults to --model")
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=200)
    p.add_argument("--max-length", type=int, default=50)
    p.add_argument("--lines", "--sentences", type=int, default=2000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--autocast", choices=["none", "bf16"], default="none",
                   help="bf16: torch.autocast('cpu', dtype=torch.bfloat16) around the forward passes, as users run it")
    a = p.parse_args()
    if a.shape and not a.tokenizer:
        p.error("--shape needs --tokenizer")
    torch.set_num_threads(a.threads)
    autocast = (lambda: torch.autocast("cpu", dtype=torch.bfloat16)) if a.autocast == "bf16" else contextlib.nullcontext
    torch.manual_seed(0)
    np.random.seed(0)
    tok = AutoTokenizer.from_pretrained(a.tokenizer or a.model, use_fast=True)
    if a.model:
        model = load_pretrained(a.model)
    else:
        L, H, nh, I = SHAPES[a.shape]
        cfg = BertConfig(vocab_size=tok.vocab_size, hidden_size=H, num_hidden_layers=L, num_attention_heads=nh,
                         intermediate_size=I, max_position_embeddings=512)
        model = BertModel(cfg)
    L, H, I = model.config.num_hidden_layers, model.config.hidden_size, model.config.intermediate_size
    lines = [l for l in open(a.corpus, encoding="utf-8").read().split("\n") if l]
    shape = a.shape or os.path.basename(os.path.normpath(a.model))
    out = {"shape": shape, "mode": a.mode, "threads": a.threads, "precision": "bf16-autocast" if a.autocast == "bf16" else "fp32"}
    if a.mode == "train":
        from pytorch_metric_learning.losses import NTXentLoss
        loss_fn = NTXentLoss(temperature=0.04)
        opt = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.01)
        model.train()
        times = []
        for s in range(a.steps + 1):
            start = (s * a.batch_size) % max(1, len(lines) - a.batch_size)
            texts = lines[start:start + a.batch_size]
            t0 = time.perf_counter()
            v1 = tok(texts, max_length=a.max_length, padding="max_length", truncation=True, return_tensors="pt")
            v2 = tok([erase_and_mask(t) for t in texts], max_length=a.max_length, padding="max_length",
                     truncation=True, return_tensors="pt")
            opt.zero_grad()
            with autocast():
                e1 = model(**v1).last_hidden_state.mean(1)
                e2 = model(**v2).last_hidden_state.mean(1)
            e1, e2 = e1.float(), e2.float()
            labels = torch.arange(e1.size(0))
            loss = loss_fn(torch.cat([e1, e2]), torch.cat([labels, labels]))
            loss.backward()
            opt.step()
            if s > 0:
                times.append(time.perf_counter() - t0)
        out["seconds_per_step"] = sum(times) / len(times)
        n = 2 * a.batch_size * a.max_length
        per_token = 2.0 * (4 * H * H + 2 * H * I) + 4.0 * a.max_length * H
        out["gflops"] = 3 * per_token * n * L / out["seconds_per_step"] / 1e9
        out["padded_tokens_per_step"] = n
    else:
        model.eval()
        texts = lines[:a.lines]
        def run(batch):
            return encode_batch(model, tok, batch, a.max_length, autocast)
        run(texts[:64])
        t0 = time.perf_counter()
        for i in range(0, len(texts), 64):
            run(texts[i:i + 64])
        dt = time.perf_counter() - t0
        out["sentences_per_s"] = len(texts) / dt
        out["seconds"] = dt
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
