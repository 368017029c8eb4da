#!/usr/bin/env bash
# Arbiter's audit-trail benchmark: builds what it needs, then runs io.arbiter.bench.AuditBenchmark.
#   bench/audit.sh                      # 1 and 16 clients, then the drain capacity, against a fresh fat jar
#   bench/audit.sh --clients 1,4,16 --seconds 30
#   bench/audit.sh --help
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
  io.arbiter.bench.AuditBenchmark "$@"
