#!/usr/bin/env bash
# The main job, end to end: set up (oneDNN, all-MiniLM-L6-v2), build, evaluate the pretrained
# model on the paper's 7 STS sets with cls and mean-masked pooling, run the paper's sentence recipe
# on its 10k-sentence corpus, evaluate the result the same way, and print before/after tables.
# usage: Scripts/main-job.sh [--data DIR] [--out DIR] [extra `mirror-bert train` flags…]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${MIRROR_BERT_DATA:-../shared/data}
out=runs/minilm-mirror-sentence
train_flags=()
while (($#)); do
  case $1 in
    --data) data=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) train_flags+=("$1"); shift ;;
  esac
done

Scripts/setup.sh
swift build -c release --product mirror-bert 2>&1 | tail -n 1
bin=$(swift build -c release --show-bin-path)/mirror-bert
model=models/all-MiniLM-L6-v2
mkdir -p "$out"
start=$(date +%s)

echo "== 1/3 training: the paper's sentence recipe (τ 0.04, batch 200, max length 50, mean pooling on packed rows with 2 pad queries, span mask 5)"
"$bin" train --model "$model" --corpus "$data/train/stsbenchmark_train_10k_sents_random_sampled.txt" \
  --output "$out/model" --mode sentence --held-out 0.01 --monitor-every 10 "${train_flags[@]}"

for pooling in mean-masked cls; do
  echo "== evaluating before/after with $pooling pooling (max length 64)"
  "$bin" compare --before "$model" --after "$out/model" --suite sts --pooling "$pooling" --max-length 64 \
    --data "$data" --json "$out/eval-$pooling.json" | tee "$out/eval-$pooling.txt"
done

echo
echo "model:       $out/model (loss curve: $out/model/loss_curve.svg, log: $out/model/train_log.jsonl)"
echo "evaluations: $out/eval-mean-masked.{txt,json,svg}, $out/eval-cls.{txt,json,svg}"
echo "total time:  $(( ($(date +%s) - start) / 60 )) min $(( ($(date +%s) - start) % 60 )) s (after the build)"
