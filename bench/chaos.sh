#!/usr/bin/env bash
# Arbiter's chaos suite: builds what it needs, then runs io.arbiter.bench.Chaos with the given options.
#   bench/chaos.sh                           # every scenario: 100 submissions/s for 30 s, a 10 s fault at 5 s
#   bench/chaos.sh --scenario postgres-stop,sigkill --rate 200
#   bench/chaos.sh --help
# Each scenario starts its own PostgreSQL (embedded) and its own fat jar against it; exit status 1 if any task was
# lost, doubled or left unfinished.
# Set BENCH_SKIP_BUILD=1 to reuse target/ as it is. See bench/README.md.
exec "$(dirname "$0")/run-main.sh" io.arbiter.bench.Chaos "$@"
