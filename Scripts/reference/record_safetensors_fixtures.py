#!/usr/bin/env python3
"""Records the fixtures for Tests/SafeTensorsTests and Tests/FileIOTests (dev tool, never run by tests).

Pinned versions (Scripts/reference/requirements.txt): safetensors==0.8.0, torch==2.13.0, numpy==2.4.6.
usage: python Scripts/reference/record_safetensors_fixtures.py [--model models/all-MiniLM-L6-v2]

Writes into Tests/Fixtures/safetensors/:
  f32_*.safetensors     F32 tensors saved by safetensors.torch.save_file; the writer must reproduce
                        them byte for byte. Values follow formulas the Swift tests recompute
                        (value(i) below), so the reader is checked against exact numbers too.
  f32_random.safetensors   seeded torch.randn tensors (arbitrary bit patterns) for read -> write.
  half_precision.safetensors  F16 and BF16 bit patterns (subnormals, inf, nan, -0) next to their
                        torch `.float()` conversions stored as F32 ("<name>.as_f32").
  mixed_dtypes.safetensors  one tensor of each common dtype (order: dtype rank, then name).
  empty*.safetensors    no tensors, with and without metadata.
  minilm_manifest.json  every tensor of the MiniLM model (name, dtype, shape, offsets in file order),
                        its metadata, sizes and a few values at fixed flat indices.
  numpy_*.npy           float32 matrices saved by numpy.save (value(i) again), for the NPY writer.
"""
import argparse
import json
import os
import struct

import numpy as np
import safetensors
import torch
from safetensors.torch import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "safetensors")


def value(count, k):
    """Float32 values the Swift tests recompute exactly: Float(i) * 0.37 - Float(k) * 1.25."""
    i = np.arange(count, dtype=np.float32)
    return i * np.float32(0.37) - np.float32(k) * np.float32(1.25)


def formula_tensor(shape, k):
    n = int(np.prod(shape)) if len(shape) else 1
    return torch.from_numpy(value(n, k).reshape(shape).copy())


# Shapes shared with Tests/SafeTensorsTests/WriterTests.swift (name, shape, k); the names are
# deliberately not in sorted order so the writer's sort is exercised.
FORMULA_TENSORS = [
    ("zeta.weight", [3, 5], 1),
    ("alpha", [7], 2),
    ("scalar", [], 3),
    ("Beta.bias", [2, 1, 3], 4),
    ("empty_rows", [0, 4], 5),
    ("mid.layer.10", [1], 6),
    ("mid.layer.9", [4, 3], 7),
]


def formula_dict():
    return {name: formula_tensor(shape, k) for name, shape, k in FORMULA_TENSORS}


def save(name, tensors, metadata=None):
    path = os.path.join(OUT, name)
    save_file(tensors, path, metadata=metadata)
    print("wrote", path, os.path.getsize(path))


def bits_to(dtype, bits):
    raw = np.array(bits, dtype=np.uint16).view(np.int16)
    return torch.from_numpy(raw.copy()).view(dtype)


F16_BITS = [0x0000, 0x8000, 0x0001, 0x8001, 0x0155, 0x0200, 0x03FF, 0x83FF, 0x0400, 0x8400,
            0x3C00, 0xBC00, 0x3555, 0x2E66, 0xC100, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00, 0x7E00,
            0xFE00, 0x7C01, 0x7FFF, 0x5640, 0x0011]
BF16_BITS = [0x0000, 0x8000, 0x0001, 0x8001, 0x007F, 0x0040, 0x0080, 0x8080, 0x3F80, 0xBF80,
             0x3EAA, 0xC020, 0x7F7F, 0xFF7F, 0x7F80, 0xFF80, 0x7FC0, 0xFFC0, 0x7F81, 0x7FFF,
             0x4049, 0x0101, 0x3DCD]


