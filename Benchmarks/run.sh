#!/usr/bin/env bash
# Speed and memory, side by side with the PyTorch reference, in one run on one machine.
# For each shape: a Mirror-BERT training step (batch 200 pairs = 400 rows; the reference recipe:
# both views padded to 50 tokens, mean pooling) and an encode pass (2000 sentences), for
# mirror-bert in each --precision (fp32; bf16 where the CPU has native bf16 dot products) and for
# the official recipe in PyTorch (Benchmarks/pytorch_reference.py) in fp32 and with bf16 autocast,
# each in its own process so peak RSS is per configuration. Also our step on packed rows
# (mean-masked pooling, no padding) and with 8 pad positions per row as query-only rows
# (--pad-queries 2, the sentence default, and 8). Mode `recipe` (default on) times the whole sentence recipe at defaults with
# the real all-MiniLM-L6-v2: `mirror-bert train` on the 10k corpus, 50 steps, wall time and peak RSS.
# The table starts with the CPU and its relevant features. Prints a Markdown table.
# A configuration that fails (e.g. PyTorch's bert-base recipe killed for memory on a 24 GB
# machine) is a row that says how it ended, and the run goes on.
# Mode `tokenize` (not in the default modes) times the tokenizers alone: all-MiniLM-L6-v2's, the
# byte-level BPE and XLM-R fixtures' and all-mpnet-base-v2's if fetched, over four 10k-line
# corpora (English, Russian, Arabic sentences; Chinese words), in a second table.
# Mode `gemm` times the linear layers' products (fp32 and bf16) through BLAS.gemm.
# Mode `models` times encode on the real model folders (all-MiniLM-L6-v2, and all-mpnet-base-v2 if
# fetched with Scripts/setup.sh --model mpnet): 2000 STS-B sentences, max length 128, mean-masked,
# for PyTorch (fp32, bf16 autocast), ONNX Runtime (fp32; int8 with sentence-transformers' avx512_vnni
# quantize_dynamic settings; Benchmarks/onnx_reference.py, exported once and cached in .build) and
# mirror-bert in fp32, bf16 (where native) and int8, at its default batches (--max-batch-tokens).
# usage: Benchmarks/run.sh [--shapes "bert-base minilm-l12 minilm-l6"] [--steps 3] [--threads 2]
#          [--modes "train encode recipe gemm tokenize"] [--pytorch-shapes "minilm-l6"] [--raw FILE]
#          (--pytorch-shapes: the shapes that get PyTorch rows; default all; bert-base's padded recipe
#          needs more than 24 GB in PyTorch)   (results are appended to FILE as JSON lines; the table covers all of FILE)
set -euo pipefail
cd "$(dirname "$0")/.."
shapes="bert-base minilm-l12 minilm-l6"; steps=3; threads=2; modes="train encode recipe gemm models"; out=""; pytorch_shapes=""
while (($#)); do
  case $1 in
    --shapes) shapes=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --raw) out=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --pytorch-shapes) pytorch_shapes=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
