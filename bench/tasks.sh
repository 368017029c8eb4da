#!/usr/bin/env bash
# Arbiter's task benchmark: builds what it needs, then runs io.arbiter.bench.TaskBenchmark with the given options.
#   bench/tasks.sh                      # every mode against a freshly started fat jar on its embedded database
#   bench/tasks.sh --mode bulk --tasks 50000
#   bench/tasks.sh --help
# Set BENCH_SKIP_BUILD=1 to reuse target/ as it is. See bench/README.md.
exec "$(dirname "$0")/run-main.sh" io.arbiter.bench.TaskBenchmark "$@"
