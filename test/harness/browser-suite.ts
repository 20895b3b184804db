// What every browser test file sets up: the stack (Prosody, focus, bridge, web server), one Chromium and, when asked,
// the lib-jitsi-meet page server, started before its tests and closed after them with every page it joined.
import type { Browser } from 'playwright-core';
import { BrowserParticipant, launchChromium, type PageParticipant } from './browser-page.js';
import { LjmParticipant, startLjmServer, type LjmServer } from './ljm-page.js';
import { startBrowserStack, type BrowserStack, type BrowserStackOptions } from './browser-stack.js';

/**
 * The stack and one Chromium, started side by side. If either fails, the other is closed before the error is
 * thrown: with Promise.all a failed stack left the browser it never returned running, and jest never exited.
 */
export async function startStackAndBrowser(options?: BrowserStackOptions): Promise<[BrowserStack, Browser]> {
  const [s, b] = await Promise.allSettled([startBrowserStack(options), launchChromium()]);
  if (s.status === 'fulfilled' && b.status === 'fulfilled') return [s.value, b.value];
  if (s.status === 'fulfilled') await s.value.close();
  if (b.status === 'fulfilled') await b.value.close();
  throw s.status === 'rejected' ? s.reason : (b as PromiseRejectedResult).reason;
}

export interface BrowserSuite {
  readonly stack: BrowserStack;
  readonly browser: Browser;
  /** A page of the web client in `room` as `name` (more page parameters in `query`), closed after the file. */
  join(room: string, name: string, query?: string): Promise<BrowserParticipant>;
  /** A lib-jitsi-meet page (the suite was made with `ljm: true`), closed after the file. */
  joinLjm(room: string, name: string, query?: string): Promise<LjmParticipant>;
}

/** Registers the file's beforeAll/afterAll; use the result inside tests only. */
export function browserSuite(options: { stack?: BrowserStackOptions; ljm?: boolean } = {}): BrowserSuite {
  let stack: BrowserStack | undefined;
  let browser: Browser | undefined;
  let ljm: LjmServer | undefined;
  const pages: PageParticipant[] = [];
  beforeAll(async () => {
    [stack, browser] = await startStackAndBrowser(options.stack);
    if (options.ljm === true) ljm = await startLjmServer(stack.webUrl);
  }, 90_000);
  afterAll(async () => {
    await Promise.all(pages.splice(0).map((p) => p.close()));
    await browser?.close();
    await ljm?.close();
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
    async joinLjm(room, name, query = '') {
      if (ljm === undefined) throw new Error('no lib-jitsi-meet server: make the suite with ljm: true');
      const p = await LjmParticipant.join(suite.browser, ljm.url, room, name, query);
      pages.push(p);
      return p;
    },
  };
  return suite;
}
