// Simulcast for the namespaced peers (netns-peer-child.ts): a sender of three VP8 encodings as a browser sends a
// 720p camera (one frame per encoding every 33 ms, split into packets of at most 1100 bytes, keyframes when the
// bridge asks with a PLI), and a receiver's view of the one stream the bridge rewrites them onto: the bytes of
// each encoding (the sender writes the encoding's index after the VP8 prefix) and the size of the last keyframe.
import { VP8_PREFIX_BYTES, vp8KeyframeHeight, writeVp8Descriptor } from './bench-vp8.js';
import type { RawMediaPeer } from './media-raw-peer.js';

export interface SimulcastSend {
  tccId: number;
  pt: number;
  /** Lowest first, as the SIM group. */
  ssrcs: number[];
  bps: number[];
  heights: number[];
}

export interface SimulcastView {
  /** Bytes received per encoding (RTP packet sizes, RTX included), since the start. */
  bytes: number[];
  /** Of those, bytes that came as RTX (the bridge's answers to NACKs), per encoding of the packet inside. */
  rtxBytes: number[];
  /** Height of the last keyframe received, 0 before any. */
  keyframeHeight: number;
  keyframes: number;
}

const FPS = 30;
const MAX_PAYLOAD = 1100;

/** Sends until the process ends; returns the counters it keeps (keyframes sent per encoding, PLIs received). */
export function sendSimulcast(
  p: RawMediaPeer,
  c: SimulcastSend,
  nextTcc: () => number,
): { keyframesSent: number[]; plisReceived: number } {
  const n = c.ssrcs.length;
  const counters = { keyframesSent: new Array<number>(n).fill(0), plisReceived: 0 };
  const seq = new Array<number>(n).fill(0);
  const frame = new Array<number>(n).fill(0);
  // The first frame of each encoding is a keyframe; later ones when a PLI asks (on the next temporal layer 0 frame).
  const wantKey = new Array<boolean>(n).fill(true);
  p.onRtcp = (b) => {
    for (let q = 0; q + 12 <= b.length; q += (b.readUInt16BE(q + 2) + 1) * 4) {
      if (b[q + 1] !== 206 || (b[q]! & 0x1f) !== 1) continue;
      counters.plisReceived++;
      const k = c.ssrcs.indexOf(b.readUInt32BE(q + 8));
      if (k >= 0) wantKey[k] = true;
    }
  };
  const start = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - start) * FPS) / 1000);
    for (let k = 0; k < n; k++)
      while (frame[k]! <= due) {
        const f = frame[k]!++;
        const keyframe = wantKey[k]! && f % 4 === 0;
        if (keyframe) {
          wantKey[k] = false;
          counters.keyframesSent[k]!++;
        }
        const bytes = Math.round(c.bps[k]! / 8 / FPS);
        const packets = Math.max(1, Math.ceil(bytes / MAX_PAYLOAD));
        for (let i = 0; i < packets; i++) {
          const size = Math.max(VP8_PREFIX_BYTES + 1, Math.min(MAX_PAYLOAD, bytes - i * MAX_PAYLOAD));
          const b = Buffer.alloc(20 + size);
          b[0] = 0x90;
          b[1] = c.pt | (i === packets - 1 ? 0x80 : 0);
          b.writeUInt16BE(seq[k]!++ & 0xffff, 2);
          b.writeUInt32BE((f * (90_000 / FPS)) >>> 0, 4);
          b.writeUInt32BE(c.ssrcs[k]!, 8);
          b.writeUInt32BE(0xbede0001, 12);
          b[16] = (c.tccId << 4) | 1;
          b.writeUInt16BE(nextTcc() & 0xffff, 17);
          const width = Math.round((c.heights[k]! * 16) / 9);
          writeVp8Descriptor(b, 20, { frame: f, first: i === 0, keyframe, width, height: c.heights[k]! });
          b[20 + VP8_PREFIX_BYTES] = k;
          p.sendRtp(b);
        }
      }
  }, 10);
  timer.unref();
  return counters;
}

/** Counts what arrives on the rewritten stream: `onVideo` takes each packet of it. */
export function simulcastView(): {
  view: SimulcastView;
  onVideo: (b: Buffer, payload: number, end: number, rtx: boolean) => void;
} {
  const view: SimulcastView = { bytes: [0, 0, 0], rtxBytes: [0, 0, 0], keyframeHeight: 0, keyframes: 0 };
  return {
    view,
    onVideo: (b, payload, end, rtx) => {
      if (payload + VP8_PREFIX_BYTES >= end) return;
      const k = b[payload + VP8_PREFIX_BYTES]!;
      if (k < view.bytes.length) view.bytes[k]! += b.length;
      if (rtx && k < view.rtxBytes.length) view.rtxBytes[k]! += b.length;
      const h = vp8KeyframeHeight(b, payload, end);
      if (h > 0) {
        view.keyframeHeight = h;
        view.keyframes++;
      }
    },
  };
}
