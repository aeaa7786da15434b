#!/usr/bin/env python3
"""Real clients against `mirror-bert serve` (a test tool, run by Tests/ServerTests/ClientScriptTests):
the `openai` package, `huggingface_hub`'s InferenceClient the way TEI's documentation uses it, and
curl, each compared with `mirror-bert encode --normalize` of the same texts (within 1e-5), with
the API key refused and accepted, and the 413 (payload limit) and 429 (concurrency cap) answers.
Loopback only; the server is started here on a free port and stopped with SIGTERM.

usage: Scripts/client_check.py --bin .build/release/mirror-bert --model models/all-MiniLM-L6-v2
Prints one line per check and exits 1 if any failed.
"""
import argparse
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load_check import start_server  # noqa: E402  (starts `serve` on a free loopback port)

HOST = "127.0.0.1"
KEY = "client-check-key"
TEXTS = ["A man is playing a guitar.", "A woman is slicing an onion.", "Three dogs run on the beach.",
         "ünïcödé and 中文 text"]
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f"  ({detail})" if detail else ""), flush=True)


def curl(port, method, path, body=None, key=KEY, extra=()):
    cmd = ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", "-X", method, f"http://{HOST}:{port}{path}"]
    if key:
        cmd += ["-H", f"Authorization: Bearer {key}"]
    if body is not None:
        cmd += ["-H", "Content-Type: application/json", "--data-binary", "@-"]
    cmd += list(extra)
    out = subprocess.run(cmd, input=body, capture_output=True, text=True, timeout=60).stdout
    text, _, status = out.rpartition("\n")
    return int(status), text


def close(a, b, tol=1e-5):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and float(np.max(np.abs(a - b))) <= tol, (float(np.max(np.abs(a - b))) if a.shape == b.shape else f"shapes {a.shape} {b.shape}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--model", required=True)
    args = ap.parse_args()
    import openai
    import huggingface_hub
    from huggingface_hub import InferenceClient

    with tempfile.TemporaryDirectory() as tmp:
        key_file = os.path.join(tmp, "key")
        with open(key_file, "w") as f:
            f.write(KEY + "\n")
        texts_file, out_file = os.path.join(tmp, "texts.txt"), os.path.join(tmp, "out.jsonl")
        with open(texts_file, "w", encoding="utf-8") as f:
            f.write("\n".join(TEXTS) + "\n")
        subprocess.run([args.bin, "encode", "--model", args.model, "--input", texts_file, "--output", out_file,
                        "--normalize"], check=True, capture_output=True)
        reference = np.array([json.loads(l) for l in open(out_file, encoding="utf-8")], dtype=np.float64)
        proc, port, log = start_server(args.bin, args.model, [
            "--api-key-file", key_file, "--max-client-batch-size", "8", "--payload-limit", "8192",
            "--max-concurrent-requests", "2"])
        print(f"server on {HOST}:{port}; openai {openai.__version__}, huggingface_hub {huggingface_hub.__version__}, "
              f"{subprocess.run(['curl', '--version'], capture_output=True, text=True).stdout.split(chr(10))[0]}")
        try:
            run_checks(port, reference, openai, InferenceClient)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(f"\n{sum(results)}/{len(results)} checks passed")
    return 0 if all(results) else 1


