#!/usr/bin/env bash
# Arbiter's routing simulation: builds the test classes, then runs io.arbiter.bench.RoutingSimulation, which routes
# one simulated task stream with each strategy (learning, capability, least-loaded, random) and prints mean reward,
# cumulative regret, best-agent share and wait, median and range over the seeds. No server, no database.
#   bench/routing-sim.sh                      # 7 seeds, 6000 tasks each
#   bench/routing-sim.sh --seeds 11 --tasks 20000
#   bench/routing-sim.sh --help
# Set BENCH_SKIP_BUILD=1 to reuse target/ as it is.
exec "$(dirname "$0")/run-main.sh" --classes-only io.arbiter.bench.RoutingSimulation "$@"
