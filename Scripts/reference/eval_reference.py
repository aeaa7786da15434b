#!/usr/bin/env python3
"""The paper's evaluation in Python (transformers + scipy), on the same files `mirror-bert eval`
reads, for cross-checking its numbers (dev tool; not used at run time).

usage: $(../shared/scripts/reference-venv.sh) Scripts/reference/eval_reference.py MODEL_DIR \
           [--pooling mean-masked|cls|mean] [--max-length 64] [--data ../shared/data] [--sets sts12,...]
Prints one line per set ("sts12 72.36") and the average, like evaluation/eval.py of
cambridgeltl/mirror-bert: cosine of the two embeddings, Spearman ×100 over the whole file.
"""
import argparse
import os

import numpy as np
import torch
from scipy.stats import spearmanr
from transformers import AutoModel, AutoTokenizer

FILES = {"sts12": "sts12/test.tsv", "sts13": "sts13/test.tsv", "sts14": "sts14/test.tsv",
         "sts15": "sts15/test.tsv", "sts16": "sts16/test.tsv", "stsb": "stsb/test.tsv",
         "sickr": "sickr/test.tsv", "simlex999": "simlex999/test.tsv",
         "multisimlex-eng": "multisimlex/eng.tsv"}


def load(path):
    gold, a, b = [], [], []
    with open(path, encoding="utf-8", newline="\n") as f:
        for line in f.read().split("\n"):
            if not line:
                continue
            fields = line.split("\t")
            gold.append(float(fields[0])); a.append(fields[1]); b.append(fields[2])
    return gold, a, b


def embed(model, tok, texts, pooling, max_length, batch=128):
    out = []
    for i in range(0, len(texts), batch):
        enc = tok(texts[i:i + batch], max_length=max_length, truncation=True,
                  padding="max_length" if pooling == "mean" else True, return_tensors="pt")
        with torch.no_grad():
            h = model(**enc).last_hidden_state
        if pooling == "cls":
            e = h[:, 0]
        elif pooling == "mean":
            e = h.mean(1)
        else:
            m = enc["attention_mask"].unsqueeze(-1).to(h.dtype)
            e = (h * m).sum(1) / m.sum(1)
        out.append(e.double().numpy())
    return np.concatenate(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--pooling", default="mean-masked")
    p.add_argument("--max-length", type=int, default=64)
    p.add_argument("--data", default=os.environ.get("MIRROR_BERT_DATA", "../shared/data"))
    p.add_argument("--sets", default="sts12,sts13,sts14,sts15,sts16,stsb,sickr")
    args = p.parse_args()
    torch.set_num_threads(2)
    tok = AutoTokenizer.from_pretrained(args.model, use_fast=True)
    model = AutoModel.from_pretrained(args.model, attn_implementation="eager").eval()
    scores = []
    for name in args.sets.split(","):
        gold, a, b = load(os.path.join(args.data, "eval", FILES[name]))
        ea = embed(model, tok, a, args.pooling, args.max_length)
        eb = embed(model, tok, b, args.pooling, args.max_length)
        cos = (ea * eb).sum(1) / (np.linalg.norm(ea, axis=1) * np.linalg.norm(eb, axis=1))
        s = spearmanr(gold, cos)[0] * 100
        scores.append(s)
        print(f"{name} {s:.4f}", flush=True)
    print(f"average {np.mean(scores):.4f}")


if __name__ == "__main__":
    main()
