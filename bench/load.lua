-- wrk script of Arbiter's load test (bench/load.sh starts wrk with it; see bench/README.md).
--
-- wrk runs with as many threads as connections, so each thread's Lua state drives exactly one connection and sees its
-- responses in order: a connection is either a submitter or an agent, with state of its own. LOAD_CONFIG names a file
-- with one line per connection, handed out in order by setup():
--   submitter <token>          submits, reads one of its tasks, lists (6 : 2 : 2)
--   agent <agentId> <token>    claims (wait=0, max=1); a task claimed is acknowledged, then reported succeeded
-- Each request is timed from request() to response() on a monotonic clock (LuaJIT's FFI calls clock_gettime, as wrk's
-- Lua has no wall clock finer than a second); done() merges every thread's timings and
-- prints count, rate and p50/p95/p99/max per kind of request, and the answers by status.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } arbiter_timespec;
  int clock_gettime(int clock_id, arbiter_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("arbiter_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

local KINDS = { "submit", "claim", "ack", "result", "get", "list" }
local SUBMITTER_CYCLE = { "submit", "submit", "get", "submit", "list", "submit", "submit", "get", "submit", "list" }
local TASK_BODY = '{"type":"load","priority":5,"payload":{"n":1},"budget":{"maxFiles":20,"maxLoc":2000},'
    .. '"gates":{"minQuality":0.5}}'
local RESULT_BODY = '{"attempt":%d,"outcome":"succeeded","quality":0.9,"filesChanged":3,"linesChanged":120}'

-- main state: hands each thread its line of the config file
local specs = {}
local handed = 0
local threads = {}

local config = os.getenv("LOAD_CONFIG")
if config then
  for line in io.lines(config) do
    specs[#specs + 1] = line
  end
end

-- each connection's pause between an answer and its next request (LoadTest --think-ms); 0: a closed loop
local think = tonumber(os.getenv("LOAD_THINK_MS") or "0") or 0

function delay()
  return think
end

function setup(thread)
  handed = handed + 1
  thread:set("spec", specs[(handed - 1) % #specs + 1])
  threads[#threads + 1] = thread
end

-- thread state
local role, token, agent
local step = 0
local kind, sent
local last_task
local claimed_id, claimed_attempt
local next_agent_kind = "claim"
-- flat tables only: thread:get copies nested tables wrongly (wrk 4.1 crashes)
statuses = {}

function init(args)
  local words = {}
  for word in string.gmatch(spec, "%S+") do
    words[#words + 1] = word
  end
  role = words[1]
  if role == "agent" then
    agent, token = words[2], words[3]
  else
    token = words[2]
  end
  for _, k in ipairs(KINDS) do
    _G["lat_" .. k] = {}
  end
end

local function headers()
  return { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
end

function request()
  local method, path, body
  if role == "agent" then
    kind = next_agent_kind
    local base = "/api/v1/agents/" .. agent
    if kind == "claim" then
      method, path = "POST", base .. "/claim?wait=0&max=1"
    elseif kind == "ack" then
      method, path = "POST", base .. "/tasks/" .. claimed_id .. "/ack"
      body = string.format('{"attempt":%d}', claimed_attempt)
    else
      method, path = "POST", base .. "/tasks/" .. claimed_id .. "/result"
      body = string.format(RESULT_BODY, claimed_attempt)
    end
  else
    step = step % #SUBMITTER_CYCLE + 1
    kind = SUBMITTER_CYCLE[step]
    if kind ~= "submit" and last_task == nil then
      kind = "submit"
    end
    if kind == "submit" then
      method, path, body = "POST", "/api/v1/tasks", TASK_BODY
    elseif kind == "get" then
      method, path = "GET", "/api/v1/tasks/" .. last_task
    else
      method, path = "GET", "/api/v1/tasks?limit=20"
    end
  end
  sent = now_us()
  return wrk.format(method, path, headers(), body)
end

function response(status, hdrs, body)
  local took = now_us() - sent
  local list = _G["lat_" .. kind]
  list[#list + 1] = took
  local key = kind .. " " .. status
  statuses[key] = (statuses[key] or 0) + 1
  if role == "agent" then
    if kind == "claim" and status == 200 then
      claimed_id = string.match(body, '"taskId"%s*:%s*"([^"]+)"')
      claimed_attempt = tonumber(string.match(body, '"attempt"%s*:%s*(%d+)'))
      next_agent_kind = claimed_id and "ack" or "claim"
    elseif kind == "ack" and status == 200 then
      next_agent_kind = "result"
    else
      next_agent_kind = "claim"
    end
  elseif kind == "submit" and status == 202 then
    last_task = string.match(body, '"id"%s*:%s*"([^"]+)"') or last_task
  end
end

local function percentile(sorted, p)
  local rank = math.ceil(p / 100 * #sorted)
  if rank < 1 then rank = 1 end
  return sorted[rank]
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local merged, answers = {}, {}
  for _, k in ipairs(KINDS) do
    merged[k] = {}
  end
  for _, thread in ipairs(threads) do
    for _, k in ipairs(KINDS) do
      local into = merged[k]
      for _, v in ipairs(thread:get("lat_" .. k)) do
        into[#into + 1] = v
      end
    end
    for key, n in pairs(thread:get("statuses")) do
      answers[key] = (answers[key] or 0) + n
    end
  end
  local total = 0
  for _, k in ipairs(KINDS) do
    total = total + #merged[k]
  end
  io.write(string.format("requests %d in %.1f s: %.0f/s; socket errors: connect %d, read %d, write %d, timeout %d\n",
      total, seconds, total / seconds, summary.errors.connect, summary.errors.read, summary.errors.write,
      summary.errors.timeout))
  io.write(string.format("%-8s %8s %8s %8s %8s %8s %8s\n", "request", "count", "per s", "p50 ms", "p95 ms", "p99 ms",
      "max ms"))
  for _, k in ipairs(KINDS) do
    local list = merged[k]
    table.sort(list)
    if #list > 0 then
      io.write(string.format("%-8s %8d %8.0f %8.1f %8.1f %8.1f %8.1f\n", k, #list, #list / seconds,
          percentile(list, 50) / 1000, percentile(list, 95) / 1000, percentile(list, 99) / 1000,
          list[#list] / 1000))
    end
  end
  local keys = {}
  for key in pairs(answers) do
    keys[#keys + 1] = key
  end
  table.sort(keys)
  local parts = {}
  for _, key in ipairs(keys) do
    parts[#parts + 1] = key .. " x" .. answers[key]
  end
  io.write("answers: " .. table.concat(parts, ", ") .. "\n")
end
