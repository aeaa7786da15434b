#!/usr/bin/env bash
# Search at 1M vectors: our exact scan against FAISS's HNSW32 and IVF indexes, in one run on one
# machine. The rows are real embeddings: every line of eight of the paper's ten training corpora
# (the English STS-B sentences and the words of seven languages, 80k lines; the Arabic and Russian
# WikiMatrix sentences are left out as they take most of the encoding time) encoded by
# all-MiniLM-L6-v2 (384-d, mean-masked, max length 64, normalized), repeated to --rows with Gaussian noise (σ = --noise per coordinate, seeded by row)
# and renormalized. Queries: the first --queries distinct STS-B test sentences (not in the rows),
# one at a time. Each index is built in one process (build seconds, file bytes) and queried in
# another (peak RSS of loading and querying, p50/p99 latency, queries/s, recall@10 against the
# exact scan's top 10), so each peak RSS is its own. Appends JSON lines to --raw and prints a
# Markdown table of them.
# usage: Benchmarks/search.sh [--rows 1000000] [--queries 1000] [--noise 0.02] [--threads 2]
#          [--kinds "exact HNSW32 IVF1024,Flat"] [--ef-search "32 64 128 256 512 1024"] [--nprobe "8 32 128"]
#          [--raw Benchmarks/results/search-1m-DATE.jsonl] [--work DIR (default .build/search-bench)]
#          [--reuse: keep indexes already built in --work (their build rows are in --raw already)]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=1000000; queries=1000; noise=0.02; threads=2; kinds="exact HNSW32 IVF1024,Flat"
efs="32 64 128 256 512 1024"; nprobes="8 32 128"; raw=Benchmarks/results/search-1m-$(date +%F).jsonl; work=.build/search-bench
reuse=0
while (($#)); do
  case $1 in
    --rows) rows=$2; shift 2 ;;
    --queries) queries=$2; shift 2 ;;
    --noise) noise=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --kinds) kinds=$2; shift 2 ;;
    --ef-search) efs=$2; shift 2 ;;
    --nprobe) nprobes=$2; shift 2 ;;
    --raw) raw=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --reuse) reuse=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
data=${MIRROR_BERT_DATA:-../shared/data}
Scripts/setup.sh
swift build -c release --product mirror-bert >&2
swift build -c release --product mirror-bert-bench >&2
bin=$(swift build -c release --show-bin-path)
mkdir -p "$work" "$(dirname "$raw")"
export OMP_NUM_THREADS=$threads

# The rows' base embeddings and the queries (encoded once; reused while the inputs are the same).
# (Rewritten only when their content changes, so that the encodings and indexes made from them stay.)
ls "$data"/train/*.txt | grep -v wikimatrix | xargs cat > "$work/base.txt.new"
awk -F'\t' -v q="$queries" '!seen[$2]++ && n++ < q { print $2 }' "$data/eval/stsb/test.tsv" > "$work/queries.txt.new"
for name in base queries; do
  if cmp -s "$work/$name.txt.new" "$work/$name.txt"; then rm "$work/$name.txt.new"; else mv "$work/$name.txt.new" "$work/$name.txt"; fi
done
for name in base queries; do
  if [[ ! -s $work/$name.npy || $work/$name.txt -nt $work/$name.npy ]]; then
    "$bin/mirror-bert" encode --model models/all-MiniLM-L6-v2 --input "$work/$name.txt" --output "$work/$name.npy" \
      --pooling mean-masked --max-length 64 --normalize >&2
  fi
done

cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
run() {  # one JSON line per process, tagged with the machine
  "$bin/mirror-bert-bench" "$@" --threads "$threads" | python3 -c "
import json, sys
for line in sys.stdin:
    r = json.loads(line); r['cpu'] = sys.argv[1]; r['date'] = sys.argv[2]; print(json.dumps(r))" "$cpu" "$(date +%F)" | tee -a "$raw"
}
for kind in $kinds; do
  file="$work/index-${kind//,/_}"
  if ((reuse)) && [[ -s $file && $file -nt $work/base.npy ]]; then echo "search.sh: reusing $file" >&2; continue; fi
  run search-build --base "$work/base.npy" --rows "$rows" --noise "$noise" --kind "$kind" --output "$file"
done
exact="$work/index-exact"
run search-query --index "$exact" --queries "$work/queries.npy" --write-truth "$work/truth.txt"
for kind in $kinds; do
  file="$work/index-${kind//,/_}"
  case $kind in
    exact) ;;
    *HNSW*) for ef in $efs; do run search-query --index "$file" --queries "$work/queries.npy" --truth "$work/truth.txt" --ef-search "$ef"; done ;;
    *IVF*) for n in $nprobes; do run search-query --index "$file" --queries "$work/queries.npy" --truth "$work/truth.txt" --nprobe "$n"; done ;;
    *) run search-query --index "$file" --queries "$work/queries.npy" --truth "$work/truth.txt" ;;
  esac
done

python3 - "$raw" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
builds = {r["kind"]: r for r in rows if r["mode"] == "search-build"}
queries = [r for r in rows if r["mode"] == "search-query"]
exact = next((q for q in queries if q["index"] == "index-exact"), None)
print(f"CPU: {rows[-1]['cpu']}; {rows[-1]['threads']} threads; {rows[-1]['date']}\n")
print("| index | rows | build s | file MB | search | peak RSS MB | p50 ms | p99 ms | queries/s | × exact q/s | recall@10 |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for q in queries:
    kind = q["index"].removeprefix("index-").replace("_", ",")
    b = builds.get(kind, {})
    knob = f"efSearch {q['ef_search']}" if "ef_search" in q else f"nprobe {q['nprobe']}" if "nprobe" in q else "exact"
    speed = q["queries_per_s"] / exact["queries_per_s"] if exact else float("nan")
    recall = q.get("recall_at_k", 1.0)
    print(f"| {kind} | {q['rows']} | {b.get('build_seconds', float('nan')):.1f} | {b.get('file_bytes', 0) / 1e6:.0f} | {knob} | "
          f"{q['peak_rss_mb']:.0f} | {q['p50_ms']:.2f} | {q['p99_ms']:.2f} | {q['queries_per_s']:.0f} | {speed:.1f} | {recall:.3f} |")
PY
