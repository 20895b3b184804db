import fc from 'fast-check';
import {
  DD_OK,
  DTI_NOT_PRESENT as N,
  DTI_REQUIRED as R,
  av1DecodeTargetFor,
  newAv1FrameInfo,
  newAv1TemplateStructure,
  readAv1DependencyDescriptor,
} from '@convene/bridge/codecs';
import { newPacketMeta, readPacketMeta, seqDiff, StreamRewriter, SvcSource } from '@convene/bridge/rewrite';
import { DD_ID, L2T2_KEY, av1, dd } from './svc-packets.js';

interface Out {
  seq: number;
  frame: number;
  spatial: number;
  marker: boolean;
}

class Receiver {
  readonly rw = new StreamRewriter(1111);
  readonly meta = newPacketMeta();
  readonly out: Out[] = [];
  constructor(readonly source: SvcSource) {}
  send(b: Buffer): boolean {
    if (!readPacketMeta(b, 0, b.length, 'av1', 0, this.meta, this.source, DD_ID)) throw new Error('bad test packet');
    const ok = this.rw.rewrite(b, 0, this.meta, 0);
    if (ok)
      this.out.push({
        seq: b.readUInt16BE(2),
        frame: this.meta.av1.frameNumber,
        spatial: this.meta.spatialId,
        marker: (b[1]! & 0x80) !== 0,
      });
    return ok;
  }
  take(): Out[] {
    return this.out.splice(0);
  }
}

/** The sender: pictures of two layer frames, each frame two packets; `skip` loses frames before the bridge. */
class Av1Stream {
  seq = 65_520;
  pic = 0;
  readonly source = new SvcSource();
  packets(key: boolean): Buffer[] {
    const k = this.pic++;
    const t1 = !key && k % 2 === 1;
    const templates = key ? [0, 3] : t1 ? [2, 5] : [1, 4];
    const out: Buffer[] = [];
    templates.forEach((template, sid) => {
      const frame = 2 * k + sid;
      for (let part = 0; part < 2; part++) {
        const desc = dd(
          { start: part === 0, end: part === 1, template, frame },
          key && sid === 0 && part === 0 ? L2T2_KEY : undefined,
        );
        out.push(av1(this.seq++, k * 3000, desc, sid === 1 && part === 1));
      }
    });
    return out;
  }
}

function run(rs: Receiver[], s: Av1Stream, pictures: number, key = false, lose?: (frame: number) => boolean): void {
  for (let i = 0; i < pictures; i++)
    for (const b of s.packets(key && i === 0)) {
      // A delta frame's number: bytes 1-2 of the descriptor, after the one-byte form's element header.
      if (lose?.(b.readUInt16BE(12 + 4 + 1 + 1)) === true) continue;
      for (const r of rs) r.send(Buffer.from(b));
    }
}

function continuous(out: Out[]): boolean {
  return out.every((o, i) => i === 0 || seqDiff(o.seq, out[i - 1]!.seq) === 1);
}

function frames(out: Out[]): number[] {
  return [...new Set(out.map((o) => o.frame))];
}

describe('AV1 dependency descriptor: structure details', () => {
  it('reads reference distances, chains and which chain protects each decode target', () => {
    const s = newAv1TemplateStructure();
    const f = newAv1FrameInfo();
    const k = dd({ start: true, end: true, template: 0, frame: 0 }, L2T2_KEY);
    expect(readAv1DependencyDescriptor(k, 0, k.length, s, false, f)).toBe(DD_OK);
    expect(s.chainCount).toBe(2);
    expect([...s.protectedBy.slice(0, 4)]).toEqual([0, 0, 1, 1]);
    expect([s.widths[1], s.heights[1]]).toEqual([640, 360]);
    const d = dd({ start: true, end: true, template: 4, frame: 9 });
    expect(readAv1DependencyDescriptor(d, 0, d.length, s, true, f)).toBe(DD_OK);
    expect([f.spatialId, f.temporalId, f.fdiffCount, f.fdiffs[0]]).toEqual([1, 0, 1, 4]);
    expect([...f.chainFdiffs.slice(0, 2)]).toEqual([1, 4]);
    expect([...f.dti.slice(0, 4)]).toEqual([N, N, R, R]);
    expect(av1DecodeTargetFor(s, 0, 1)).toBe(1);
    expect(av1DecodeTargetFor(s, 1, 0)).toBe(2);
  });
});

