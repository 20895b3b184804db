// Loss recovery with decoding browsers (issue 15): 5 % random loss, dropped by iptables on loopback, first on a
// Chromium sender's uplink to the bridge (the bridge NACKs upstream and the receivers keep decoding), then on one
// receiver's downlink (the bridge answers its NACKs with RTX from its cache; the other receiver sees no change).
// Needs root and iptables (CI runs as root and installs it); skipped elsewhere with the reason.
import { execFileSync } from 'node:child_process';
import { browserSuite } from '../harness/browser-suite.js';
import type { BrowserParticipant } from '../harness/browser-page.js';
import { waitUntil } from '../harness/wait-for.js';

function iptablesUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: iptables needs root (CI runs as root)';
  try {
    execFileSync('iptables', ['-S', 'INPUT'], { stdio: 'ignore' });
  } catch (err) {
    return `iptables does not run here (apt-get install -y iptables): ${(err as Error).message}`;
  }
  return undefined;
}

const unavailable = iptablesUnavailable();
if (unavailable !== undefined) console.warn(`test/e2e/media-loss skipped: ${unavailable}`);
const describeLoss = unavailable === undefined ? describe : describe.skip;

/**
 * A chain of our own on loopback's way in, removed after the file. INPUT, not OUTPUT: a datagram dropped on its way
 * out fails the sender's sendto with EPERM, and Chromium then knows of the loss and sends again by itself.
 */
class LossRules {
  readonly chain = `CVLOSS${process.pid % 100000}`;

  constructor() {
    this.#run(['-N', this.chain]);
    this.#run(['-I', 'INPUT', '-i', 'lo', '-j', this.chain]);
  }

  /** Drops `probability` of the UDP datagrams from port `from` to port `to` on 127.0.0.1. */
  drop(from: number, to: number, probability: number): void {
    this.#run(['-F', this.chain]);
    this.#run([
      ...['-A', this.chain, '-p', 'udp', '--sport', String(from), '--dport', String(to)],
      ...['-m', 'statistic', '--mode', 'random', '--probability', String(probability), '-j', 'DROP'],
    ]);
  }

  /** How many datagrams the rules dropped so far. */
  dropped(): number {
    const out = execFileSync('iptables', ['-L', this.chain, '-v', '-n', '-x'], { encoding: 'utf8' });
    return out
      .split('\n')
      .filter((l) => l.includes('DROP'))
      .reduce((n, l) => n + Number(l.trim().split(/\s+/)[0]), 0);
  }

  close(): void {
    for (const args of [
      ['-D', 'INPUT', '-i', 'lo', '-j', this.chain],
      ['-F', this.chain],
      ['-X', this.chain],
    ])
      try {
        this.#run(args);
      } catch {
        // already gone
      }
  }

  #run(args: string[]): void {
    execFileSync('iptables', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}

interface VideoRtp {
  /** The UDP ports of the selected candidate pair: the page's and the bridge's. */
  localPort: number;
  remotePort: number;
  /** inbound-rtp video, per SSRC summed: frames decoded, freezes, NACKs sent, packets lost. */
  framesDecoded: number;
  freezeCount: number;
  nackCount: number;
  packetsLost: number;
  /** outbound-rtp video: NACKs the page received, packets it sent again, packets it sent. */
  nacksReceived: number;
  retransmitted: number;
  videoPacketsSent: number;
  transportPacketsSent: number;
  retransmittedReceived: number;
}

function videoRtp(p: BrowserParticipant): Promise<VideoRtp> {
  return p.page.evaluate(async () => {
    const out = {
      ...{ localPort: 0, remotePort: 0, framesDecoded: 0, freezeCount: 0, nackCount: 0, packetsLost: 0 },
      ...{ nacksReceived: 0, retransmitted: 0, videoPacketsSent: 0, transportPacketsSent: 0, retransmittedReceived: 0 },
    };
    const stats = await window.convene?.peerConnection?.getStats();
    if (stats === undefined) return out;
    const byId = new Map<string, Record<string, unknown>>();
    stats.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
    const num = (v: unknown) => (typeof v === 'number' ? v : 0);
    for (const s of byId.values()) {
      if (s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded') {
        out.localPort = num(byId.get(s.localCandidateId as string)?.port);
        out.remotePort = num(byId.get(s.remoteCandidateId as string)?.port);
      }
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        out.framesDecoded += num(s.framesDecoded);
        out.freezeCount += num(s.freezeCount);
        out.nackCount += num(s.nackCount);
        out.packetsLost += num(s.packetsLost);
        out.retransmittedReceived += num(s.retransmittedPacketsReceived);
      }
      if (s.type === 'transport') out.transportPacketsSent += num(s.packetsSent);
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        out.nacksReceived += num(s.nackCount);
        out.retransmitted += num(s.retransmittedPacketsSent);
        out.videoPacketsSent += num(s.packetsSent);
      }
    }
    return out;
  });
}

