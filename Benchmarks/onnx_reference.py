#!/usr/bin/env python3
"""The ONNX Runtime side of the encode benchmark, next to Benchmarks/pytorch_reference.py encode --model:
a Hugging Face model folder exported with torch.onnx.export (inputs input_ids, attention_mask and,
only where the model takes them, token_type_ids; dynamic batch and sequence axes; output
last_hidden_state), optionally int8 dynamic-quantized as sentence-transformers' ONNX docs do
(onnxruntime.quantization.quantize_dynamic with their "avx512_vnni" settings: QInt8 weights per
channel), then timed in a CPU InferenceSession (intra-op threads = --threads, inter-op 1, all graph
optimizations) over the first --sentences sentences in corpus order, batches of --batch-size padded
to the longest, tokenization (the folder's tokenizer via AutoTokenizer) and masked-mean pooling
(numpy) inside the timed loop, one untimed warm-up batch first: the same loop as the PyTorch script.
Prints one JSON line with the PyTorch script's keys (plus export_seconds / quantize_seconds when it
made the .onnx files); progress goes to stderr.

Export and quantization run in child processes and are cached under --cache (default
.build/onnx-cache/<folder basename>/; remade when the weights or the torch/transformers versions
change), and the timing process never loads PyTorch, so peak_rss_mb is ONNX Runtime's, the
tokenizer's and the embeddings' only. --check compares the first batch's embeddings with PyTorch fp32
(in a child process, after peak_rss_mb is taken): fp32 must reach cosine >= 0.9999 (exit 1 if not);
for int8 the minimum cosine is only reported.

usage: python Benchmarks/onnx_reference.py encode --model models/all-MiniLM-L6-v2 --corpus FILE
         [--threads 2] [--max-length 128] [--batch-size 64] [--sentences 2000]
         [--quantize none|int8] [--cache DIR] [--check]
Pinned: the reference venv (torch, transformers, onnxruntime, onnx, onnxscript; see pytorch_reference.py).
"""
import argparse
import concurrent.futures
import importlib.metadata
import json
import multiprocessing
import os
import resource
import sys
import time

import numpy as np
import onnxruntime as ort

FP32_MIN_COSINE = 0.9999


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def export_stamp(folder):
    """What an exported .onnx depends on; a cached export is reused only while this is unchanged."""
    st = os.stat(os.path.join(folder, "model.safetensors"))
    return {"model": os.path.realpath(folder), "weights_bytes": st.st_size, "weights_mtime_ns": st.st_mtime_ns,
            "torch": importlib.metadata.version("torch"), "transformers": importlib.metadata.version("transformers")}


# MARK: - Children (export, quantize, PyTorch embeddings); each runs in a fresh process

