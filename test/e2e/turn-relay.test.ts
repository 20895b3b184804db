// TURN through a real coturn: Prosody hands lib-jitsi-meet time-limited credentials (XEP-0215, extdisco:2) from the
// secret it shares with coturn; a page restricted to relayed candidates (iceTransportPolicy 'relay') holds a call
// with a page that connects directly, each decoding the other's video; coturn refuses a wrong and an expired
// credential. The test coturn may relay to loopback (allow-loopback-peers) because the bridge listens there; the
// production template (deploy/coturn/turnserver.conf) never does.
import type { Browser, Page } from 'playwright-core';
import { Coturn, turnCredentials } from '@convene/xmpp-server';
import { startBrowserStack, type BrowserStack } from '../harness/browser-stack.js';
import { launchChromium } from '../harness/browser-page.js';
import { LjmParticipant, startLjmServer, type LjmServer } from '../harness/ljm-page.js';
import { waitUntil } from '../harness/wait-for.js';

const ROOM = 'turnrelay';

let coturn: Coturn;
let stack: BrowserStack;
let browser: Browser;
let ljmServer: LjmServer;
const open: LjmParticipant[] = [];

beforeAll(async () => {
  coturn = await Coturn.start({ allowLoopbackPeers: true });
  [stack, browser] = await Promise.all([
    startBrowserStack({ turn: { ...coturn.service, ttlSeconds: 600 } }),
    launchChromium(),
  ]);
  ljmServer = await startLjmServer(stack.webUrl);
}, 90_000);
afterAll(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
  await browser?.close();
  await ljmServer?.close();
  await stack?.close();
  await coturn?.close();
});

async function enter(name: string, query = ''): Promise<[LjmParticipant, string]> {
  const p = await LjmParticipant.join(browser, ljmServer.url, ROOM, name, query);
  open.push(p);
  return [p, await waitUntil(`${name} to join the conference`, () => p.endpointId(), 20_000, 100)];
}

/** What a relay-only peer connection to coturn gathers with these credentials: candidate types and error codes. */
async function gather(
  page: Page,
  username: string,
  credential: string,
): Promise<{ types: string[]; errors: number[] }> {
  return page.evaluate(
    async ({ url, username, credential }) => {
      const pc = new RTCPeerConnection({
        iceServers: [{ urls: url, username, credential }],
        iceTransportPolicy: 'relay',
      });
      const types: string[] = [];
      const errors: number[] = [];
      pc.onicecandidate = (e) => {
        if (e.candidate?.type) types.push(e.candidate.type);
      };
      pc.onicecandidateerror = (e) => errors.push(e.errorCode);
      const done = new Promise<void>((resolve) => {
        pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
      });
      pc.createDataChannel('probe');
      await pc.setLocalDescription(await pc.createOffer());
      await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
      pc.close();
      return { types, errors };
    },
    { url: `turn:${coturn.service.host}:${coturn.service.port}?transport=udp`, username, credential },
  );
}

test('a relay-only lib-jitsi-meet page and a direct one decode each other through coturn', async () => {
  const [relayed, relayedId] = await enter('relayed', 'relay=1');
  const [direct, directId] = await enter('direct');

  // lib-jitsi-meet asked Prosody (extdisco:2) and got TURN REST credentials: `<expiry>` and an HMAC.
  const servers = await relayed.iceServers();
  const turn = servers.filter((s) => String(s.urls).startsWith('turn:'));
  expect(turn.length).toBeGreaterThan(0);
  for (const s of turn) {
    expect(String(s.urls)).toContain(`${coturn.service.host}:${coturn.service.port}`);
    expect(Number(s.username)).toBeGreaterThan(Date.now() / 1000);
    expect(s.credential).toBe(turnCredentials(coturn.service.secret, Number(s.username)).password);
  }

  for (const [p, other] of [
    [relayed, directId],
    [direct, relayedId],
  ] as const) {
    await waitUntil(
      `${p.name} to decode video from the other`,
      async () => ((await p.inbound())[other]?.framesDecoded ?? 0) > 10,
      30_000,
      250,
    );
  }
  const pair = await relayed.selectedPair();
  console.log(
    `selected candidate pairs: relayed ${JSON.stringify(pair)}, direct ${JSON.stringify(await direct.selectedPair())}`,
  );
  expect(pair?.local).toBe('relay');
  expect((await direct.selectedPair())?.local).not.toBe('relay');
}, 90_000);

test('coturn refuses a wrong and an expired credential, and relays with a valid one', async () => {
  const page = await (await browser.newContext()).newPage();
  try {
    const now = Math.floor(Date.now() / 1000);
    const valid = turnCredentials(coturn.service.secret, now + 600);
    const expired = turnCredentials(coturn.service.secret, now - 60);
    const wrong = turnCredentials('not-the-secret', now + 600);

    const ok = await gather(page, valid.username, valid.password);
    expect(ok.types).toContain('relay');
    for (const [what, c] of [
      ['wrong', wrong],
      ['expired', expired],
    ] as const) {
      const refused = await gather(page, c.username, c.password);
      console.log(
        `${what} credential: candidates ${JSON.stringify(refused.types)}, errors ${JSON.stringify(refused.errors)}`,
      );
      expect(refused.types).not.toContain('relay');
      // 401 Unauthorized (a 701 is Chromium's "no answer", which would not prove a refusal).
      expect(refused.errors).toContain(401);
    }
  } finally {
    await page.context().close();
  }
}, 60_000);
