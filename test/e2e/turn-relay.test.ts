// TURN through a real coturn: Prosody hands lib-jitsi-meet time-limited credentials (XEP-0215, extdisco:2) from the
// secret it shares with coturn; a page restricted to relayed candidates (iceTransportPolicy 'relay') holds a call
// with a page that connects directly, each decoding the other's video; coturn refuses a wrong and an expired
// credential. The test coturn may relay to loopback (allow-loopback-peers) because the bridge listens there; the
// production template (deploy/coturn/turnserver.conf) never does, and a coturn running it refuses to relay to this host.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { COTURN_BINARY, Coturn, freePort, turnCredentials } from '@convene/xmpp-server';
import type { BrowserStack } from '../harness/browser-stack.js';
import { startStackAndBrowser } from '../harness/browser-suite.js';
import { BrowserParticipant, type PageParticipant } from '../harness/browser-page.js';
import { LjmParticipant, startLjmServer, type LjmServer } from '../harness/ljm-page.js';
import { decodeEachOther } from '../harness/video-checks.js';
import { waitUntil } from '../harness/wait-for.js';

const ROOM = 'turnrelay';
const WEB_ROOM = 'turnweb';

let coturn: Coturn;
let stack: BrowserStack;
let browser: Browser;
let ljmServer: LjmServer;
const open: PageParticipant[] = [];

beforeAll(async () => {
  coturn = await Coturn.start({ allowLoopbackPeers: true });
  [stack, browser] = await startStackAndBrowser({ turn: { ...coturn.service, ttlSeconds: 600 } });
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

  await decodeEachOther(relayed, relayedId, direct, directId);
  const pair = await relayed.selectedPair();
  console.log(
    `selected candidate pairs: relayed ${JSON.stringify(pair)}, direct ${JSON.stringify(await direct.selectedPair())}`,
  );
  expect(pair?.local).toBe('relay');
  expect((await direct.selectedPair())?.local).not.toBe('relay');
}, 90_000);

