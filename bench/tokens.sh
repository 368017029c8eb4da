#!/usr/bin/env bash
# What verifying a request's token costs, per signing algorithm (HS256, RS256, ES256): new tokens, and a token used
# again. No server and no database: runs io.arbiter.bench.TokenBenchmark.
#   bench/tokens.sh                              # 4,000 new tokens and 200,000 uses of one token per algorithm
#   bench/tokens.sh --tokens 10000 --uses 1000000 --rounds 5
# Set BENCH_SKIP_BUILD=1 to reuse target/ as it is. See bench/README.md.
exec "$(dirname "$0")/run-main.sh" --classes-only io.arbiter.bench.TokenBenchmark "$@"