data=${MIRROR_BERT_DATA:-../shared/data}
corpus=$data/train/stsbenchmark_train_10k_sents_random_sampled.txt
tok=models/all-MiniLM-L6-v2
Scripts/setup.sh
py=${REFERENCE_PYTHON:-$(../shared/scripts/reference-venv.sh .venv-reference)}  # a venv with torch (made once)
swift build -c release --product mirror-bert-bench >&2
swift build -c release --product mirror-bert >&2
bench=$(swift build -c release --show-bin-path)/mirror-bert-bench
bin=$(swift build -c release --show-bin-path)/mirror-bert
# PyTorch's CPU wheel may use OpenBLAS; this environment may force OPENBLAS_CORETYPE=Haswell, which
# halves its GEMM speed on AVX-512 machines, so the benchmark measures the library's best kernels.
run() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=$threads "$@"; }
# bf16 rows wherever the CPU has native bf16 dot products (whether or not --precision auto picks them here).
precisions="fp32"
if "$bench" gemm --tokens 16 --in 16 --out 16 --repeats 1 | grep '"native_bf16":true' > /dev/null; then precisions="fp32 bf16"; fi
cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores, $threads threads; features:$(for f in avx2 avx512f avx512_bf16 amx_bf16; do if grep -q -m1 -w "$f" /proc/cpuinfo; then printf ' %s' "$f"; fi; done)"
# One configuration: its JSON line with the labels added, or a line saying how it failed.
measure() {  # measure SHAPE MODE IMPL RECIPE PRECISION command…
  local shape=$1 mode=$2 impl=$3 recipe=$4 precision=$5 line status; shift 5
  if line=$(run "$@"); then status=0; else status=$?; fi
  if ((status == 0)); then
    python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r.update(impl=sys.argv[2], recipe=sys.argv[3], precision=sys.argv[4], cpu=sys.argv[5], mode=sys.argv[6]); print(json.dumps(r))' \
      "$(tail -n 1 <<<"$line")" "$impl" "$recipe" "$precision" "$cpu" "$mode" >> "$out"
  else
    local why="exit $status"; ((status == 137)) && why="killed (SIGKILL: out of memory on this machine)"
    echo "$shape $mode $impl $precision: $why" >&2
    printf '{"shape": "%s", "mode": "%s", "impl": "%s", "recipe": "%s", "precision": "%s", "error": "%s"}\n' "$shape" "$mode" "$impl" "$recipe" "$precision" "$why" >> "$out"
  fi
}
[[ -n $out ]] || out=$(mktemp)
for s in $shapes; do
  echo "== $s" >&2
  common=(--shape "$s" --corpus "$corpus" --tokenizer "$tok" --threads "$threads")
  with_pytorch=1; [[ -n $pytorch_shapes && " $pytorch_shapes " != *" $s "* ]] && with_pytorch=0
  if [[ " $modes " == *" train "* ]] && ((with_pytorch)); then
    measure "$s" train pytorch padded fp32 "$py" Benchmarks/pytorch_reference.py train "${common[@]}" --steps "$steps"
    measure "$s" train pytorch padded bf16-autocast "$py" Benchmarks/pytorch_reference.py train "${common[@]}" --steps "$steps" --autocast bf16
  fi
  if [[ " $modes " == *" train "* ]]; then
    for p in $precisions; do
      measure "$s" train mirror-bert padded "$p" "$bench" train "${common[@]}" --steps "$steps" --pooling mean --pad-to-max --precision "$p"
      measure "$s" train mirror-bert packed "$p" "$bench" train "${common[@]}" --steps "$steps" --pooling mean-masked --precision "$p"
      measure "$s" train mirror-bert pad-queries-2 "$p" "$bench" train "${common[@]}" --steps "$steps" --pooling mean --pad-queries 2 --precision "$p"
      measure "$s" train mirror-bert pad-queries-8 "$p" "$bench" train "${common[@]}" --steps "$steps" --pooling mean --pad-queries 8 --precision "$p"
    done
  fi
  if [[ " $modes " == *" encode "* ]]; then
    if ((with_pytorch)); then
      measure "$s" encode pytorch padded fp32 "$py" Benchmarks/pytorch_reference.py encode "${common[@]}" --max-length 128
      measure "$s" encode pytorch padded bf16-autocast "$py" Benchmarks/pytorch_reference.py encode "${common[@]}" --max-length 128 --autocast bf16
    fi
    for p in $precisions; do
      measure "$s" encode mirror-bert packed "$p" "$bench" encode "${common[@]}" --pooling mean-masked --max-length 128 --precision "$p"
    done
  fi
