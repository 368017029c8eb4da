#!/usr/bin/env bash
# Arbiter's audit-trail benchmark: builds what it needs, then runs io.arbiter.bench.AuditBenchmark.
#   bench/audit.sh                      # 1 and 16 clients, then the drain capacity, against a fresh fat jar
#   bench/audit.sh --clients 1,4,16 --seconds 30
#   bench/audit.sh --help
# Set BENCH_SKIP_BUILD=1 to reuse target/ as it is. See bench/README.md.
exec "$(dirname "$0")/run-main.sh" io.arbiter.bench.AuditBenchmark "$@"
