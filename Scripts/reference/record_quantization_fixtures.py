#!/usr/bin/env python3
"""Records the fixtures for Tests/ModelsTests/EmbeddingQuantizationTests (dev tool, never run by tests).

Pinned versions (Scripts/reference/requirements.txt): sentence-transformers==6.2.0, numpy==2.4.6.
usage: python Scripts/reference/record_quantization_fixtures.py

Writes into Tests/Fixtures/quantization/:
  quantize_embeddings.json   float32 embeddings and a separate calibration set (as uint32 bit
                             patterns, so Swift reads the exact floats), and for each case and
                             precision the output of
                             sentence_transformers.quantization.quantize_embeddings(embeddings,
                             precision, calibration_embeddings=calibration) as integer lists.
  <case>_<precision>.npy     the same outputs saved by numpy.save ('|i1' or '|u1'), which the
                             NPY writer must reproduce byte for byte.

Cases: "dim16" (16 columns) and "dim13" (the first 13 columns of the same rows: packbits pads
the last byte with zero bits). The embeddings are seeded normals plus edge rows: exact zeros and
-0.0, every calibration minimum and maximum (ties at the range ends), values far outside the
range, ±inf, values on bucket boundaries start + k·step, and a column whose calibration values
are all equal (step 0, which sentence-transformers replaces by 1).
"""
import json
import os

import numpy as np
import sentence_transformers
from sentence_transformers.util.quantization import quantize_embeddings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "quantization")
PRECISIONS = ["int8", "uint8", "binary", "ubinary"]
DIM = 16
CONSTANT_COLUMN = 5  # every calibration row has the same value here


def bits(matrix):
    """Row-major uint32 bit patterns of a float32 matrix."""
    return [int(b) for b in np.ascontiguousarray(matrix, dtype=np.float32).view(np.uint32).ravel()]


def make_data():
    rng = np.random.default_rng(20261207)
    calibration = rng.standard_normal((20, DIM)).astype(np.float32) * np.float32(0.3)
    calibration[:, CONSTANT_COLUMN] = np.float32(0.125)
    lo, hi = calibration.min(axis=0), calibration.max(axis=0)
    step = (hi - lo) / np.float32(255)

    rows = [rng.standard_normal(DIM).astype(np.float32) * np.float32(0.3) for _ in range(6)]
    rows.append(np.zeros(DIM, dtype=np.float32))                       # exact zeros
    rows.append(-np.zeros(DIM, dtype=np.float32))                      # -0.0
    rows.append(lo.copy())                                             # ties at the minimum
    rows.append(hi.copy())                                             # ties at the maximum
    outside = np.where(np.arange(DIM) % 2 == 0, np.float32(-10), np.float32(10)).astype(np.float32)
    outside[CONSTANT_COLUMN] = np.float32(3.7)                         # step 1: floor(3.575) = 3
    rows.append(outside)                                               # far outside the range
    near = lo - np.float32(1e-3)
    near[1::2] = hi[1::2] + np.float32(1e-3)
    rows.append(near.astype(np.float32))                               # just outside
    k = np.arange(DIM, dtype=np.float32) * np.float32(17) % np.float32(256)
    rows.append((lo + k * step).astype(np.float32))                    # on bucket boundaries
    inf = np.full(DIM, np.float32(0.5))
    inf[0], inf[1], inf[2] = np.inf, -np.inf, np.float32(1e-30)
    rows.append(inf.astype(np.float32))                                # ±inf and a tiny positive
    embeddings = np.stack(rows).astype(np.float32)
    return embeddings, calibration


def main():
    os.makedirs(OUT, exist_ok=True)
    embeddings, calibration = make_data()
    cases = []
    for name, dim in [("dim16", DIM), ("dim13", 13)]:
        e = np.ascontiguousarray(embeddings[:, :dim])
        c = np.ascontiguousarray(calibration[:, :dim])
        outputs = {}
        for precision in PRECISIONS:
            q = quantize_embeddings(e, precision=precision, calibration_embeddings=c)
            assert q.dtype == (np.int8 if precision in ("int8", "binary") else np.uint8), (precision, q.dtype)
            np.save(os.path.join(OUT, f"{name}_{precision}.npy"), q)
            outputs[precision] = {"dtype": str(q.dtype), "shape": list(q.shape), "values": q.ravel().tolist()}
        cases.append({"name": name, "rows": int(e.shape[0]), "dimension": dim,
                      "embeddings_bits": bits(e), "calibration_rows": int(c.shape[0]),
                      "calibration_bits": bits(c), "outputs": outputs})
    fixture = {
        "generator": "Scripts/reference/record_quantization_fixtures.py",
        "sentence_transformers": sentence_transformers.__version__,
        "numpy": np.__version__,
        "cases": cases,
    }
    with open(os.path.join(OUT, "quantize_embeddings.json"), "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
