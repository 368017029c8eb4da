// One side of CrossLanguageTest: a TypeScript agent serving OWN_TYPE while the TypeScript client submits OTHER_TYPE
// tasks (for the Python agent) and checks their outcomes; exits 0 once both its checks passed and the other side's
// tasks of OWN_TYPE have all ended. Settings come from the environment (the test sets them).
import { isDeepStrictEqual } from 'node:util';
import { Agent, Client, Outcome } from '../../../../clients/typescript/dist/index.js';

const { ARBITER_URL: url, OWN_TYPE: own, OTHER_TYPE: other } = process.env;
const expected = Number(process.env.EXPECTED_TASKS);
const WAIT = 60_000;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function handle(task) {
  if (task.payload.hold) {
    await task.waitCanceled(WAIT);
    task.check();
  }
  if ((task.payload.fail ?? 0) >= task.attempt) {
    throw new Error(`flaky on attempt ${task.attempt}`);
  }
  return Outcome.succeeded({ echo: task.payload.n, by: 'typescript' }, { quality: 0.9, testsPassed: true });
}

function check(condition, what) {
  if (!condition) {
    console.log(`FAILED ${what}`);
    process.exit(1);
  }
  console.log(`OK ${what}`);
}

const agent = new Agent(url, process.env.AGENT_TOKEN, process.env.AGENT_ID, handle, {
  taskTypes: [own], modelFamily: 'typescript', concurrency: 4, claimWaitSeconds: 1, heartbeatIntervalMs: 300,
  handleSignals: false,
});
const running = agent.run();
const client = new Client(url, process.env.SUBMITTER_TOKEN);
try {
  const echoes = await Promise.all([0, 1, 2].map((n) => client.submit({ type: other, payload: { n }, maxAttempts: 2 })));
  for (const [n, task] of echoes.entries()) {
    const done = await client.wait(task.id, { timeoutMs: WAIT });
    check(done.state === 'succeeded' && isDeepStrictEqual(done.result, { echo: n, by: 'python' }),
      `${other} echo ${n}: ${done.state} ${JSON.stringify(done.result)}`);
  }

  const flaky = await client.wait((await client.submit({ type: other, payload: { n: 7, fail: 1 }, maxAttempts: 3 }))
    .id, { timeoutMs: WAIT });
  const failed = (await client.history(flaky.id)).filter((h) => h.to === 'failed').map((h) => h.attempt);
  check(flaky.state === 'succeeded' && flaky.attempt === 2 && failed.join() === '1',
    `${other} retried after a failure: ${flaky.state} attempt ${flaky.attempt}, failed ${failed}`);

  const held = await client.submit({ type: other, payload: { hold: true } });
  const deadline = Date.now() + WAIT;
  while ((await client.get(held.id)).state !== 'running') {
    if (Date.now() > deadline) {
      check(false, `${other} held task runs`);
    }
    await pause(50);
  }
  await client.cancel(held.id);
  check((await client.wait(held.id, { timeoutMs: WAIT })).state === 'canceled', `${other} canceled during work`);

  for (const end = Date.now() + WAIT; ;) {
    const mine = [];
    for await (const task of client.iterate({ type: own })) {
      mine.push(task);
    }
    if (mine.length >= expected && mine.every((t) => ['succeeded', 'canceled', 'dead'].includes(t.state))) {
      break;
    }
    if (Date.now() > end) {
      check(false, `the other side's ${expected} ${own} tasks end (${mine.length} seen)`);
    }
    await pause(200);
  }
  console.log('CLIENT-DONE');
} finally {
  await agent.stop();
  await running;
}
