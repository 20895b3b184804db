// Video allocation under a real downlink cap (issue 16): one sender in a namespace of its own sends three VP8
// simulcast encodings (~150 kbps, ~500 kbps, ~1.5 Mbps; keyframes when the bridge sends a PLI) to two receivers
// that both ask 720p. Each receiver is a raw peer in its own namespace sending transport-cc feedback and NACKs as a
// browser does; one's downlink is capped with `tc tbf` at 500 kbit. What each receives is read from the rewritten
// stream itself: the encoding index the sender wrote after the VP8 prefix, and the height of the keyframes.
import { MediaServer, SRTP_AEAD_AES_128_GCM, type Conference } from '@convene/bridge/conference';
import { type Netns, netnsLock, netnsUnavailable } from '../../harness/netns-peer.js';
import type { SimulcastView } from '../../harness/netns-simulcast.js';
import { joinFromNamespace, type NetnsParty } from '../../harness/netns-party.js';
import { waitUntil } from '../../harness/wait-for.js';

const SSRCS = [9101, 9102, 9103];
const RTX = [9201, 9202, 9203];
const BPS = [150_000, 500_000, 1_500_000];
const HEIGHTS = [180, 360, 720];
const VP8 = 100;
const RTX_PT = 96;
const TCC_ID = 5;
const CAP_BPS = 500_000;
/** How long the capped receiver is watched once moved down: it must stay there. */
const HOLD_S = 8;

const unavailable = netnsUnavailable();
if (unavailable !== undefined) console.warn(`test/integration/network simulcast skipped: ${unavailable}`);
const describeNetns = unavailable === undefined ? describe : describe.skip;

type Party = NetnsParty;

