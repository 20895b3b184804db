// What a person is told when things go wrong: the server unreachable, the camera refused.
import type { Browser } from 'playwright-core';
import { freePort } from '@convene/xmpp-server';
import { AppProcess } from '../harness/app-process.js';
import { launchChromium, launchChromiumDenyingMedia } from '../harness/browser-page.js';

let web: AppProcess;
let webUrl: string;
const browsers: Browser[] = [];

beforeAll(async () => {
  // Nothing listens where the web server proxies /xmpp-websocket.
  web = new AppProcess('web/server/main.ts', {
    CONVENE_WEB_PORT: '0',
    CONVENE_WEB_XMPP_HTTP_URL: `http://127.0.0.1:${await freePort()}`,
  });
  webUrl = String((await web.logLine('web ready', 30_000)).url);
}, 40_000);
afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await web?.stop();
});

describe('web client errors', () => {
  it('says the server is unreachable when the XMPP WebSocket cannot connect', async () => {
    const browser = await launchChromium();
    browsers.push(browser);
    const page = await browser.newPage();
    await page.goto(`${webUrl}standup?autojoin=1&name=Alice`);
    await page.waitForSelector('.ended', { timeout: 15_000 });
    expect(await page.textContent('.ended')).toMatch(/server is unreachable/);
  });

  it('says the camera and microphone were refused', async () => {
    const browser = await launchChromiumDenyingMedia();
    browsers.push(browser);
    const page = await browser.newPage();
    await page.goto(`${webUrl}standup?autojoin=1&name=Bob`);
    const notice = await page.waitForSelector('.notice', { timeout: 15_000 });
    expect(await notice.textContent()).toMatch(/permission denied/);
  });
});