describe('AV1 SVC selection by decode target', () => {
  it('gives each receiver the frames of its decode target, marked where its frames end, numbered continuously', () => {
    const s = new Av1Stream();
    const base = new Receiver(s.source);
    const top = new Receiver(s.source);
    const baseT0 = new Receiver(s.source);
    base.rw.setTarget(0);
    top.rw.setTarget(1);
    baseT0.rw.setTarget(0, 0);
    run([base, top, baseT0], s, 6, true);
    const b = base.take();
    expect(frames(b)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(b.filter((o) => o.marker).map((o) => o.frame)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(continuous(b)).toBe(true);
    const t = top.take();
    // The keyframe's layer 0, then layer 1 only (K-SVC).
    expect(frames(t)).toEqual([0, 1, 3, 5, 7, 9, 11]);
    expect(t.filter((o) => o.marker).map((o) => o.frame)).toEqual([1, 3, 5, 7, 9, 11]);
    expect(continuous(t)).toBe(true);
    expect(frames(baseT0.take())).toEqual([0, 4, 8]);
    expect(top.rw.svcDecodeTarget).toBe(3);
    expect(s.source.av1Known).toBe(true);
  });

  it('switches temporal layers up at a SWITCH frame whose references it forwarded, without a keyframe', () => {
    const s = new Av1Stream();
    const r = new Receiver(s.source);
    r.rw.setTarget(0, 0);
    run([r], s, 3, true);
    r.rw.setTarget(0, 1);
    run([r], s, 4);
    // Frame 6 (T1) is only discardable for S0T1; frame 8 (T0) is its switch point.
    expect(frames(r.take())).toEqual([0, 4, 8, 10, 12]);
    expect(r.rw.svcDecodeTarget).toBe(1);
    expect(r.rw.awaitingKeyframe).toBe(false);
  });

  it('a spatial switch up needs a keyframe (asked for); the old decode target flows until it comes', () => {
    const s = new Av1Stream();
    const r = new Receiver(s.source);
    r.rw.setTarget(0);
    run([r], s, 2, true);
    r.take();
    r.rw.setTarget(1);
    run([r], s, 2);
    expect(frames(r.take())).toEqual([4, 6]);
    expect(r.rw.awaitingKeyframe).toBe(true);
    run([r], s, 2, true);
    expect(frames(r.take())).toEqual([8, 9, 11]);
    expect(r.rw.awaitingKeyframe).toBe(false);
  });

  it('a broken chain (a frame lost before the bridge) asks for a keyframe', () => {
    const s = new Av1Stream();
    const r = new Receiver(s.source);
    r.rw.setTarget(0);
    run([r], s, 2, true);
    expect(r.rw.awaitingKeyframe).toBe(false);
    run([r], s, 3, false, (fn) => fn === 4);
    expect(r.rw.awaitingKeyframe).toBe(true);
  });

  it('forwards nothing until the template structure is known', () => {
    const s = new Av1Stream();
    s.pic = 1;
    const r = new Receiver(s.source);
    r.rw.setTarget(0);
    run([r], s, 3);
    expect(r.take()).toEqual([]);
    expect(r.rw.awaitingKeyframe).toBe(true);
    run([r], s, 1, true);
    expect(frames(r.take())).toEqual([8]);
  });

  it('never throws on arbitrary dependency descriptors, structures included', () => {
    const key = dd({ start: true, end: true, template: 0, frame: 0 }, L2T2_KEY);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ minLength: 3, maxLength: 40 }), fc.integer({ min: -1, max: 2 })), {
          maxLength: 40,
        }),
        fc.boolean(),
        (packets, known) => {
          const source = new SvcSource();
          const r = new Receiver(source);
          r.rw.setTarget(1);
          if (known) r.send(av1(0, 0, key));
          let seq = 1;
          for (const [desc, target] of packets) {
            r.rw.setTarget(target);
            const b = av1(seq++, 0, Buffer.from(desc));
            if (readPacketMeta(b, 0, b.length, 'av1', 0, r.meta, source, DD_ID)) r.rw.rewrite(b, 0, r.meta, 0);
          }
        },
      ),
    );
  });
});

describe('AV1 SVC switching down', () => {
  it('a spatial switch down in K-SVC needs a keyframe: the lower layer’s chain never reached the receiver', () => {
    const s = new Av1Stream();
    const r = new Receiver(s.source);
    r.rw.setTarget(1);
    run([r], s, 3, true);
    r.take();
    r.rw.setTarget(0);
    run([r], s, 2);
    expect(frames(r.take())).toEqual([7, 9]);
    expect(r.rw.awaitingKeyframe).toBe(true);
    run([r], s, 2, true);
    expect(frames(r.take())).toEqual([10, 12]);
  });
});

describe('AV1 active decode targets', () => {
  it('a receiver whose decode target the sender turned off moves to the best active one', () => {
    const s = new Av1Stream();
    const r = new Receiver(s.source);
    r.rw.setTarget(1);
    run([r], s, 2, true);
    expect(r.rw.svcDecodeTarget).toBe(3);
    // The sender stops layer 1: its next frame (layer 0, T0, referencing the keyframe the receiver has) says only
    // S0T0 and S0T1 are active, and is a switch point to S0T1.
    const off = dd({ start: true, end: true, template: 1, frame: 4, active: 0b0011, dts: 4 });
    expect(r.send(av1(s.seq++, 6000, off, true))).toBe(true);
    expect(s.source.av1Active).toBe(0b0011);
    expect(r.rw.svcDecodeTarget).toBe(1);
    expect(r.rw.awaitingKeyframe).toBe(false);
    // A keyframe that keeps saying so keeps the receiver there, its layer 1 frame not forwarded.
    const key = dd({ start: true, end: true, template: 0, frame: 6, active: 0b0011 }, L2T2_KEY);
    expect(r.send(av1(s.seq++, 9000, key))).toBe(true);
    expect(r.send(av1(s.seq++, 9000, dd({ start: true, end: true, template: 3, frame: 7 }), true))).toBe(false);
    expect(r.rw.svcDecodeTarget).toBe(1);
    // A keyframe with every layer active brings layer 1 back.
    run([r], s, 1, true);
    expect(r.rw.svcDecodeTarget).toBe(3);
  });
});
