// The join form in real Chromium: the room field checks names the way the focus does, with no console error.
import type { Browser, Page } from 'playwright-core';
import { freePort } from '@convene/xmpp-server';
import { AppProcess } from '../harness/app-process.js';
import { launchChromium } from '../harness/browser-page.js';

let web: AppProcess;
let webUrl: string;
let browser: Browser;

beforeAll(async () => {
  // The form needs only the page: nothing listens where /xmpp-websocket is proxied, and nothing joins.
  web = new AppProcess('web/server/main.ts', {
    CONVENE_WEB_PORT: '0',
    CONVENE_WEB_XMPP_HTTP_URL: `http://127.0.0.1:${await freePort()}`,
  });
  webUrl = String((await web.logLine('web ready', 30_000)).url);
  browser = await launchChromium();
}, 40_000);
afterAll(async () => {
  await browser?.close();
  await web?.stop();
});

async function openForm(): Promise<{ page: Page; logs: string[] }> {
  const page = await browser.newPage();
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(`${webUrl}standup`);
  await page.waitForSelector('.room-input', { timeout: 15_000 });
  return { page, logs };
}

/** What the field says of `value`: Chromium compiles `pattern` with the `v` flag, as the HTML standard asks. */
function mismatch(page: Page, value: string): Promise<boolean> {
  return page.$eval(
    '.room-input',
    (input, v) => {
      const field = input as HTMLInputElement;
      field.value = v;
      return field.validity.patternMismatch;
    },
    value,
  );
}

describe('join form', () => {
  it('loads with no console error and no page error', async () => {
    const { page, logs } = await openForm();
    // The pattern is compiled when the field is validated; make sure that happened before reading the logs.
    expect(await page.$eval('.room-input', (i) => (i as HTMLInputElement).checkValidity())).toBe(true);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
    expect(logs.filter((l) => l.startsWith('error') || l.startsWith('pageerror'))).toEqual([]);
    await page.close();
  });

  // Nodeprep's forbidden characters (RFC 7622 §3.3.1) as the focus refuses them: it would answer not-acceptable.
  it.each(['two words', 'a/b', 'me@home', "it's", 'a:b', 'a<b', 'a>b', 'a&b', 'say"hi"', ' standup'])(
    'reports %j as a pattern mismatch',
    async (value) => {
      const { page } = await openForm();
      expect(await mismatch(page, value)).toBe(true);
      await page.close();
    },
  );

  it('serves the page for a room name with a dot, as after a reload of that room', async () => {
    // The form accepts "team.sync" and puts it in the address; the server used to answer 404 for any dotted path.
    const page = await browser.newPage();
    const res = await page.goto(`${webUrl}team.sync`);
    expect(res?.status()).toBe(200);
    await page.waitForSelector('.room-input', { timeout: 15_000 });
    expect(await page.$eval('.room-input', (i) => (i as HTMLInputElement).value)).toBe('team.sync');
    // Unknown paths of more than one segment are still not pages.
    expect((await fetch(`${webUrl}team.sync/x`)).status).toBe(404);
    await page.close();
  });

  it.each(['standup', 'team.sync', 'a-b_c', 'Weekly-2026', 'café', 'b[1]', 'x|y'])('accepts %j', async (value) => {
    const { page } = await openForm();
    expect(await mismatch(page, value)).toBe(false);
    await page.close();
  });
});
