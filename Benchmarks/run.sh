#!/usr/bin/env bash
# Speed and memory, side by side with the PyTorch reference, in one run on one machine.
# For each shape: a Mirror-BERT training step (batch 200 pairs = 400 rows; the reference recipe:
# both views padded to 50 tokens, mean pooling) and an encode pass (2000 sentences), for
# mirror-bert and for the official recipe in PyTorch (Benchmarks/pytorch_reference.py), each in
# its own process so peak RSS is per configuration. Also our training step with dynamic padding
# (mean-masked pooling: batches padded to their longest row). Prints a Markdown table.
# A configuration that fails (e.g. PyTorch's bert-base recipe killed for memory on a 24 GB
# machine) is a row that says how it ended, and the run goes on.
# Mode `tokenize` (not in the default modes) times the tokenizers alone: all-MiniLM-L6-v2's, the
# byte-level BPE and XLM-R fixtures' and all-mpnet-base-v2's if fetched, over four 10k-line
# corpora (English, Russian, Arabic sentences; Chinese words), in a second table.
# usage: Benchmarks/run.sh [--shapes "bert-base minilm-l12 minilm-l6"] [--steps 3] [--threads 2]
#          [--modes "train encode tokenize"] [--raw FILE]   (results are appended to FILE as JSON lines; the table covers all of FILE)
set -euo pipefail
cd "$(dirname "$0")/.."
shapes="bert-base minilm-l12 minilm-l6"; steps=3; threads=2; modes="train encode"; out=""
while (($#)); do
  case $1 in
    --shapes) shapes=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --raw) out=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
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
# One configuration: its JSON line with the labels added, or a line saying how it failed.
measure() {  # measure SHAPE MODE IMPL RECIPE command…
  local shape=$1 mode=$2 impl=$3 recipe=$4 line status; shift 4
  if line=$(run "$@"); then status=0; else status=$?; fi
  if ((status == 0)); then
    python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r.update(impl=sys.argv[2], recipe=sys.argv[3]); print(json.dumps(r))' \
      "$(tail -n 1 <<<"$line")" "$impl" "$recipe" >> "$out"
  else
    local why="exit $status"; ((status == 137)) && why="killed (SIGKILL: out of memory on this machine)"
    echo "$shape $mode $impl: $why" >&2
    printf '{"shape": "%s", "mode": "%s", "impl": "%s", "recipe": "%s", "error": "%s"}\n' "$shape" "$mode" "$impl" "$recipe" "$why" >> "$out"
  fi
}
[[ -n $out ]] || out=$(mktemp)
for s in $shapes; do
  echo "== $s" >&2
  common=(--shape "$s" --corpus "$corpus" --tokenizer "$tok" --threads "$threads")
  if [[ " $modes " == *" train "* ]]; then
    measure "$s" train mirror-bert padded "$bench" train "${common[@]}" --steps "$steps" --pooling mean --pad-to-max
    measure "$s" train mirror-bert dynamic "$bench" train "${common[@]}" --steps "$steps" --pooling mean-masked
    measure "$s" train pytorch padded "$py" Benchmarks/pytorch_reference.py train "${common[@]}" --steps "$steps"
  fi
  if [[ " $modes " == *" encode "* ]]; then
    measure "$s" encode mirror-bert dynamic "$bench" encode "${common[@]}" --pooling mean-masked --max-length 128
    measure "$s" encode pytorch padded "$py" Benchmarks/pytorch_reference.py encode "${common[@]}" --max-length 128
  fi
done
if [[ " $modes " == *" tokenize "* ]]; then
  echo "== tokenizers" >&2
  tokenizers=("$tok" Tests/Fixtures/tokenizers/roberta-bpe Tests/Fixtures/tokenizers/xlmr-spm)
  [[ -f models/all-mpnet-base-v2/tokenizer.json ]] && tokenizers+=(models/all-mpnet-base-v2)
  for t in "${tokenizers[@]}"; do
    for f in stsbenchmark_train_10k_sents_random_sampled.txt russian_wikimatrix_10k_sents_random_sampled.txt \
             arabic_wikimatrix_10k_sents_random_sampled.txt zh_words_top_10k.txt; do
      measure "$(basename "$t")" tokenize mirror-bert "$f" "$bench" tokenize --tokenizer "$t" --corpus "$data/train/$f"
    done
  done
fi
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def find(**k):  # the latest row for a configuration
    hits = [r for r in rows if all(r.get(a) == b for a, b in k.items())]
    return hits[-1] if hits else None
def ok(r): return r and "error" not in r
print("| shape | what | implementation | s/step or s | tokens/s | GFLOP/s | peak RSS (MB) | vs PyTorch |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for s in dict.fromkeys(r["shape"] for r in rows if r["mode"] != "tokenize"):
    ref = find(shape=s, mode="train", impl="pytorch")
    for impl, recipe in [("pytorch", "padded"), ("mirror-bert", "padded"), ("mirror-bert", "dynamic")]:
        r = find(shape=s, mode="train", impl=impl, recipe=recipe)
        if not r: continue
        what = "train step, padded to 50" if recipe == "padded" else "train step, dynamic padding"
        if not ok(r):
            print(f'| {s} | {what} | {impl} | {r["error"]} | | | | |'); continue
        tps = r["padded_tokens_per_step"] / r["seconds_per_step"]
        ratio = f'{ref["seconds_per_step"] / r["seconds_per_step"]:.2f}× faster, {r["peak_rss_mb"] / ref["peak_rss_mb"]:.2f}× RSS' if ok(ref) and impl != "pytorch" else ""
        rc = " (recompute)" if r.get("recompute") else ""
        print(f'| {s} | {what}{rc} | {impl} | {r["seconds_per_step"]:.2f} | {tps:.0f} | {r["gflops"]:.0f} | {r["peak_rss_mb"]:.0f} | {ratio} |')
    eref = find(shape=s, mode="encode", impl="pytorch")
    for impl in ["pytorch", "mirror-bert"]:
        r = find(shape=s, mode="encode", impl=impl)
        if not r: continue
        if not ok(r):
            print(f'| {s} | encode 2000 sentences | {impl} | {r["error"]} | | | | |'); continue
        ratio = f'{r["sentences_per_s"] / eref["sentences_per_s"]:.2f}× faster' if ok(eref) and impl != "pytorch" else ""
        print(f'| {s} | encode 2000 sentences | {impl} | {r["seconds"]:.2f} | {r["sentences_per_s"]:.0f} sent/s | | {r["peak_rss_mb"]:.0f} | {ratio} |')
tokenize = {}  # the latest row per (tokenizer, corpus); a failed one names them as shape and recipe
for r in rows:
    if r["mode"] == "tokenize": tokenize[(r.get("tokenizer") or r.get("shape"), r.get("corpus") or r.get("recipe"))] = r
if tokenize:
    print()
    print("| tokenizer | corpus | lines | tokens | load (s) | s | ms per 1000 lines | tokens/s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for (name, corpus), r in tokenize.items():
        if not ok(r):
            print(f'| {name} | {corpus} | {r["error"]} | | | | | |'); continue
        print(f'| {name} | {corpus} | {r["lines"]} | {r["tokens"]} | {r["load_seconds"]:.3f} | {r["seconds"]:.3f} | '
              f'{r["ms_per_1000_lines"]:.1f} | {r["real_tokens_per_s"]:.0f} |')
PY
echo "raw results: $out" >&2
