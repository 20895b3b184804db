// The only bridge dies in the middle of calls (issue #13 item 5): the pages say so instead of showing a frozen
// call as "Connected", a room started meanwhile says no media server is available, and when a bridge is back
// every page gets media again by itself, with no click.
import { browserSuite } from '../harness/browser-suite.js';
import type { BrowserParticipant } from '../harness/browser-page.js';
import { waitUntil } from '../harness/wait-for.js';

const suite = browserSuite();
const ids = new Map<BrowserParticipant, string>();

async function enter(room: string, name: string): Promise<BrowserParticipant> {
  const p = await suite.join(room, name);
  ids.set(p, await waitUntil(`${name} endpoint id`, () => p.endpointId()));
  return p;
}

/** `p` receives audio packets from `from`, more than it had, and says "Connected". */
async function hears(p: BrowserParticipant, from: BrowserParticipant, timeoutMs: number): Promise<void> {
  const id = ids.get(from) ?? '';
  const before = (await p.inbound())[id]?.audioPackets ?? 0;
  await waitUntil(
    `${p.name} to receive ${from.name}'s audio`,
    async () => ((await p.inbound())[id]?.audioPackets ?? 0) > before + 10,
    timeoutMs,
    250,
  );
  await waitUntil(`${p.name} to say Connected`, async () => (await p.status()) === 'Connected', 5_000, 100);
}

describe('web client when the only bridge dies', () => {
  it('says no media server is available instead of a frozen Connected, and recovers by itself when a bridge is back', async () => {
    const [alice, bob] = [await enter('lost-bridge', 'Alice'), await enter('lost-bridge', 'Bob')];
    await hears(alice, bob, 40_000);
    await hears(bob, alice, 10_000);

    await suite.stack.killBridge();
    for (const p of [alice, bob]) {
      await waitUntil(
        `${p.name} to say that no media server is available`,
        async () => /no media server/i.test(await p.status()),
        10_000,
        100,
      );
      // The others' tiles show no frozen picture: they say there is no media.
      expect((await p.tiles()).every((t) => t.noMedia)).toBe(true);
    }

    // A room started while no bridge is there says so too, with its members listed.
    const [carol, dave] = [await enter('no-bridge-yet', 'Carol'), await enter('no-bridge-yet', 'Dave')];
    for (const p of [carol, dave]) {
      await waitUntil(
        `${p.name} to say that no media server is available`,
        async () => /no media server/i.test(await p.status()),
        15_000,
        100,
      );
      expect((await p.tiles()).map((t) => t.name)).toEqual([p === carol ? 'Dave' : 'Carol']);
    }

    await suite.stack.startBridge('jvb2');
    await Promise.all([hears(alice, bob, 30_000), hears(bob, alice, 30_000)]);
    await Promise.all([hears(carol, dave, 30_000), hears(dave, carol, 30_000)]);
    for (const p of [alice, bob, carol, dave]) expect((await p.tiles()).some((t) => t.noMedia)).toBe(false);
  }, 150_000);
});
