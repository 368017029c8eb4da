// An Arbiter agent in Node.js on the TypeScript SDK (clients/typescript): BridgeAgent registers it over REST,
// connects to the event-bus bridge, and for each task pushed to it acknowledges it, extends its lease while the
// handler below runs, and reports the handler's outcome. See README.md.
import { BridgeAgent, Outcome } from '@arbiter/client';

function setting(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (value === undefined) {
    console.error(`set ${name} (see README.md)`);
    process.exit(2);
  }
  return value;
}

function positive(name, fallback) {
  const value = Number(setting(name, String(fallback)));
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} must be a positive number, got ${process.env[name]}`);
    process.exit(2);
  }
  return value;
}

const workMs = positive('WORK_MS', 1000);
const heartbeatMs = positive('HEARTBEAT_MS', 5000);
const maxTasks = process.env.MAX_TASKS ? positive('MAX_TASKS', 1) : Infinity;
const sleep = (ms, signal) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

/** The work itself: here, a stand-in that takes WORK_MS and summarises the payload. */
async function review(task) {
  await sleep(workMs / 2, task.signal);
  await task.progress(50, 'halfway');
  await sleep(workMs / 2, task.signal);
  task.check();
  return Outcome.succeeded({ summary: `handled ${task.type}`, payloadKeys: Object.keys(task.payload ?? {}) },
    { quality: 0.9, testsPassed: true });
}

let finished = 0;
const agent = new BridgeAgent(setting('ARBITER_URL', 'http://localhost:8080'), setting('ARBITER_TOKEN'),
  setting('AGENT_ID'), review, {
    taskTypes: setting('TASK_TYPES', 'code-review').split(',').map((t) => t.trim()).filter(Boolean),
    name: `Node agent ${process.env.AGENT_ID}`, modelFamily: 'script', languages: ['javascript', 'typescript'],
    concurrency: positive('CAPACITY', 2), reconnectMs: positive('RECONNECT_MS', 1000),
    heartbeatIntervalMs: Math.min(heartbeatMs, workMs), aliveIntervalMs: heartbeatMs,
    // one line per event (REGISTERED, CONNECTED, RECEIVED, ACKED, DONE, …), which scripts and tests follow
    onEvent: (event, ...details) => {
      console.log([event, ...details].join(' '));
      if ((event === 'DONE' || event === 'FAILED') && ++finished >= maxTasks) {
        console.log('EXIT', `${finished} tasks`);
        process.exit(0);
      }
    },
  });

agent.run().then(() => process.exit(0), (error) => {
  console.error(error.message);
  process.exit(1);
});
