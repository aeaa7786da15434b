#!/usr/bin/env python3
"""Checks that a folder written by `mirror-bert train` loads unchanged in transformers (AutoModel)
and sentence-transformers (SentenceTransformer), and that both give the embeddings that
`mirror-bert encode` wrote (dev tool; not used at run time).

usage: $(../shared/scripts/reference-venv.sh) Scripts/reference/check_output_loads.py MODEL_DIR TEXTS.txt EMB.npy [POOLING]
       where EMB.npy = `mirror-bert encode --model MODEL_DIR --input TEXTS.txt --output EMB.npy --pooling POOLING`
       (POOLING mean-masked (default) or cls, max length 128, not normalized); sentence-transformers
       is compared when POOLING is the pooling the folder's 1_Pooling/config.json declares
"""
import sys

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer


def main():
    model_dir, texts_path, npy = sys.argv[1:4]
    pooling = sys.argv[4] if len(sys.argv) > 4 else "mean-masked"
    texts = open(texts_path, encoding="utf-8").read().split("\n")
    if texts and texts[-1] == "":
        texts.pop()
    ours = np.load(npy)
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    enc = tok(texts, padding=True, truncation=True, max_length=128, return_tensors="pt")
    with torch.no_grad():
        h = model(**enc).last_hidden_state
    m = enc["attention_mask"].unsqueeze(-1).float()
    hf = (h[:, 0] if pooling == "cls" else (h * m).sum(1) / m.sum(1)).numpy()
    print(f"transformers AutoModel ({pooling}): {len(texts)} texts, max |diff| vs mirror-bert encode = {np.abs(hf - ours).max():.3g}")
    from sentence_transformers import SentenceTransformer
    st = SentenceTransformer(model_dir, device="cpu")
    st.max_seq_length = 128
    se = st.encode(texts, convert_to_numpy=True, batch_size=64)
    import json
    cfg = json.load(open(f"{model_dir}/1_Pooling/config.json"))
    declared = "mean-masked" if cfg["pooling_mode_mean_tokens"] else "cls"
    if declared == pooling:
        print(f"sentence-transformers: loaded ({declared} pooling), max |diff| vs mirror-bert encode = {np.abs(se - ours).max():.3g}")
    else:
        print(f"sentence-transformers: loaded ({declared} pooling; rerun with POOLING {declared} to compare)")


if __name__ == "__main__":
    main()
