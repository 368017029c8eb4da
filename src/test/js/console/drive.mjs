// Drives Arbiter's /console in Debian's headless Chromium (playwright-core, no bundled browser), as an admin:
// signs in through the dialog (the token never in the URL nor in localStorage), submits a task on the overview and
// prints "SUBMITTED <id>" so the Java test's agent runs it, and waits until the live stream shows it succeeded. On
// the tasks page it pages through twelve queued backlog tasks ten at a time, opens the dead task DEAD_TASK by id,
// reads its decision and timeline and requeues it (confirming), reads why WAITING_TASK waits (with its parent and
// graph) and cancels it. It drains SPARE_AGENT, verifies the audit chain, creates and revokes a waiver (printing
// "WAIVER <id>"), browses the audit records (by action, by task, a page forward and back), sets two tenant limits
// ("LIMITS"), signs out, signs in again as an auditor (AUDITOR_TOKEN), who is offered no action, then with the
// platform role (PLATFORM_TOKEN) lists TENANT's queued backlog from its own tenant, and prints "DONE".
// Along the way it reads the last hour's latency on the overview, filters tasks by agent and by creation time,
// requeues the three dead tasks of BULK_TYPE at once ("BULK_REQUEUED"), and reads HOLDER_AGENT's lease of HELD_TASK
// and WORKER_AGENT's learning arms and results. Each view is saved as SHOTS/<view>.png. It fails when the page comes
// without its Content-Security-Policy, breaks it, or throws.
// Env: BASE_URL, TOKEN, AUDITOR_TOKEN, SHOTS (a directory), CHROMIUM (default /usr/bin/chromium), TASK_TYPE,
// DEAD_TASK, WAITING_TASK, SPARE_AGENT, WORKER_AGENT, BULK_TYPE, HOLDER_AGENT, HELD_TASK, PLATFORM_TOKEN, TENANT.
import { chromium } from 'playwright-core';

const env = process.env;
const base = env.BASE_URL;
const browser = await chromium.launch({
  executablePath: env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
  ],
});
const timeout = 20000;
const shot = (page, view) => page.screenshot({ path: `${env.SHOTS}/${view}.png`, fullPage: true });
function check(condition, message) {
  if (!condition) throw new Error(message);
}

