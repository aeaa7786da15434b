#!/usr/bin/env python
"""Records the Training module's reference fixtures (development tool only, never run at run time).

Writes under Tests/Fixtures/training/:
  infonce.json + infonce.bin  NT-Xent loss and dLoss/dE from pytorch-metric-learning's NTXentLoss
                              (autograd through torch), in float32 and float64, for several (B, H, tau).
                              infonce.bin is raw little-endian float32; the JSON gives offsets in floats.
  adamw.json                  torch.optim.AdamW trajectories (params, moments after every step).
  span_mask.json              the reference erase_and_mask on real and crafted sentences with fixed starts.
  align_uniform.json          Wang & Isola (2020) alignment and uniformity computed with torch.

Pinned: torch 2.13.0, pytorch-metric-learning 2.9.0, numpy 2.4.6 (Scripts/reference/requirements.txt).
Run from the repository root:  /work/venv-ref/bin/python Scripts/reference/record_training_fixtures.py
"""

import json
import os
import struct
import sys

import numpy as np
import pytorch_metric_learning
import torch
from pytorch_metric_learning.losses import NTXentLoss

PINNED = {"torch": "2.13.0", "pytorch_metric_learning": "2.9.0", "numpy": "2.4.6"}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "training")
DATA = os.environ.get("MIRROR_BERT_DATA", os.path.join(os.path.dirname(ROOT), "shared", "data"))


def check_versions():
    found = {"torch": torch.__version__.split("+")[0],
             "pytorch_metric_learning": pytorch_metric_learning.__version__,
             "numpy": np.__version__}
    for name, want in PINNED.items():
        if found[name] != want:
            sys.exit(f"{name} {found[name]} found, {want} pinned")


def f32_list(t):
    """Exact float32 values as Python floats (shortest repr round-trips through Double → Float);
    NaN (a gradient that must not be read) as null, since JSON has no NaN."""
    return [None if np.isnan(x) else float(x) for x in np.asarray(t, dtype=np.float32).reshape(-1)]


def write_json(name, obj, indent=None):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=indent, separators=(",", ": ") if indent else (",", ":"))
        f.write("\n")


# MARK: - InfoNCE (NT-Xent)

def ntxent(e, tau):
    """PML NTXentLoss with labels [0..B-1, 0..B-1]; returns loss and dLoss/dE (autograd)."""
    e = e.clone().requires_grad_(True)
    b = e.shape[0] // 2
    labels = torch.cat([torch.arange(b), torch.arange(b)])
    loss = NTXentLoss(temperature=tau)(e, labels)
    loss.backward()
    return loss.item(), e.grad.detach()


def record_infonce():
    cases = [
        # name, B, H, tau, kind (correlated_s: view 2 = view 1 + s·noise)
        ("b1_h8_t004", 1, 8, 0.04, "normal"),
        ("b1_h8_t02", 1, 8, 0.2, "normal"),
        ("b2_h5_t004", 2, 5, 0.04, "normal"),
        ("b4_h16_t02", 4, 16, 0.2, "normal"),
        ("b4_h16_t004", 4, 16, 0.04, "normal"),
        ("b16_h37_t004", 16, 37, 0.04, "normal"),
        ("b16_h37_t02", 16, 37, 0.2, "normal"),
        ("b16_h37_t004_correlated", 16, 37, 0.04, "correlated_3"),
        ("b8_h12_t004_duplicates", 8, 12, 0.04, "duplicates"),
        ("b8_h12_t02_duplicates", 8, 12, 0.2, "duplicates"),
        ("b6_h10_t004_zero_row", 6, 10, 0.04, "zero_row"),
        ("b8_h768_t004", 8, 768, 0.04, "correlated_6"),
        ("b200_h24_t004", 200, 24, 0.04, "correlated_1.2"),
        ("b200_h24_t02", 200, 24, 0.2, "normal"),
    ]
    gen = torch.Generator().manual_seed(20211101)
    blob = []
    manifest = {"format": "little-endian float32; offsets and counts in floats",
                "reference": "pytorch_metric_learning.losses.NTXentLoss(temperature=tau)(E, labels=[0..B-1, 0..B-1])",
                "cases": []}
    offset = 0
    for name, b, h, tau, kind in cases:
        n = 2 * b
        e = torch.randn(n, h, generator=gen, dtype=torch.float64) * (0.5 + 3 * torch.rand(n, 1, generator=gen, dtype=torch.float64))
        if kind.startswith("correlated"):  # view 2 near view 1, as after a forward pass with dropout
            noise = float(kind.split("_")[1])
            e[b:] = e[:b] + noise * torch.randn(b, h, generator=gen, dtype=torch.float64)
        elif kind == "duplicates":  # identical rows: negatives equal to anchors and positives equal to anchors
            e[1] = e[0]
            e[b + 1] = e[b]
            e[b + 2] = e[2]  # row 2's positive identical to it
            e[3] = e[b + 4]  # a negative identical to row b+4
        elif kind == "zero_row":  # F.normalize's eps branch
            e[2] = 0
            e[b + 3] = 1e-14
        e32 = e.to(torch.float32)
        loss32, g32 = ntxent(e32, tau)
        loss64, g64 = ntxent(e32.to(torch.float64), tau)
        count = n * h
        manifest["cases"].append({
            "name": name, "batch": b, "rows": n, "dim": h, "temperature": tau, "kind": kind,
            "loss_f32": loss32, "loss_f64": loss64,
            "embeddings": offset, "gradient_f32": offset + count, "gradient_f64": offset + 2 * count,
            "count": count})
        for t in (e32, g32, g64.to(torch.float32)):
            blob.append(t.to(torch.float32).numpy().astype("<f4").tobytes())
        offset += 3 * count
    with open(os.path.join(OUT, "infonce.bin"), "wb") as f:
        for chunk in blob:
            f.write(chunk)
    write_json("infonce.json", manifest, indent=1)


