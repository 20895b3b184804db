// The whole join flow with real parts: Prosody, the focus process, the bridge process, and participants whose
// media goes through real ICE/DTLS/SRTP (node-datachannel) after a real Jingle negotiation.
import type { Prosody } from '@convene/xmpp-server';
import { freePort } from '@convene/xmpp-server';
import { AppProcess } from '../../harness/app-process.js';
import { BridgeProcess } from '../../harness/bridge-process.js';
import { CallParticipant, exchange } from '../../harness/call-participant.js';
import { sourceJingle } from '../../harness/focus-stack.js';
import { NdcHost } from '../../harness/ndc-host.js';
import { startTestProsody } from '../../harness/prosody.js';
import { waitForBridges } from '../../harness/focus-stats.js';
import { waitUntil } from '../../harness/wait-for.js';

const BRIDGE_PASSWORD = 'bridge-secret';
let prosody: Prosody;
let focus: AppProcess;
let bridge: BridgeProcess;
let focusHttp: number;
let ndc: NdcHost;
const people: CallParticipant[] = [];

beforeAll(async () => {
  ndc = await NdcHost.start();
  prosody = await startTestProsody({
    accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: BRIDGE_PASSWORD }],
  });
  focusHttp = await freePort();
  focus = new AppProcess('focus/src/main.ts', {
    CONVENE_FOCUS_COMPONENT_PORT: String(prosody.ports.component),
    CONVENE_FOCUS_COMPONENT_SECRET: prosody.focusSecret,
    CONVENE_FOCUS_HTTP_PORT: String(focusHttp),
    // A bridge that stops answering is found within a few seconds (the last test); generous enough for a loaded CI.
    CONVENE_FOCUS_HEALTH_CHECK_INTERVAL_MS: '1000',
    CONVENE_FOCUS_HEALTH_CHECK_TIMEOUT_MS: '2000',
  });
  await focus.logLine('focus ready');
  bridge = await BridgeProcess.start({
    prosody,
    password: BRIDGE_PASSWORD,
    bridgeId: 'jvb1',
    videoWithoutConstraints: true,
  });
  await waitForBridges(focusHttp, 1);
});
afterAll(async () => {
  await Promise.all(people.splice(0).map((p) => p.close()));
  ndc?.stop();
  await bridge?.close();
  await focus?.stop();
  await prosody?.close();
});

