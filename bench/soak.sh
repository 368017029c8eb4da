#!/usr/bin/env bash
# Arbiter's soak: builds what it needs, then runs io.arbiter.bench.Soak with the given options.
#   bench/soak.sh                                     # 60 minutes at 30 tasks/s, a sample every minute
#   bench/soak.sh --minutes 3 --sample-seconds 10     # a short check of the command itself
#   bench/soak.sh --help
# Starts the fat jar on its embedded PostgreSQL; exit status 1 when the verdict is a leak. Needs jcmd (the JDK's).
# Set BENCH_SKIP_BUILD=1 to reuse target/ as it is. See bench/README.md.
exec "$(dirname "$0")/run-main.sh" io.arbiter.bench.Soak "$@"
