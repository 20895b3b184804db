// A raw media peer in a child process, started inside a network namespace (`ip netns exec`), driven over IPC by
// test/harness/netns-peer.ts. As a receiver it does what a browser does for the bridge's estimator and loss
// recovery: transport-cc feedback and NACKs (with the bridge's own rtp/ codecs, the same ones the uplink tests
// check against werift-rtp). As a sender it sends paced video with a transport-cc element and answers NACKs
// with RTX.
import { findHeaderExtension, NackGenerator, TwccFeedback } from '@convene/bridge/rtp';
import type { TransportParams } from '@convene/bridge/conference';
import { RawMediaPeer } from './media-raw-peer.js';
import { sendSimulcast, simulcastView, type SimulcastSend, type SimulcastView } from './netns-simulcast.js';

export type NetnsCommand =
  | { op: 'create'; address: string }
  | { op: 'connect'; bridge: TransportParams }
  | { op: 'ready' }
  | { op: 'receive'; tccId: number; videoSsrc: number; rtxSsrc: number }
  | { op: 'send'; tccId: number; ssrc: number; rtxSsrc: number; pt: number; rtxPt: number; bps: number; ms: number }
  /** Sends three VP8 encodings (netns-simulcast.ts) until the process ends. */
  | ({ op: 'simulcast' } & SimulcastSend)
  /** What the receiver got of each encoding on its rewritten stream, and its last keyframe's height. */
  | { op: 'view' }
  | { op: 'stats' }
  | { op: 'reset' };

export interface NetnsPeerStats {
  rtp: number;
  /** SRTP authentication failures (never expected) and replays (duplicates a receiver drops, as libsrtp does). */
  failed: number;
  replayed: number;
  /** Distinct media sequence numbers received, directly or inside RTX, and the span they cover. */
  distinct: number;
  span: number;
  rtxReceived: number;
  paddingReceived: number;
  feedbackSent: number;
  nacksSent: number;
  nacksReceived: number;
  rtxSent: number;
  mediaSent: number;
}

let peer: RawMediaPeer | undefined;
const view = simulcastView();
let simulcastSent: ReturnType<typeof sendSimulcast> | undefined;
const stats: NetnsPeerStats = {
  rtp: 0,
  failed: 0,
  replayed: 0,
  distinct: 0,
  span: 0,
  rtxReceived: 0,
  paddingReceived: 0,
  feedbackSent: 0,
  nacksSent: 0,
  nacksReceived: 0,
  rtxSent: 0,
  mediaSent: 0,
};
const seen = new Set<number>();
let first = -1;
let highest = -1;
/** SRTP failures and replays before the last reset. */
let failedBefore = 0;
let replayedBefore = 0;

function noteMedia(seq: number): void {
  if (first < 0) first = seq;
  if (seq >= first && !seen.has(seq)) {
    seen.add(seq);
    stats.distinct++;
  }
  if (seq > highest) highest = seq;
  stats.span = highest - first + 1;
}

function receive(p: RawMediaPeer, tccId: number, videoSsrc: number, rtxSsrc: number): void {
  const twcc = new TwccFeedback();
  const nacks = new NackGenerator();
  nacks.addStream(videoSsrc, 0);
  nacks.addStream(rtxSsrc, videoSsrc);
  p.onRtp = (b) => {
    stats.rtp++;
    const at = findHeaderExtension(b, 0, b.length, tccId, 2);
    const now = performance.now();
    if (at >= 0) twcc.onPacket(b.readUInt16BE(at), now, b.readUInt32BE(8));
    const ssrc = b.readUInt32BE(8);
    const payload = payloadOffset(b);
    const end = (b[0]! & 0x20) !== 0 ? b.length - b[b.length - 1]! : b.length;
    if (ssrc === videoSsrc) {
      noteMedia(b.readUInt16BE(2));
      view.onVideo(b, payload, end, false);
    } else if (ssrc === rtxSsrc && payload + 2 <= end) {
      stats.rtxReceived++;
      noteMedia(b.readUInt16BE(payload));
      view.onVideo(b, payload + 2, end, true); // a retransmitted keyframe counts as one
    } else if (ssrc === rtxSsrc) stats.paddingReceived++;
    nacks.onRtp(b, b.length, now);
  };
  const out = Buffer.alloc(1500);
  setInterval(() => {
    for (let n = twcc.write(out, 0, 0x1234); n > 0; n = twcc.write(out, 0, 0x1234)) {
      p.sendRtcp(out.subarray(0, n));
      stats.feedbackSent++;
    }
    const now = performance.now();
    for (let n = nacks.write(out, 0, 0x1234, now); n > 0; n = nacks.write(out, 0, 0x1234, now)) {
      p.sendRtcp(out.subarray(0, n));
      stats.nacksSent++;
    }
  }, 50).unref();
}

