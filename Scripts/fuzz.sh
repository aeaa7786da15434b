#!/usr/bin/env bash
# Fuzz every parser of outside data (Fuzz/Targets: safetensors, pytorch_model.bin, .npy, the index
# file, config.json, tokenizer.json, corpus/TSV lines, a model card, the server's and TEI's request
# bodies, trainer_state.json, shard manifests) with libFuzzer and AddressSanitizer.
#
#   Scripts/fuzz.sh [seconds per target, default 60] [target …]   a time budget each; the inputs
#                                                                   that reach new code are merged
#                                                                   into Fuzz/Corpus/<target>
#   Scripts/fuzz.sh --runs N [target …]                             N executions each (CI); the
#                                                                   committed corpus is left as is
#
# One binary, built into .build-fuzz with -sanitize=fuzzer,address and -D LIBFUZZER; FUZZ_TARGET
# picks the target. Each run starts from the target's seeds (the repository's real files, written
# by the binary itself: FUZZ_COMMAND=seeds:<dir>) and its committed corpus, with the dictionaries
# the target names (Fuzz/Dictionaries, concatenated: libFuzzer takes one -dict). Prints, per target,
# executions, edges covered (libFuzzer's final `cov:`), corpus files and whether it crashed.
# On a crash (a trap, an AddressSanitizer report, a leak, -timeout, or an allocation over
# -rss_limit_mb) the reproducer is left in .build-fuzz/crashes/ and the script exits non-zero;
# the script prints the command that replays it. Once fixed, keep it as a test in
# Tests/FuzzTests/RegressionTests.swift.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=time budget=60
if [[ ${1:-} == --runs ]]; then
  mode=runs budget=${2:?usage: Scripts/fuzz.sh --runs N [target …]}; shift 2
elif [[ ${1:-} =~ ^[0-9]+$ ]]; then
  budget=$1; shift
fi

scratch=.build-fuzz
# lld, not gold: -sanitize=fuzzer links all of libFuzzer, its `main` included, and SwiftPM aliases
# `main` to the @main entry (--defsym); lld lets the alias win, gold fails with an internal error.
build=(swift build -c release --scratch-path "$scratch"
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -DLIBFUZZER -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld)
started=$SECONDS
"${build[@]}" --product mirror-bert-fuzz >&2
bin="$("${build[@]}" --show-bin-path)/mirror-bert-fuzz"
echo "fuzz.sh: sanitizer build $((SECONDS - started)) s" >&2

# Leaks outside our code, each with its reason, are listed in Fuzz/lsan.supp. Swift's own crash
# backtracer stays off: libFuzzer reports the trap and saves the input (with the backtracer on, the
# crashed process waits for it instead).
export LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export SWIFT_BACKTRACE=enable=no

targets=("$@")
((${#targets[@]})) || mapfile -t targets < <(FUZZ_COMMAND=list "$bin")
crashes="$scratch/crashes"
mkdir -p "$crashes"
# Inputs kept in the repository are capped (libFuzzer's merge cuts longer ones to this length):
# mutants of the large tokenizer.json seeds would otherwise make up most of Fuzz/Corpus.
corpus_cap=32768

failed=()
summary=()
for t in "${targets[@]}"; do
  work="$scratch/fuzz/$t"
  rm -rf "$work"; mkdir -p "$work/new" "$work/tmp"
  # The targets' scratch files (parsers that read from a path) stay under $work.
  export TMPDIR=$PWD/$work/tmp
  FUZZ_TARGET=$t FUZZ_COMMAND="seeds:$work/seeds" "$bin"
  read -r max_len dictionaries < <(FUZZ_TARGET=$t FUZZ_COMMAND=describe "$bin")
  max_len=${max_len#max_len=} dictionaries=${dictionaries#dictionaries=}
  flags=(-max_len="$max_len" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$crashes/$t-")
  if [[ -n $dictionaries ]]; then
    for d in ${dictionaries//,/ }; do cat "Fuzz/Dictionaries/$d.dict"; done > "$work/dict"
    flags+=(-dict="$work/dict")
  fi
  if [[ $mode == time ]]; then flags+=(-max_total_time="$budget"); limit=$((budget + 300))
  else flags+=(-runs="$budget"); limit=900; fi
  corpus="Fuzz/Corpus/$t"
  mkdir -p "$corpus"
  # New inputs go to the first folder ($work/new); the committed corpus and the seeds are read.
  rc=0
  FUZZ_TARGET=$t timeout "$limit" "$bin" "${flags[@]}" "$work/new" "$corpus" "$work/seeds" > "$work/log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
  edges=$(grep -o 'cov: [0-9]*' "$work/log" | tail -n 1 | cut -d' ' -f2)
  if ((rc != 0)); then
    artifact=$(sed -n "s/.*Test unit written to \(.*\)$/\1/p" "$work/log" | tail -n 1)
    failed+=("$t")
    echo "fuzz.sh: $t crashed (exit $rc); log: $work/log; replay: FUZZ_TARGET=$t $bin ${artifact:-<no input written>}" >&2
    grep -m 1 -A 12 -E '^==[0-9]+==ERROR|Fatal error|deadly signal|ALARM|out-of-memory|ERROR: libFuzzer' "$work/log" >&2 || tail -n 20 "$work/log" >&2
    summary+=("$(printf '%-15s %10s execs %6s edges  CRASH %s' "$t" "${execs:-?}" "${edges:-?}" "${artifact:-}")")
    continue
  fi
  if [[ $mode == time ]]; then
    # Minimize: the seeds go first, so only inputs that reach edges beyond them are kept; the old
    # corpus and this run's finds compete for the rest. Edges only (-use_counters=0): with hit
    # counts every loop bound is a new feature, which triples the files kept.
    cp -r "$work/seeds" "$work/merged"
    FUZZ_TARGET=$t "$bin" -merge=1 -use_counters=0 -max_len=$((max_len < corpus_cap ? max_len : corpus_cap)) \
      -rss_limit_mb=2048 -timeout=10 "$work/merged" "$corpus" "$work/new" > "$work/merge.log" 2>&1
    rm -f "$work/merged"/seed-*
    rm -rf "$corpus"; mv "$work/merged" "$corpus"
  fi
  files=$(find "$corpus" -type f | wc -l)
  summary+=("$(printf '%-15s %10s execs %6s edges  %4s corpus files (%s KiB)' "$t" "${execs:-?}" "${edges:-?}" \
    "$files" "$(du -sk --apparent-size "$corpus" | cut -f1)")")
done

printf '%s\n' "${summary[@]}"
echo "Fuzz/Corpus: $(du -sk --apparent-size Fuzz/Corpus | cut -f1) KiB in $(find Fuzz/Corpus -type f | wc -l) files"
if ((${#failed[@]})); then
  echo "fuzz.sh: crashes in ${failed[*]} (reproducers in $crashes)" >&2
  exit 1
fi
