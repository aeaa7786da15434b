#!/usr/bin/env bash
# Load check for `mirror-bert serve` (not a test): builds the release binary if needed, then runs
# Scripts/load_check.py — 1, 8 and 32 concurrent keep-alive clients on 127.0.0.1 posting one-text
# /v1/embeddings requests to all-MiniLM-L6-v2 — and prints req/s and p50/p99 latency per level
# (`--client wrk`: the same requests from Debian's wrk, which leaves the server more of the cores).
# usage: Scripts/load-check.sh [load_check.py flags…] [-- extra `serve` flags…]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product mirror-bert 2>&1 | tail -n 1
bin=$(swift build -c release --show-bin-path)/mirror-bert
exec python3 Scripts/load_check.py --bin "$bin" --model models/all-MiniLM-L6-v2 "$@"
