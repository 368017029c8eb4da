// Drives Arbiter's /dashboard in Debian's headless Chromium (playwright-core, no bundled browser):
// loads the page with a token, submits a task through its form, prints "SUBMITTED <id>" so the Java test can have an
// agent run it, waits until the page shows it succeeded, saves a screenshot and prints "SUCCEEDED <id>". It fails
// when the page comes without its Content-Security-Policy or breaks it.
// Env: BASE_URL, TOKEN, SCREENSHOT (path), CHROMIUM (default /usr/bin/chromium), TASK_TYPE.
import { chromium } from 'playwright-core';

const base = process.env.BASE_URL;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  const violations = [];
  page.on('console', (m) => {
    console.error('page:', m.text());
    if (m.text().includes('Content Security Policy')) {
      violations.push(m.text());
    }
  });
  const loaded = await page.goto(`${base}/dashboard/#token=${encodeURIComponent(process.env.TOKEN)}`);
  if (!(loaded.headers()['content-security-policy'] || '').includes("script-src 'self'")) {
    throw new Error('the dashboard came without its Content-Security-Policy');
  }
  await page.waitForSelector('#live.on', { timeout: 20000 });
  await page.waitForSelector('#agents tbody tr', { timeout: 20000 });
  await page.fill('#type', process.env.TASK_TYPE || 'code-editing');
  await page.fill('#priority', '7');
  await page.click('#submit button');
  const handle = await page.waitForSelector('#submitted[data-task]', { timeout: 20000 });
  const id = await handle.getAttribute('data-task');
  await page.waitForSelector(`#tasks tr[data-task="${id}"]`, { timeout: 20000 });
  console.log(`SUBMITTED ${id}`);
  await page.waitForSelector(`#tasks tr[data-task="${id}"] td.state.succeeded`, { timeout: 60000 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
  if (violations.length > 0) {
    throw new Error(`the page broke its Content-Security-Policy: ${violations.join('; ')}`);
  }
  console.log(`SUCCEEDED ${id}`);
} finally {
  await browser.close();
}
