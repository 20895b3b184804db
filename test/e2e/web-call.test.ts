// The browser client end to end: real Chromium pages with fake cameras join rooms through the web server,
// Prosody, the focus and the bridge, and each decodes the others' video and receives their audio.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { xml } from '@xmpp/client';
import { browserSuite } from '../harness/browser-suite.js';
import { JitsiParticipant } from '../harness/jitsi-participant.js';
import type { BrowserParticipant } from '../harness/browser-page.js';
import { waitUntil } from '../harness/wait-for.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', '.convene', 'artifacts');

const suite = browserSuite();
const trio: BrowserParticipant[] = [];
const ids = new Map<BrowserParticipant, string>();

async function enter(room: string, name: string): Promise<BrowserParticipant> {
  const p = await suite.join(room, name);
  ids.set(p, await waitUntil(`${name} endpoint id`, () => p.endpointId()));
  return p;
}

function idOf(p: BrowserParticipant): string {
  return ids.get(p) ?? '';
}

/** Every page decodes video frames and receives audio from every other page, with the counters still rising. */
async function everyoneSeesEveryone(all: BrowserParticipant[], timeoutMs: number): Promise<void> {
  const before = await Promise.all(
    all.map((p) =>
      waitUntil(
        `${p.name} to decode video and receive audio from the others`,
        async () => {
          const inbound = await p.inbound();
          const others = all.filter((o) => o !== p).map(idOf);
          // Frames decoded, and sound decoded (the fake microphone beeps), not just packets received.
          const ok = others.every((id) => (inbound[id]?.framesDecoded ?? 0) > 0 && (inbound[id]?.audioEnergy ?? 0) > 0);
          return ok ? inbound : undefined;
        },
        timeoutMs,
        250,
      ),
    ),
  );
  await Promise.all(
    all.map((p, i) =>
      waitUntil(
        `${p.name}: frames and audio still arriving`,
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
  it('lets three pages see and hear each other, with a named tile for each other person', async () => {
    const t0 = Date.now();
    trio.push(await enter('trio', 'Alice'), await enter('trio', 'Bob'), await enter('trio', 'Carol'));
    await everyoneSeesEveryone(trio, 40_000);
    process.stdout.write(`three pages: join to frames decoding everywhere ${Date.now() - t0} ms\n`);
    for (const p of trio)
      process.stdout.write(
        `${p.name} timings (ms since the page started the call): ${JSON.stringify(await p.timings())}\n`,
      );
    for (const p of trio) {
      const tiles = await p.tiles();
      const expected = trio.filter((o) => o !== p);
      expect(tiles.map((t) => t.name).sort()).toEqual(expected.map((o) => o.name).sort());
      expect(tiles.map((t) => t.endpoint).sort()).toEqual(expected.map(idOf).sort());
      await waitUntil(`${p.name}: every remote video has a size`, async () =>
        (await p.tiles()).every((t) => t.videoWidth > 0),
      );
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    await trio[0]?.page.screenshot({ path: join(ARTIFACTS, 'three-person-call.png') });
  }, 90_000);

  it('shows a camera mute on the others’ tile of that person', async () => {
    const [alice, bob, carol] = trio as [BrowserParticipant, BrowserParticipant, BrowserParticipant];
    await bob.page.click('button.cam');
    for (const p of [alice, carol])
      await waitUntil(`${p.name} to see Bob's camera off`, async () =>
        (await p.tiles()).some((t) => t.endpoint === idOf(bob) && t.videoMuted),
      );
    await bob.page.click('button.cam');
    for (const p of [alice, carol])
      await waitUntil(`${p.name} to see Bob's camera on again`, async () =>
        (await p.tiles()).some((t) => t.endpoint === idOf(bob) && !t.videoMuted),
      );
  });

  it('shares a screen in place of the camera, shown as a screen on the others’ tiles', async () => {
    const [alice, bob, carol] = trio as [BrowserParticipant, BrowserParticipant, BrowserParticipant];
    await bob.page.click('button.screen');
    for (const p of [alice, carol])
      await waitUntil(`${p.name} to see Bob's screen`, async () =>
        (await p.tiles()).some((t) => t.endpoint === idOf(bob) && t.screen && t.videoWidth > 0),
      );
    const before = (await alice.inbound())[idOf(bob)]?.framesDecoded ?? 0;
    await waitUntil(
      'Alice to keep decoding Bob',
      async () => ((await alice.inbound())[idOf(bob)]?.framesDecoded ?? 0) > before,
    );
    await bob.page.click('button.screen');
    for (const p of [alice, carol])
      await waitUntil(`${p.name} to see Bob's camera again`, async () =>
        (await p.tiles()).some((t) => t.endpoint === idOf(bob) && !t.screen),
      );
  });

  it('delivers a chat message to the others', async () => {
    const [alice, bob, carol] = trio as [BrowserParticipant, BrowserParticipant, BrowserParticipant];
    await alice.page.fill('.chat-input', 'hello from Alice');
    await alice.page.press('.chat-input', 'Enter');
    for (const p of [bob, carol])
      await waitUntil(`${p.name} to show Alice's message`, async () =>
        (await p.page.$$eval('.chat-line', (els) => els.map((e) => e.textContent ?? ''))).includes(
          'Alicehello from Alice',
        ),
      );
  });

  it('drops a leaving page’s tile and streams from the others within 5 s', async () => {
    const [alice, bob, carol] = trio as [BrowserParticipant, BrowserParticipant, BrowserParticipant];
    for (const p of [alice, bob]) expect(await p.receivingFrom()).toContain(idOf(carol));
    const left = Date.now();
    await carol.page.click('button.leave');
    for (const p of [alice, bob]) {
      await waitUntil(
        `${p.name} to drop Carol's tile and streams`,
        async () =>
          (await p.tiles()).every((t) => t.endpoint !== idOf(carol)) &&
          !(await p.receivingFrom()).includes(idOf(carol)),
        5_000,
        100,
      );
    }
    process.stdout.write(`leave to tile and streams gone on both others: ${Date.now() - left} ms\n`);
    // The two who stay still see each other.
    await everyoneSeesEveryone([alice, bob], 10_000);
  }, 30_000);

  it('keeps two rooms apart', async () => {
    const [alice, bob] = trio as [BrowserParticipant, BrowserParticipant];
    const dave = await enter('duo', 'Dave');
    const erin = await enter('duo', 'Erin');
    await everyoneSeesEveryone([dave, erin], 40_000);
    expect((await dave.tiles()).map((t) => t.name)).toEqual(['Erin']);
    expect((await erin.tiles()).map((t) => t.name)).toEqual(['Dave']);
    for (const p of [alice, bob]) {
      expect((await p.tiles()).map((t) => t.endpoint)).not.toEqual(expect.arrayContaining([idOf(dave)]));
      expect(Object.keys(await p.inbound())).not.toContain(idOf(erin));
    }
  }, 60_000);

  it('recovers media after a restart request (what an ICE failure sends)', async () => {
    const [alice, bob] = trio as [BrowserParticipant, BrowserParticipant];
    const before = await bob.inbound();
    expect(await alice.page.evaluate(() => window.convene?.restartMedia())).toBe(true);
    await waitUntil(
      'Alice to get a new session and decode Bob again',
      async () => (await alice.page.evaluate(() => window.convene?.sessionsAccepted)) === 2,
      10_000,
    );
    await everyoneSeesEveryone([alice, bob], 20_000);
    expect(Object.keys(before)).toContain(idOf(alice));
  }, 40_000);

  it('tells a person the room is locked when its owner set a password', async () => {
    const owner = await JitsiParticipant.connect(suite.stack.prosody, 'owner');
    try {
      expect((await owner.requestConference('locked@conference.meet.localhost')).ready).toBe(true);
      await owner.join('locked@conference.meet.localhost');
      // The focus makes the first member owner; then that member locks the room, as a Jitsi moderator does.
      await owner.peer.waitFor(
        'owner affiliation',
        (st) =>
          st.is('presence') &&
          st.attrs.from === 'locked@conference.meet.localhost/owner' &&
          st.getChild('x', 'http://jabber.org/protocol/muc#user')?.getChild('item')?.attrs.affiliation === 'owner',
        10_000,
      );
      const field = (v: string, value: string) => xml('field', { var: v }, xml('value', {}, value));
      await owner.peer.request(
        xml(
          'iq',
          { type: 'set', to: 'locked@conference.meet.localhost' },
          xml(
            'query',
            { xmlns: 'http://jabber.org/protocol/muc#owner' },
            xml(
              'x',
              { xmlns: 'jabber:x:data', type: 'submit' },
              field('FORM_TYPE', 'http://jabber.org/protocol/muc#roomconfig'),
              field('muc#roomconfig_roomsecret', 'sesame'),
            ),
          ),
        ),
      );
      const page = await suite.browser.newPage();
      await page.goto(`${suite.stack.webUrl}locked?autojoin=1&name=Mallory`);
      await page.waitForSelector('.ended', { timeout: 15_000 });
      expect(await page.textContent('.ended')).toMatch(/locked with a password/);
      await page.close();
    } finally {
      await owner.close();
    }
  }, 30_000);
});
