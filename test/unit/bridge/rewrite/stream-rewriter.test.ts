import fc from 'fast-check';
import { newPacketMeta, readPacketMeta, seqDiff, StreamRewriter, NO_ENCODING } from '@convene/bridge/rewrite';
import { newVp8Info, readVp8 } from '@convene/bridge/codecs';

const RECEIVER_SSRC = 1111;

/** One VP8 packet of encoding `enc`: 12-byte header, descriptor with 15-bit picture id, TL0PICIDX, TID. */
function vp8(
  seq: number,
  ts: number,
  o: { pic: number; tl0: number; tid?: number; key?: boolean; start?: boolean; sync?: boolean },
): Buffer {
  const b = Buffer.alloc(12 + 6 + 4);
  b[0] = 0x80;
  b[1] = 100;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(ts >>> 0, 4);
  b.writeUInt32BE(5555, 8);
  b[12] = 0x80 | (o.start === false ? 0 : 0x10);
  b[13] = 0xe0;
  b.writeUInt16BE(0x8000 | (o.pic & 0x7fff), 14);
  b[16] = o.tl0 & 0xff;
  b[17] = ((o.tid ?? 0) << 6) | (o.sync === true ? 0x20 : 0);
  b[18] = o.key === true ? 0x00 : 0x01;
  return b;
}

interface Out {
  seq: number;
  ts: number;
  ssrc: number;
  pic: number;
  tl0: number;
}

class Harness {
  readonly rw = new StreamRewriter(RECEIVER_SSRC);
  readonly meta = newPacketMeta();
  readonly out: Out[] = [];
  now = 0;
  send(enc: number, b: Buffer): boolean {
    if (!readPacketMeta(b, 0, b.length, 'vp8', enc, this.meta)) throw new Error('bad test packet');
    const ok = this.rw.rewrite(b, 0, this.meta, this.now);
    if (ok) {
      const v = newVp8Info();
      readVp8(b, 12, b.length, v);
      this.out.push({
        seq: b.readUInt16BE(2),
        ts: b.readUInt32BE(4),
        ssrc: b.readUInt32BE(8),
        pic: v.pictureId,
        tl0: v.tl0PicIdx,
      });
    }
    return ok;
  }
}

/** Three simulcast encodings with unrelated numbering, each frame one packet. */
function frames(enc: number, n: number, from: number, key: boolean): Buffer[] {
  const base = [
    { s: 100, t: 1000, p: 10, l: 3 },
    { s: 40000, t: 7e8, p: 30000, l: 200 },
    { s: 65530, t: 4294967000, p: 32760, l: 254 },
  ][enc]!;
  return Array.from({ length: n }, (_, i) =>
    vp8(base.s + from + i, base.t + (from + i) * 3000, {
      pic: base.p + from + i,
      tl0: base.l + from + i,
      key: key && i === 0,
    }),
  );
}

function expectContinuous(out: Out[]): void {
  for (let i = 1; i < out.length; i++) {
    expect(seqDiff(out[i]!.seq, out[i - 1]!.seq)).toBe(1);
    expect((out[i]!.ts - out[i - 1]!.ts) | 0).toBeGreaterThan(0);
    expect((out[i]!.pic - out[i - 1]!.pic) & 0x7fff).toBe(1);
    expect((out[i]!.tl0 - out[i - 1]!.tl0) & 0xff).toBe(1);
  }
}

