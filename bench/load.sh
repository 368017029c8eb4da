#!/usr/bin/env bash
# Arbiter's load test: builds what it needs, then runs io.arbiter.bench.LoadTest, which drives the fat jar with wrk.
#   bench/load.sh                                # 200 connections for 60 s after 20 s of warm-up
#   bench/load.sh --connections 50 --seconds 30
#   bench/load.sh --server-java-opt=-XX:StartFlightRecording=filename=/tmp/load.jfr,settings=profile
#   bench/load.sh --help
# Needs wrk (Debian: apt-get install wrk). Set BENCH_SKIP_BUILD=1 to reuse target/ as it is. See bench/README.md.
exec "$(dirname "$0")/run-main.sh" io.arbiter.bench.LoadTest "$@"