def record_safetensors():
    save("f32_plain.safetensors", formula_dict())
    save("f32_metadata.safetensors", formula_dict(), {"format": "pt"})
    # Escapes: serde_json writes \" \\ \b \f \n \r \t, other controls as \u00xx, DEL and non-ASCII raw.
    save("f32_escapes.safetensors",
         {"é😀\"\\\t\x01\x7f/x": formula_tensor([2], 1), "w": formula_tensor([1], 2)},
         {"k\"\n\x1f\x7f/é": "v\\\b\f\r😀"})
    # Several metadata keys: the Python package writes them in Rust HashMap (random) order.
    save("f32_metadata_multi.safetensors", formula_dict(),
         {"format": "pt", "step": "1200", "base": "all-MiniLM-L6-v2", "a": ""})
    g = torch.Generator().manual_seed(1234)
    save("f32_random.safetensors", {
        "encoder.layer.0.attention.self.query.weight": torch.randn(13, 11, generator=g),
        "encoder.layer.0.attention.self.query.bias": torch.randn(13, generator=g),
        "pooler.dense.weight": torch.randn(5, 3, 2, generator=g),
        "tiny": torch.randn(1, 1, generator=g),
        "scalar": torch.randn((), generator=g),
    }, {"format": "pt"})

    half = {}
    f16 = bits_to(torch.float16, F16_BITS)
    bf16 = bits_to(torch.bfloat16, BF16_BITS)
    half["f16"] = f16
    half["f16.as_f32"] = f16.float()
    half["bf16"] = bf16
    half["bf16.as_f32"] = bf16.float()
    f16_2d = bits_to(torch.float16, [0x3C00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600]).reshape(2, 3)
    half["f16.matrix"] = f16_2d
    half["f16.matrix.as_f32"] = f16_2d.float()
    save("half_precision.safetensors", half)

    save("mixed_dtypes.safetensors", {
        "ids": torch.tensor([[0, 1, 2, -3, 2**40, -(2**62)]], dtype=torch.int64),
        "i32": torch.tensor([7, -8, 2**31 - 1], dtype=torch.int32),
        "i16": torch.tensor([-300, 300], dtype=torch.int16),
        "i8": torch.tensor([-128, 127, 0], dtype=torch.int8),
        "u8": torch.tensor([0, 255, 17], dtype=torch.uint8),
        "mask": torch.tensor([True, False, True], dtype=torch.bool),
        "f64": torch.tensor([1.5, -2.25], dtype=torch.float64),
        "f32": torch.tensor([0.5, -0.75, 3.0], dtype=torch.float32),
        "bf16": torch.tensor([1.0, -2.0], dtype=torch.bfloat16),
        "f16": torch.tensor([0.5, 4.0, -1.0], dtype=torch.float16),
    })

    save("empty.safetensors", {})
    save("empty_metadata.safetensors", {}, {"format": "pt"})


def record_minilm(model_dir):
    path = os.path.join(model_dir, "model.safetensors")
    if not os.path.exists(path):
        print("skip MiniLM manifest:", path, "missing")
        return
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    from safetensors import safe_open
    entries = sorted(((k, v) for k, v in header.items() if k != "__metadata__"),
                     key=lambda kv: tuple(kv[1]["data_offsets"]))
    tensors, samples = [], []
    with safe_open(path, framework="pt") as st:
        for name, info in entries:
            tensors.append({"name": name, "dtype": info["dtype"], "shape": info["shape"],
                            "data_offsets": info["data_offsets"]})
        for name in ["embeddings.word_embeddings.weight", "embeddings.LayerNorm.weight",
                     "encoder.layer.0.attention.self.query.weight", "encoder.layer.5.output.dense.bias",
                     "pooler.dense.weight", "embeddings.position_ids"]:
            if name not in header:
                continue
            t = st.get_tensor(name).reshape(-1)
            idx = sorted({0, 1, t.numel() // 2, t.numel() - 1})
            vals = [t[i].item() for i in idx]
            samples.append({"name": name, "indices": idx, "values": vals})
    manifest = {"file_size": os.path.getsize(path), "header_length": n,
                "metadata": header.get("__metadata__", {}), "tensors": tensors, "samples": samples}
    out = os.path.join(OUT, "minilm_manifest.json")
    with open(out, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print("wrote", out)


# Shapes chosen to cover the header padding (data must start at a multiple of 64; when the header
# already ends on the boundary numpy pads a whole 64 bytes).
NPY_SHAPES = [(3, 5), (0, 4), (1, 1), (2, 1234567890), (17, 384)]


def record_npy():
    for rows, cols in NPY_SHAPES:
        name = f"numpy_f32_{rows}x{cols}.npy"
        path = os.path.join(OUT, name)
        if rows * cols > 100_000:
            # Too big to commit: keep just the header numpy writes (the test compares headers).
            import io
            buf = io.BytesIO()
            np.lib.format.write_array_header_1_0(buf, {"descr": "<f4", "fortran_order": False,
                                                      "shape": (rows, cols)})
            with open(path + ".header", "wb") as f:
                f.write(buf.getvalue())
            print("wrote", path + ".header")
            continue
        np.save(path, value(rows * cols, 0).reshape(rows, cols))
        print("wrote", path, os.path.getsize(path))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "all-MiniLM-L6-v2"))
    args = ap.parse_args()
    assert safetensors.__version__ == "0.8.0", safetensors.__version__
    assert np.__version__ == "2.4.6", np.__version__
    os.makedirs(OUT, exist_ok=True)
    record_safetensors()
    record_minilm(args.model)
    record_npy()


if __name__ == "__main__":
    main()