test('the web client gets TURN from Prosody too: a relay-only page and a direct one decode each other', async () => {
  // Our own page asks Prosody (extdisco:2) after login, as lib-jitsi-meet does; before it used no ICE server, so a
  // page that could reach the bridge only through TURN (here: iceTransportPolicy=relay) had no media at all.
  const relayed = await BrowserParticipant.join(
    browser,
    stack.webUrl,
    WEB_ROOM,
    'web-relayed',
    'iceTransportPolicy=relay',
  );
  const direct = await BrowserParticipant.join(browser, stack.webUrl, WEB_ROOM, 'web-direct');
  open.push(relayed, direct);
  const [relayedId, directId] = await Promise.all(
    [relayed, direct].map((p) => waitUntil(`${p.name} to join`, () => p.endpointId(), 20_000, 100)),
  );
  await decodeEachOther(relayed, relayedId ?? '', direct, directId ?? '');
  const config = await relayed.iceConfiguration();
  expect(config.iceTransportPolicy).toBe('relay');
  const turn = config.iceServers.filter((s) => String(s.urls).startsWith('turn:'));
  expect(turn.map((s) => String(s.urls)).sort()).toEqual(
    ['tcp', 'udp'].map((t) => `turn:${coturn.service.host}:${coturn.service.port}?transport=${t}`),
  );
  for (const s of turn) expect(s.credential).toBe(turnCredentials(coturn.service.secret, Number(s.username)).password);
  expect((await relayed.selectedPair())?.local).toBe('relay');
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

test('coturn with the production template refuses to relay to this host, where the test coturn relays', async () => {
  // deploy/coturn/turnserver.conf as is, but on loopback without TLS and logging to stdout.
  const dir = mkdtempSync(join(tmpdir(), 'convene-coturn-prod-'));
  const port = await freePort();
  const secret = 'production-template-test';
  const conf = readFileSync(join(import.meta.dirname, '..', '..', 'deploy', 'coturn', 'turnserver.conf'), 'utf8')
    .split('\n')
    .filter((l) => !/^(tls-listening-port|cert|pkey|syslog|listening-ip|listening-port|static-auth-secret)=?/.test(l))
    .concat([
      'listening-ip=127.0.0.1',
      'relay-ip=127.0.0.1',
      `listening-port=${port}`,
      `static-auth-secret=${secret}`,
      'no-tls',
      'log-file=stdout',
      `pidfile=${join(dir, 'turnserver.pid')}`,
      `userdb=${join(dir, 'turndb')}`,
    ]);
  writeFileSync(join(dir, 'turnserver.conf'), conf.join('\n'));
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', COTURN_BINARY, '-c', join(dir, 'turnserver.conf')]);
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  const page = await (await browser.newContext()).newPage();
  try {
    await waitUntil('the production coturn to listen', () => log.includes('Total General servers'), 10_000, 50);
    // With camera access granted Chromium signals its real host addresses instead of mDNS names, which coturn
    // could not resolve into a peer address.
    // (A plain document on a loopback origin: a secure context, where media devices exist.)
    await page.goto(`${stack.webUrl}config.json`);
    await page.evaluate(async () => {
      for (const t of (await navigator.mediaDevices.getUserMedia({ audio: true })).getTracks()) t.stop();
    });
    const now = Math.floor(Date.now() / 1000);
    for (const [server, creds] of [
      [`turn:127.0.0.1:${port}`, turnCredentials(secret, now + 600)],
      [`turn:${coturn.service.host}:${coturn.service.port}`, turnCredentials(coturn.service.secret, now + 600)],
    ] as const)
      await page.evaluate(
        ({ server, username, credential }) => {
          // A relay-only peer connection and a direct one on this host: the relay must reach 127.0.0.1.
          const relayed = new RTCPeerConnection({
            iceServers: [{ urls: `${server}?transport=udp`, username, credential }],
            iceTransportPolicy: 'relay',
          });
          const direct = new RTCPeerConnection();
          relayed.onicecandidate = (e) => e.candidate && void direct.addIceCandidate(e.candidate);
          direct.onicecandidate = (e) => e.candidate && void relayed.addIceCandidate(e.candidate);
          relayed.createDataChannel('probe');
          const w = window as unknown as { probes?: RTCPeerConnection[]; states?: string[][] };
          (w.probes ??= []).push(relayed, direct);
          // Every ICE state the relayed connection went through.
          const states: string[] = [];
          (w.states ??= []).push(states);
          relayed.oniceconnectionstatechange = () => states.push(relayed.iceConnectionState);
          void (async () => {
            await relayed.setLocalDescription(await relayed.createOffer());
            await direct.setRemoteDescription(relayed.localDescription!);
            await direct.setLocalDescription(await direct.createAnswer());
            await relayed.setRemoteDescription(direct.localDescription!);
            // A loopback address as well, whatever addresses this host has: the relay is asked to reach it.
            await relayed.addIceCandidate({
              candidate: 'candidate:9 1 udp 2122260223 127.0.0.1 40000 typ host',
              sdpMid: '0',
            });
          })();
        },
        { server, username: creds.username, credential: creds.password },
      );
    // The test coturn relays: its pair connects. The production one refuses the permission for the direct peer's
    // address: this host's own (Chromium does not pair a relay with a loopback candidate), which on any test or CI
    // machine is loopback, private or documentation space (here 192.0.2.x), each a denied-peer-ip range.
    await waitUntil(
      'the pair through the test coturn to connect',
      () =>
        page.evaluate(
          () => (window as unknown as { probes: RTCPeerConnection[] }).probes[2]?.iceConnectionState === 'connected',
        ),
      15_000,
      100,
    );
    await waitUntil(
      'the production coturn to refuse a loopback peer',
      () => /peer IP \S+ denied in the range/i.test(log),
      15_000,
      100,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\ncoturn log:\n${log.split('\n').slice(-30).join('\n')}`);
    });
    const [production, test] = await page.evaluate(() => (window as unknown as { states: string[][] }).states);
    expect(test).toContain('connected');
    expect(production).not.toContain('connected');
    expect(production).not.toContain('completed');
    console.log(
      `production template: relayed ICE states ${JSON.stringify(production)}; coturn: ${/peer IP .* denied.*/i.exec(log)?.[0]}`,
    );
  } finally {
    await page.context().close();
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