try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 }, colorScheme: 'light' });
  const page = await context.newPage();
  const violations = [];
  page.on('console', (m) => {
    console.error('page:', m.text());
    if (m.text().includes('Content Security Policy')) violations.push(m.text());
  });
  page.on('pageerror', (e) => violations.push('script error: ' + e.message));

  const loaded = await page.goto(`${base}/console/`);
  check(
    (loaded.headers()['content-security-policy'] || '').includes("script-src 'self'"),
    'the console came without its Content-Security-Policy',
  );
  await page.waitForSelector('#signin[open]', { timeout });
  await shot(page, 'sign-in');
  await page.fill('#token', env.TOKEN);
  await page.press('#token', 'Enter');
  await page.waitForSelector('#signin:not([open])', { state: 'attached', timeout });
  check(!page.url().includes(env.TOKEN), 'the token is in the URL');
  check(await page.evaluate(() => localStorage.length === 0), 'the console wrote to localStorage');
  check(
    await page.evaluate((t) => Object.values(sessionStorage).includes(t), env.TOKEN),
    'the token is not in sessionStorage',
  );
  check((await page.textContent('#who')).includes('admin'), 'the header does not show the role');

  await page.waitForSelector('#live.on', { timeout });
  await page.waitForSelector('#agents tbody tr', { timeout });
  await page.fill('#type', env.TASK_TYPE || 'code-editing');
  await page.fill('#priority', '7');
  await page.click('#submit button');
  const submitted = await (await page.waitForSelector('#submitted[data-task]', { timeout })).getAttribute('data-task');
  console.log(`SUBMITTED ${submitted}`);
  await page.waitForSelector(`#tasks tr[data-task="${submitted}"] td.state.succeeded`, { timeout: 60000 });
  await page.waitForFunction(
    () => /\d+ m?s$/.test(document.querySelector('tr[data-latency="end to end"] td')?.textContent || ''),
    null,
    { timeout: 45000 },
  );
  check(/[1-9]\d* succeeded/.test(await page.textContent('#hour-counts')), 'the last hour counts no success');
  await page.waitForSelector('#chart-history-throughput canvas', { timeout });
  await page.waitForSelector('#chart-history-latency canvas', { timeout });
  await page.waitForTimeout(5500);
  await shot(page, 'overview');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.reload();
  await page.waitForSelector('#live.on', { timeout });
  await page.waitForSelector('#agents tbody tr', { timeout });
  await shot(page, 'overview-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.reload();
  await page.waitForSelector('#live.on', { timeout });

  await page.click('nav a[data-view="tasks"]');
  await page.waitForSelector('#task-list tbody tr', { timeout });
  await page.selectOption('#filter-state', 'dead');
  await page.click('#task-filter button');
  await page.waitForSelector(`#task-list tr[data-task="${env.DEAD_TASK}"]`, { timeout });
  await shot(page, 'tasks');
  await page.selectOption('#filter-state', 'queued');
  await page.fill('#filter-type', 'backlog');
  await page.selectOption('#page-size', '10');
  await page.click('#task-filter button');
  await page.waitForFunction(() => document.querySelectorAll('#task-list tbody tr').length === 10, null, { timeout });
  await page.click('#next-page');
  await page.waitForSelector('#page-number:text("page 2")', { timeout });
  await page.waitForFunction(() => document.querySelectorAll('#task-list tbody tr').length === 2, null, { timeout });
  await page.click('#previous-page');
  await page.waitForSelector('#page-number:text("page 1")', { timeout });
  await page.waitForFunction(() => document.querySelectorAll('#task-list tbody tr').length === 10, null, { timeout });
  await page.selectOption('#filter-state', '');
  await page.fill('#filter-type', '');
  await page.fill('#filter-agent', env.WORKER_AGENT);
  await page.click('#task-filter button');
  await page.waitForSelector(`#task-list tr[data-task="${submitted}"]`, { timeout });
  check(
    await page.$$eval('#task-list tbody tr', (rows, a) => rows.every((r) => r.textContent.includes(a)), env.WORKER_AGENT),
    "the agent filter lists another agent's task",
  );
  await page.fill('#filter-agent', '');
  await page.fill('#filter-from', '2099-01-01T00:00');
  await page.click('#task-filter button');
  await page.waitForSelector('#task-results p.muted:text("No tasks match.")', { timeout });
  await page.fill('#filter-from', '');
  await page.selectOption('#filter-state', 'dead');
  await page.fill('#filter-type', env.BULK_TYPE);
  await page.click('#task-filter button');
  await page.waitForFunction(() => document.querySelectorAll('#task-list tbody tr').length === 3, null, { timeout });
  await page.click('#requeue-all');
  await page.waitForSelector('#confirm[open]', { timeout });
  const question = await page.textContent('#confirm-text');
  check(question.includes(`Requeue 3 dead tasks of type ${env.BULK_TYPE}`), `the confirmation says: ${question}`);
  await page.click('#confirm-yes');
  await page.waitForSelector('#requeued:text("Requeued 3")', { timeout });
  await page.waitForSelector('#task-results p.muted:text("No tasks match.")', { timeout });
  console.log('BULK_REQUEUED');

  await page.fill('#search-id', env.DEAD_TASK);
  await page.press('#search-id', 'Enter');
  await page.waitForSelector('#task-state.dead', { timeout });
  await page.waitForSelector('#decision-agent a', { timeout });
  await page.waitForSelector('#timeline li:nth-child(3)', { timeout });
  check((await page.textContent('#timeline')).includes('dead'), 'the timeline does not end dead');
  await shot(page, 'task');
  await page.click('#requeue-task');
  await page.waitForSelector('#confirm[open]', { timeout });
  await page.click('#confirm-yes');
  await page.waitForSelector('#task-state:not(.dead)', { timeout });
  await page.waitForFunction(() => document.getElementById('timeline').textContent.includes('dead → queued'), null, {
    timeout,
  });

  await page.click('nav a[data-view="tasks"]');
  await page.waitForSelector('#search-id', { timeout });
  await page.fill('#search-id', env.WAITING_TASK);
  await page.press('#search-id', 'Enter');
  await page.waitForSelector('#task-state.queued', { timeout });
  await page.waitForSelector('#waiting', { timeout });
  await page.waitForSelector('#parents td.state.succeeded', { timeout });
  await page.waitForSelector('#graph tr[data-task] td.state.succeeded', { timeout });
  await shot(page, 'task-waiting');
  await page.click('#cancel-task');
  await page.waitForSelector('#confirm[open]', { timeout });
  await page.click('#confirm-yes');
  await page.waitForSelector('#task-state.canceled', { timeout });
  check((await page.$('#cancel-task')) === null, 'a canceled task still offers to be canceled');

  await page.click('nav a[data-view="agents"]');
  await page.waitForSelector(`#agent-list tr[data-agent="${env.SPARE_AGENT}"]`, { timeout });
  await shot(page, 'agents');
  await page.click(`#agent-list tr[data-agent="${env.SPARE_AGENT}"] a`);
  await page.waitForSelector('#drain-agent', { timeout });
  await shot(page, 'agent');
  await page.click('#drain-agent');
  await page.waitForSelector('#confirm[open]', { timeout });
  await page.click('#confirm-yes');
  await page.waitForSelector('#agent-status.draining, #agent-status.offline', { timeout });
  await page.goto(`${base}/console/#/agents/${env.HOLDER_AGENT}`);
  await page.waitForSelector(`#lease-list tr[data-task="${env.HELD_TASK}"]`, { timeout });
  await page.goto(`${base}/console/#/agents/${env.WORKER_AGENT}`);
  await page.waitForSelector(`#arm-list tr[data-arm="${env.TASK_TYPE}"] meter`, { timeout });
  await page.waitForSelector('#result-list tr[data-task] td.state.succeeded', { timeout });
  check(
    Number(await page.textContent(`#arm-list tr[data-arm="${env.TASK_TYPE}"] td.pulls`)) > 0,
    'the worker has no pulls for its task type',
  );
  await shot(page, 'agent-learning');

  await page.click('nav a[data-view="audit"]');
  await page.click('#verify-chain');
  await page.waitForSelector('#verify-result [data-ok="true"]', { timeout });
  await page.selectOption('#waiver-rule', 'gate.min-coverage');
  await page.selectOption('#waiver-kind', 'task_type');
  await page.fill('#waiver-value', env.TASK_TYPE || 'code-editing');
  await page.fill('#waiver-reason', 'coverage tool down during the migration');
  await page.click('#waiver-form button[type="submit"]');
  const row = await page.waitForSelector('#waiver-list tr[data-waiver]', { timeout });
  const waiver = await row.getAttribute('data-waiver');
  await shot(page, 'audit');
  await page.click(`#waiver-list tr[data-waiver="${waiver}"] button.revoke`);
  await page.waitForSelector('#confirm[open]', { timeout });
  await page.click('#confirm-yes');
  await page.waitForFunction(
    (id) => document.querySelector(`#waiver-list tr[data-waiver="${id}"]`)?.textContent.includes('revoked'),
    waiver,
    { timeout },
  );
  console.log(`WAIVER ${waiver}`);

  await page.fill('#audit-action', 'task.requeued');
  await page.click('#audit-filter button');
  // The unfiltered list may already hold the dead task's requeue: wait for the filtered list itself, in which every
  // row is a requeue (a filter that let other actions through never gets there).
  await page.waitForFunction(
    (id) =>
      document.querySelector(`#audit-list tr[data-record] a[href="#/tasks/${id}"]`) !== null &&
      [...document.querySelectorAll('#audit-list td.action')].every((c) => c.textContent === 'task.requeued'),
    env.DEAD_TASK,
    { timeout },
  );
  await page.fill('#audit-action', '');
  await page.fill('#audit-task', env.DEAD_TASK);
  await page.click('#audit-filter button');
  await page.waitForFunction(
    (id) =>
      [...document.querySelectorAll('#audit-list td.id')].every((c) => c.textContent === id) &&
      document.querySelectorAll('#audit-list tbody tr').length >= 4,
    env.DEAD_TASK,
    { timeout },
  );
  await shot(page, 'audit-records');
  await page.fill('#audit-task', '');
  await page.click('#audit-filter button');
  await page.waitForFunction(() => document.querySelectorAll('#audit-list tbody tr').length === 25, null, { timeout });
  const newest = await page.getAttribute('#audit-list tbody tr', 'data-record');
  await page.click('#audit-next');
  await page.waitForSelector('#audit-page:text("page 2")', { timeout });
  await page.waitForFunction(
    (first) => Number(document.querySelector('#audit-list tbody tr').dataset.record) < Number(first),
    newest,
    { timeout },
  );
  await page.click('#audit-previous');
  await page.waitForSelector(`#audit-page:text("page 1")`, { timeout });
  await page.waitForSelector(`#audit-list tbody tr[data-record="${newest}"]`, { timeout });

  await page.click('nav a[data-view="limits"]');
  await page.waitForSelector('#limits-form', { timeout });
  await page.fill('#limit-maxFiles', '50');
  await page.fill('#limit-maxPayloadBytes', '100000');
  await page.click('#limits-form button[type="submit"]');
  await page.waitForSelector('#confirm[open]', { timeout });
  await page.click('#confirm-yes');
  await page.waitForSelector('#limits-saved', { timeout });
  check((await page.inputValue('#limit-maxFiles')) === '50', 'the saved limit is not shown');
  await shot(page, 'limits');
  console.log('LIMITS');

  await page.click('#signout');
  await page.waitForSelector('#signin[open]', { timeout });
  check(await page.evaluate(() => sessionStorage.length === 0), 'signing out left the token in sessionStorage');

  await page.fill('#token', env.AUDITOR_TOKEN);
  await page.press('#token', 'Enter');
  await page.waitForSelector('#live.on', { timeout });
  await page.click('nav a[data-view="overview"]');
  await page.waitForSelector('#agents tbody tr', { timeout });
  check((await page.$('#submit')) === null, 'an auditor is offered the submission form');
  await page.click('nav a[data-view="audit"]');
  await page.waitForSelector('#waiver-list', { timeout });
  check(
    (await page.$('#waiver-form')) === null && (await page.$('button.revoke')) === null,
    'an auditor is offered to create or revoke waivers',
  );
  await page.click('#verify-chain');
  await page.waitForSelector('#verify-result [data-ok="true"]', { timeout });
  await page.waitForSelector('#audit-list tbody tr', { timeout });
  await page.click('nav a[data-view="limits"]');
  await page.waitForSelector('#limit-maxFiles[disabled]', { timeout });
  check((await page.inputValue('#limit-maxFiles')) === '50', 'an auditor does not see the limits');
  check((await page.$('#limits-form button[type="submit"]')) === null, 'an auditor is offered to edit the limits');
  await page.goto(`${base}/console/#/agents/${env.WORKER_AGENT}`);
  await page.waitForSelector('#result-list tr[data-task]', { timeout });
  check((await page.$('#arm-list')) === null, 'an auditor is shown the learning arms it may not read');
  await page.goto(`${base}/console/#/tasks`);
  await page.selectOption('#filter-state', 'dead');
  await page.fill('#filter-type', env.BULK_TYPE);
  await page.click('#task-filter button');
  await page.waitForSelector('#task-results p, #task-list', { timeout });
  check((await page.$('#requeue-all')) === null, 'an auditor is offered the bulk requeue');
  await page.goto(`${base}/console/#/tasks/${env.DEAD_TASK}`);
  await page.waitForSelector('#task-state', { timeout });
  check(
    (await page.$('#cancel-task')) === null && (await page.$('#requeue-task')) === null,
    'an auditor is offered task actions',
  );

  await page.click('#signout');
  await page.waitForSelector('#signin[open]', { timeout });
  await page.fill('#token', env.PLATFORM_TOKEN);
  await page.press('#token', 'Enter');
  await page.waitForSelector('#signin:not([open])', { state: 'attached', timeout });
  await page.click('nav a[data-view="tasks"]');
  await page.waitForSelector('#filter-tenant', { timeout });
  await page.fill('#filter-tenant', env.TENANT);
  await page.selectOption('#filter-state', 'queued');
  await page.fill('#filter-type', 'backlog');
  await page.selectOption('#page-size', '25');
  await page.click('#task-filter button');
  await page.waitForFunction(() => document.querySelectorAll('#task-list tbody tr').length === 12, null, { timeout });
  check((await page.$('#requeue-all')) === null, 'the platform role is offered the bulk requeue');
  check(violations.length === 0, `the page broke its Content-Security-Policy: ${violations.join('; ')}`);
  console.log('DONE');
} finally {
  await browser.close();
}
