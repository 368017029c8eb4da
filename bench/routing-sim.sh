#!/usr/bin/env bash
# Arbiter's routing simulation: builds the test classes, then runs io.arbiter.bench.RoutingSimulation, which routes
# one simulated task stream with each strategy (learning, capability, least-loaded, random) and prints mean reward,
# cumulative regret, best-agent share and wait, median and range over the seeds. No server, no database.
#   bench/routing-sim.sh                      # 7 seeds, 6000 tasks each
#   bench/routing-sim.sh --seeds 11 --tasks 20000
#   bench/routing-sim.sh --help
# Set BENCH_SKIP_BUILD=1 to reuse target/ as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${BENCH_SKIP_BUILD:-0}" != "1" ]]; then
  echo "building the test classes ..." >&2
  mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
fi
if [[ ! -f target/bench.classpath ]]; then
  echo "target/bench.classpath is missing: run once without BENCH_SKIP_BUILD=1" >&2
  exit 2
fi

exec java ${BENCH_JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.arbiter.bench.RoutingSimulation "$@"
