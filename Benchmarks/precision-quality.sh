#!/usr/bin/env bash
# Quality of each --precision against fp32, per model folder: the 7 STS sets (eval's protocol:
# mean-masked, max length 64) in fp32, bf16 (where the CPU has native bf16) and int8, and the
# per-sentence cosine between fp32 embeddings and each other precision's over 2000 STS-B
# sentences (max length 128, as encode runs them). Prints one Markdown table.
# usage: Benchmarks/precision-quality.sh [model folders…]   (default: all-MiniLM-L6-v2, and
#        all-mpnet-base-v2 if fetched)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${MIRROR_BERT_DATA:-../shared/data}
swift build -c release --product mirror-bert >&2
bin=$(swift build -c release --show-bin-path)/mirror-bert
models=("$@")
if ((${#models[@]} == 0)); then
  models=(models/all-MiniLM-L6-v2)
  [[ -f models/all-mpnet-base-v2/config.json ]] && models+=(models/all-mpnet-base-v2)
fi
precisions="fp32 int8"
if grep -q -m1 -w avx512_bf16 /proc/cpuinfo || grep -q -m1 -w amx_bf16 /proc/cpuinfo; then precisions="fp32 bf16 int8"; fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
head -n 2000 "$data/train/stsbenchmark_train_10k_sents_random_sampled.txt" > "$work/sentences.txt"
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores"
echo
echo "| model | precision | STS avg (7 sets) | Δ vs fp32 | min cosine vs fp32 | mean cosine vs fp32 |"
echo "| --- | --- | --- | --- | --- | --- |"
for m in "${models[@]}"; do
  for p in $precisions; do
    "$bin" eval --model "$m" --data "$data" --precision "$p" --json "$work/$p.json" >/dev/null 2>"$work/log" || { cat "$work/log" >&2; exit 1; }
    "$bin" encode --model "$m" --input "$work/sentences.txt" --output "$work/$p.npy" --precision "$p" 2>"$work/log" || { cat "$work/log" >&2; exit 1; }
  done
  python3 - "$m" "$work" $precisions <<'PY'
import json, sys, numpy as np
model, work, precisions = sys.argv[1], sys.argv[2], sys.argv[3:]
def avg(p):
    r = json.load(open(f"{work}/{p}.json"))
    return (r[0] if isinstance(r, list) else r)["average"]
ref, base = np.load(f"{work}/fp32.npy"), avg("fp32")
for p in precisions:
    e = np.load(f"{work}/{p}.npy")
    cos = (e * ref).sum(1) / np.linalg.norm(e, axis=1) / np.linalg.norm(ref, axis=1)
    a = avg(p)
    print(f"| {model.split('/')[-1]} | {p} | {a:.2f} | {a - base:+.2f} | {cos.min():.5f} | {cos.mean():.6f} |")
PY
done
