// The SDK against a real Arbiter: ARBITER_URL, ARBITER_ADMIN_TOKEN, ARBITER_AGENT_ID, ARBITER_AGENT_TOKEN,
// ARBITER_BRIDGE_AGENT_ID and ARBITER_BRIDGE_AGENT_TOKEN come from the environment (TypeScriptClientTest in the Java
// suite starts a server and sets them). Without them these tests fail: they never pass without a server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, test } from 'node:test';
import { Agent, ArbiterError, BridgeAgent, Client, Outcome, TaskCanceled, TimeoutError } from '../dist/index.js';

const WAIT = 30_000;
const TASK_TYPE = 'ts-task';
const BRIDGE_TYPE = 'ts-bridge';

function env(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run these tests against a real Arbiter (TypeScriptClientTest does)`);
  return value;
}

const url = env('ARBITER_URL');
const client = new Client(url, env('ARBITER_ADMIN_TOKEN'));
const running = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((agent) => agent.stop()));
});

/** Starts a REST agent whose handler sees only this test's tasks (a task left by an earlier test just succeeds). */
function agent(mark, handler, options = {}) {
  const runner = new Agent(url, env('ARBITER_AGENT_TOKEN'), env('ARBITER_AGENT_ID'),
    (task) => (task.payload?.test === mark ? handler(task) : { stray: true }),
    { taskTypes: [TASK_TYPE], modelFamily: 'typescript', claimWaitSeconds: 1, handleSignals: false, ...options });
  running.push(runner);
  void runner.run();
  return runner;
}

function bridgeAgent(mark, handler, options = {}) {
  const runner = new BridgeAgent(url, env('ARBITER_BRIDGE_AGENT_TOKEN'), env('ARBITER_BRIDGE_AGENT_ID'),
    (task) => (task.payload?.test === mark ? handler(task) : { stray: true }),
    { taskTypes: [BRIDGE_TYPE], modelFamily: 'typescript', handleSignals: false, ...options });
  running.push(runner);
  return runner;
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(what, check) {
  const deadline = Date.now() + WAIT;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, what);
    await pause(50);
  }
}

test('an agent completes the tasks a client submits, with progress and the gate fields', async () => {
  const mark = randomUUID();
  agent(mark, async (task) => {
    await task.progress(50, 'half way');
    return Outcome.succeeded({ echo: task.payload.n }, { quality: 0.9, filesChanged: 2, linesChanged: 10,
      testsPassed: true, coverage: 0.8 });
  });
  const submitted = await Promise.all([0, 1, 2].map((n) => client.submit({ type: TASK_TYPE,
    payload: { n, test: mark }, maxAttempts: 2 })));
  for (const [n, task] of submitted.entries()) {
    const done = await client.wait(task.id, { timeoutMs: WAIT });
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(done.result, { echo: n });
    assert.equal(done.assignedAgentId, env('ARBITER_AGENT_ID'));
    assert.equal(done.progress.percent, 50);
  }
});

test('a failed attempt is retried and then succeeds; out of attempts the task is dead with the error', async () => {
  const mark = randomUUID();
  agent(mark, (task) => {
    if (task.payload.fail >= task.attempt) {
      throw new Error(`flaky dependency on attempt ${task.attempt}`);
    }
    return { on: task.attempt };
  });
  const retried = await client.submit({ type: TASK_TYPE, payload: { fail: 1, test: mark }, maxAttempts: 3 });
  const done = await client.wait(retried.id, { timeoutMs: WAIT });
  assert.deepEqual([done.state, done.attempt, done.result], ['succeeded', 2, { on: 2 }]);
  const failed = (await client.history(retried.id)).filter((h) => h.to === 'failed');
  assert.deepEqual(failed.map((h) => h.attempt), [1]);

  const dead = await client.wait((await client.submit({ type: TASK_TYPE, payload: { fail: 1, test: mark },
    maxAttempts: 1 })).id, { timeoutMs: WAIT });
  assert.deepEqual([dead.state, dead.error], ['dead', 'Error: flaky dependency on attempt 1']);
});

test('a cancel during work reaches the handler, and the attempt is not reported', async () => {
  const mark = randomUUID();
  let started;
  const handlerStarted = new Promise((resolve) => { started = resolve; });
  let sawCancel = false;
  agent(mark, async (task) => {
    started();
    sawCancel = await task.waitCanceled(WAIT);
    task.check();
    return 'finished without a cancel';
  }, { heartbeatIntervalMs: 300 });
  const submitted = await client.submit({ type: TASK_TYPE, payload: { long: true, test: mark } });
  await handlerStarted;
  await client.cancel(submitted.id);
  assert.equal((await client.wait(submitted.id, { timeoutMs: WAIT })).state, 'canceled');
  await eventually('the handler saw the cancel', () => sawCancel);
});

test('wait follows the task\'s events rather than a poll, polls when asked, and times out', async () => {
  const nobody = await client.submit({ type: 'ts-nobody-takes', payload: {} });
  setTimeout(() => void client.cancel(nobody.id), 300);
  const started = Date.now();
  assert.equal((await client.wait(nobody.id, { timeoutMs: WAIT, pollIntervalMs: WAIT })).state, 'canceled');
  assert.ok(Date.now() - started < 5000, 'the cancel\'s event ended the wait, long before a poll');

  const polled = await client.submit({ type: 'ts-nobody-takes', payload: {} });
  setTimeout(() => void client.cancel(polled.id), 300);
  assert.equal((await client.wait(polled.id, { timeoutMs: WAIT, events: false, pollIntervalMs: 100 })).state,
    'canceled');

  const stuck = await client.submit({ type: 'ts-nobody-takes', payload: {} });
  await assert.rejects(client.wait(stuck.id, { timeoutMs: 500 }), TimeoutError);
  assert.equal((await client.cancel(stuck.id)).state, 'canceled');
});

test('a bad submission throws an ArbiterError naming the field', async () => {
  await assert.rejects(client.submit({ type: TASK_TYPE, priority: 42 }), (error) => {
    assert.ok(error instanceof ArbiterError);
    assert.deepEqual([error.status, error.code, error.field], [400, 4000, 'priority']);
    assert.ok(error.detail);
    return true;
  });
});

test('the same idempotency key answers the first task; another body with it is a conflict', async () => {
  const idempotencyKey = randomUUID();
  const first = await client.submit({ type: 'ts-nobody-takes', payload: { k: 1 } }, { idempotencyKey });
  const again = await client.submit({ type: 'ts-nobody-takes', payload: { k: 1 } }, { idempotencyKey });
  assert.equal(again.id, first.id);
  await assert.rejects(client.submit({ type: 'ts-nobody-takes', payload: { k: 2 } }, { idempotencyKey }),
    (error) => error.status === 409);
  await client.cancel(first.id);
});

test('a batch is listed page by page; a workflow answers its tasks by key', async () => {
  const type = `ts-batch-${randomUUID().slice(0, 8)}`;
  const batch = await client.submitBatch([0, 1, 2, 3, 4].map((i) => ({ type, payload: { i } })));
  assert.equal(batch.length, 5);
  const first = await client.list({ type, limit: 2 });
  assert.equal(first.items.length, 2);
  assert.ok(first.nextCursor);
  const all = [];
  for await (const task of client.iterate({ type, limit: 2 })) {
    all.push(task.id);
  }
  assert.deepEqual(new Set(all), new Set(batch.map((t) => t.id)));
  await Promise.all(batch.map((t) => client.cancel(t.id)));

  const flow = await client.submitWorkflow([{ key: 'build', type }, { key: 'test', type }],
    [{ from: 'build', to: 'test' }]);
  assert.deepEqual(Object.keys(flow).sort(), ['build', 'test']);
  assert.equal((await client.get(flow.test)).state, 'waiting');
  await client.cancel(flow.build);
  assert.equal((await client.wait(flow.test, { timeoutMs: WAIT })).state, 'canceled');
});

test('stopping the agent lets the running task finish and report before it resolves', async () => {
  const mark = randomUUID();
  let started;
  const handlerStarted = new Promise((resolve) => { started = resolve; });
  const runner = agent(mark, async () => {
    started();
    await pause(1000);
    return { finished: 'while stopping' };
  });
  const submitted = await client.submit({ type: TASK_TYPE, payload: { stop: true, test: mark } });
  await handlerStarted;
  await runner.stop();
  const done = await client.get(submitted.id);
  assert.deepEqual([done.state, done.result], ['succeeded', { finished: 'while stopping' }]);
});

test('stopping releases a task that outlives the grace period: its attempt fails and it is retried', async () => {
  const mark = randomUUID();
  let started;
  const handlerStarted = new Promise((resolve) => { started = resolve; });
  const runner = agent(mark, async (task) => {
    started();
    await task.waitCanceled(WAIT);
    throw new TaskCanceled('stopped');
  }, { stopGraceMs: 500 });
  const submitted = await client.submit({ type: TASK_TYPE, payload: { stuck: true, test: mark }, maxAttempts: 2 });
  await handlerStarted;
  await runner.stop();
  const failed = (await client.history(submitted.id)).filter((h) => h.to === 'failed');
  assert.deepEqual(failed.map((h) => h.attempt), [1]);
  assert.ok(['queued', 'assigned'].includes((await client.get(submitted.id)).state), 'released for its next attempt');
  await client.cancel(submitted.id);
});

test('a bridge agent runs pushed tasks to success, with progress, and learns of a cancel', async () => {
  const mark = randomUUID();
  const events = [];
  let started;
  const longStarted = new Promise((resolve) => { started = resolve; });
  let sawCancel = false;
  const runner = bridgeAgent(mark, async (task) => {
    if (task.payload.long) {
      started();
      sawCancel = await task.waitCanceled(WAIT);
      task.check();
    }
    await task.progress(50, 'halfway');
    return Outcome.succeeded({ echo: task.payload.n }, { quality: 0.9, testsPassed: true });
  }, { heartbeatIntervalMs: 200, onEvent: (...line) => events.push(line.join(' ')) });
  void runner.run();
  await eventually('the bridge agent connects', () => runner.connected);
  await eventually('it consumes by push', async () => {
    const me = (await client.transport.request('GET', `/agents/${env('ARBITER_BRIDGE_AGENT_ID')}`)).body;
    return me.delivery === 'push' && me.consuming;
  });
  const tasks = await Promise.all([1, 2].map((n) => client.submit({ type: BRIDGE_TYPE, payload: { n, test: mark } })));
  for (const [i, task] of tasks.entries()) {
    const done = await client.wait(task.id, { timeoutMs: WAIT });
    assert.deepEqual([done.state, done.result, done.progress.percent], ['succeeded', { echo: i + 1 }, 50]);
  }
  const long = await client.submit({ type: BRIDGE_TYPE, payload: { long: true, test: mark } });
  await longStarted;
  await client.cancel(long.id);
  await eventually('the handler saw the cancel', () => sawCancel);
  assert.equal((await client.get(long.id)).state, 'canceled');
  await eventually('the canceled attempt is not reported', () => events.some((e) => e.startsWith(`CANCELED ${long.id}`)));
  assert.ok(events.some((e) => e.startsWith(`DONE ${tasks[0].id} 1 succeeded`)), events.join('\n'));
});

test('the README\'s agent and submitter compile; its agent runs a task, and on SIGTERM finishes it and exits', async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  for (const block of blocks) {
    const check = spawn(process.execPath, ['--input-type=module', '--check'], { stdio: ['pipe', 'inherit', 'inherit'] });
    check.stdin.end(block);
    assert.equal(await new Promise((resolve) => check.on('exit', resolve)), 0, block);
  }
  const code = blocks.find((b) => b.includes('new Agent('));
  // registered for this suite's task type first, the README's agent resumes with it
  await new Agent(url, env('ARBITER_AGENT_TOKEN'), env('ARBITER_AGENT_ID'), () => undefined,
    { taskTypes: [TASK_TYPE] }).register();
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: new URL('..', import.meta.url), env: { ...process.env, ARBITER_TASK_TYPES: TASK_TYPE },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let log = '';
  child.stdout.on('data', (chunk) => { log += chunk; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    const submitted = await client.submit({ type: TASK_TYPE, payload: { repo: 'acme/api', steps: 10 } });
    await eventually('the README\'s agent runs the task', async () => (await client.get(submitted.id)).state === 'running');
    child.kill('SIGTERM');
    assert.equal(await exited, 0, log);
    const done = await client.get(submitted.id);
    assert.deepEqual([done.state, done.result], ['succeeded', { summary: 'looks good' }], log);
    assert.equal(done.progress.message, 'reviewing acme/api');
    assert.match(log, /^REGISTERED|^ALREADY-REGISTERED/m);
  } finally {
    child.kill('SIGKILL');
  }
});
