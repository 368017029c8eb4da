#!/usr/bin/env bash
# Arbiter's chaos suite: builds what it needs, then runs io.arbiter.bench.Chaos with the given options.
#   bench/chaos.sh                           # every scenario: 100 submissions/s for 30 s, a 10 s fault at 5 s
#   bench/chaos.sh --scenario postgres-stop,sigkill --rate 200
#   bench/chaos.sh --help
# Each scenario starts its own PostgreSQL (embedded) and its own fat jar against it; exit status 1 if any task was
# lost, doubled or left unfinished.
# Set BENCH_SKIP_BUILD=1 to reuse target/ as it is. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${BENCH_SKIP_BUILD:-0}" != "1" ]]; then
  echo "building target/arbiter.jar and the test classes ..." >&2
  mvn -B -q -DskipTests package
  mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
fi
if [[ ! -f target/bench.classpath ]]; then
  echo "target/bench.classpath is missing: run once without BENCH_SKIP_BUILD=1" >&2
  exit 2
fi

exec java ${BENCH_JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.arbiter.bench.Chaos "$@"