def run_checks(port, reference, openai, InferenceClient):
    base = f"http://{HOST}:{port}"
    d = 16
    cut = reference[:, :d] / np.linalg.norm(reference[:, :d], axis=1, keepdims=True)

    # openai: embeddings.create against /v1
    client = openai.OpenAI(base_url=base + "/v1", api_key=KEY)
    model_id = client.models.list().data[0].id
    r = client.embeddings.create(model=model_id, input=TEXTS)
    ok, diff = close([e.embedding for e in r.data], reference)
    check("openai embeddings.create (float) = encode", ok, f"max |diff| {diff}")
    r = client.embeddings.create(model=model_id, input=TEXTS, encoding_format="base64")
    ok, diff = close([np.frombuffer(base64.b64decode(e.embedding), dtype="<f4") for e in r.data], reference)
    check("openai embeddings.create (base64: little-endian float32) = encode", ok, f"max |diff| {diff}")
    r = client.embeddings.create(model=model_id, input=TEXTS, dimensions=d)
    ok, diff = close([e.embedding for e in r.data], cut)
    check(f"openai embeddings.create dimensions={d} = encode cut and renormalized", ok, f"max |diff| {diff}")
    try:
        openai.OpenAI(base_url=base + "/v1", api_key="wrong").embeddings.create(model=model_id, input="x")
        check("openai with a wrong key is refused", False, "no error")
    except openai.AuthenticationError as e:
        check("openai with a wrong key is refused", e.status_code == 401, f"status {e.status_code}")

    # huggingface_hub: InferenceClient(model=URL).feature_extraction, as TEI's docs use it
    hf = InferenceClient(model=base, token=KEY)
    rows = [np.reshape(hf.feature_extraction(t), (-1,)) for t in TEXTS]
    ok, diff = close(rows, reference)
    check("huggingface_hub InferenceClient.feature_extraction = encode", ok, f"max |diff| {diff}")
    arr = hf.feature_extraction(TEXTS[0], dimensions=d)
    ok, diff = close(np.reshape(arr, (-1,)), cut[0])
    check(f"huggingface_hub feature_extraction dimensions={d}", ok, f"max |diff| {diff}")
    try:
        InferenceClient(model=base, token="wrong").feature_extraction(TEXTS[0])
        check("huggingface_hub with a wrong key is refused", False, "no error")
    except Exception as e:  # HfHubHTTPError
        status = getattr(getattr(e, "response", None), "status_code", None)
        check("huggingface_hub with a wrong key is refused", status == 401, f"status {status}")

    # curl: every route
    status, body = curl(port, "POST", "/embed", json.dumps({"inputs": TEXTS}))
    ok, diff = close(json.loads(body), reference) if status == 200 else (False, body[:200])
    check("curl POST /embed = encode", status == 200 and ok, f"status {status}, max |diff| {diff}")
    status, body = curl(port, "POST", "/", json.dumps({"inputs": TEXTS[0]}))
    ok, diff = close(json.loads(body), reference[:1]) if status == 200 else (False, body[:200])
    check("curl POST / = /embed", status == 200 and ok, f"status {status}")
    status, body = curl(port, "POST", "/v1/embeddings", json.dumps({"input": TEXTS}))
    vecs = [e["embedding"] for e in json.loads(body)["data"]] if status == 200 else []
    ok, diff = close(vecs, reference) if status == 200 else (False, body[:200])
    check("curl POST /v1/embeddings = encode", status == 200 and ok, f"status {status}, max |diff| {diff}")
    status, body = curl(port, "POST", "/similarity",
                        json.dumps({"inputs": {"source_sentence": TEXTS[0], "sentences": TEXTS[1:]}}))
    ok, diff = close(json.loads(body), reference[1:] @ reference[0]) if status == 200 else (False, body[:200])
    check("curl POST /similarity = cosines of encode", status == 200 and ok, f"status {status}, max |diff| {diff}")
    status, body = curl(port, "POST", "/embed_all", json.dumps({"inputs": TEXTS[0]}))
    tokens = np.array(json.loads(body)[0]) if status == 200 else np.zeros((1, 1))
    mean = tokens.mean(axis=0)
    ok, diff = close(mean / np.linalg.norm(mean), reference[0], 1e-4) if status == 200 else (False, body[:200])
    check("curl POST /embed_all: masked mean of the token rows = encode (1e-4)", status == 200 and ok,
          f"status {status}, {tokens.shape[0]} tokens, max |diff| {diff}")
    status, body = curl(port, "POST", "/tokenize", json.dumps({"inputs": TEXTS[0]}))
    ids = [t["id"] for t in json.loads(body)[0]] if status == 200 else []
    check("curl POST /tokenize", status == 200 and len(ids) > 2, f"status {status}, ids {ids}")
    status, body = curl(port, "POST", "/decode", json.dumps({"ids": ids}))
    check("curl POST /decode of /tokenize's ids", status == 200 and json.loads(body) == [TEXTS[0].lower()],
          f"status {status}, {body[:120]}")
    status, body = curl(port, "GET", "/info")
    check("curl GET /info", status == 200 and json.loads(body).get("max_client_batch_size") == 8, f"status {status}")
    status, body = curl(port, "GET", "/health", key=None)
    check("curl GET /health without a key", status == 200, f"status {status}")
    status, body = curl(port, "GET", "/metrics")
    check("curl GET /metrics", status == 200 and "te_request_count" in body, f"status {status}, {len(body)} bytes")
    status, body = curl(port, "GET", "/metrics", key=None)
    check("curl GET /metrics without a key: 401", status == 401, f"status {status}")
    status, body = curl(port, "POST", "/embed", json.dumps({"inputs": "x"}), key="wrong")
    check("curl POST /embed with a wrong key: 401", status == 401, f"status {status}, {body[:100]}")

    # limits
    status, body = curl(port, "POST", "/embed", json.dumps({"inputs": ["x" * 100] * 100}))
    check("curl body over --payload-limit 8192: 413", status == 413, f"status {status}, {body[:100]}")
    status, body = curl(port, "POST", "/embed", json.dumps({"inputs": ["a"] * 9}))
    check("curl 9 inputs over --max-client-batch-size 8: 422 Validation",
          status == 422 and json.loads(body).get("error_type") == "Validation", f"status {status}, {body[:100]}")
    status, body = curl(port, "POST", "/embed", json.dumps({"inputs": " ".join(["word"] * 600), "truncate": False}))
    check("curl truncate: false over the max length: 422", status == 422, f"status {status}, {body[:100]}")
    held = []
    for _ in range(2):  # take both places of --max-concurrent-requests 2 with requests whose bodies never end
        s = socket.create_connection((HOST, port))
        s.sendall(f"POST /embed HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
                  f"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{".encode())
        held.append(s)
    status, body = 0, ""
    for _ in range(100):
        status, body = curl(port, "POST", "/embed", json.dumps({"inputs": "x"}))
        if status == 429:
            break
        time.sleep(0.05)
    check("curl over --max-concurrent-requests 2: 429 Overloaded",
          status == 429 and json.loads(body).get("error_type") == "Overloaded", f"status {status}, {body[:100]}")
    for s in held:
        s.close()


if __name__ == "__main__":
    sys.exit(main())