# MARK: - AdamW

def record_adamw():
    gen = torch.Generator().manual_seed(7)
    sizes = [37, 50, 13]  # tensor 1 ("pooler") never gets a gradient
    cases = [
        ("reference_defaults", dict(lr=2e-5, weight_decay=0.01), 0, 8),
        ("large_lr", dict(lr=1e-2, weight_decay=0.01), 0, 8),
        ("no_decay_custom_betas", dict(lr=3e-3, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.0), 0, 6),
        ("warmup4", dict(lr=1e-2, weight_decay=0.1), 4, 10),
    ]
    out = {"reference": "torch.optim.AdamW (single-tensor path, CPU); flat layout = concat of tensors",
           "sizes": sizes, "updated_tensors": [0, 2], "cases": []}
    for name, kw, warmup, steps in cases:
        params = [torch.nn.Parameter(torch.randn(s, generator=gen) * (1 + 2 * torch.rand(1, generator=gen)))
                  for s in sizes]
        initial = torch.cat([p.detach().clone() for p in params])
        opt = torch.optim.AdamW(params, **kw)
        assert not opt.param_groups[0]["foreach"] and not opt.param_groups[0]["fused"]
        sched = None
        if warmup:
            sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warmup))
        grads, after, m, v = [], [], [], []
        for t in range(steps):
            flat_grad = []
            for i, p in enumerate(params):
                if i == 1:
                    p.grad = None
                    flat_grad.append(torch.full((sizes[i],), float("nan")))  # must be ignored
                    continue
                scale = 10.0 ** torch.randint(-4, 2, (sizes[i],), generator=gen).float()
                g = torch.randn(sizes[i], generator=gen) * scale
                g[torch.rand(sizes[i], generator=gen) < 0.1] = 0
                p.grad = g
                flat_grad.append(g)
            opt.step()
            if sched:
                sched.step()
            grads.append(f32_list(torch.cat(flat_grad)))
            after.append(f32_list(torch.cat([p.detach() for p in params])))
            m.append(f32_list(torch.cat([opt.state[p]["exp_avg"] if p in opt.state else torch.zeros_like(p)
                                         for p in params])))
            v.append(f32_list(torch.cat([opt.state[p]["exp_avg_sq"] if p in opt.state else torch.zeros_like(p)
                                         for p in params])))
        options = {"lr": kw["lr"], "beta1": kw.get("betas", (0.9, 0.999))[0],
                   "beta2": kw.get("betas", (0.9, 0.999))[1], "eps": kw.get("eps", 1e-8),
                   "weight_decay": kw["weight_decay"], "warmup_steps": warmup}
        out["cases"].append({"name": name, "options": options, "initial": f32_list(initial),
                             "grads": grads, "params": after, "exp_avg": m, "exp_avg_sq": v})
    write_json("adamw.json", out)


# MARK: - Span mask

def erase_and_mask(s, tokenizer, mask_len=5):
    """Verbatim from cambridgeltl/mirror-bert src/data_loader.py."""
    if len(s) <= mask_len: return s
    if len(s) < 30: return s  # if too short, no span masking
    ind = np.random.randint(len(s) - mask_len)
    left, right = s.split(s[ind:ind + mask_len], 1)
    return " ".join([left, "[MASK]", right])


