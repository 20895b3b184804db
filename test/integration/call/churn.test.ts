// Rooms that end the way a group of browsers ends them: everyone leaves at once, each closing its
// PeerConnection (DTLS close_notify to the bridge) and leaving the MUC within a few milliseconds. The one bridge
// must carry every next room at once: an emptied room is no bridge failure (issue #13 item 1).
import type { Prosody } from '@convene/xmpp-server';
import { freePort } from '@convene/xmpp-server';
import { AppProcess } from '../../harness/app-process.js';
import { BridgeProcess } from '../../harness/bridge-process.js';
import { startTestProsody } from '../../harness/prosody.js';
import { RawCallParticipant } from '../../harness/raw-call-participant.js';
import { waitForBridges } from '../../harness/focus-stats.js';
import { waitUntil } from '../../harness/wait-for.js';

const BRIDGE_PASSWORD = 'bridge-secret';
const ROUNDS = 10;
let prosody: Prosody;
let focus: AppProcess;
let bridge: BridgeProcess;
let focusHttp: number;
const people: RawCallParticipant[] = [];

async function bridgeStats(): Promise<Record<string, unknown>> {
  return (await (await fetch(`${bridge.httpUrl}/colibri/stats`)).json()) as Record<string, unknown>;
}

async function bridgeMetric(line: string): Promise<number> {
  const text = await (await fetch(`${bridge.httpUrl}/metrics`)).text();
  const m = new RegExp(`^${line.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
}

beforeAll(async () => {
  prosody = await startTestProsody({
    accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: BRIDGE_PASSWORD }],
  });
  focusHttp = await freePort();
  focus = new AppProcess('focus/src/main.ts', {
    CONVENE_FOCUS_COMPONENT_PORT: String(prosody.ports.component),
    CONVENE_FOCUS_COMPONENT_SECRET: prosody.focusSecret,
    CONVENE_FOCUS_HTTP_PORT: String(focusHttp),
    CONVENE_FOCUS_LOG_LEVEL: 'debug',
  });
  await focus.logLine('focus ready');
  bridge = await BridgeProcess.start({
    prosody,
    password: BRIDGE_PASSWORD,
    bridgeId: 'jvb1',
    // A conference whose endpoints all hung up goes within a second, as a bridge restart would; an endpoint whose
    // ICE never connects goes within 3 s.
    args: ['--conference-idle-timeout-ms', '1000', '--endpoint-connect-timeout-ms', '3000'],
  });
  await waitForBridges(focusHttp, 1);
});
afterAll(async () => {
  await Promise.all(people.splice(0).map((p) => p.close()));
  await bridge?.close();
  await focus?.stop();
  await prosody?.close();
});

/** Everyone leaves at once: media closed (close_notify), then the MUC left (odd ones close the connection). */
function leaveAtOnce(round: readonly RawCallParticipant[]): Promise<unknown> {
  for (const p of round) p.closeMedia();
  return Promise.all(round.map((p, i) => (i % 2 === 0 ? p.close() : p.signalling.leave())));
}

describe('rooms that everyone leaves at once', () => {
  it(`keep the only bridge in service: ${ROUNDS} rounds of three, each with media`, async () => {
    const startedAt = Date.now();
    for (let r = 0; r < ROUNDS; r++) {
      const room = `churn-${r}@conference.meet.localhost`;
      const tag = r.toString(16).padStart(2, '0');
      const round = [
        await RawCallParticipant.join(prosody, `${tag}a0a0a0`, room, 1_000_000 + r * 10_000),
        await RawCallParticipant.join(prosody, `${tag}b0b0b0`, room, 1_000_000 + r * 10_000 + 3_000),
        await RawCallParticipant.join(prosody, `${tag}c0c0c0`, room, 1_000_000 + r * 10_000 + 6_000),
      ];
      people.push(...round);
      // The invite comes only from a bridge the focus still selects: a bridge taken out leaves this waiting.
      await Promise.all(round.map((p) => p.answer(10_000)));
      await Promise.all(round.map((p) => p.connected()));
      await waitUntil(
        `round ${r}: everyone to receive everyone`,
        () => {
          for (const p of round) p.send();
          return round.every((rx) => round.every((tx) => tx === rx || rx.receivedFrom(tx) >= 2));
        },
        10_000,
        50,
      );
      await leaveAtOnce(round);
      people.splice(people.length - round.length);
      await bridge.waitForLog(`round ${r}: the conference to end on the bridge`, (l) => {
        return l.msg === 'conference closed' && l.room === room;
      });
    }
    process.stdout.write(`${ROUNDS} rounds of three, join to leave: ${Date.now() - startedAt} ms\n`);
    expect(focus.lines.filter((l) => l.includes('"no bridge available"'))).toEqual([]);
    // The bridge kept each conference until the focus expired it: the focus never asked about a missing one.
    expect(focus.lines.filter((l) => l.includes('conference_not_found'))).toEqual([]);
  });

  it('recreate a conference the bridge lost on the same bridge, and media flows for everyone', async () => {
    const room = 'lost@conference.meet.localhost';
    const [a, b] = [
      await RawCallParticipant.join(prosody, 'f0a0a0a0', room, 3_000_000),
      await RawCallParticipant.join(prosody, 'f0b0b0b0', room, 3_003_000),
    ];
    people.push(a, b);
    await Promise.all([a.answer(), b.answer()]);
    await Promise.all([a.connected(), b.connected()]);
    // Both hang up their media but stay in the room (frozen tabs): the bridge lets the empty conference go.
    a.closeMedia();
    b.closeMedia();
    await bridge.waitForLog('the lost conference to expire', (l) => l.msg === 'conference closed' && l.room === room);
    // A third member makes the focus allocate on a conference the bridge no longer has.
    const c = await RawCallParticipant.join(prosody, 'f0c0c0c0', room, 3_006_000);
    people.push(c);
    const round = [a, b, c];
    await Promise.all(round.map((p) => p.answer(10_000)));
    await Promise.all(round.map((p) => p.connected()));
    await waitUntil(
      'everyone to receive everyone on the recreated conference',
      () => {
        for (const p of round) p.send();
        return round.every((rx) => round.every((tx) => tx === rx || rx.receivedFrom(tx) >= 2));
      },
      10_000,
      50,
    );
    // Still selectable: the next room is invited at once.
    const next = 'after-lost@conference.meet.localhost';
    const [d, e] = [
      await RawCallParticipant.join(prosody, 'f0d0d0d0', next, 3_009_000),
      await RawCallParticipant.join(prosody, 'f0e0e0e0', next, 3_012_000),
    ];
    people.push(d, e);
    await Promise.all([d.answer(10_000), e.answer(10_000)]);
    expect(focus.lines.filter((l) => l.includes('"no bridge available"'))).toEqual([]);
  });

  it('are normal ends on the bridge: hang-ups counted as such, never as ICE failures, nothing logged as a warning', async () => {
    const stats = await bridgeStats();
    expect(stats.total_ice_failed).toBe(0);
    expect(stats.dtls_failed_endpoints).toBe(0);
    const hungUp = bridge.logs.filter((l) => l.msg === 'endpoint closed' && l.reason === 'hung up');
    // Nearly every leaver's close_notify beats its MUC leave to the bridge (the leave goes through Prosody and the
    // focus); a loaded machine may let a few expires win, and those endpoints end as expired instead.
    expect(hungUp.length).toBeGreaterThan(ROUNDS * 2);
    expect(hungUp.every((l) => l.level === 30)).toBe(true);
    expect(bridge.logs.filter((l) => (l.level ?? 0) >= 40 && /endpoint/.test(String(l.msg)))).toEqual([]);
    expect(await bridgeMetric('convene_bridge_endpoints_hung_up_total')).toBe(hungUp.length);
    expect(await bridgeMetric('convene_bridge_endpoints_failed_total{reason="ice"}')).toBe(0);
  });

  it('count an endpoint whose ICE never connects as an ICE failure, and only it', async () => {
    const room = 'no-ice@conference.meet.localhost';
    const a = await RawCallParticipant.join(prosody, 'f1a0a0a0', room, 4_000_000);
    const b = await RawCallParticipant.join(prosody, 'f1b0b0b0', room, 4_003_000);
    people.push(a, b);
    b.silent = true;
    await Promise.all([a.answer(), b.answer()]);
    await a.connected();
    await bridge.waitForLog('b to go for no ICE connection', (l) => {
      return l.msg === 'endpoint closed' && l.endpointId === 'f1b0b0b0' && l.reason === 'no ice connection';
    });
    const stats = await bridgeStats();
    expect(stats.total_ice_failed).toBe(1);
    expect(stats.dtls_failed_endpoints).toBe(0);
    expect(await bridgeMetric('convene_bridge_endpoints_failed_total{reason="ice"}')).toBe(1);
    expect(await bridgeMetric('convene_bridge_endpoints_failed_total{reason="dtls"}')).toBe(0);
  });
});
