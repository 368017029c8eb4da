#!/usr/bin/env bash
# What every bench/*.sh command shares: build what is needed, then run a main class of the benchmark sources
# (src/test/java/io/arbiter/bench) with the remaining arguments.
#   bench/run-main.sh [--classes-only] <main class> [arguments ...]
# --classes-only builds the test classes but not the fat jar (for commands that start no server).
# Set BENCH_SKIP_BUILD=1 to reuse target/ as it is; BENCH_JAVA_OPTS passes options to the JVM.
set -euo pipefail
cd "$(dirname "$0")/.."

jar=1
if [[ "${1:-}" == "--classes-only" ]]; then
  jar=0
  shift
fi
main=$1
shift

if [[ "${BENCH_SKIP_BUILD:-0}" != "1" ]]; then
  if [[ $jar == 1 ]]; then
    echo "building target/arbiter.jar and the test classes ..." >&2
    mvn -B -q -DskipTests package
  else
    echo "building the test classes ..." >&2
    mvn -B -q test-compile
  fi
  mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
fi
if [[ ! -f target/bench.classpath ]]; then
  echo "target/bench.classpath is missing: run once without BENCH_SKIP_BUILD=1" >&2
  exit 2
fi

exec java ${BENCH_JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" "$main" "$@"
