// Test packets for SVC: VP9 with its payload descriptor, AV1 with a dependency descriptor header extension.
import { DTI_DISCARDABLE as D, DTI_NOT_PRESENT as N, DTI_REQUIRED as R, DTI_SWITCH as S } from '@convene/bridge/codecs';
import { BitWriter } from '../codecs/bit-writer.js';

export const SENDER_SSRC = 5555;
export const DD_ID = 12;

function rtpHeader(seq: number, ts: number, marker: boolean, ext?: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h[0] = ext === undefined ? 0x80 : 0x90;
  h[1] = (marker ? 0x80 : 0) | 100;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE(ts >>> 0, 4);
  h.writeUInt32BE(SENDER_SSRC, 8);
  return ext === undefined ? h : Buffer.concat([h, ext]);
}

export interface Vp9Layer {
  sid: number;
  tid: number;
  /** Inter-picture predicted (P), inter-layer dependency (D), not a reference for upper layers (Z). */
  p: boolean;
  d?: boolean;
  z?: boolean;
  u?: boolean;
  b?: boolean;
  e?: boolean;
  pic: number;
  tl0?: number;
  flexible?: boolean;
  /** Scalability structure: heights of the spatial layers (widths 16:9). */
  ss?: number[];
  marker?: boolean;
}

/** One VP9 packet: 15-bit picture id, layer indices, TL0PICIDX (non-flexible) or one P_DIFF (flexible). */
export function vp9(seq: number, ts: number, l: Vp9Layer): Buffer {
  const flex = l.flexible === true;
  const d: number[] = [];
  d.push(
    0x80 | // I
      (l.p ? 0x40 : 0) |
      0x20 | // L
      (flex ? 0x10 : 0) |
      (l.b === false ? 0 : 0x08) |
      (l.e === false ? 0 : 0x04) |
      (l.ss !== undefined ? 0x02 : 0) |
      (l.z === true ? 0x01 : 0),
  );
  d.push(0x80 | ((l.pic >> 8) & 0x7f), l.pic & 0xff);
  d.push((l.tid << 5) | (l.u === true ? 0x10 : 0) | (l.sid << 1) | (l.d === true ? 1 : 0));
  if (!flex) d.push((l.tl0 ?? 0) & 0xff);
  if (flex && l.p) d.push(1 << 1); // P_DIFF 1, N=0
  if (l.ss !== undefined) {
    d.push(((l.ss.length - 1) << 5) | 0x10);
    for (const h of l.ss) d.push(((h * 16) / 9) >> 8, ((h * 16) / 9) & 0xff, h >> 8, h & 0xff);
  }
  d.push(0xaa); // payload
  return Buffer.concat([rtpHeader(seq, ts, l.marker === true), Buffer.from(d)]);
}

/** An AV1 packet whose only header extension is the dependency descriptor `dd` (two-byte form when long). */
export function av1(seq: number, ts: number, dd: Buffer, marker = false): Buffer {
  const oneByte = dd.length <= 16;
  const body = oneByte
    ? Buffer.concat([Buffer.from([(DD_ID << 4) | (dd.length - 1)]), dd])
    : Buffer.concat([Buffer.from([DD_ID, dd.length]), dd]);
  const words = Math.ceil(body.length / 4);
  const ext = Buffer.alloc(4 + words * 4);
  ext.writeUInt16BE(oneByte ? 0xbede : 0x1000, 0);
  ext.writeUInt16BE(words, 2);
  body.copy(ext, 4);
  return Buffer.concat([rtpHeader(seq, ts, marker, ext), Buffer.from([0x10, 0xaa])]);
}

export interface DdTemplate {
  s: number;
  t: number;
  dtis: number[];
  fdiffs: number[];
  chains: number[];
}

export interface DdStructure {
  templates: DdTemplate[];
  protectedBy: number[];
  chainCount: number;
  /** [width, height] per spatial layer. */
  sizes?: Array<[number, number]>;
}