def masked_with_start(s, k, start):
    calls = []

    def fixed_randint(high):
        calls.append(high)
        assert 0 <= start < high
        return start

    saved = np.random.randint
    np.random.randint = fixed_randint
    try:
        result = erase_and_mask(s, None, mask_len=k)
    finally:
        np.random.randint = saved
    return result, (calls[0] if calls else None)


def record_span_mask():
    rs = np.random.RandomState(5)
    train = os.path.join(DATA, "train")
    texts = []
    for fname, count in [("stsbenchmark_train_10k_sents_random_sampled.txt", 50),
                         ("arabic_wikimatrix_10k_sents_random_sampled.txt", 20),
                         ("russian_wikimatrix_10k_sents_random_sampled.txt", 20),
                         ("en_words_top_10k.txt", 4), ("zh_words_top_10k.txt", 2)]:
        with open(os.path.join(train, fname), encoding="utf-8") as f:
            lines = [line.rstrip("\n") for line in f]
        for i in rs.choice(len(lines), count, replace=False):
            texts.append(lines[i])
    crafted = [
        "a" * 29, "a" * 30, "b" * 31, "abcdefghijklmnopqrstuvwxyz012", "abcdefghijklmnopqrstuvwxyz0123",
        "the cat and the dog and the cat and the dog went home",  # repeated spans: first occurrence earlier
        "abab abab abab abab abab abab abab abab",
        "Caf\u00e9 cafe\u0301 na\u00efve na\u0131\u0308ve \u00e9l\u00e8ve e\u0301le\u0300ve fin",  # combining marks
        "Family: \U0001F468\u200D\U0001F469\u200D\U0001F467 and flags \U0001F1EB\U0001F1F7\U0001F1E9\U0001F1EA ok!",
        "\u4e2d\u6587\u53e5\u5b50\u6ca1\u6709\u7a7a\u683c\u4f46\u662f\u5f88\u957f\u5f88\u957f\u5f88\u957f\u5f88\u957f\u5f88\u957f\u7684\u53e5\u5b50\u3002\u5bf9\u5427",
        "  leading and trailing spaces are kept verbatim   ",
        "\t tabs\tand  double  spaces  inside a long enough sentence",
    ]
    texts += crafted
    cases = []
    for s in texts:
        for k in (5, 3, 0, 40):
            if k == 0:
                cases.append({"text": s, "k": 0, "start": None, "expected": s, "first_occurrence_earlier": False})
                continue
            n = len(s)
            start = int(rs.randint(n - k)) if n > k and n >= 30 else None
            # for repeated-span sentences try to land on a later repeat
            if start is not None and s.find(s[start:start + k]) == start and "cat" in s:
                later = [i for i in range(n - k) if s.find(s[i:i + k]) < i]
                if later:
                    start = later[len(later) // 2]
            result, high = masked_with_start(s, k, start if start is not None else 0)
            if start is None:
                assert high is None and result == s
            else:
                assert high == n - k
            cases.append({"text": s, "k": k, "start": start, "expected": result,
                          "first_occurrence_earlier": start is not None and s.find(s[start:start + k]) < start})
    write_json("span_mask.json", {"reference": "cambridgeltl/mirror-bert src/data_loader.py erase_and_mask, "
                                               "np.random.randint patched to return `start`",
                                  "mask_token": "[MASK]", "cases": cases})


# MARK: - Alignment and uniformity

def record_align_uniform():
    gen = torch.Generator().manual_seed(11)
    n, h = 40, 16
    x = torch.randn(n, h, generator=gen)
    y = x + 0.5 * torch.randn(n, h, generator=gen)
    x64 = torch.nn.functional.normalize(x.double(), dim=1)
    y64 = torch.nn.functional.normalize(y.double(), dim=1)

    def align(a, b, alpha=2):
        return (a - b).norm(p=2, dim=1).pow(alpha).mean().item()

    def uniform(a, t=2):
        return torch.pdist(a, p=2).pow(2).mul(-t).exp().mean().log().item()

    write_json("align_uniform.json", {
        "reference": "Wang & Isola (2020): align = mean ||x-y||^2, uniform = log mean_{i<j} exp(-2||xi-xj||^2), "
                     "on F.normalize'd rows, float64",
        "rows": n, "dim": h, "x": f32_list(x), "y": f32_list(y),
        "alignment": align(x64, y64), "uniformity_x": uniform(x64),
        "uniformity_xy": uniform(torch.cat([x64, y64]))})


if __name__ == "__main__":
    check_versions()
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT, exist_ok=True)
    assert struct.pack("<f", 1.0) == np.float32(1.0).astype("<f4").tobytes()
    record_infonce()
    record_adamw()
    record_span_mask()
    record_align_uniform()
    print("wrote", sorted(os.listdir(OUT)))
