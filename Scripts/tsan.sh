#!/usr/bin/env bash
# ThreadSanitizer over the tests that run threads (a debug build of its own, in .build-tsan):
#   KernelsTests                   Kernels.Parallel's chunks on the OpenMP team, in every kernel
#   ServerTests                    the batcher, concurrent clients, graceful shutdown, the request
#                                  gate, metrics, the served executable (built with TSan too)
#   CLITests.ResumeAndSignalTests  SIGINT and SIGKILL during training: the checkpoint saved on a
#                                  signal (the mirror-bert these tests spawn is built with TSan too)
# A race fails the run (TSan's exit code 66, in the test process or a spawned mirror-bert).
# Scripts/tsan.supp lists what is suppressed and why: only frames of libraries that are not
# instrumented.
#
#   Scripts/tsan.sh [extra `swift test` arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
filter='^(KernelsTests\.|ServerTests\.|CLITests\.ResumeAndSignalTests)'
export TSAN_OPTIONS="suppressions=$PWD/Scripts/tsan.supp halt_on_error=0 second_deadlock_stack=1${TSAN_OPTIONS:+ $TSAN_OPTIONS}"
# Swift's crash backtracer off: TSan prints the stacks; with the backtracer a crash waits for it.
export SWIFT_BACKTRACE=enable=no
swift test --sanitize=thread --scratch-path .build-tsan --filter "$filter" "$@"