function payloadOffset(b: Buffer): number {
  let p = 12 + 4 * (b[0]! & 0x0f);
  if ((b[0]! & 0x10) !== 0) p += 4 + 4 * b.readUInt16BE(p + 2);
  return p;
}

const PAYLOAD_BYTES = 1100;
let sendSeq = 0;
let tccSeq = 0;
let rtxSeq = 0;
const history = new Map<number, Buffer>();

function packet(tccId: number, pt: number, seq: number, ssrc: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(20 + payload.length);
  b[0] = 0x90;
  b[1] = pt;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE((seq * 900) >>> 0, 4);
  b.writeUInt32BE(ssrc, 8);
  b.writeUInt32BE(0xbede0001, 12);
  b[16] = (tccId << 4) | 1;
  b.writeUInt16BE(tccSeq++ & 0xffff, 17);
  payload.copy(b, 20);
  return b;
}

function send(p: RawMediaPeer, c: Extract<NetnsCommand, { op: 'send' }>): void {
  p.onRtcp = (b) => {
    for (let q = 0; q + 8 <= b.length; q += (b.readUInt16BE(q + 2) + 1) * 4) {
      if (b[q + 1] !== 205 || (b[q]! & 0x1f) !== 1) continue;
      stats.nacksReceived++;
      const end = q + (b.readUInt16BE(q + 2) + 1) * 4;
      for (let i = q + 12; i + 4 <= end; i += 4) {
        const pid = b.readUInt16BE(i);
        const blp = b.readUInt16BE(i + 2);
        for (let bit = -1; bit < 16; bit++) {
          if (bit >= 0 && (blp & (1 << bit)) === 0) continue;
          const seq = (pid + bit + 1) & 0xffff;
          const payload = history.get(seq);
          if (payload === undefined) continue;
          const osn = Buffer.alloc(2);
          osn.writeUInt16BE(seq);
          p.sendRtp(packet(c.tccId, c.rtxPt, rtxSeq++, c.rtxSsrc, Buffer.concat([osn, payload])));
          stats.rtxSent++;
        }
      }
    }
  };
  const start = performance.now();
  let sentBytes = 0;
  const timer = setInterval(() => {
    const elapsed = performance.now() - start;
    if (elapsed > c.ms) {
      clearInterval(timer);
      return;
    }
    while (sentBytes * 8 < (c.bps * elapsed) / 1000) {
      const seq = sendSeq++;
      const payload = Buffer.alloc(PAYLOAD_BYTES, seq & 0xff);
      history.set(seq & 0xffff, payload);
      history.delete((seq - 2000) & 0xffff);
      p.sendRtp(packet(c.tccId, c.pt, seq, c.ssrc, payload));
      stats.mediaSent++;
      sentBytes += PAYLOAD_BYTES + 20;
    }
  }, 4);
}

async function handle(c: NetnsCommand): Promise<unknown> {
  switch (c.op) {
    case 'create':
      peer = await RawMediaPeer.create({ address: c.address });
      return peer.transport();
    case 'connect':
      peer!.connect(c.bridge);
      return null;
    case 'ready':
      return peer?.ready === true;
    case 'receive':
      receive(peer!, c.tccId, c.videoSsrc, c.rtxSsrc);
      return null;
    case 'send':
      send(peer!, c);
      return null;
    case 'simulcast':
      simulcastSent = sendSimulcast(peer!, c, () => tccSeq++);
      return null;
    case 'view':
      return { ...view.view, sent: simulcastSent } satisfies SimulcastView & { sent?: unknown };
    case 'stats':
      stats.replayed = (peer?.received.replayed ?? 0) - replayedBefore;
      stats.failed = (peer?.received.failed ?? 0) - failedBefore - stats.replayed;
      return stats;
    case 'reset':
      seen.clear();
      first = -1;
      highest = -1;
      for (const k of Object.keys(stats) as Array<keyof NetnsPeerStats>) stats[k] = 0;
      failedBefore = peer?.received.failed ?? 0;
      replayedBefore = peer?.received.replayed ?? 0;
      return null;
  }
}

process.on('message', (raw: unknown) => {
  const m = raw as { seq: number; command: NetnsCommand };
  handle(m.command).then(
    (result) => process.send!({ seq: m.seq, result }),
    (err: unknown) => process.send!({ seq: m.seq, error: String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ seq: 0, result: null });