done
if [[ " $modes " == *" models "* ]]; then
  # ONNX Runtime and the exporter's packages are a development tool here, not in the reference venv.
  "$py" -c 'import onnxruntime, onnx, onnxscript' 2>/dev/null || "$py" -m pip install -q onnxruntime onnx onnxscript >&2
  ort=(--corpus "$corpus" --threads "$threads" --max-length 128 --sentences 2000)
  for m in models/all-MiniLM-L6-v2 models/all-mpnet-base-v2; do
    [[ -f $m/config.json ]] || continue
    n=$(basename "$m"); echo "== $n (encode)" >&2
    measure "$n" model-encode pytorch padded fp32 "$py" Benchmarks/pytorch_reference.py encode --model "$m" "${ort[@]}"
    measure "$n" model-encode pytorch padded bf16-autocast "$py" Benchmarks/pytorch_reference.py encode --model "$m" "${ort[@]}" --autocast bf16
    measure "$n" model-encode onnxruntime padded fp32 "$py" Benchmarks/onnx_reference.py encode --model "$m" "${ort[@]}" --quantize none
    measure "$n" model-encode onnxruntime padded int8 "$py" Benchmarks/onnx_reference.py encode --model "$m" "${ort[@]}" --quantize int8
    for p in $precisions int8; do
      measure "$n" model-encode mirror-bert packed "$p" "$bench" encode --model "$m" --corpus "$corpus" --threads "$threads" \
        --lines 2000 --pooling mean-masked --max-length 128 --encode-batch 256 --max-batch-tokens 1024 --precision "$p"
    done
  done
fi
if [[ " $modes " == *" gemm "* ]]; then
  echo "== gemm" >&2
  measure minilm-l6 gemm mirror-bert linear-layer all "$bench" gemm --threads "$threads"
