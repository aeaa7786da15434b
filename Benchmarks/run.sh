#!/usr/bin/env bash
# Speed and memory, side by side with the PyTorch reference, in one run on one machine.
# For each shape: a Mirror-BERT training step (batch 200 pairs = 400 rows; the reference recipe:
# both views padded to 50 tokens, mean pooling) and an encode pass (2000 sentences), for
# mirror-bert and for the official recipe in PyTorch (Benchmarks/pytorch_reference.py), each in
# its own process so peak RSS is per configuration. Also our training step with dynamic padding
# (mean-masked pooling: batches padded to their longest row). Prints a Markdown table.
# usage: Benchmarks/run.sh [--shapes "bert-base minilm-l12 minilm-l6"] [--steps 3] [--threads 2]
set -euo pipefail
cd "$(dirname "$0")/.."
shapes="bert-base minilm-l12 minilm-l6"; steps=3; threads=2
while (($#)); do
  case $1 in
    --shapes) shapes=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
data=${MIRROR_BERT_DATA:-../shared/data}
corpus=$data/train/stsbenchmark_train_10k_sents_random_sampled.txt
tok=models/all-MiniLM-L6-v2
Scripts/setup.sh
py=${REFERENCE_PYTHON:-$(../shared/scripts/reference-venv.sh .venv-reference)}  # a venv with torch (made once)
swift build -c release --product mirror-bert-bench >&2
bench=$(swift build -c release --show-bin-path)/mirror-bert-bench
# OpenBLAS: this environment may force OPENBLAS_CORETYPE=Haswell, which halves GEMM speed on
# AVX-512 machines; the benchmark measures the library's best kernels (tests never unset it).
run() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=$threads "$@"; }
out=$(mktemp)
for s in $shapes; do
  echo "== $s" >&2
  run "$bench" train --shape "$s" --corpus "$corpus" --tokenizer "$tok" --steps "$steps" --threads "$threads" --pooling mean --pad-to-max | sed 's/"mode":"train"/"mode":"train","impl":"mirror-bert","recipe":"padded"/' >> "$out"
  run "$bench" train --shape "$s" --corpus "$corpus" --tokenizer "$tok" --steps "$steps" --threads "$threads" --pooling mean-masked | sed 's/"mode":"train"/"mode":"train","impl":"mirror-bert","recipe":"dynamic"/' >> "$out"
  run "$py" Benchmarks/pytorch_reference.py train --shape "$s" --corpus "$corpus" --tokenizer "$tok" --steps "$steps" --threads "$threads" | sed 's/"mode": "train"/"mode": "train", "impl": "pytorch", "recipe": "padded"/' >> "$out"
  run "$bench" encode --shape "$s" --corpus "$corpus" --tokenizer "$tok" --threads "$threads" --pooling mean-masked --max-length 128 | sed 's/"mode":"encode"/"mode":"encode","impl":"mirror-bert"/' >> "$out"
  run "$py" Benchmarks/pytorch_reference.py encode --shape "$s" --corpus "$corpus" --tokenizer "$tok" --threads "$threads" --max-length 128 | sed 's/"mode": "encode"/"mode": "encode", "impl": "pytorch"/' >> "$out"
done
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def find(**k):
    for r in rows:
        if all(r.get(a) == b for a, b in k.items()):
            return r
print("| shape | what | implementation | s/step or s | tokens/s | GFLOP/s | peak RSS (MB) | vs PyTorch |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for s in dict.fromkeys(r["shape"] for r in rows):
    ref = find(shape=s, mode="train", impl="pytorch")
    for impl, recipe in [("pytorch", "padded"), ("mirror-bert", "padded"), ("mirror-bert", "dynamic")]:
        r = find(shape=s, mode="train", impl=impl, recipe=recipe)
        if not r: continue
        tps = r["padded_tokens_per_step"] / r["seconds_per_step"]
        ratio = f'{ref["seconds_per_step"] / r["seconds_per_step"]:.2f}× faster, {r["peak_rss_mb"] / ref["peak_rss_mb"]:.2f}× RSS' if ref and impl != "pytorch" else ""
        what = "train step, padded to 50" if recipe == "padded" else "train step, dynamic padding"
        print(f'| {s} | {what} | {impl} | {r["seconds_per_step"]:.2f} | {tps:.0f} | {r["gflops"]:.0f} | {r["peak_rss_mb"]:.0f} | {ratio} |')
    eref = find(shape=s, mode="encode", impl="pytorch")
    for impl in ["pytorch", "mirror-bert"]:
        r = find(shape=s, mode="encode", impl=impl)
        if not r: continue
        ratio = f'{r["sentences_per_s"] / eref["sentences_per_s"]:.2f}× faster' if eref and impl != "pytorch" else ""
        print(f'| {s} | encode 2000 sentences | {impl} | {r["seconds"]:.2f} | {r["sentences_per_s"]:.0f} sent/s | | {r["peak_rss_mb"]:.0f} | {ratio} |')
PY
echo "raw results: $out" >&2
