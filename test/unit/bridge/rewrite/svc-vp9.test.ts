import fc from 'fast-check';
import {
  newPacketMeta,
  readPacketMeta,
  seqDiff,
  StreamRewriter,
  SvcSource,
  NO_ENCODING,
} from '@convene/bridge/rewrite';
import { vp9, type Vp9Layer } from './svc-packets.js';

const RECEIVER_SSRC = 1111;

interface Out {
  seq: number;
  sid: number;
  tid: number;
  marker: boolean;
  pic: number;
}

/** One receiver of one VP9 SVC source; packets go through the shared parse, then its rewriter. */
class Receiver {
  readonly rw = new StreamRewriter(RECEIVER_SSRC);
  readonly meta = newPacketMeta();
  readonly source = new SvcSource();
  readonly out: Out[] = [];
  send(b: Buffer): boolean {
    if (!readPacketMeta(b, 0, b.length, 'vp9', 0, this.meta, this.source)) throw new Error('bad test packet');
    const ok = this.rw.rewrite(b, 0, this.meta, 0);
    if (ok)
      this.out.push({
        seq: b.readUInt16BE(2),
        sid: this.meta.spatialId,
        tid: this.meta.temporalId,
        marker: (b[1]! & 0x80) !== 0,
        pic: this.meta.vp9.pictureId,
      });
    return ok;
  }
  take(): Out[] {
    return this.out.splice(0);
  }
}

/**
 * A VP9 stream of three spatial layers, one packet each, pictures with temporal ids 0,2,1,2 (L3T3). K-SVC: only a
 * keyframe picture's upper layers depend on lower ones (D), delta pictures' lower layers are not references for
 * upper ones (Z). Full SVC: every upper layer depends on the one below.
 */
class Vp9Stream {
  seq: number;
  pic = 0;
  ts = 0;
  constructor(
    seq = 1000,
    readonly o: { ksvc: boolean; flexible?: boolean; layers?: number } = { ksvc: true },
  ) {
    this.seq = seq;
  }
  picture(key: boolean): Buffer[] {
    const n = this.o.layers ?? 3;
    const tid = key ? 0 : [0, 2, 1, 2][this.pic % 4]!;
    const out: Buffer[] = [];
    for (let sid = 0; sid < n; sid++) {
      const l: Vp9Layer = {
        sid,
        tid,
        p: !key,
        d: sid > 0 && (key || !this.o.ksvc),
        z: !key && this.o.ksvc && sid < n - 1,
        u: tid > 0,
        pic: this.pic & 0x7fff,
        tl0: this.pic,
        flexible: this.o.flexible,
        ss: key && sid === 0 ? [180, 360, 720].slice(3 - n) : undefined,
        marker: sid === n - 1,
      };
      out.push(vp9(this.seq++, this.ts, l));
    }
    this.pic++;
    this.ts += 3000;
    return out;
  }
}

function run(r: Receiver, s: Vp9Stream, pictures: number, key = false): Out[] {
  for (let i = 0; i < pictures; i++) for (const b of s.picture(key && i === 0)) r.send(b);
  return r.take();
}

function continuous(out: Out[]): boolean {
  return out.every((o, i) => i === 0 || seqDiff(o.seq, out[i - 1]!.seq) === 1);
}

describe.each([
  ['non-flexible', false],
  ['flexible', true],
])('VP9 SVC selection (%s mode)', (_, flexible) => {
  it('gives a receiver asking the base layer only spatial layer 0, marked as the end of each picture', () => {
    const r = new Receiver();
    r.rw.setTarget(0);
    const s = new Vp9Stream(1000, { ksvc: true, flexible });
    const out = run(r, s, 8, true);
    expect(out.map((o) => o.sid)).toEqual(Array(8).fill(0));
    expect(out.every((o) => o.marker)).toBe(true);
    expect(continuous(out)).toBe(true);
    expect(r.source.vp9SpatialLayers).toBe(3);
    expect([...r.source.vp9Heights.slice(0, 3)]).toEqual([180, 360, 720]);
    expect(r.rw.counters.droppedLayer).toBe(16);
  });

  it('K-SVC at the top layer: a keyframe picture whole, then delta pictures of the top layer only', () => {
    const r = new Receiver();
    r.rw.setTarget(2);
    const s = new Vp9Stream(1000, { ksvc: true, flexible });
    const key = run(r, s, 1, true);
    expect(key.map((o) => [o.sid, o.marker])).toEqual([
      [0, false],
      [1, false],
      [2, true],
    ]);
    const delta = run(r, s, 6);
    expect(delta.map((o) => o.sid)).toEqual(Array(6).fill(2));
    expect(delta.every((o) => o.marker)).toBe(true);
    expect(continuous([...key, ...delta])).toBe(true);
    expect(r.rw.awaitingKeyframe).toBe(false);
  });

  it('full SVC at the middle layer: layers 0 and 1 of every picture, the marker on layer 1', () => {
    const r = new Receiver();
    r.rw.setTarget(1);
    const s = new Vp9Stream(1000, { ksvc: false, flexible });
    const out = run(r, s, 5, true);
    expect(out.map((o) => [o.sid, o.marker])).toEqual(
      Array(5)
        .fill([
          [0, false],
          [1, true],
        ])
        .flat(),
    );
    expect(continuous(out)).toBe(true);
  });
});