/** What a receiver got over a window: bits per second per encoding, and its last keyframe's height. */
interface Window {
  at: number;
  bps: number[];
  /** Of those, what came as RTX. */
  rtxBps: number[];
  keyframeHeight: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const kbps = (bps: number) => Math.round(bps / 1000);
const total = (w: Window) => w.bps.reduce((a, b) => a + b, 0);
/** The encoding that carried most of the window's bytes. */
const mainEncoding = (w: Window) => w.bps.indexOf(Math.max(...w.bps));

describeNetns('simulcast allocation through a capped downlink', () => {
  let server: MediaServer;
  let conference: Conference;
  const nets: Netns[] = [];
  const parties: Party[] = [];
  let sender: Party;
  let capped: Party;
  let free: Party;
  const t0 = performance.now();
  const secs = () => (performance.now() - t0) / 1000;

  async function join(name: string, index: number): Promise<Party> {
    const p = await joinFromNamespace(conference, name, index);
    nets.push(p.ns);
    parties.push(p);
    return p;
  }

  /** Samples both receivers every 500 ms and keeps 2 s windows. */
  const history = new Map<Party, Array<{ at: number; view: SimulcastView }>>();
  async function sample(): Promise<void> {
    for (const r of [capped, free]) {
      const list = history.get(r) ?? [];
      list.push({ at: secs(), view: await r.peer.request<SimulcastView>({ op: 'view' }) });
      history.set(r, list);
    }
  }
  function windowOf(r: Party): Window {
    const list = history.get(r)!;
    const last = list[list.length - 1]!;
    const first = list.find((s) => s.at >= last.at - 2) ?? last;
    const dt = Math.max(last.at - first.at, 0.001);
    return {
      at: last.at,
      bps: last.view.bytes.map((b, k) => ((b - first.view.bytes[k]!) * 8) / dt),
      rtxBps: last.view.rtxBytes.map((b, k) => ((b - first.view.rtxBytes[k]!) * 8) / dt),
      keyframeHeight: last.view.keyframeHeight,
    };
  }
  const describeWindow = (w: Window) =>
    `${w.bps.map((b) => kbps(b)).join('/')} kbps per encoding (RTX ${w.rtxBps.map((b) => kbps(b)).join('/')}), ` +
    `last keyframe ${w.keyframeHeight}p`;

  /** Samples until `done` holds of the two receivers' windows; returns when (s since `from`). */
  async function until(what: string, from: number, limitS: number, done: (c: Window, f: Window) => boolean) {
    const log: string[] = [];
    let loggedAt = -Infinity;
    for (;;) {
      await sleep(500);
      await sample();
      const c = windowOf(capped);
      const f = windowOf(free);
      if (c.at - loggedAt >= 2) {
        loggedAt = c.at;
        log.push(
          `  t ${c.at.toFixed(1)} s: capped ${describeWindow(c)}, estimate ${kbps(capped.ep.bandwidthEstimate)} kbps; ` +
            `uncapped ${describeWindow(f)}`,
        );
      }
      if (c.at - from >= 2.5 && done(c, f)) {
        console.log(`${what} after ${(c.at - from).toFixed(1)} s\n${log.join('\n')}`);
        return c.at - from;
      }
      if (c.at - from > limitS) throw new Error(`${what}: not within ${limitS} s\n${log.join('\n')}`);
    }
  }

  let release: (() => void) | undefined;

  beforeAll(async () => {
    // The other namespaced file may be running: this one's timings need the machine to themselves.
    release = await netnsLock(120_000);
    server = await MediaServer.create({ port: 0, bindAddress: '0.0.0.0', srtpProfiles: [SRTP_AEAD_AES_128_GCM] });
    conference = server.createConference('simulcast-network');
    conference.setTransportCcExtension(TCC_ID);
    conference.setStrippedHeaderExtensions([TCC_ID]);
    conference.setRtxPayloadTypes(new Map([[VP8, RTX_PT]]));
    conference.setVideoCodecs(new Map([[VP8, 'vp8']]));
    sender = await join('sender', 4);
    sender.ep.setSources(
      SSRCS.flatMap((ssrc, k) => [
        { ssrc, kind: 'video' as const, name: 'sender-v0', rtxSsrc: RTX[k]!, videoType: 'camera' },
        { ssrc: RTX[k]!, kind: 'video' as const, name: 'sender-v0' },
      ]),
      [{ semantics: 'SIM', ssrcs: SSRCS }, ...SSRCS.map((s, k) => ({ semantics: 'FID', ssrcs: [s, RTX[k]!] }))],
    );
    capped = await join('capped', 5);
    free = await join('free', 6);
    await waitUntil('all keyed', () => parties.every((p) => p.ep.dtlsState === 'connected'), 20_000);
    // Receivers know the SIM group's first SSRC and its RTX (PROTOCOL.md §4): the bridge rewrites onto them.
    for (const r of [capped, free]) {
      await r.peer.request({ op: 'receive', tccId: TCC_ID, videoSsrc: SSRCS[0]!, rtxSsrc: RTX[0]! });
      r.ep.setReceiverVideoConstraints({ defaultConstraints: { maxHeight: 720 } });
    }
    await sender.peer.request({ op: 'simulcast', tccId: TCC_ID, pt: VP8, ssrcs: SSRCS, bps: BPS, heights: HEIGHTS });
  }, 180_000);

  afterAll(() => {
    for (const p of parties) p.peer.close();
    server?.close();
    for (const ns of nets) ns.remove();
    release?.();
  });

  it('moves the receiver behind 500 kbit to a lower encoding while the other keeps 720p, and back up uncapped', async () => {
    // Both start on the top encoding: 720p keyframes, most bytes from encoding 2.
    const up = await until('both receivers on 720p', secs(), 20, (c, f) =>
      [c, f].every((w) => w.keyframeHeight === 720 && mainEncoding(w) === 2 && total(w) > 1_000_000),
    );

    capped.ns.capDownlink('500kbit');
    const capAt = secs();
    // Once the estimate settles under the cap, the capped receiver is switched down (a keyframe of the lower
    // encoding starts it) and gets less than the cap, while the uncapped one stays on 720p throughout.
    const freeWindows: Window[] = [];
    const down = await until('capped receiver moved down', capAt, 30, (c, f) => {
      freeWindows.push(f);
      return c.keyframeHeight < 720 && mainEncoding(c) < 2 && c.bps[2]! === 0 && total(c) < CAP_BPS;
    });
    for (const f of freeWindows.filter((w) => w.at - capAt >= 2.5))
      expect([f.at.toFixed(1), f.keyframeHeight, mainEncoding(f)]).toEqual([f.at.toFixed(1), 720, 2]);
    // It stays down while capped, still receiving video, and the uncapped receiver keeps 720p. The lower encodings
    // carry most of what the capped one gets; a window with some of the top encoding (a switch up on an estimate
    // that overshot for a moment between samples, and back down) is counted and printed, not failed: it happens in
    // about one run in ten (issue #16 note).
    const held: Array<[Window, Window, number]> = [];
    const holdFrom = secs();
    while (secs() - holdFrom < HOLD_S) {
      await sleep(500);
      await sample();
      held.push([windowOf(capped), windowOf(free), capped.ep.bandwidthEstimate]);
    }
    const topSeen = held.filter(([c]) => c.bps[2]! > 0);
    console.log(
      `held ${HOLD_S} s under the cap (${topSeen.length} of ${held.length} windows with top-encoding bytes):\n` +
        held
          .map(
            ([c, f, e]) =>
              `  t ${c.at.toFixed(1)} s: capped ${describeWindow(c)}, estimate ${kbps(e)} kbps; ` +
              `uncapped ${describeWindow(f)}`,
          )
          .join('\n'),
    );
    for (const [c, f] of held) {
      expect([c.at.toFixed(1), total(c) < CAP_BPS, total(c) > 100_000]).toEqual([c.at.toFixed(1), true, true]);
      expect([f.at.toFixed(1), f.keyframeHeight, mainEncoding(f)]).toEqual([f.at.toFixed(1), 720, 2]);
    }
    expect(topSeen.length).toBeLessThan(held.length / 2);
    const topShare = held.reduce((n, [c]) => n + c.bps[2]!, 0) / held.reduce((n, [c]) => n + total(c), 0);
    expect(topShare).toBeLessThan(0.25);

    capped.ns.uncap();
    const uncapAt = secs();
    const back = await until('capped receiver back on 720p after the cap is lifted', uncapAt, 60, (c) => {
      return c.keyframeHeight === 720 && mainEncoding(c) === 2 && total(c) > 1_000_000;
    });
    const sent = await sender.peer.request<SimulcastView & { sent: { keyframesSent: number[]; plisReceived: number } }>(
      { op: 'view' },
    );
    console.log(
      `simulcast through 500 kbit tbf: both on 720p after ${up.toFixed(1)} s; moved down ${down.toFixed(1)} s after ` +
        `the cap and stayed down ${HOLD_S} s (top-encoding bytes in ${topSeen.length} of ${held.length} 2 s windows, ${(100 * topShare).toFixed(0)} % of its bytes); back on 720p ${back.toFixed(1)} s after it was lifted; sender got ${sent.sent.plisReceived} PLIs, ` +
        `sent keyframes ${sent.sent.keyframesSent.join('/')} per encoding`,
    );
    for (const r of [capped, free]) expect((await r.peer.stats()).failed).toBe(0);
  }, 160_000);
});
