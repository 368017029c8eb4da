#!/usr/bin/env bash
# Smoke test of Arbiter's task path: register an agent, submit a task, claim it, acknowledge it, report its result,
# and check that the task ends succeeded.
#
#   compose/smoke.sh            build and start the compose stack (project "arbiter-smoke", port 8080), run the
#                               check, then remove the stack and its volumes
#   compose/smoke.sh --keep     the same, but leave the stack running
#   compose/smoke.sh --url URL  run the check against an Arbiter already running at URL; tokens come from
#                               $ARBITER_TOKEN_COMMAND (default: java -jar target/arbiter.jar token), which must sign
#                               with that server's secret, issuer and audience
#
# Needs bash, curl and jq; the compose mode also needs Docker with Compose (v2, or docker-compose 1.29). In compose
# mode ARBITER_AUTH_JWT_SECRET and GRAFANA_ADMIN_PASSWORD are generated when unset. Exits non-zero at the first
# step that does not answer as expected.
set -euo pipefail
cd "$(dirname "$0")/.."

url=""
keep=false
while [ $# -gt 0 ]; do
  case "$1" in
    --url) url="${2:?--url needs a URL}"; shift 2 ;;
    --keep) keep=true; shift ;;
    -h|--help) sed -n '2,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "smoke: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

for tool in curl jq; do
  command -v "$tool" >/dev/null 2>&1 || { echo "smoke: $tool is required" >&2; exit 2; }
done

random_secret() {
  head -c 36 /dev/urandom | base64 | tr -d '\n/+='
}

compose=()
if [ -z "$url" ]; then
  if docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose)
  else
    echo "smoke: Docker Compose is required (or pass --url to check a running Arbiter)" >&2
    exit 2
  fi
  compose+=(-p "${SMOKE_PROJECT:-arbiter-smoke}" -f compose/docker-compose.yml)
  ARBITER_AUTH_JWT_SECRET="${ARBITER_AUTH_JWT_SECRET:-$(random_secret)}"
  GRAFANA_ADMIN_PASSWORD="${GRAFANA_ADMIN_PASSWORD:-$(random_secret)}"
  # Prometheus reads the /metrics token from this file, Arbiter from the environment
  [ -f compose/prometheus/metrics-token ] || random_secret > compose/prometheus/metrics-token
  ARBITER_HTTP_METRICS_TOKEN="$(cat compose/prometheus/metrics-token)"
  export ARBITER_AUTH_JWT_SECRET GRAFANA_ADMIN_PASSWORD ARBITER_HTTP_METRICS_TOKEN
  url="http://localhost:8080"
  token_command=("${compose[@]}" exec -T arbiter java -jar /app/arbiter.jar token)
else
  read -r -a token_command <<<"${ARBITER_TOKEN_COMMAND:-java -jar target/arbiter.jar token}"
fi
url="${url%/}"

finish() {
  local status=$?
  if [ ${#compose[@]} -gt 0 ]; then
    if [ "$status" -ne 0 ]; then
      echo "smoke: FAILED; the arbiter service's last log lines:" >&2
      "${compose[@]}" logs --no-color --tail 100 arbiter >&2 || true
    fi
    if $keep; then
      echo "smoke: the stack keeps running (${compose[*]} down -v removes it)"
    else
      "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
    fi
  elif [ "$status" -ne 0 ]; then
    echo "smoke: FAILED" >&2
  fi
}
trap finish EXIT

step() {
  echo "smoke: $*"
}

fail() {
  echo "smoke: $*" >&2
  exit 1
}

# call METHOD PATH TOKEN [BODY]: prints the body; the HTTP status goes to $status.
call() {
  local method=$1 path=$2 token=$3 body=${4:-} out
  local args=(-sS -X "$method" -H "Authorization: Bearer $token" -w '\n%{http_code}')
  if [ -n "$body" ]; then
    args+=(-H 'Content-Type: application/json' --data "$body")
  fi
  out=$(curl "${args[@]}" "$url$path")
  status=${out##*$'\n'}
  reply=${out%$'\n'*}
}

expect() {
  local want=$1 what=$2
  [ "$status" = "$want" ] || fail "$what answered $status, not $want: $reply"
}

if [ ${#compose[@]} -gt 0 ]; then
  step "starting the stack (${compose[*]} up -d --build)"
  "${compose[@]}" up -d --build
fi

step "waiting for $url/health/ready"
deadline=$((SECONDS + ${SMOKE_READY_SECONDS:-180}))
until curl -fsS -o /dev/null "$url/health/ready" 2>/dev/null; do
  [ "$SECONDS" -lt "$deadline" ] || fail "$url/health/ready did not answer 200 within ${SMOKE_READY_SECONDS:-180} s"
  sleep 2
done
version=$(curl -fsS "$url/health/live" | jq -r '.version // empty')
[ -n "$version" ] || fail "/health/live reports no version"
step "ready: Arbiter $version"

run="$(date +%s)-$RANDOM"
tenant="smoke"
agent="smoke-agent-$run"
type="smoke-$run"

admin=$("${token_command[@]}" --tenant "$tenant" --role admin --sub smoke-admin --quiet)
agent_token=$("${token_command[@]}" --tenant "$tenant" --role agent --sub "$agent" --quiet)
if [ -z "$admin" ] || [ -z "$agent_token" ]; then
  fail "no token from: ${token_command[*]}"
fi

step "registering agent $agent for task type $type"
call POST /api/v1/agents "$admin" "$(jq -cn --arg id "$agent" --arg type "$type" \
  '{id: $id, name: "Smoke test", modelFamily: "claude", maxConcurrentTasks: 1, capabilities: {taskTypes: [$type]}}')"
expect 201 "registering the agent"

step "submitting a task"
call POST /api/v1/tasks "$admin" "$(jq -cn --arg type "$type" --arg run "$run" '{type: $type, payload: {run: $run}}')"
expect 202 "submitting the task"
task=$(jq -r '.id' <<<"$reply")
step "task $task is $(jq -r '.state' <<<"$reply")"

step "claiming it"
attempt=""
for _ in 1 2 3 4 5 6; do
  call POST "/api/v1/agents/$agent/claim?wait=10" "$agent_token"
  if [ "$status" = 200 ]; then
    attempt=$(jq -r --arg task "$task" '.tasks[] | select(.taskId == $task) | .attempt' <<<"$reply")
    [ -n "$attempt" ] && break
  elif [ "$status" != 204 ]; then
    fail "claiming answered $status: $reply"
  fi
done
[ -n "$attempt" ] || fail "the claims did not deliver task $task"

step "acknowledging attempt $attempt"
call POST "/api/v1/agents/$agent/tasks/$task/ack" "$agent_token" "{\"attempt\": $attempt}"
expect 200 "acknowledging the task"
[ "$(jq -r '.state' <<<"$reply")" = running ] || fail "the acknowledged task is not running: $reply"

step "reporting its result"
call POST "/api/v1/agents/$agent/tasks/$task/result" "$agent_token" \
  "{\"attempt\": $attempt, \"outcome\": \"succeeded\", \"quality\": 1.0}"
expect 200 "reporting the result"

call GET "/api/v1/tasks/$task" "$admin"
expect 200 "reading the task"
state=$(jq -r '.state' <<<"$reply")
[ "$state" = succeeded ] || fail "task $task ended $state, not succeeded: $reply"
step "task $task succeeded"

call DELETE "/api/v1/agents/$agent" "$admin"
expect 200 "deregistering the agent"

step "OK"
