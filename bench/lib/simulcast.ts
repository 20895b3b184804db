// The simulcast bench (issue #16): each sender's camera as lib-jitsi-meet sends it, three VP8 encodings in a SIM
// group (each with its RTX in a FID group) at a realistic share of the rate per encoding, beside its audio; every
// endpoint asks the bridge for one height over the bridge channel. Which encoding a receiver should get follows
// from that height, so the scenario knows exactly which packets are due where.
import type { SourceParams, SsrcGroupParams } from '@convene/bridge/conference';
import type { BenchStream } from '../../test/harness/bench-peer.js';
import { VP8_BENCH_PT } from '../../test/harness/bench-vp8.js';

/** 720p camera, 30 fps, lowest first: ~140 kbps, ~530 kbps, ~1.6 Mbps (Chromium's VP8 simulcast for 1280x720). */
export const ENCODINGS = [
  { width: 320, height: 180, pps: 30, size: 600 },
  { width: 640, height: 360, pps: 60, size: 1100 },
  { width: 1280, height: 720, pps: 180, size: 1100 },
] as const;
const FPS = 30;
/** About one keyframe a second per encoding (a multiple of 4: the L1T3 pattern's temporal layer 0). */
const KEYFRAME_EVERY = 32;
/** The RTX payload type paired with VP8_BENCH_PT. */
export const VP8_RTX_PT = 97;
const RTX_OFFSET = 0x10000;

export const AUDIO_STREAM = { pt: 111, size: 120, pps: 50 } as const;

/**
 * What the receivers ask (ReceiverVideoConstraints defaultConstraints.maxHeight), or `all`: the encodings are
 * signalled as three separate sources without a SIM group and nobody sends constraints, so the bridge forwards
 * every encoding to everyone (what it did before allocation, when the focus stripped simulcast).
 */
export type SimulcastConstraint = number | 'all';

/** The SSRC of sender `i`'s audio, and of its encoding `k`. */
const audioSsrc = (i: number) => 0x2000 + 8 * i;
const videoSsrc = (i: number, k: number) => 0x2001 + 8 * i + k;

/** S senders (audio + three VP8 encodings), then R receive-only endpoints. */
export function simulcastSpecs(senders: number, receivers: number): Array<{ id: string; streams: BenchStream[] }> {
  const specs: Array<{ id: string; streams: BenchStream[] }> = [];
  for (let i = 0; i < senders; i++)
    specs.push({
      id: `s${i + 1}`,
      streams: [
        { ssrc: audioSsrc(i), kind: 'audio', ...AUDIO_STREAM },
        ...ENCODINGS.map((e, k): BenchStream => ({
          ssrc: videoSsrc(i, k),
          kind: 'video',
          pt: VP8_BENCH_PT,
          size: e.size,
          pps: e.pps,
          vp8: { width: e.width, height: e.height, fps: FPS, keyframeEvery: KEYFRAME_EVERY },
        })),
      ],
    });
  for (let i = 0; i < receivers; i++) specs.push({ id: `r${i + 1}`, streams: [] });
  return specs;
}

/** The sources and groups one spec signals to the bridge, as Colibri2 would from lib-jitsi-meet's SSRC groups. */
export function simulcastSources(
  id: string,
  streams: readonly BenchStream[],
  c: SimulcastConstraint,
): { sources: SourceParams[]; groups: SsrcGroupParams[] } {
  const sources: SourceParams[] = [];
  const groups: SsrcGroupParams[] = [];
  const sim: number[] = [];
  for (const st of streams) {
    if (st.kind === 'audio') {
      sources.push({ ssrc: st.ssrc, kind: 'audio', name: `${id}-a0` });
      continue;
    }
    const rtx = st.ssrc + RTX_OFFSET;
    const name = c === 'all' ? `${id}-v${sim.length}` : `${id}-v0`;
    sources.push({ ssrc: st.ssrc, kind: 'video', name, rtxSsrc: rtx, videoType: 'camera' });
    sources.push({ ssrc: rtx, kind: 'video', name });
    groups.push({ semantics: 'FID', ssrcs: [st.ssrc, rtx] });
    sim.push(st.ssrc);
  }
  if (sim.length > 0 && c !== 'all') groups.unshift({ semantics: 'SIM', ssrcs: sim });
  return { sources, groups };
}

/** The encoding a receiver asking `maxHeight` gets with no bandwidth limit: the highest not above it. */
export function encodingFor(maxHeight: number): number {
  if (maxHeight < 0) return ENCODINGS.length - 1;
  let best = 0;
  ENCODINGS.forEach((e, k) => {
    if (e.height <= maxHeight) best = k;
  });
  return best;
}

/** The ReceiverVideoConstraints message every endpoint sends. */
export function constraintMessage(maxHeight: number): Record<string, unknown> {
  return { colibriClass: 'ReceiverVideoConstraints', defaultConstraints: { maxHeight } };
}

/**
 * How many endpoints a stream is due at: every endpoint but its sender for audio; for an encoding, only when it is
 * the one the receivers' constraint selects (all endpoints ask the same).
 */
export function simulcastFanout(
  specs: ReadonlyArray<{ id: string; streams: readonly BenchStream[] }>,
  c: SimulcastConstraint,
): (owner: string, ssrc: number) => number {
  const selected = c === 'all' ? -1 : encodingFor(c);
  const encodingOf = new Map<number, number>();
  for (const p of specs) p.streams.filter((s) => s.kind === 'video').forEach((s, k) => encodingOf.set(s.ssrc, k));
  const others = specs.length - 1;
  return (_owner, ssrc) => {
    const k = encodingOf.get(ssrc);
    return k === undefined || selected < 0 || k === selected ? others : 0;
  };
}