fi
if [[ " $modes " == *" recipe "* ]]; then
  echo "== the sentence recipe at defaults (all-MiniLM-L6-v2, 10k sentences, 50 steps)" >&2
  recipe_out=$(mktemp -d)
  measure all-MiniLM-L6-v2 recipe mirror-bert defaults auto python3 -c '
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
r = subprocess.run(sys.argv[1:], stderr=subprocess.PIPE, text=True)
dt = time.perf_counter() - t0
if r.returncode: sys.stderr.write(r.stderr); sys.exit(r.returncode)
line = next(l for l in r.stderr.splitlines() if l.startswith("train: "))
print(json.dumps({"shape": "all-MiniLM-L6-v2", "mode": "recipe", "seconds": dt, "summary": line,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))' \
    "$bin" train --model "$tok" --corpus "$corpus" --output "$recipe_out/model"
  rm -rf "$recipe_out"
fi
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
cpus = list(dict.fromkeys(r["cpu"] for r in rows if r.get("cpu")))
for c in cpus: print(f"CPU: {c}\n")
print("| shape | what | implementation | precision | s/step or s | tokens/s | GFLOP/s | peak RSS (MB) | vs PyTorch fp32 | vs PyTorch bf16 autocast |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
whats = {"padded": "train step, padded to 50", "packed": "train step, packed rows (mean-masked)",
         "pad-queries-2": "train step, packed + 2 pad queries (mean, the default)",
         "pad-queries-8": "train step, packed + 8 pad queries (mean)"}
for s in dict.fromkeys(r["shape"] for r in rows if r["mode"] in ("train", "encode")):
    refs = [find(shape=s, mode="train", impl="pytorch", precision=p) for p in ("fp32", "bf16-autocast")]
    for impl, recipe, precision in [("pytorch", "padded", "fp32"), ("pytorch", "padded", "bf16-autocast")] + \
            [("mirror-bert", rc, p) for rc in ("padded", "packed", "pad-queries-2", "pad-queries-8") for p in ("fp32", "bf16")]:
        r = find(shape=s, mode="train", impl=impl, recipe=recipe, precision=precision)
        if not r: continue
        what = whats[recipe]
        if not ok(r):
            print(f'| {s} | {what} | {impl} | {precision} | {r["error"]} | | | | | |'); continue
        tps = r["padded_tokens_per_step"] / r["seconds_per_step"]
        ratios = [f'{ref["seconds_per_step"] / r["seconds_per_step"]:.2f}×, {r["peak_rss_mb"] / ref["peak_rss_mb"]:.2f}× RSS'
                  if ok(ref) and impl != "pytorch" else "" for ref in refs]
        rc = " (recompute)" if r.get("recompute") else ""
        print(f'| {s} | {what}{rc} | {impl} | {precision} | {r["seconds_per_step"]:.2f} | {tps:.0f} | {r["gflops"]:.0f} | {r["peak_rss_mb"]:.0f} | {ratios[0]} | {ratios[1]} |')
    erefs = [find(shape=s, mode="encode", impl="pytorch", precision=p) for p in ("fp32", "bf16-autocast")]
    for impl, precision in [("pytorch", "fp32"), ("pytorch", "bf16-autocast"), ("mirror-bert", "fp32"), ("mirror-bert", "bf16")]:
        r = find(shape=s, mode="encode", impl=impl, precision=precision)
        if not r: continue
        if not ok(r):
            print(f'| {s} | encode 2000 sentences | {impl} | {precision} | {r["error"]} | | | | | |'); continue
        ratios = [f'{r["sentences_per_s"] / e["sentences_per_s"]:.2f}×' if ok(e) and impl != "pytorch" else "" for e in erefs]
        print(f'| {s} | encode 2000 sentences | {impl} | {precision} | {r["seconds"]:.2f} | {r["sentences_per_s"]:.0f} sent/s | | {r["peak_rss_mb"]:.0f} | {ratios[0]} | {ratios[1]} |')
models = list(dict.fromkeys(r["shape"] for r in rows if r["mode"] == "model-encode"))
if models:
    print("\nEncode with the real model folders: 2000 STS-B sentences, max length 128, mean-masked pooling "
          f"(PyTorch and ONNX Runtime: padded batches of 64; mirror-bert: packed batches of ≤ 1024 tokens):\n")
    print("| model | implementation | precision | s | sentences/s | peak RSS (MB) | vs PyTorch fp32 | vs ONNX Runtime fp32 | vs ONNX Runtime int8 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for s in models:
        base = [find(shape=s, mode="model-encode", impl=i, precision=p)
                for i, p in (("pytorch", "fp32"), ("onnxruntime", "fp32"), ("onnxruntime", "int8"))]
        for impl, precision in [("pytorch", "fp32"), ("pytorch", "bf16-autocast"), ("onnxruntime", "fp32"), ("onnxruntime", "int8"),
                                ("mirror-bert", "fp32"), ("mirror-bert", "bf16"), ("mirror-bert", "int8")]:
            r = find(shape=s, mode="model-encode", impl=impl, precision=precision)
            if not r: continue
            if not ok(r):
                print(f'| {s} | {impl} | {precision} | {r["error"]} | | | | | |'); continue
            ratios = [f'{r["sentences_per_s"] / b["sentences_per_s"]:.2f}×' if ok(b) else "" for b in base]
            print(f'| {s} | {impl} | {precision} | {r["seconds"]:.2f} | {r["sentences_per_s"]:.0f} | {r["peak_rss_mb"]:.0f} | {" | ".join(ratios)} |')
r = find(mode="recipe")
if r:
    if ok(r):
        print(f'| all-MiniLM-L6-v2 | sentence recipe at defaults (10k sentences, 50 steps), wall time | mirror-bert | auto | {r["seconds"]:.1f} | | | {r["peak_rss_mb"]:.0f} | | |')
        print(f'\n(`{r["summary"]}`)')
    else:
        print(f'| all-MiniLM-L6-v2 | sentence recipe at defaults | mirror-bert | auto | {r["error"]} | | | | | |')
g = find(mode="gemm")
if ok(g):
    print()
    print(f'Linear-layer products through BLAS.gemm ({g["library"]}, {g["threads"]} threads):\n')
    print("| product | m × n × k | precision | kernel | GFLOP/s |")
    print("| --- | --- | --- | --- | --- |")
    for p in g["products"]:
        print(f'| {p["product"]} | {p["m"]} × {p["n"]} × {p["k"]} | {p["precision"]} | `{p["kernel"]}` | {p["gflops"]:.0f} |')
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