describe('a call through Prosody, the focus and the bridge', () => {
  it('carries every participant’s RTP to the others, SSRCs intact', async () => {
    const room = 'media@conference.meet.localhost';
    const joinedAt = Date.now();
    const a = await CallParticipant.join(prosody, ndc, 'a0a0a0a0', room, 10_000);
    const b = await CallParticipant.join(prosody, ndc, 'b0b0b0b0', room, 20_000);
    people.push(a, b);
    await Promise.all([a.answer(), b.answer()]);
    await Promise.all([a.connected(), b.connected()]);
    const c = await CallParticipant.join(prosody, ndc, 'c0c0c0c0', room, 30_000);
    people.push(c);
    await c.answer();
    await c.connected();

    const all = [a, b, c];
    await waitUntil(
      'everyone to receive everyone',
      async () => {
        await exchange(all);
        return all.every((rx) => all.every((tx) => tx === rx || rx.receivedFrom(tx).count >= 2));
      },
      15_000,
      50,
    );
    process.stdout.write(`join to media both ways for 3 participants: ${Date.now() - joinedAt} ms\n`);
    for (const rx of all) {
      for (const tx of all) {
        if (tx === rx) continue;
        expect(new Set(rx.receivedFrom(tx).ssrcs)).toEqual(new Set([tx.audioSsrc, tx.videoSsrc]));
      }
      expect(rx.receivedFrom(rx).count).toBe(0);
    }
  });

  it('keeps two rooms apart and survives a member leaving', async () => {
    const one = 'one-media@conference.meet.localhost';
    const two = 'two-media@conference.meet.localhost';
    const a = await CallParticipant.join(prosody, ndc, 'a1a1a1a1', one, 40_000);
    const b = await CallParticipant.join(prosody, ndc, 'b1b1b1b1', one, 50_000);
    const c = await CallParticipant.join(prosody, ndc, 'c1c1c1c1', two, 60_000);
    const d = await CallParticipant.join(prosody, ndc, 'd1d1d1d1', two, 70_000);
    const e = await CallParticipant.join(prosody, ndc, 'e1e1e1e1', one, 80_000);
    people.push(a, b, c, d, e);
    await Promise.all([a, b, c, d, e].map((p) => p.answer()));
    await Promise.all([a, b, c, d, e].map((p) => p.connected()));
    const pairs: Array<[CallParticipant, CallParticipant]> = [
      [a, b],
      [b, a],
      [a, e],
      [e, b],
      [c, d],
      [d, c],
    ];
    await waitUntil(
      'media inside each room',
      async () => {
        await exchange([a, b, c, d, e]);
        return pairs.every(([rx, tx]) => rx.receivedFrom(tx).count >= 2);
      },
      15_000,
      50,
    );
    for (const [rx, tx] of [
      [a, c],
      [a, d],
      [b, c],
      [c, a],
      [c, b],
      [c, e],
      [d, a],
      [d, e],
    ] as const) {
      expect(rx.receivedFrom(tx).count).toBe(0);
    }

    // e leaves: the bridge drops its endpoint, and a and b still hear each other.
    await e.signalling.leave();
    await bridge.waitForLog(
      'e expired',
      (l) => l.endpointId === 'e1e1e1e1' && /expired|removed|closed/.test(String(l.msg)),
    );
    const before = a.receivedFrom(b).count;
    await waitUntil(
      'media after the leave',
      async () => {
        await exchange([a, b]);
        return a.receivedFrom(b).count >= before + 4;
      },
      10_000,
      50,
    );
  });

  it('adds a fourth member’s media for the three, stops a leaver’s media, and shrugs off bad Jingle', async () => {
    const room = 'four@conference.meet.localhost';
    const [a, b, c] = [
      await CallParticipant.join(prosody, ndc, 'a4a4a4a4', room, 90_000),
      await CallParticipant.join(prosody, ndc, 'b4b4b4b4', room, 100_000),
      await CallParticipant.join(prosody, ndc, 'c4c4c4c4', room, 110_000),
    ];
    people.push(a, b, c);
    await Promise.all([a, b, c].map((p) => p.answer()));
    await Promise.all([a, b, c].map((p) => p.connected()));
    const d = await CallParticipant.join(prosody, ndc, 'd4d4d4d4', room, 120_000);
    people.push(d);
    await d.answer();
    await d.connected();
    const all = [a, b, c, d];
    await waitUntil(
      'the three to receive the fourth, and the fourth the three',
      async () => {
        await exchange(all);
        return all.every((rx) => all.every((tx) => tx === rx || rx.receivedFrom(tx).count >= 2));
      },
      15_000,
      50,
    );
    // The three learnt d's sources through source-add.
    for (const p of [a, b, c]) {
      expect(
        p.signalling.jingles.some(
          (j) => j.jingle.action === 'source-add' && j.jingle.jsonSources?.has('d4d4d4d4' as never),
        ),
      ).toBe(true);
    }

    // Bad Jingle from b (claims a's SSRC): refused, and the call carries on.
    const sid = b.signalling.jingles.find((j) => j.jingle.action === 'session-initiate')!.jingle.sid;
    const bad = await b.signalling.send(sourceJingle('source-add', sid, 'audio', a.audioSsrc, 'b4b4b4b4-a1'));
    expect(bad.attrs.type).toBe('error');

    // d leaves the room but keeps sending: once the bridge dropped its endpoint, nothing of it arrives.
    await d.signalling.leave();
    await bridge.waitForLog(
      'd expired',
      (l) => l.endpointId === 'd4d4d4d4' && /expired|removed|closed/.test(String(l.msg)),
    );
    await a.refresh();
    const fromD = a.receivedFrom(d).count;
    const fromB = a.receivedFrom(b).count;
    await waitUntil(
      'a to keep receiving b after d left',
      async () => {
        await exchange([a], [b, d]);
        return a.receivedFrom(b).count >= fromB + 10;
      },
      10_000,
      20,
    );
    expect(a.receivedFrom(d).count).toBe(fromD);
  });

  it('moves a call to another bridge when its bridge is killed, and media flows again', async () => {
    const room = 'kill@conference.meet.localhost';
    const a = await CallParticipant.join(prosody, ndc, 'a5a5a5a5', room, 130_000);
    const b = await CallParticipant.join(prosody, ndc, 'b5b5b5b5', room, 140_000);
    people.push(a, b);
    await Promise.all([a.answer(), b.answer()]);
    await Promise.all([a.connected(), b.connected()]);
    const spare = await BridgeProcess.start({
      prosody,
      password: BRIDGE_PASSWORD,
      bridgeId: 'jvb2',
      videoWithoutConstraints: true,
    });
    try {
      await waitForBridges(focusHttp, 2);
      const killedAt = Date.now();
      bridge.child.kill('SIGKILL');
      expect(await a.terminated()).toBe('moving');
      await Promise.all([a.answer(), b.answer()]);
      await Promise.all([a.connected(), b.connected()]);
      await exchange([a, b], []);
      const [fromB, fromA] = [a.receivedFrom(b).count, b.receivedFrom(a).count];
      await waitUntil(
        'media through jvb2',
        async () => {
          await exchange([a, b]);
          return a.receivedFrom(b).count > fromB && b.receivedFrom(a).count > fromA;
        },
        15_000,
        10,
      );
      process.stdout.write(`bridge killed -> media back through the other bridge: ${Date.now() - killedAt} ms\n`);
      expect(spare.logs.some((l) => l.endpointId === 'a5a5a5a5')).toBe(true);
    } finally {
      await spare.close();
    }
  });

  it('moves a call off a bridge that stops answering (still in the brewery), and media flows again', async () => {
    const stalled = await BridgeProcess.start({
      prosody,
      password: BRIDGE_PASSWORD,
      bridgeId: 'jvb3',
      videoWithoutConstraints: true,
    });
    let spare: BridgeProcess | undefined;
    try {
      await waitForBridges(focusHttp, 1);
      const room = 'stall@conference.meet.localhost';
      const a = await CallParticipant.join(prosody, ndc, 'a6a6a6a6', room, 150_000);
      const b = await CallParticipant.join(prosody, ndc, 'b6b6b6b6', room, 160_000);
      people.push(a, b);
      await Promise.all([a.answer(), b.answer()]);
      await Promise.all([a.connected(), b.connected()]);
      spare = await BridgeProcess.start({ prosody, password: BRIDGE_PASSWORD, bridgeId: 'jvb4' });
      await waitForBridges(focusHttp, 2);
      // SIGSTOP: the process keeps its XMPP connection (so it stays in the brewery) but answers nothing.
      const stoppedAt = Date.now();
      stalled.child.kill('SIGSTOP');
      expect(await a.terminated()).toBe('moving');
      await Promise.all([a.answer(), b.answer()]);
      await Promise.all([a.connected(), b.connected()]);
      const [fromB, fromA] = [a.receivedFrom(b).count, b.receivedFrom(a).count];
      await waitUntil(
        'media through jvb4',
        async () => {
          await exchange([a, b]);
          return a.receivedFrom(b).count > fromB && b.receivedFrom(a).count > fromA;
        },
        15_000,
        10,
      );
      process.stdout.write(`bridge stalled -> media back through the other bridge: ${Date.now() - stoppedAt} ms\n`);
      expect(spare.logs.some((l) => l.endpointId === 'a6a6a6a6')).toBe(true);
    } finally {
      stalled.child.kill('SIGKILL');
      await stalled.close();
      await spare?.close();
    }
  }, 60_000);
});
