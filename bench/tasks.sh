#!/usr/bin/env bash
# Arbiter's task benchmark: builds what it needs, then runs io.arbiter.bench.TaskBenchmark with the given options.
#   bench/tasks.sh                      # every mode against a freshly started fat jar on its embedded database
#   bench/tasks.sh --mode bulk --tasks 50000
#   bench/tasks.sh --help
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
  io.arbiter.bench.TaskBenchmark "$@"
