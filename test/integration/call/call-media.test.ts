// The whole join flow with real parts: Prosody, the focus process, the bridge process, and participants whose
// media goes through real ICE/DTLS/SRTP (node-datachannel) after a real Jingle negotiation.
import nodeDataChannel from 'node-datachannel';
import type { Prosody } from '@convene/xmpp-server';
import { freePort } from '@convene/xmpp-server';
import { AppProcess } from '../../harness/app-process.js';
import { BridgeProcess } from '../../harness/bridge-process.js';
import { CallParticipant } from '../../harness/call-participant.js';
import { startTestProsody } from '../../harness/prosody.js';
import { waitUntil } from '../../harness/wait-for.js';

const BRIDGE_PASSWORD = 'bridge-secret';
let prosody: Prosody;
let focus: AppProcess;
let bridge: BridgeProcess;
let focusHttp: number;
const people: CallParticipant[] = [];

beforeAll(async () => {
  prosody = await startTestProsody({
    accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: BRIDGE_PASSWORD }],
  });
  focusHttp = await freePort();
  focus = new AppProcess('focus/src/main.ts', {
    CONVENE_FOCUS_COMPONENT_PORT: String(prosody.ports.component),
    CONVENE_FOCUS_COMPONENT_SECRET: prosody.focusSecret,
    CONVENE_FOCUS_HTTP_PORT: String(focusHttp),
  });
  await focus.logLine('focus ready');
  bridge = await BridgeProcess.start({ prosody, password: BRIDGE_PASSWORD, bridgeId: 'jvb1' });
  await waitUntil(
    'the focus to see the bridge',
    async () => {
      const stats = (await (await fetch(`http://127.0.0.1:${focusHttp}/stats`)).json()) as {
        bridge_selector: { bridge_count: number };
      };
      return stats.bridge_selector.bridge_count === 1;
    },
    15_000,
  );
});
afterAll(async () => {
  await Promise.all(people.splice(0).map((p) => p.close()));
  nodeDataChannel.cleanup();
  await bridge?.close();
  await focus?.stop();
  await prosody?.close();
});

describe('a call through Prosody, the focus and the bridge', () => {
  it('carries every participant’s RTP to the others, SSRCs intact', async () => {
    const room = 'media@conference.meet.localhost';
    const joinedAt = Date.now();
    const a = await CallParticipant.join(prosody, 'a0a0a0a0', room, 10_000);
    const b = await CallParticipant.join(prosody, 'b0b0b0b0', room, 20_000);
    people.push(a, b);
    await Promise.all([a.answer(), b.answer()]);
    await Promise.all([a.connected(), b.connected()]);
    const c = await CallParticipant.join(prosody, 'c0c0c0c0', room, 30_000);
    people.push(c);
    await c.answer();
    await c.connected();

    const all = [a, b, c];
    await waitUntil(
      'everyone to receive everyone',
      () => {
        for (const p of all) p.sendBoth();
        return all.every((rx) => all.every((tx) => tx === rx || rx.receivedFrom(tx).length >= 2));
      },
      15_000,
      50,
    ).catch((err) => {
      for (const rx of all)
        console.log(
          rx.nick,
          all.map((tx) => `${tx.nick}:${rx.receivedFrom(tx).length}`).join(' '),
          'total',
          rx.received.length,
          [...new Set(rx.received.map((r) => r.ssrc))],
        );
      console.log(
        bridge.logs
          .filter((l) => (l.level ?? 0) >= 30)
          .map((l) => JSON.stringify(l).slice(0, 300))
          .join('\n'),
      );
      throw err;
    });
    process.stdout.write(`join to media both ways for 3 participants: ${Date.now() - joinedAt} ms\n`);
    for (const rx of all) {
      for (const tx of all) {
        if (tx === rx) continue;
        const ssrcs = new Set(rx.receivedFrom(tx).map((r) => r.ssrc));
        expect(ssrcs).toEqual(new Set([tx.audioSsrc, tx.videoSsrc]));
      }
      expect(rx.receivedFrom(rx)).toEqual([]);
    }
  });

  it('keeps two rooms apart and survives a member leaving', async () => {
    const one = 'one-media@conference.meet.localhost';
    const two = 'two-media@conference.meet.localhost';
    const a = await CallParticipant.join(prosody, 'a1a1a1a1', one, 40_000);
    const b = await CallParticipant.join(prosody, 'b1b1b1b1', one, 50_000);
    const c = await CallParticipant.join(prosody, 'c1c1c1c1', two, 60_000);
    const d = await CallParticipant.join(prosody, 'd1d1d1d1', two, 70_000);
    const e = await CallParticipant.join(prosody, 'e1e1e1e1', one, 80_000);
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
      () => {
        for (const p of [a, b, c, d, e]) p.sendBoth();
        return pairs.every(([rx, tx]) => rx.receivedFrom(tx).length >= 2);
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
      expect(rx.receivedFrom(tx)).toEqual([]);
    }

    // e leaves: the bridge drops its endpoint, and a and b still hear each other.
    await e.signalling.leave();
    await bridge.waitForLog(
      'e expired',
      (l) => l.endpointId === 'e1e1e1e1' && /expired|removed|closed/.test(String(l.msg)),
    );
    const before = a.receivedFrom(b).length;
    await waitUntil(
      'media after the leave',
      () => {
        a.sendBoth();
        b.sendBoth();
        return a.receivedFrom(b).length >= before + 4;
      },
      10_000,
      50,
    );
  });
});