/** A dependency descriptor: frame fields, and the whole structure when `structure` is given (a keyframe). */
export function dd(
  o: { start: boolean; end: boolean; template: number; frame: number; active?: number; dts?: number },
  structure?: DdStructure,
): Buffer {
  const w = new BitWriter();
  w.f(1, o.start ? 1 : 0)
    .f(1, o.end ? 1 : 0)
    .f(6, o.template)
    .f(16, o.frame);
  if (structure === undefined && o.active === undefined) return w.bytes();
  // Structure present?, active decode targets present?, nothing custom.
  w.f(1, structure === undefined ? 0 : 1)
    .f(1, o.active === undefined ? 0 : 1)
    .f(1, 0)
    .f(1, 0)
    .f(1, 0);
  if (structure === undefined) {
    w.f(o.dts ?? 0, o.active ?? 0);
    return w.bytes();
  }
  const ts = structure.templates;
  const dts = ts[0]!.dtis.length;
  w.f(6, 0).f(5, dts - 1);
  for (let i = 0; i < ts.length; i++) {
    const next = ts[i + 1];
    const cur = ts[i]!;
    w.f(2, next === undefined ? 3 : next.s > cur.s ? 2 : next.t > cur.t ? 1 : 0);
  }
  for (const t of ts) for (const d of t.dtis) w.f(2, d);
  for (const t of ts) {
    for (const f of t.fdiffs) w.f(1, 1).f(4, f - 1);
    w.f(1, 0);
  }
  writeNs(w, structure.chainCount, dts + 1);
  if (structure.chainCount > 0) {
    for (const c of structure.protectedBy) writeNs(w, c, structure.chainCount);
    for (const t of ts) for (const c of t.chains) w.f(4, c);
  }
  if (structure.sizes === undefined) w.f(1, 0);
  else {
    w.f(1, 1);
    for (const [wd, h] of structure.sizes) w.f(16, wd - 1).f(16, h - 1);
  }
  if (o.active !== undefined) w.f(dts, o.active);
  return w.bytes();
}

/** ns(n) of the AV1 spec, written. */
function writeNs(w: BitWriter, v: number, n: number): void {
  let bits = 0;
  for (let x = n; x !== 0; x >>= 1) bits++;
  const m = (1 << bits) - n;
  if (v < m) w.f(bits - 1, v);
  else {
    const x = v + m;
    w.f(bits - 1, x >> 1).f(1, x & 1);
  }
}

/**
 * L2T2_KEY as Chromium describes it: decode targets S0T0, S0T1, S1T0, S1T1; chain 0 protects layer 0's targets,
 * chain 1 layer 1's. Frames are numbered per layer frame: picture k has layer 0 as frame 2k, layer 1 as 2k+1;
 * pictures alternate T0, T1. Only the keyframe picture's layer 1 references layer 0.
 */
export const L2T2_KEY: DdStructure = {
  templates: [
    { s: 0, t: 0, dtis: [S, S, S, S], fdiffs: [], chains: [0, 0] }, // 0: keyframe
    { s: 0, t: 0, dtis: [S, S, N, N], fdiffs: [4], chains: [4, 3] }, // 1: layer 0, T0
    { s: 0, t: 1, dtis: [N, D, N, N], fdiffs: [2], chains: [2, 1] }, // 2: layer 0, T1
    { s: 1, t: 0, dtis: [N, N, S, S], fdiffs: [1], chains: [1, 1] }, // 3: layer 1 of the keyframe picture
    { s: 1, t: 0, dtis: [N, N, R, R], fdiffs: [4], chains: [1, 4] }, // 4: layer 1, T0
    { s: 1, t: 1, dtis: [N, N, N, D], fdiffs: [2], chains: [3, 2] }, // 5: layer 1, T1
  ],
  protectedBy: [0, 0, 1, 1],
  chainCount: 2,
  sizes: [
    [320, 180],
    [640, 360],
  ],
};
