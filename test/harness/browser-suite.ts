// What every browser test file sets up: the stack (Prosody, focus, bridge, web server) and one Chromium, started
// before its tests and closed after them with every page it joined.
import type { Browser } from 'playwright-core';
import { BrowserParticipant, launchChromium } from './browser-page.js';
import { startBrowserStack, type BrowserStack } from './browser-stack.js';

export interface BrowserSuite {
  readonly stack: BrowserStack;
  readonly browser: Browser;
  /** A page of the web client in `room` as `name` (more page parameters in `query`), closed after the file. */
  join(room: string, name: string, query?: string): Promise<BrowserParticipant>;
}

/** Registers the file's beforeAll/afterAll; use the result inside tests only. */
export function browserSuite(): BrowserSuite {
  let stack: BrowserStack | undefined;
  let browser: Browser | undefined;
  const pages: BrowserParticipant[] = [];
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startBrowserStack(), launchChromium()]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all(pages.splice(0).map((p) => p.close()));
    await browser?.close();
    await stack?.close();
  });
  const suite: BrowserSuite = {
    get stack(): BrowserStack {
      if (stack === undefined) throw new Error('the browser stack is not started: use it inside a test');
      return stack;
    },
    get browser(): Browser {
      if (browser === undefined) throw new Error('Chromium is not started: use it inside a test');
      return browser;
    },
    async join(room, name, query = '') {
      const p = await BrowserParticipant.join(suite.browser, suite.stack.webUrl, room, name, query);
      pages.push(p);
      return p;
    },
  };
  return suite;
}