describe('StreamRewriter', () => {
  it('forwards nothing before a target, then starts on a keyframe of it', () => {
    const h = new Harness();
    expect(h.send(0, frames(0, 1, 0, true)[0]!)).toBe(false);
    h.rw.setTarget(0);
    expect(h.rw.awaitingKeyframe).toBe(true);
    expect(h.send(0, frames(0, 1, 1, false)[0]!)).toBe(false);
    for (const p of frames(0, 3, 2, true)) expect(h.send(0, p)).toBe(true);
    expect(h.out.every((o) => o.ssrc === RECEIVER_SSRC)).toBe(true);
    expect(h.rw.awaitingKeyframe).toBe(false);
  });

  it('switches up only on a keyframe of the target, continuously across wrap-arounds', () => {
    const h = new Harness();
    h.rw.setTarget(0);
    for (const p of frames(0, 5, 0, true)) h.send(0, p);
    h.rw.setTarget(2);
    // Encoding 2 delta frames are dropped while encoding 0 keeps flowing.
    for (const p of frames(2, 3, 0, false)) expect(h.send(2, p)).toBe(false);
    for (const p of frames(0, 2, 5, false)) expect(h.send(0, p)).toBe(true);
    h.now += 33;
    for (const p of frames(2, 10, 3, true)) expect(h.send(2, p)).toBe(true); // wraps seq, ts, pic and tl0
    // The old encoding is dropped after the switch.
    expect(h.send(0, frames(0, 1, 7, false)[0]!)).toBe(false);
    expect(h.out).toHaveLength(17);
    expectContinuous(h.out);
    expect(h.rw.counters.switches).toBe(2);
  });

  it('switches down on the lower keyframe and stops at once when turned off', () => {
    const h = new Harness();
    h.rw.setTarget(2);
    for (const p of frames(2, 4, 0, true)) h.send(2, p);
    h.rw.setTarget(1);
    expect(h.send(2, frames(2, 1, 4, false)[0]!)).toBe(true); // until the keyframe, the higher one continues
    for (const p of frames(1, 3, 0, true)) expect(h.send(1, p)).toBe(true);
    expectContinuous(h.out);
    h.rw.setTarget(NO_ENCODING);
    expect(h.send(1, frames(1, 1, 3, false)[0]!)).toBe(false);
  });

  it('drops temporal layers above the target without leaving sequence gaps, and goes back up at a sync frame', () => {
    const h = new Harness();
    h.rw.setTarget(0, 0);
    const tids = [0, 2, 1, 2, 0, 2, 1, 2];
    let i = 0;
    const next = (tid: number, sync = false, key = false): Buffer =>
      vp8(500 + i, 9000 + 3000 * i, { pic: 7 + i, tl0: 1 + Math.floor(i++ / 4), tid, key, sync });
    h.send(0, next(0, false, true));
    for (const t of tids.slice(1)) h.send(0, next(t));
    expect(h.out).toHaveLength(2);
    expect(seqDiff(h.out[1]!.seq, h.out[0]!.seq)).toBe(1);
    h.rw.setTarget(0, 2);
    h.send(0, next(2)); // no sync: still dropped
    expect(h.out).toHaveLength(2);
    h.send(0, next(1, true)); // layer sync: up
    h.send(0, next(2));
    expect(h.out).toHaveLength(4);
    for (let k = 1; k < h.out.length; k++) expect(seqDiff(h.out[k]!.seq, h.out[k - 1]!.seq)).toBe(1);
  });

  it('maps reordered and lost packets of the forwarded encoding like the input', () => {
    const h = new Harness();
    h.rw.setTarget(0);
    const ps = frames(0, 6, 0, true);
    for (const k of [0, 2, 1, 4, 5]) h.send(0, ps[k]!); // 1 late, 3 lost
    const seqs = h.out.map((o) => o.seq);
    expect(seqs.map((s) => seqDiff(s, seqs[0]!))).toEqual([0, 2, 1, 4, 5]);
  });

  it('drops packets of the new encoding older than its switching keyframe', () => {
    const h = new Harness();
    h.rw.setTarget(1);
    const ps = frames(1, 4, 0, false);
    ps[1] = vp8(40001, 7e8 + 3000, { pic: 30001, tl0: 201, key: true });
    expect(h.send(1, ps[1])).toBe(true);
    expect(h.send(1, ps[0]!)).toBe(false);
    expect(h.rw.counters.droppedStale).toBe(1);
  });

  it('translates an SR timestamp only for the encoding it forwards', () => {
    const h = new Harness();
    h.rw.setTarget(0);
    for (const p of frames(0, 2, 0, true)) h.send(0, p);
    h.rw.setTarget(1);
    h.now += 40;
    for (const p of frames(1, 2, 0, true)) h.send(1, p);
    const inTs = 7e8 + 3000;
    expect(h.rw.translateTimestamp(1, inTs)).toBe(h.out[3]!.ts);
    expect(h.rw.translateTimestamp(0, 1000)).toBe(-1);
  });

  it('never throws and keeps output continuous for any switch pattern', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ enc: fc.integer({ min: 0, max: 2 }), target: fc.integer({ min: -1, max: 2 }) }), {
          minLength: 1,
          maxLength: 30,
        }),
        (steps) => {
          const h = new Harness();
          const pos = [0, 0, 0];
          for (const s of steps) {
            h.rw.setTarget(s.target);
            const p = frames(s.enc, 1, pos[s.enc]!, pos[s.enc]! % 3 === 0)[0]!;
            pos[s.enc]!++;
            h.now += 33;
            h.send(s.enc, p);
          }
          expectContinuous(h.out);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('StreamRewriter on a packet shared by receivers', () => {
  it('a receiver whose mapping is the identity still gets the original bytes after another rewrote them', () => {
    const meta = newPacketMeta();
    const moved = new StreamRewriter(RECEIVER_SSRC);
    const plain = new StreamRewriter(5555);
    // `moved` forwarded encoding 1 first, so its mapping of encoding 0 is shifted; `plain` starts on encoding 0.
    moved.setTarget(1);
    const e1 = vp8(40000, 7e8, { pic: 30000, tl0: 200, key: true });
    readPacketMeta(e1, 0, e1.length, 'vp8', 1, meta);
    moved.rewrite(e1, 0, meta, 0);
    moved.setTarget(0);
    plain.setTarget(0);
    const p = vp8(100, 1000, { pic: 10, tl0: 3, key: true });
    const original = Buffer.from(p);
    readPacketMeta(p, 0, p.length, 'vp8', 0, meta);
    expect(moved.rewrite(p, 0, meta, 33)).toBe(true);
    expect(p.equals(original)).toBe(false);
    expect(plain.rewrite(p, 0, meta, 33)).toBe(true);
    expect(p.equals(original)).toBe(true);
  });
});
