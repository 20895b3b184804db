// Rounds of three Chromium pages joining a fresh room, hearing each other and leaving (by the Leave button or by
// closing the tab): the web server, which proxies their XMPP and colibri-ws WebSockets, keeps no descriptor.
import { readdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import type { BrowserStack } from '../harness/browser-stack.js';
import { startStackAndBrowser } from '../harness/browser-suite.js';
import { BrowserParticipant } from '../harness/browser-page.js';
import { waitUntil } from '../harness/wait-for.js';

const ROUNDS = 3;

let stack: BrowserStack;
let browser: Browser;

beforeAll(async () => {
  [stack, browser] = await startStackAndBrowser();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

function webFds(): number {
  return readdirSync(`/proc/${stack.web.child.pid}/fd`).length;
}

describe('web server descriptors', () => {
  it('come back to their baseline after rounds of pages joining and leaving', async () => {
    const baseline = webFds();
    for (let round = 0; round < ROUNDS; round++) {
      const pages = await Promise.all(
        ['Ann', 'Bob', 'Cid'].map((name) => BrowserParticipant.join(browser, stack.webUrl, `fds-${round}`, name)),
      );
      const ids = await Promise.all(pages.map((p) => waitUntil(`${p.name} endpoint id`, () => p.endpointId(), 30_000)));
      // In the call: every page receives audio from both others (XMPP and colibri-ws both carried traffic).
      await Promise.all(
        pages.map((p) =>
          waitUntil(
            `${p.name} to hear the others`,
            async () => {
              const inbound = await p.inbound();
              return ids
                .filter((id) => id !== ids[pages.indexOf(p)])
                .every((id) => (inbound[id]?.audioPackets ?? 0) > 0);
            },
            30_000,
            250,
          ),
        ),
      );
      for (const [i, p] of pages.entries()) {
        // Half leave by the button, half close the tab; the ending varies with the round.
        if ((i + round) % 2 === 0) await p.page.click('button.leave');
        await p.close();
      }
      await waitUntil(
        `the web server's descriptors to come back to ${baseline} after round ${round + 1} (${webFds()} when the wait began)`,
        () => webFds() <= baseline,
        15_000,
        100,
      );
    }
  });
});