describe('VP9 SVC switching', () => {
  it('K-SVC: a spatial switch waits for a keyframe (asked for), the old layer flowing until then', () => {
    const r = new Receiver();
    r.rw.setTarget(2);
    const s = new Vp9Stream(65_500, { ksvc: true });
    // Pictures 0..4: the keyframe, then delta pictures; picture 4 (TL0) breaks layer 0's chain at this receiver.
    const before = run(r, s, 5, true);
    r.rw.setTarget(0);
    const waiting = run(r, s, 3);
    expect(waiting.map((o) => o.sid)).toEqual([2, 2, 2]);
    expect(r.rw.awaitingKeyframe).toBe(true);
    expect(r.rw.keyframeEncoding).toBe(0);
    const after = run(r, s, 4, true);
    expect(after.map((o) => o.sid)).toEqual([0, 0, 0, 0]);
    expect(r.rw.awaitingKeyframe).toBe(false);
    r.rw.setTarget(2);
    const up = [...run(r, s, 2), ...run(r, s, 2, true)];
    expect(up.map((o) => o.sid)).toEqual([0, 0, 0, 1, 2, 2]);
    // Continuous across the switches and the sequence number wrap.
    expect(continuous([...before, ...waiting, ...after, ...up])).toBe(true);
  });

  it('K-SVC: down without a keyframe while the lower layer’s chain is intact (no TL0 frame of it dropped yet)', () => {
    const r = new Receiver();
    r.rw.setTarget(2);
    const s = new Vp9Stream(1000, { ksvc: true });
    run(r, s, 2, true);
    r.rw.setTarget(0);
    // Pictures 2 (T1) and 3 (T2) reference layer 0 of the keyframe, which this receiver has.
    expect(run(r, s, 2).map((o) => o.sid)).toEqual([0, 0]);
    expect(r.rw.awaitingKeyframe).toBe(false);
  });

  it('full SVC: down at once (the lower layers were forwarded all along)', () => {
    const r = new Receiver();
    r.rw.setTarget(2);
    const s = new Vp9Stream(1000, { ksvc: false });
    run(r, s, 3, true);
    r.rw.setTarget(1);
    const out = run(r, s, 2);
    expect(out.map((o) => [o.sid, o.marker])).toEqual([
      [0, false],
      [1, true],
      [0, false],
      [1, true],
    ]);
    expect(r.rw.awaitingKeyframe).toBe(false);
  });

  it('drops temporal layers above the target at once and comes back up at a switching point', () => {
    const r = new Receiver();
    r.rw.setTarget(0, 0);
    const s = new Vp9Stream(1000, { ksvc: true });
    const low = run(r, s, 8, true);
    expect(low.map((o) => o.tid)).toEqual([0, 0]);
    expect(low.map((o) => o.pic)).toEqual([0, 4]);
    r.rw.setTarget(0, -1);
    const all = run(r, s, 4);
    expect(all.map((o) => o.tid)).toEqual([0, 2, 1, 2]);
    expect(continuous([...low, ...all])).toBe(true);
  });

  it('K-SVC at the top layer: temporal layers change without a keyframe too', () => {
    const r = new Receiver();
    r.rw.setTarget(2, -1);
    const s = new Vp9Stream(1000, { ksvc: true });
    run(r, s, 4, true);
    r.rw.setTarget(2, 0);
    const low = run(r, s, 4);
    expect(low.map((o) => [o.sid, o.tid])).toEqual([[2, 0]]);
    r.rw.setTarget(2, -1);
    expect(run(r, s, 4).map((o) => o.tid)).toEqual([0, 2, 1, 2]);
    expect(r.rw.awaitingKeyframe).toBe(false);
  });

  it('forwards nothing before a keyframe, and nothing once turned off', () => {
    const r = new Receiver();
    r.rw.setTarget(0);
    const s = new Vp9Stream();
    expect(run(r, s, 3)).toEqual([]);
    expect(r.rw.awaitingKeyframe).toBe(true);
    expect(run(r, s, 1, true)).toHaveLength(1);
    r.rw.setTarget(NO_ENCODING);
    expect(run(r, s, 2, true)).toEqual([]);
    expect(r.rw.awaitingKeyframe).toBe(false);
  });

  it('never throws on arbitrary VP9 payloads and target changes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 24 }), fc.integer({ min: -1, max: 3 }), fc.boolean()),
          {
            maxLength: 60,
          },
        ),
        (packets) => {
          const r = new Receiver();
          let seq = 0;
          for (const [payload, target, marker] of packets) {
            r.rw.setTarget(target);
            const h = Buffer.alloc(12);
            h[0] = 0x80;
            h[1] = (marker ? 0x80 : 0) | 100;
            h.writeUInt16BE(seq++ & 0xffff, 2);
            const b = Buffer.concat([h, Buffer.from(payload)]);
            if (readPacketMeta(b, 0, b.length, 'vp9', 0, r.meta, r.source)) r.rw.rewrite(b, 0, r.meta, 0);
          }
        },
      ),
    );
  });
});