type Counters = Record<string, number>;

const suite = browserSuite();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long each impairment lasts, and the clean interval before. */
const LOSSY_MS = 15_000;
const CLEAN_MS = 5_000;

describeLoss('5 % loss with decoding Chromium pages', () => {
  let rules: LossRules | undefined;
  afterAll(() => rules?.close());

  it('recovers a sender’s uplink loss by NACK, and one receiver’s downlink loss by RTX without touching the other', async () => {
    const sender = await suite.join('loss', 'Sender');
    const rxA = await suite.join('loss', 'Lossy', 'resolution=180');
    const rxB = await suite.join('loss', 'Clean', 'resolution=180');
    const ids = await Promise.all([sender, rxA, rxB].map((p) => waitUntil('endpoint id', () => p.endpointId())));
    const counters = async (): Promise<Counters[]> => {
      const res = await fetch(`${suite.stack.bridgeHttpUrl}/colibri/stats/debug`);
      const debug = (await res.json()) as Record<string, Record<string, { counters: Counters; uplinkNacks: Counters }>>;
      const eps = Object.values(debug).find((c) => ids.every((id) => c[id] !== undefined)) ?? {};
      return ids.map((id) => ({ ...eps[id]?.counters, ...eps[id]?.uplinkNacks }));
    };
    // Everyone decodes the sender first (its top encoding has to be flowing for the loss to matter).
    await waitUntil(
      'both receivers decode the sender',
      async () =>
        ((await rxA.inbound())[ids[0]!]?.framesDecoded ?? 0) > 30 &&
        ((await rxB.inbound())[ids[0]!]?.framesDecoded ?? 0) > 30,
      30_000,
      250,
    );
    rules = new LossRules();
    const fromSender = async () =>
      Promise.all([rxA, rxB].map(async (p) => (await p.inbound())[ids[0]!]?.framesDecoded ?? 0));
    // The clean frame rate first, on this machine at this moment: what the lossy one is held to.
    const clean0 = await fromSender();
    await sleep(CLEAN_MS);
    const clean1 = await fromSender();
    const [s0, a0, b0] = await Promise.all([sender, rxA, rxB].map(videoRtp));

    // 1. The sender's uplink.
    rules.drop(s0!.localPort, s0!.remotePort, 0.05);
    const [cs1] = await counters();
    const decoded1 = await fromSender();
    await sleep(LOSSY_MS);
    const uplinkDropped = rules.dropped();
    const [cs2] = await counters();
    const decoded2 = await fromSender();
    const [s1, a1, b1] = await Promise.all([sender, rxA, rxB].map(videoRtp));
    const upstreamNacks = (cs2!.nacksSent ?? 0) - (cs1!.nacksSent ?? 0);
    const freezes1 = [a1!.freezeCount - a0!.freezeCount, b1!.freezeCount - b0!.freezeCount];
    process.stdout.write(
      `uplink 5 %: ${uplinkDropped} datagrams dropped in ${LOSSY_MS} ms, of ${s1!.videoPacketsSent - s0!.videoPacketsSent} video sent; ` +
        `bridge NACK packets to the sender ${upstreamNacks} (${JSON.stringify([cs1!.nacked, cs1!.givenUp, cs1!.recovered])} -> ${JSON.stringify([cs2!.nacked, cs2!.givenUp, cs2!.recovered])}), NACKs it got ${s1!.nacksReceived - s0!.nacksReceived}, ` +
        `resent ${s1!.retransmitted - s0!.retransmitted}; transport sent ${s1!.transportPacketsSent - s0!.transportPacketsSent}, bridge got ${cs2!.rtpPacketsIn! - cs1!.rtpPacketsIn!} rtp ${cs2!.rtcpPacketsIn! - cs1!.rtcpPacketsIn!} rtcp; receivers lost +${a1!.packetsLost - a0!.packetsLost} / +${b1!.packetsLost - b0!.packetsLost}, NACKed +${a1!.nackCount - a0!.nackCount} / +${b1!.nackCount - b0!.nackCount}, got resent +${a1!.retransmittedReceived - a0!.retransmittedReceived} / +${b1!.retransmittedReceived - b0!.retransmittedReceived}; ` +
        `frames decoded +${decoded2[0]! - decoded1[0]!} / +${decoded2[1]! - decoded1[1]!} (clean: +${clean1[0]! - clean0[0]!} / +${clean1[1]! - clean0[1]!} in ${CLEAN_MS} ms); freezes +${freezes1.join(' / +')}\n`,
    );
    expect(uplinkDropped).toBeGreaterThan(0);
    expect(upstreamNacks).toBeGreaterThan(0);
    // Frames keep coming (a receiver that lost sync would sit at a frozen frame, asking for keyframes).
    // Receivers keep decoding at most of the clean frame rate (seen 0.85-1.1 of it; 0.69 when the recovered packets did
    // not fit the receivers' rewritten streams, which test/unit/bridge/forward/rewritten-nack.test.ts now pins down).
    const rate = (n: number, ms: number) => n / ms;
    for (let i = 0; i < 2; i++)
      expect(rate(decoded2[i]! - decoded1[i]!, LOSSY_MS)).toBeGreaterThan(
        0.6 * rate(clean1[i]! - clean0[i]!, CLEAN_MS),
      );
    // Retransmissions reach the receivers (Chromium counts the bridge's RTX probe padding here too).
    expect(a1!.retransmittedReceived - a0!.retransmittedReceived).toBeGreaterThan(0);
    expect(b1!.retransmittedReceived - b0!.retransmittedReceived).toBeGreaterThan(0);
    // Freezes are printed, not asserted: a receiver with no loss at all counted 7 in 15 s with two browser files
    // running side by side on this 2-core machine. The frame rate against the clean one above is the measure.

    // 2. One receiver's downlink.
    rules.drop(a1!.remotePort, a1!.localPort, 0.05);
    const [, ca1, cb1] = await counters();
    const decoded3 = await fromSender();
    await sleep(LOSSY_MS);
    const decoded4 = await fromSender();
    const downlinkDropped = rules.dropped();
    const [, ca2, cb2] = await counters();
    const [a2, b2] = await Promise.all([rxA, rxB].map(videoRtp));
    const repaired = (c2: Counters, c1: Counters) =>
      (c2.rtxSent ?? 0) - (c1.rtxSent ?? 0) + (c2.retransmissionsSent ?? 0) - (c1.retransmissionsSent ?? 0);
    process.stdout.write(
      `downlink 5 % to one receiver: ${downlinkDropped} dropped; its NACKs +${a2!.nackCount - a1!.nackCount}, ` +
        `answered ${repaired(ca2!, ca1!)}; the other's NACKs +${b2!.nackCount - b1!.nackCount}, answered ${repaired(cb2!, cb1!)}; ` +
        `frames decoded +${decoded4[0]! - decoded3[0]!} / +${decoded4[1]! - decoded3[1]!}; ` +
        `freezes +${a2!.freezeCount - a1!.freezeCount} / +${b2!.freezeCount - b1!.freezeCount}\n`,
    );
    expect(a2!.nackCount - a1!.nackCount).toBeGreaterThan(0);
    expect(repaired(ca2!, ca1!)).toBeGreaterThan(0);
    // Both keep decoding at most of their clean frame rate; the clean receiver has no loss of its own, nothing resent.
    for (let i = 0; i < 2; i++)
      expect(rate(decoded4[i]! - decoded3[i]!, LOSSY_MS)).toBeGreaterThan(
        0.6 * rate(clean1[i]! - clean0[i]!, CLEAN_MS),
      );
    expect(b2!.packetsLost - b1!.packetsLost).toBeLessThanOrEqual(2);
    expect(repaired(cb2!, cb1!)).toBeLessThanOrEqual(2);
    rules.close();
    rules = undefined;
  }, 120_000);
});
