// Congestion control and loss recovery under real network conditions (issue 15): the bridge runs in the test's
// namespace; a sender and two receivers run in namespaces of their own, joined by veth pairs shaped with
// `tc tbf` (a capped downlink) and `iptables -m statistic` (random loss: this kernel has no netem). Real
// ICE/DTLS/SRTP; the receivers send transport-cc feedback and NACKs as browsers do.
import { MediaServer, SRTP_AEAD_AES_128_GCM, type Conference } from '@convene/bridge/conference';
import { type Netns, netnsLock, netnsUnavailable } from '../../harness/netns-peer.js';
import type { NetnsPeerStats } from '../../harness/netns-peer-child.js';
import { joinFromNamespace, type NetnsParty } from '../../harness/netns-party.js';
import { waitUntil } from '../../harness/wait-for.js';

const VIDEO = 9001;
const RTX = 9002;
const VP8 = 100;
const RTX_PT = 96;
const TCC_ID = 5;

const unavailable = netnsUnavailable();
if (unavailable !== undefined) console.warn(`test/integration/network skipped: ${unavailable}`);
const describeNetns = unavailable === undefined ? describe : describe.skip;

type Party = NetnsParty;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const kbps = (bps: number) => Math.round(bps / 1000);

describeNetns('congestion control and loss recovery through shaped links', () => {
  let server: MediaServer;
  let conference: Conference;
  const nets: Netns[] = [];
  let sender: Party;
  let capped: Party;
  let free: Party;

  async function join(name: string, index: number): Promise<Party> {
    const p = await joinFromNamespace(conference, name, index);
    nets.push(p.ns);
    return p;
  }

  async function send(bps: number, ms: number): Promise<void> {
    await sender.peer.request({
      op: 'send',
      tccId: TCC_ID,
      ssrc: VIDEO,
      rtxSsrc: RTX,
      pt: VP8,
      rtxPt: RTX_PT,
      bps,
      ms,
    });
  }

  async function reset(): Promise<void> {
    for (const p of [sender, capped, free]) await p.peer.request({ op: 'reset' });
  }

  let release: (() => void) | undefined;

  beforeAll(async () => {
    // The other namespaced file may be running: this one's timings need the machine to themselves.
    release = await netnsLock(120_000);
    server = await MediaServer.create({ port: 0, bindAddress: '0.0.0.0', srtpProfiles: [SRTP_AEAD_AES_128_GCM] });
    conference = server.createConference('network');
    conference.setTransportCcExtension(TCC_ID);
    conference.setStrippedHeaderExtensions([TCC_ID]);
    conference.setRtxPayloadTypes(new Map([[VP8, RTX_PT]]));
    sender = await join('sender', 1);
    sender.ep.setSources([
      { ssrc: VIDEO, kind: 'video', rtxSsrc: RTX },
      { ssrc: RTX, kind: 'video' },
    ]);
    capped = await join('capped', 2);
    free = await join('free', 3);
    await waitUntil('all keyed', () => [sender, capped, free].every((p) => p.ep.dtlsState === 'connected'), 20_000);
    for (const r of [capped, free])
      await r.peer.request({ op: 'receive', tccId: TCC_ID, videoSsrc: VIDEO, rtxSsrc: RTX });
  }, 180_000);

  afterAll(() => {
    for (const p of [sender, capped, free]) p?.peer.close();
    server?.close();
    for (const ns of nets) ns.remove();
    release?.();
  });

  it('settles the estimate of a receiver capped at 500 kbps within 20 %, and leaves an uncapped one alone', async () => {
    await reset();
    capped.ns.capDownlink('500kbit');
    const start = performance.now();
    await send(1_200_000, 20_000);
    const curve: Array<[number, number, number]> = [];
    while (performance.now() - start < 20_000) {
      await sleep(250);
      curve.push([(performance.now() - start) / 1000, capped.ep.bandwidthEstimate, free.ep.bandwidthEstimate]);
    }
    capped.ns.uncap();
    const outside = curve.filter(([, c]) => Math.abs(c - 500_000) > 100_000);
    const settledAt = outside.length === 0 ? 0 : outside[outside.length - 1]![0];
    console.log(
      `capped receiver (500 kbit tbf) settled within 20 % at ${settledAt.toFixed(2)} s\n` +
        curve
          .filter((_, i) => i % 4 === 3)
          .map(([t, c, f]) => `  ${t.toFixed(1)} s  capped ${kbps(c)} kbps  uncapped ${kbps(f)} kbps`)
          .join('\n'),
    );
    const late = curve.filter(([t]) => t >= 15);
    expect(late.length).toBeGreaterThanOrEqual(4);
    for (const [t, c] of late) expect([t, kbps(c), Math.abs(c - 500_000) <= 100_000]).toEqual([t, kbps(c), true]);
    // The uncapped receiver gets the whole 1.2 Mbps: the capped one does not pull its estimate down. (After a
    // probe overshoots what its peer process takes, one decrease to 85 % of what it got is GCC's answer.)
    for (const [t, , f] of late) expect([t, f >= 0.8 * 1_200_000]).toEqual([t, true]);
    expect(capped.ep.bandwidthDebug.feedback).toBeGreaterThan(50);
    for (const p of [capped, free]) expect((await p.peer.stats()).failed).toBe(0);
  }, 40_000);

  /** Sends 1 Mbps for `ms`, waits for the stragglers, and returns what each peer counted. */
  async function sendAndCount(ms: number): Promise<Record<'sender' | 'capped' | 'free', NetnsPeerStats>> {
    await reset();
    await send(1_000_000, ms);
    await sleep(ms + 1_500);
    return { sender: await sender.peer.stats(), capped: await capped.peer.stats(), free: await free.peer.stats() };
  }

  const share = (s: NetnsPeerStats) => s.distinct / Math.max(s.span, 1);

  it('NACKs 5 % loss on the sender uplink, and receivers get (nearly) every packet', async () => {
    // The capped receiver just came off its 500 kbit cap: 4 s of clean media first, so its estimate and its NACK
    // and RTX state leave the cap behind before this test counts (in 2 of about 8 runs without this, that
    // receiver alone missed ~1.8 % here while the other got everything).
    await reset();
    await send(1_000_000, 4_000);
    await sleep(4_500);
    const warm = { estimate: capped.ep.bandwidthEstimate, limited: capped.ep.counters.retransmissionsRateLimited };
    const before = { ...sender.ep.counters };
    const nacked = sender.ep.transport.uplink.nacks.counters.nacked;
    sender.ns.setLoss('OUTPUT', 0.05);
    let got: Awaited<ReturnType<typeof sendAndCount>>;
    try {
      got = await sendAndCount(10_000);
    } finally {
      sender.ns.setLoss('OUTPUT', 0);
    }
    const nacksSent = sender.ep.counters.nacksSent - before.nacksSent;
    const items = sender.ep.transport.uplink.nacks.counters.nacked - nacked;
    console.log(
      `uplink 5 % loss: ${got.sender.mediaSent} sent; bridge NACK packets to the sender ${nacksSent} ` +
        `(${items} sequence numbers); sender RTX ${got.sender.rtxSent}; ` +
        `receivers complete ${(100 * share(got.capped)).toFixed(2)} % / ${(100 * share(got.free)).toFixed(2)} %, ` +
        `SRTP failures ${got.capped.failed} / ${got.free.failed}, replays dropped ${got.capped.replayed} / ${got.free.replayed}; ` +
        `capped receiver's estimate ${kbps(warm.estimate)} kbps before, RTX rate-limited ` +
        `${capped.ep.counters.retransmissionsRateLimited - warm.limited}`,
    );
    expect(nacksSent).toBeGreaterThan(0);
    expect(got.sender.nacksReceived).toBeGreaterThan(0);
    expect(got.sender.rtxSent).toBeGreaterThan(0.02 * got.sender.mediaSent);
    // Lost upstream, asked for by the bridge, resent as RTX, forwarded: receivers miss (almost) nothing (a packet
    // is given up only after three lost requests or answers, 0.05^3 per lost packet; the share allows a few).
    for (const r of [got.capped, got.free]) {
      expect(share(r)).toBeGreaterThan(0.995);
      expect(r.failed).toBe(0);
    }
  }, 45_000);

  it('answers 5 % loss on one receiver downlink with RTX, and the other receiver sees no change', async () => {
    const before = { capped: { ...capped.ep.counters }, free: { ...free.ep.counters } };
    capped.ns.setLoss('INPUT', 0.05);
    let got: Awaited<ReturnType<typeof sendAndCount>>;
    try {
      got = await sendAndCount(10_000);
    } finally {
      capped.ns.setLoss('INPUT', 0);
    }
    const delta = (p: Party, k: 'rtxSent' | 'retransmissionsSent' | 'retransmissionsMissed') =>
      p.ep.counters[k] - before[p === capped ? 'capped' : 'free'][k];
    console.log(
      `downlink 5 % loss: lossy receiver sent ${got.capped.nacksSent} NACKs; bridge RTX ${delta(capped, 'rtxSent')}, ` +
        `retransmissions ${delta(capped, 'retransmissionsSent')}, missed ${delta(capped, 'retransmissionsMissed')}; ` +
        `complete ${(100 * share(got.capped)).toFixed(2)} %; other receiver RTX ${delta(free, 'rtxSent')}, ` +
        `complete ${(100 * share(got.free)).toFixed(2)} %`,
    );
    expect(got.capped.nacksSent).toBeGreaterThan(0);
    expect(delta(capped, 'rtxSent')).toBeGreaterThan(0.02 * got.sender.mediaSent);
    expect(got.capped.rtxReceived).toBeGreaterThan(0);
    expect(share(got.capped)).toBeGreaterThan(0.995);
    // The bridge answered from its cache, not by asking the sender: at most a stray request reaches the sender (a
    // retry left over from the uplink-loss test before, or an upstream packet a loaded machine dropped).
    expect(got.sender.nacksReceived).toBeLessThanOrEqual(Math.max(1, Math.floor(got.capped.nacksSent / 10)));
    // The other receiver lost nothing and got no RTX answers.
    expect(delta(free, 'rtxSent')).toBe(0);
    expect(got.free.distinct).toBe(got.free.span);
  }, 30_000);
});
