'use strict';
// An Arbiter agent in Node.js. It registers itself over REST, then connects to the event-bus bridge, receives its
// tasks on arbiter.agent.<id>.tasks, acknowledges each one, heartbeats while it works, reports progress and the
// result. Every send and register carries the header authorization: Bearer <agent token>. See README.md.

const EventBus = require('@vertx/eventbus-bridge-client.js');

// One node's URL, or several (comma-separated): when a node goes away, the agent connects to the next one.
const nodes = (process.env.ARBITER_URL || 'http://localhost:8080').split(',').map((u) => u.trim().replace(/\/+$/, ''))
  .filter(Boolean);
let node = 0;
const base = () => nodes[node];
const reconnectMs = positive('RECONNECT_MS', 1000);
const token = required('ARBITER_TOKEN');
const agentId = required('AGENT_ID');
const taskTypes = (process.env.TASK_TYPES || 'code-review').split(',').map((t) => t.trim()).filter(Boolean);
const capacity = positive('CAPACITY', 2);
const workMs = positive('WORK_MS', 1000);
const heartbeatMs = positive('HEARTBEAT_MS', 5000);
const maxTasks = process.env.MAX_TASKS ? positive('MAX_TASKS', 1) : Infinity;

const headers = { authorization: `Bearer ${token}` };
const address = (channel) => `arbiter.agent.${agentId}.${channel}`;
let eb;
let finished = 0;
let exiting = false;
/** Sends waiting for their reply, with the connection they went out on. */
const pending = new Set();

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`set ${name} (see README.md)`);
    process.exit(2);
  }
  return value;
}

function positive(name, fallback) {
  const value = process.env[name] === undefined ? fallback : Number(process.env[name]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} must be a positive number, got ${process.env[name]}`);
    process.exit(2);
  }
  return value;
}

/** One line per event, so that scripts and tests can follow the agent. */
function log(event, ...details) {
  console.log([event, ...details].join(' '));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A request-reply send on one of the agent's report channels; a refusal rejects with its code and message. While the
 * agent is between two connections (its node went away), the send waits for the next one, and a send whose connection
 * closed before its reply is sent again on the next (every report is idempotent), for up to 30 s in all.
 */
async function request(channel, body) {
  const deadline = Date.now() + 30000;
  for (;;) {
    while (!(eb && eb.state === EventBus.OPEN)) {
      if (Date.now() > deadline) {
        throw new Error(`not connected to any of ${nodes.join(', ')}`);
      }
      await sleep(200);
    }
    try {
      return await send(eb, channel, body);
    } catch (e) {
      if (e.code !== 'DISCONNECTED' || Date.now() > deadline) {
        throw e;
      }
    }
  }
}

/** Sends on one connection; {@link disconnected} rejects what is still waiting for a reply when it closes. */
function send(socket, channel, body) {
  return new Promise((resolve, reject) => {
    const waiting = { socket, reject };
    pending.add(waiting);
    socket.send(address(channel), body, headers, (err, reply) => {
      pending.delete(waiting);
      if (err) {
        const error = new Error(err.message);
        error.code = err.failureCode;
        reject(error);
      } else {
        resolve(reply.body);
      }
    });
  });
}

function disconnected(socket) {
  for (const waiting of pending) {
    if (waiting.socket === socket) {
      pending.delete(waiting);
      const error = new Error('the connection closed before the reply');
      error.code = 'DISCONNECTED';
      waiting.reject(error);
    }
  }
}

/** Registers the agent (a 409 means it already is: it keeps its record and earned figures). */
async function register() {
  const response = await fetch(`${base()}/api/v1/agents`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({
      id: agentId,
      name: `Node agent ${agentId}`,
      modelFamily: 'script',
      maxConcurrentTasks: capacity,
      capabilities: { taskTypes, languages: ['javascript', 'typescript'] },
    }),
  });
  if (response.status !== 201 && response.status !== 409) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(`registration failed: ${response.status} ${problem.detail || ''}`);
  }
  log(response.status === 201 ? 'REGISTERED' : 'ALREADY-REGISTERED', agentId);
}

/** The work itself: here, a stand-in that takes WORK_MS and summarises the payload. */
async function work(task) {
  const { taskId, attempt } = task;
  log('RECEIVED', taskId, attempt, task.type);
  try {
    await request('ack', { taskId, attempt });
    log('ACKED', taskId, attempt);
    let canceled = false;
    const beat = setInterval(() => {
      request('heartbeat', { taskId, attempt })
        .then((lease) => { canceled = canceled || lease.canceled; })
        .catch((e) => log('HEARTBEAT-REFUSED', taskId, e.code, e.message));
    }, Math.min(heartbeatMs, workMs));
    await sleep(workMs / 2);
    await request('progress', { taskId, attempt, percent: 50, message: 'halfway' });
    await sleep(workMs / 2);
    clearInterval(beat);
    if (canceled) {
      log('CANCELED', taskId, attempt);
      return;
    }
    const outcome = await request('result', {
      taskId, attempt, outcome: 'succeeded', quality: 0.9, testsPassed: true,
      result: { summary: `handled ${task.type}`, payloadKeys: Object.keys(task.payload || {}) },
    });
    log('DONE', taskId, attempt, outcome.state);
  } catch (e) {
    log('FAILED', taskId, attempt, e.code, e.message);
  }
  finished += 1;
  if (finished >= maxTasks) {
    log('EXIT', `${finished} tasks`);
    exiting = true;
    eb.close();
    process.exit(0);
  }
}

/**
 * Connects to the bridge of the current node. When the connection drops, it connects again after RECONNECT_MS, to
 * the next node when several are given: any node serves any agent, and a task in hand is reported to the new one.
 */
function connect() {
  const socket = new EventBus(`${base()}/eventbus`);
  eb = socket;
  socket.onopen = () => {
    // Handlers are tied to the socket: register again after every (re)connection.
    eb.registerHandler(address('tasks'), headers, (err, message) => {
      if (err) {
        log('REFUSED', address('tasks'), err.failureCode, err.message);
        process.exit(1);
      }
      work(message.body);
    });
    log('CONNECTED', agentId, `${base()}/eventbus`);
  };
  socket.onclose = () => {
    log('DISCONNECTED', agentId, base());
    disconnected(socket);
    if (!exiting && eb === socket) {
      node = (node + 1) % nodes.length;
      setTimeout(connect, reconnectMs);
    }
  };
  socket.onerror = (err) => log('BRIDGE-ERROR', JSON.stringify(err));
}

setInterval(() => {
  if (eb && eb.state === EventBus.OPEN) {
    request('heartbeat', {}).catch((e) => log('HEARTBEAT-REFUSED', agentId, e.code, e.message));
  }
}, heartbeatMs).unref();

process.on('SIGINT', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

register().then(connect).catch((e) => {
  console.error(e.message);
  process.exit(1);
});
