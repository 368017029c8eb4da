// Drives Arbiter's /dashboard in Debian's headless Chromium (playwright-core, no bundled browser):
// loads the page with a token, submits a task through its form, prints "SUBMITTED <id>" so the Java test can have an
// agent run it, waits until the page shows it succeeded, saves a screenshot and prints "SUCCEEDED <id>".
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
  page.on('console', (m) => console.error('page:', m.text()));
  await page.goto(`${base}/dashboard/#token=${encodeURIComponent(process.env.TOKEN)}`);
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
  console.log(`SUCCEEDED ${id}`);
} finally {
  await browser.close();
}
