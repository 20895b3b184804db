// The browser client end to end: real Chromium pages with fake cameras join one room through the web server,
// Prosody, the focus and the bridge, and each decodes the others' video and receives their audio.
import type { Browser } from 'playwright-core';
import { startBrowserStack, type BrowserStack } from '../harness/browser-stack.js';
import { BrowserParticipant, launchChromium } from '../harness/browser-page.js';
import { waitUntil } from '../harness/wait-for.js';

let stack: BrowserStack;
let browser: Browser;
const people: BrowserParticipant[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startBrowserStack(), launchChromium()]);
}, 90_000);
afterEach(async () => {
  await Promise.all(people.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function join(room: string, name: string): Promise<BrowserParticipant> {
  const p = await BrowserParticipant.join(browser, stack.webUrl, room, name);
  people.push(p);
  return p;
}

/** Every page decodes video frames and receives audio from every other page, with counters still rising. */
async function everyoneSeesEveryone(all: BrowserParticipant[], timeoutMs: number): Promise<void> {
  const ids = await Promise.all(all.map((p) => waitUntil(`${p.name} endpoint id`, () => p.endpointId())));
  const before = await Promise.all(
    all.map((p) =>
      waitUntil(
        `${p.name} to decode video and receive audio from the others`,
        async () => {
          const inbound = await p.inbound();
          const others = ids.filter((id) => id !== ids[all.indexOf(p)]);
          const ok = others.every(
            (id) => (inbound[id]?.framesDecoded ?? 0) > 0 && (inbound[id]?.audioPackets ?? 0) > 0,
          );
          return ok ? inbound : undefined;
        },
        timeoutMs,
        250,
      ),
    ),
  );
  // Still flowing: frames and audio keep arriving.
  await Promise.all(
    all.map((p, i) =>
      waitUntil(
        `${p.name}: frames still decoding`,
        async () => {
          const now = await p.inbound();
          return Object.entries(before[i] ?? {}).every(
            ([id, b]) =>
              (now[id]?.framesDecoded ?? 0) > b.framesDecoded && (now[id]?.audioPackets ?? 0) > b.audioPackets,
          );
        },
        10_000,
        250,
      ),
    ),
  );
}

describe('web client in headless Chromium', () => {
  it('lets two pages see and hear each other through the bridge', async () => {
    const room = 'pair';
    const t0 = Date.now();
    const alice = await join(room, 'Alice');
    const bob = await join(room, 'Bob');
    await everyoneSeesEveryone([alice, bob], 30_000);
    process.stdout.write(`two pages: join to frames decoding both ways ${Date.now() - t0} ms\n`);
    const tiles = await alice.tiles();
    expect(tiles.map((t) => t.name)).toEqual(['Bob']);
    expect(tiles[0]?.videoWidth).toBeGreaterThan(0);
  }, 60_000);
});
