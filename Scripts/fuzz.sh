#!/usr/bin/env bash
# Fuzz every parser of outside data (safetensors, config.json, tokenizer.json, text/TSV lines,
# the index file, the server's JSON, pytorch_model.bin, trainer_state.json, a model card's README.md
# as `eval --card` rewrites it) for a time budget each,
# with the mutators of Fuzz/Targets seeded from the repository's real files. Prints executions per
# parser; exits non-zero on a crash, leaving the input that caused it in .build/fuzz/current-<parser>.
#
#   Scripts/fuzz.sh [seconds per parser, default 60] [parser …]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=()
for t in "$@"; do targets+=(--target "$t"); done
swift build -c release --product mirror-bert-fuzz >&2
# A hang shows up as this timeout: each parser gets its budget plus a minute.
count=$(( ${#targets[@]} > 0 ? ${#targets[@]} / 2 : 9 ))
timeout $(( (seconds + 60) * count )) .build/release/mirror-bert-fuzz --seconds "$seconds" "${targets[@]}" --root "$PWD"
