#!/usr/bin/env bash
# A well-behaved client's submit latency while 200 abusive clients hit the fat jar: builds what it needs, then runs
# io.arbiter.bench.AbuseBenchmark.
#   bench/abuse.sh                      # 200 abusers for 60 s after 10 s of the well-behaved client alone
#   bench/abuse.sh --abusers 40 --seconds 20
#   bench/abuse.sh --well-behaved-in-process    # the well-behaved client in the abusers' JVM, for comparison
#   bench/abuse.sh --help
# Set BENCH_SKIP_BUILD=1 to reuse target/ as it is. See bench/README.md.
exec "$(dirname "$0")/run-main.sh" io.arbiter.bench.AbuseBenchmark "$@"
