#!/usr/bin/env python3
"""Load check for `mirror-bert serve` (not a test): starts the server on 127.0.0.1 (port 0), then
for each concurrency level runs that many keep-alive clients posting one-text /v1/embeddings
requests, and reports requests/s, texts/s, p50/p99 latency and the mean batch the server formed.
Loopback only; bounded request counts and duration; Python standard library only.

The Python client costs about a third of a core per 1000 req/s, on the cores the server shares;
`--client wrk` drives the same requests with Debian's `wrk` (one thread, keep-alive, `--seconds`
per level, a Lua script cycling through the texts) for the server's own throughput.

usage: Scripts/load_check.py --bin .build/release/mirror-bert --model models/all-MiniLM-L6-v2
       [--levels 1,8,32] [--requests 400] [--max-seconds 30] [--texts FILE]
       [--client python|wrk] [--seconds 6] [-- extra serve flags…]
"""
import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"  # loopback only, always


def start_server(binary, model, extra):
    cmd = [binary, "serve", "--model", model, "--host", HOST, "--port", "0"] + extra
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    port = []
    log = []

    def read_stderr():
        for line in proc.stderr:
            log.append(line)
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if m and not port:
                port.append(int(m.group(1)))

    threading.Thread(target=read_stderr, daemon=True).start()
    deadline = time.time() + 60
    while not port and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    if not port:
        proc.kill()
        sys.exit("server did not start:\n" + "".join(log))
    return proc, port[0], log


def get_json(port, path):
    c = http.client.HTTPConnection(HOST, port, timeout=30)
    c.request("GET", path)
    r = c.getresponse()
    body = json.loads(r.read())
    c.close()
    return body


def run_level(port, texts, clients, requests, max_seconds, dimension):
    lock = threading.Lock()
    state = {"next": 0, "errors": 0}
    latencies = []
    deadline = time.time() + max_seconds

    def worker():
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        while True:
            with lock:
                i = state["next"]
                if i >= requests or time.time() > deadline:
                    break
                state["next"] += 1
            body = json.dumps({"input": texts[i % len(texts)]})
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/v1/embeddings", body, {"Content-Type": "application/json"})
                r = conn.getresponse()
                data = r.read()
                ok = r.status == 200 and len(json.loads(data)["data"][0]["embedding"]) == dimension
            except (OSError, http.client.HTTPException, ValueError, KeyError):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
            dt = time.perf_counter() - t0
            with lock:
                if ok:
                    latencies.append(dt)
                else:
                    state["errors"] += 1
        conn.close()

    before = get_json(port, "/health")
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    after = get_json(port, "/health")
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else float("nan")

    batches = after["batches"] - before["batches"]
    embedded = after["embedded_texts"] - before["embedded_texts"]
    return {
        "clients": clients, "requests": len(latencies), "errors": state["errors"], "seconds": wall,
        "rps": len(latencies) / wall, "p50": pct(50), "p99": pct(99),
        "mean_batch": embedded / batches if batches else float("nan"),
    }


def wrk_script(texts, path):
    """A Lua script for wrk that posts one text per request, cycling through `texts`."""
    bodies = ",\n".join("[==[" + json.dumps({"input": t}) + "]==]" for t in texts)
    with open(path, "w", encoding="utf-8") as f:
        f.write("local bodies = {\n" + bodies + "\n}\nlocal i = 0\n"
                "wrk.method = 'POST'\nwrk.headers['Content-Type'] = 'application/json'\n"
                "request = function()\n  i = i % #bodies + 1\n"
                "  return wrk.format(nil, '/v1/embeddings', nil, bodies[i])\nend\n")


def wrk_level(port, script, clients, seconds):
    """One level driven by wrk: requests/s and latency percentiles as wrk reports them."""
    before = get_json(port, "/health")
    out = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", script,
                          f"http://{HOST}:{port}"], capture_output=True, text=True, check=True).stdout
    after = get_json(port, "/health")

    def millis(label):
        m = re.search(rf"^\s*{label}\s+([0-9.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            sys.exit(f"wrk printed no {label} latency:\n{out}")
        return float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3}[m.group(2)]

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    batches = after["batches"] - before["batches"]
    embedded = after["embedded_texts"] - before["embedded_texts"]
    return {
        "clients": clients, "requests": requests, "seconds": float(seconds),
        "errors": int(failed.group(1)) if failed else 0, "socket_errors": socket_errors.group(1) if socket_errors else "",
        "rps": float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1)),
        "p50": millis("50%"), "p99": millis("99%"), "mean_batch": embedded / batches if batches else float("nan"),
    }


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--model", default="models/all-MiniLM-L6-v2")
    ap.add_argument("--levels", default="1,8,32")
    ap.add_argument("--requests", type=int, default=400, help="requests per level (at most)")
    ap.add_argument("--max-seconds", type=float, default=30, help="seconds per level (at most)")
    ap.add_argument("--texts", default=None, help="one text per line (default: STS-B test sentences, else built-in)")
    ap.add_argument("--client", choices=["python", "wrk"], default="python")
    ap.add_argument("--seconds", type=int, default=6, help="seconds per level with --client wrk")
    args = ap.parse_args(argv)

    texts = []
    stsb = os.path.join(os.environ.get("MIRROR_BERT_DATA", "../shared/data"), "eval/stsb/test.tsv")
    if args.texts:
        texts = [l.rstrip("\n") for l in open(args.texts, encoding="utf-8") if l.strip()]
    elif os.path.exists(stsb):
        texts = [l.split("\t")[1] for l in open(stsb, encoding="utf-8") if l.count("\t") >= 2]
    if not texts:
        texts = [f"sentence number {i} about a man playing a guitar in the park" for i in range(100)]

    proc, port, log = start_server(args.bin, args.model, extra)
    try:
        model = get_json(port, "/v1/models")["data"][0]
        dimension = model["dimension"]
        print(f"server: {args.bin} serve, model {model['id']} (dimension {dimension}, {model['pooling']}, "
              f"max length {model['max_length']}), extra flags {extra or 'none'}; client: "
              f"{'wrk, one thread' if args.client == 'wrk' else 'Python ' + sys.version.split()[0]}, "
              f"{len(texts)} texts, one text per request, keep-alive connections, {HOST} only")
        run_level(port, texts, 1, 20, 30, dimension)  # warm-up
        levels = [int(c) for c in args.levels.split(",")]
        if args.client == "wrk":
            with tempfile.TemporaryDirectory() as tmp:
                script = os.path.join(tmp, "bodies.lua")
                wrk_script(texts, script)
                wrk_level(port, script, 32, 2)  # warm-up at the highest level
                rows = [wrk_level(port, script, c, args.seconds) for c in levels]
        else:
            rows = [run_level(port, texts, c, args.requests, args.max_seconds, dimension) for c in levels]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = "killed after 30 s"
    print()
    print("| clients | requests | errors | seconds | req/s | p50 ms | p99 ms | mean batch (texts) |")
    print("|--------:|---------:|-------:|--------:|------:|-------:|-------:|-------------------:|")
    for r in rows:
        print(f"| {r['clients']} | {r['requests']} | {r['errors']} | {r['seconds']:.1f} | {r['rps']:.1f} | "
              f"{r['p50']:.1f} | {r['p99']:.1f} | {r['mean_batch']:.1f} |")
    for r in rows:
        if r.get("socket_errors"):
            print(f"wrk socket errors at {r['clients']} clients: {r['socket_errors']}")
    print(f"\nserver exit after SIGTERM: {code}")


if __name__ == "__main__":
    main()
