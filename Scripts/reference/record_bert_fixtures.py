#!/usr/bin/env python3
"""Records the BERT encoder fixtures under Tests/Fixtures/bert/ (dev tool; never run at run time).

usage: $(../shared/scripts/reference-venv.sh) Scripts/reference/record_bert_fixtures.py
Pinned versions: Scripts/reference/requirements.txt (torch 2.13.0 CPU, transformers 5.24.0).

tiny/          a random-init BERT with odd sizes (hidden 32, 4 heads, intermediate 37, 2 layers,
               vocab 99), LayerNorm weights randomized too; saved with save_pretrained.
tiny-io.safetensors
               input_ids, token_type_ids, attention_mask (3, 9) with padding; hidden_states.{0,1,2}
               (embeddings output and each layer's output); pool.{cls,mean,mean_masked};
               dout and grad.last.<param> for loss = (last_hidden_state * dout).sum();
               dpool.<pooling> and grad.<pooling>.<param> for loss = (pool * dpool).sum().
               Eager attention, eval mode (dropout off), computed in float64 from the saved
               float32 weights (so the comparison measures our float32 error alone), stored as F32.
tiny-<family>/ and tiny-<family>-io.safetensors  (family: roberta, xlm-roberta, mpnet)
               the same for the other families (pad id 1, RoBERTa-style positions; MPNet with its
               relative attention bias), a padded (3, 24) batch so MPNet's logarithmic buckets occur.
trajectory-<pooling>.safetensors
               5 Mirror steps on the tiny model, dropout off: per step the token batch of the two
               views (step.<k>.input_ids / attention_mask, (2B, T), rows 0..B-1 view 1), the loss
               (pytorch-metric-learning NTXentLoss, labels [0..B-1, 0..B-1]) and after the last
               step every parameter (final.<name>); AdamW lr 1e-3 (large, so weights move),
               weight decay 0.01. Poolings: mean (τ 0.04) and cls (τ 0.2); and
               trajectory-mpnet-mean (τ 0.04), trajectory-roberta-cls (τ 0.04) on those tiny models.
mpnet-io.safetensors
               the real all-mpnet-base-v2 (Scripts/setup.sh --model mpnet) on the first 20 sentences
               below, the same tensors as minilm-io (hidden of real tokens, (Σ lengths, 768)).
minilm-io.safetensors
               all-MiniLM-L6-v2 (models/all-MiniLM-L6-v2, from Scripts/setup.sh) on 24 sentences:
               input_ids/attention_mask (padded to the longest), hidden (real tokens of every row,
               concatenated: (Σ lengths, 384)), mean_masked_normalized (24, 384), cls (24, 384).
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import AutoModel, AutoTokenizer, BertConfig, BertModel

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "bert")

SENTENCES = [
    "This is an example sentence",
    "Each sentence is converted",
    "A man is playing a guitar.",
    "The quick brown fox jumps over the lazy dog.",
    "Mirror-BERT turns a masked language model into a universal encoder in 20 seconds!",
    "Ünïcödé àccents, naïve café — résumé.",
    "中文句子也可以被编码。",
    "Москва — столица России.",
    "مرحبا بالعالم",
    "emoji 😀 and symbols ∑ ∫ √",
    "[MASK] tokens stay whole: the [MASK] sat on the mat.",
    "a",
    "",
    "   leading and trailing spaces   ",
    "URLs like https://example.com/path?q=1&x=2 and e-mails a.b@c.org",
    "Numbers: 3.14159, 1,000,000 and 42nd.",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "Two dogs are running through a field covered in snow while a child watches from a bench.",
    "The stock market fell sharply on Tuesday after the central bank raised interest rates.",
    "How do I reset my password?",
    "tabs\tand\nnewlines inside",
    "ALL CAPS SHOUTING HERE",
    "repeated repeated repeated repeated repeated words",
    "A very long sentence that keeps going and going, clause after clause, so that it is "
    "clearly longer than the others and exercises the position embeddings further out.",
]


def tiny():
    torch.manual_seed(1234)
    cfg = BertConfig(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                     intermediate_size=37, max_position_embeddings=40, type_vocab_size=2,
                     hidden_act="gelu", layer_norm_eps=1e-12, hidden_dropout_prob=0.1,
                     attention_probs_dropout_prob=0.1, pad_token_id=0)
    cfg._attn_implementation = "eager"
    model = BertModel(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name:
                p.copy_(1 + 0.2 * torch.randn_like(p))
            elif "LayerNorm.bias" in name or name.endswith(".bias"):
                p.copy_(0.1 * torch.randn_like(p))
            elif "embeddings" in name:
                p.copy_(0.5 * torch.randn_like(p))
            else:
                p.copy_(0.2 * torch.randn_like(p))
    model.eval()
    model.save_pretrained(os.path.join(OUT, "tiny"), safe_serialization=True)
    model.double()  # the reference computed in float64 from the saved float32 weights

    B, T = 3, 9
    lengths = [9, 5, 2]
    ids = torch.randint(1, 99, (B, T))
    mask = torch.zeros(B, T, dtype=torch.long)
    for b, n in enumerate(lengths):
        mask[b, :n] = 1
        ids[b, n:] = 0
    types = torch.zeros(B, T, dtype=torch.long)
    types[0, 5:] = 1
    types[1, 3:5] = 1

    def run():
        out = model(input_ids=ids, token_type_ids=types, attention_mask=mask, output_hidden_states=True)
        return out

    def pools(h):
        m = mask.unsqueeze(-1).to(h.dtype)
        return {"cls": h[:, 0], "mean": h.mean(1), "mean_masked": (h * m).sum(1) / m.sum(1)}

    t = {"input_ids": ids, "token_type_ids": types, "attention_mask": mask}
    out = run()
    for i, h in enumerate(out.hidden_states):
        t[f"hidden_states.{i}"] = h.detach().clone()
    for k, v in pools(out.last_hidden_state).items():
        t[f"pool.{k}"] = v.detach().clone()

    params = dict(model.named_parameters())
    dout = torch.randn(B, T, cfg.hidden_size).double()
    model.zero_grad()
    (run().last_hidden_state * dout).sum().backward()
    t["dout"] = dout
    for n, p in params.items():
        if p.grad is not None:
            t[f"grad.last.{n}"] = p.grad.detach().clone()
    for k in ["cls", "mean", "mean_masked"]:
        dpool = torch.randn(B, cfg.hidden_size).double()
        model.zero_grad()
        (pools(run().last_hidden_state)[k] * dpool).sum().backward()
        t[f"dpool.{k}"] = dpool
        for n, p in params.items():
            if p.grad is not None:
                t[f"grad.{k}.{n}"] = p.grad.detach().clone()
    save_file({k: (v.float() if v.is_floating_point() else v).contiguous() for k, v in t.items()},
              os.path.join(OUT, "tiny-io.safetensors"))


def tiny_family(family):
    from transformers import MPNetConfig, MPNetModel, RobertaConfig, RobertaModel, XLMRobertaConfig, XLMRobertaModel
    torch.manual_seed({"roberta": 11, "xlm-roberta": 12, "mpnet": 13}[family])
    common = dict(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=37,
                  max_position_embeddings=40, hidden_act="gelu", layer_norm_eps=1e-5, hidden_dropout_prob=0.1,
                  attention_probs_dropout_prob=0.1, pad_token_id=1, bos_token_id=0, eos_token_id=2)
    if family == "roberta":
        cfg, cls = RobertaConfig(type_vocab_size=1, **common), RobertaModel
    elif family == "xlm-roberta":
        cfg, cls = XLMRobertaConfig(type_vocab_size=1, **common), XLMRobertaModel
    else:
        cfg, cls = MPNetConfig(relative_attention_num_buckets=32, **common), MPNetModel
    cfg._attn_implementation = "eager"
    model = cls(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name:
                p.copy_(1 + 0.2 * torch.randn_like(p))
            elif "LayerNorm.bias" in name or name.endswith(".bias"):
                p.copy_(0.1 * torch.randn_like(p))
            elif "embeddings" in name or "relative_attention_bias" in name:
                p.copy_(0.5 * torch.randn_like(p))
            else:
                p.copy_(0.2 * torch.randn_like(p))
    model.eval()
    model.save_pretrained(os.path.join(OUT, f"tiny-{family}"), safe_serialization=True)
    model.double()  # the reference computed in float64 from the saved float32 weights

    B, T = 3, 24
    lengths = [24, 13, 3]
    ids = torch.randint(3, 99, (B, T))
    ids[:, 0] = 0
    mask = torch.zeros(B, T, dtype=torch.long)
    for b, n in enumerate(lengths):
        mask[b, :n] = 1
        ids[b, n - 1] = 2
        ids[b, n:] = 1
    kwargs = {"input_ids": ids, "attention_mask": mask}
    if family != "mpnet":
        kwargs["token_type_ids"] = torch.zeros(B, T, dtype=torch.long)

    def run():
        return model(**kwargs, output_hidden_states=True)

    def pools(h):
        m = mask.unsqueeze(-1).to(h.dtype)
        return {"cls": h[:, 0], "mean": h.mean(1), "mean_masked": (h * m).sum(1) / m.sum(1)}

    t = {"input_ids": ids, "token_type_ids": torch.zeros(B, T, dtype=torch.long), "attention_mask": mask}
    out = run()
    for i, h in enumerate(out.hidden_states):
        t[f"hidden_states.{i}"] = h.detach().clone()
    for k, v in pools(out.last_hidden_state).items():
        t[f"pool.{k}"] = v.detach().clone()
    params = dict(model.named_parameters())
    dout = torch.randn(B, T, cfg.hidden_size).double()
    model.zero_grad()
    (run().last_hidden_state * dout).sum().backward()
    t["dout"] = dout
    for n, p in params.items():
        if p.grad is not None:
            t[f"grad.last.{n}"] = p.grad.detach().clone()
    for k in ["cls", "mean", "mean_masked"]:
        dpool = torch.randn(B, cfg.hidden_size).double()
        model.zero_grad()
        (pools(run().last_hidden_state)[k] * dpool).sum().backward()
        t[f"dpool.{k}"] = dpool
        for n, p in params.items():
            if p.grad is not None:
                t[f"grad.{k}.{n}"] = p.grad.detach().clone()
    save_file({k: (v.float() if v.is_floating_point() else v).contiguous() for k, v in t.items()},
              os.path.join(OUT, f"tiny-{family}-io.safetensors"))


def buckets():
    """HF MPNet relative_position_bucket for relative positions −600…600 (32 buckets)."""
    from transformers.models.mpnet.modeling_mpnet import MPNetEncoder
    rel = torch.arange(-600, 601)
    b = MPNetEncoder.relative_position_bucket(rel, num_buckets=32)
    save_file({"relative": rel, "bucket": b}, os.path.join(OUT, "mpnet-buckets.safetensors"))


def trajectory(pooling, tau, family="bert"):
    from pytorch_metric_learning.losses import NTXentLoss

    folder = "tiny" if family == "bert" else f"tiny-{family}"
    model = AutoModel.from_pretrained(os.path.join(OUT, folder), attn_implementation="eager")
    pad = model.config.pad_token_id
    model.eval()  # dropout off; gradients still flow
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    loss_fn = NTXentLoss(temperature=tau)
    g = torch.Generator().manual_seed(99)
    B, T = 4, 8
    t = {}
    losses = []
    for step in range(5):
        lengths = torch.randint(2, T + 1, (2 * B,), generator=g)
        ids = torch.randint(pad + 1, 99, (2 * B, T), generator=g)
        mask = torch.zeros(2 * B, T, dtype=torch.long)
        for r in range(2 * B):
            mask[r, : lengths[r]] = 1
            ids[r, lengths[r]:] = pad
        opt.zero_grad()
        kwargs = {} if family == "mpnet" else {"token_type_ids": torch.zeros_like(ids)}
        h = model(input_ids=ids, attention_mask=mask, **kwargs).last_hidden_state
        if pooling == "cls":
            e = h[:, 0]
        else:
            e = h.mean(1)
        labels = torch.arange(B)
        loss = loss_fn(e, torch.cat([labels, labels]))
        loss.backward()
        opt.step()
        t[f"step.{step}.input_ids"] = ids
        t[f"step.{step}.attention_mask"] = mask
        losses.append(loss.item())
    t["losses"] = torch.tensor(losses, dtype=torch.float32)
    for n, p in model.named_parameters():
        t[f"final.{n}"] = p.detach().clone()
    name = f"trajectory-{pooling}" if family == "bert" else f"trajectory-{family}-{pooling}"
    save_file({k: v.contiguous() for k, v in t.items()}, os.path.join(OUT, name + ".safetensors"))


def real_model(folder, out_name, sentences):
    path = os.path.join(ROOT, "models", folder)
    if not os.path.exists(path):
        print(f"skipping {out_name}: models/{folder} missing (Scripts/setup.sh)")
        return
    tok = AutoTokenizer.from_pretrained(path, use_fast=True)
    model = AutoModel.from_pretrained(path, attn_implementation="eager").eval()
    enc = tok(sentences, padding=True, truncation=True, max_length=128, return_tensors="pt")
    if "token_type_ids" not in enc:
        enc["token_type_ids"] = torch.zeros_like(enc["input_ids"])
    with torch.no_grad():
        kwargs = {k: v for k, v in enc.items() if k != "token_type_ids" or "mpnet" not in folder}
        h = model(**kwargs).last_hidden_state
    m = enc["attention_mask"]
    rows = [h[b, : int(m[b].sum())] for b in range(h.shape[0])]
    mean = (h * m.unsqueeze(-1)).sum(1) / m.sum(1, keepdim=True)
    t = {
        "input_ids": enc["input_ids"],
        "token_type_ids": enc["token_type_ids"],
        "attention_mask": m,
        "hidden": torch.cat(rows, 0),
        "mean_masked_normalized": torch.nn.functional.normalize(mean, dim=-1),
        "cls": h[:, 0],
    }
    save_file({k: v.contiguous() for k, v in t.items()}, os.path.join(OUT, out_name))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    tiny()
    for family in ["roberta", "xlm-roberta", "mpnet"]:
        tiny_family(family)
    buckets()
    trajectory("mean", 0.04)
    trajectory("cls", 0.2)
    trajectory("mean", 0.04, "mpnet")
    trajectory("cls", 0.04, "roberta")
    real_model("all-MiniLM-L6-v2", "minilm-io.safetensors", SENTENCES)
    real_model("all-mpnet-base-v2", "mpnet-io.safetensors", SENTENCES[:20])
    with open(os.path.join(OUT, "minilm-sentences.json"), "w", encoding="utf-8") as f:
        json.dump(SENTENCES, f, ensure_ascii=False, indent=1)
    print("wrote", OUT)
