// The transport's retries against a scripted local server: no Arbiter needed.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { ArbiterError, Backoff, Client, retryAfterSeconds } from '../dist/index.js';

let server;
let url;
const script = [];
const seen = [];

before(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      seen.push({ method: request.method, url: request.url, key: request.headers['idempotency-key'], body });
      const [status, headers, answer] = script.shift() ?? [500, {}, { detail: 'unscripted' }];
      response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      response.end(answer === undefined ? '' : JSON.stringify(answer));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

test('a 503 is retried after its Retry-After, with the same idempotency key', async () => {
  seen.length = 0;
  script.push([503, { 'Retry-After': '1' }, { status: 503, code: 5030, detail: 'database unavailable' }],
    [202, {}, { id: 't-1', state: 'queued' }]);
  const client = new Client(url, 'token', { backoff: new Backoff({ baseMs: 1, capMs: 2 }) });
  const started = Date.now();
  const task = await client.submit({ type: 'x' });
  assert.equal(task.id, 't-1');
  assert.ok(Date.now() - started >= 900, 'waited for Retry-After');
  assert.equal(seen.length, 2);
  assert.equal(seen[0].key, seen[1].key);
  assert.ok(seen[0].key);
});

test('a problem answer throws an ArbiterError with its status, code, field and detail, without a retry', async () => {
  seen.length = 0;
  script.push([400, {}, { status: 400, code: 4000, field: 'priority', detail: 'priority: above 9' }]);
  const client = new Client(url, 'token');
  await assert.rejects(client.submit({ type: 'x', priority: 42 }), (error) => {
    assert.ok(error instanceof ArbiterError);
    assert.deepEqual([error.status, error.code, error.field, error.detail], [400, 4000, 'priority', 'priority: above 9']);
    return true;
  });
  assert.equal(seen.length, 1);
});

test('retries stop after maxRetries, throwing the last error', async () => {
  seen.length = 0;
  script.push([429, {}, { status: 429, detail: 'slow down' }], [429, {}, { status: 429, detail: 'slow down' }]);
  const client = new Client(url, 'token', { backoff: new Backoff({ baseMs: 1, capMs: 2, maxRetries: 1 }) });
  await assert.rejects(client.get('t'), (error) => error instanceof ArbiterError && error.status === 429);
  assert.equal(seen.length, 2);
});

test('a batch is not sent again after a connection failure (it carries no idempotency key)', async () => {
  const client = new Client('http://127.0.0.1:1', 'token', { backoff: new Backoff({ baseMs: 1, capMs: 2 }) });
  const started = Date.now();
  await assert.rejects(client.submitBatch([{ type: 'x' }]), (error) => !(error instanceof ArbiterError));
  assert.ok(Date.now() - started < 1000);
});

test('backoff grows with jitter under its cap and honours Retry-After; Retry-After reads seconds and dates', () => {
  const backoff = new Backoff({ baseMs: 100, capMs: 1000 });
  assert.equal(backoff.delayMs(1, undefined, () => 0), 50);
  assert.equal(backoff.delayMs(3, undefined, () => 1), 400);
  assert.equal(backoff.delayMs(10, undefined, () => 1), 1000);
  assert.equal(backoff.delayMs(1, 2, () => 1), 2000);
  assert.equal(retryAfterSeconds('7'), 7);
  assert.equal(retryAfterSeconds(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(),
    Date.UTC(2030, 0, 1, 0, 0, 0)), 10);
  assert.equal(retryAfterSeconds('soon'), undefined);
});