def export_onnx(folder, path, threads):
    """torch.onnx.export of the folder's model → path; returns the graph's input names."""
    import inspect
    import torch
    from transformers import AutoTokenizer
    from pytorch_reference import load_pretrained
    torch.set_num_threads(threads)
    model = load_pretrained(folder)
    tok = AutoTokenizer.from_pretrained(folder)
    params = inspect.signature(model.forward).parameters
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if "token_type_ids" in params else [])

    class LastHiddenState(torch.nn.Module):  # (B, T) ids and mask [, (B, T) token types] → (B, T, H)
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            extra = {} if token_type_ids is None else {"token_type_ids": token_type_ids}
            return self.model(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state

    # Three sentences of different lengths, so neither axis is specialised to a traced size.
    example = tok(["A man is playing a guitar.", "Two dogs run on the beach after a red ball.", "Hi."],
                  padding=True, return_tensors="pt")
    axes = {0: torch.export.Dim("batch"), 1: torch.export.Dim("sequence")}
    torch.onnx.export(LastHiddenState().eval(), tuple(example[n] for n in names), path,
                      input_names=names, output_names=["last_hidden_state"],
                      dynamic_shapes={n: axes for n in names}, external_data=False)
    return names


def quantize_int8(src, dst):
    """sentence-transformers' export_dynamic_quantized_onnx_model(..., "avx512_vnni") settings: QInt8
    symmetric weights per output channel, QUInt8 dynamic activations, full range. (Per-tensor weights,
    quantize_dynamic's default, gave min cosine 0.926 against fp32 on all-MiniLM-L6-v2; per channel 0.984.)"""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    ops = ["Conv", "MatMul", "Attention", "LSTM", "Gather", "Transpose", "EmbedLayerNormalization"]
    quantize_dynamic(src, dst, weight_type=QuantType.QInt8, per_channel=True, reduce_range=False, op_types_to_quantize=ops)


def pytorch_embeddings(folder, texts, max_length, threads):
    import torch
    from transformers import AutoTokenizer
    from pytorch_reference import encode_batch, load_pretrained
    torch.set_num_threads(threads)
    return encode_batch(load_pretrained(folder), AutoTokenizer.from_pretrained(folder), texts, max_length).numpy()


def in_child(fn, *args):
    """fn(*args) in a fresh interpreter (spawn), so this process's memory never holds PyTorch."""
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        return pool.submit(fn, *args).result()


# MARK: - The timed run

def prepare(a, out):
    """The .onnx file to time, exporting / quantizing into the cache when it is missing or stale."""
    cache = a.cache or os.path.join(".build", "onnx-cache", out["shape"])
    os.makedirs(cache, exist_ok=True)
    fp32, int8, stamp_path = (os.path.join(cache, f) for f in ("model.onnx", "model_qint8_avx512_vnni.onnx", "export.json"))
    stamp = export_stamp(a.model)
    old = json.load(open(stamp_path)) if os.path.exists(stamp_path) else None
    if old is None or old.get("source") != stamp or not os.path.exists(fp32):
        for f in (fp32, int8, stamp_path):
            if os.path.exists(f):
                os.remove(f)
        log(f"exporting {a.model} → {fp32}")
        t0 = time.perf_counter()
        names = in_child(export_onnx, a.model, fp32, a.threads)
        out["export_seconds"] = time.perf_counter() - t0
        json.dump({"source": stamp, "inputs": names}, open(stamp_path, "w"), indent=1)
    if a.quantize == "none":
        return fp32
    if not os.path.exists(int8):
        log(f"quantizing (dynamic, QInt8 weights per channel) → {int8}")
        t0 = time.perf_counter()
        in_child(quantize_int8, fp32, int8)
        out["quantize_seconds"] = time.perf_counter() - t0
    return int8


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["encode"])
    p.add_argument("--model", required=True, help="a Hugging Face model folder (weights, config, tokenizer)")
    p.add_argument("--corpus", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--sentences", "--lines", type=int, default=2000)
    p.add_argument("--quantize", choices=["none", "int8"], default="none")
    p.add_argument("--cache", help="where the exported .onnx files live (default .build/onnx-cache/<basename>)")
    p.add_argument("--check", action="store_true", help="compare the first batch with PyTorch fp32")
    a = p.parse_args()
    out = {"shape": os.path.basename(os.path.normpath(a.model)), "mode": a.mode, "threads": a.threads,
           "precision": "int8-dynamic" if a.quantize == "int8" else "fp32", "batch_size": a.batch_size,
           "max_length": a.max_length, "onnxruntime": ort.__version__}
    path = prepare(a, out)

    # transformers imports torch when it can; its tokenizers work without, and a deployment of
    # ONNX Runtime would not carry PyTorch's hundreds of MB, so keep them out of peak_rss_mb.
    sys.modules["torch"] = None
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(a.model)
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    inputs = [i.name for i in session.get_inputs()]
    texts = [l for l in open(a.corpus, encoding="utf-8").read().split("\n") if l][:a.sentences]

    def run(batch):
        enc = tok(batch, padding=True, truncation=True, max_length=a.max_length, return_tensors="np")
        h = session.run(["last_hidden_state"], {n: enc[n].astype(np.int64, copy=False) for n in inputs})[0]  # (B, T, H)
        m = enc["attention_mask"][..., None].astype(np.float32)  # (B, T, 1)
        return (h * m).sum(1) / m.sum(1)

    first = run(texts[:a.batch_size])
    log(f"timing {len(texts)} sentences, {os.path.basename(path)}, inputs {inputs}")
    t0 = time.perf_counter()
    for i in range(0, len(texts), a.batch_size):
        run(texts[i:i + a.batch_size])
    dt = time.perf_counter() - t0
    out["seconds"] = dt
    out["sentences_per_s"] = len(texts) / dt
    out["sentences"] = len(texts)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    passed = True
    if a.check:
        ref = in_child(pytorch_embeddings, a.model, texts[:a.batch_size], a.max_length, a.threads)
        cos = (first * ref).sum(1) / (np.linalg.norm(first, axis=1) * np.linalg.norm(ref, axis=1))
        out["check_min_cosine"] = float(cos.min())
        out["check_max_abs_diff"] = float(np.abs(first - ref).max())
        if a.quantize == "none":
            passed = out["check_min_cosine"] >= FP32_MIN_COSINE
            out["check_passed"] = passed
        log(f"check against PyTorch fp32 on {len(ref)} sentences: min cosine {cos.min():.6f}, worst sentence {int(cos.argmin())}")
    print(json.dumps(out, sort_keys=True))
    if not passed:
        sys.exit(f"ONNX fp32 embeddings differ from PyTorch's: min cosine {out['check_min_cosine']:.6f} < {FP32_MIN_COSINE}")


if __name__ == "__main__":
    main()
