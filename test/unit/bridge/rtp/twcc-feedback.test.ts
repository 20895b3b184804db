// Our transport-cc feedback against an independent parser (werift-rtp's TransportWideCC): every packet's
// received flag and arrival time must come out as recorded, across losses, reordering, wraps and big gaps.
import { RtcpHeader, RunLengthChunk, TransportWideCC } from 'werift-rtp';
import { findHeaderExtension } from '@convene/bridge/rtp';
import { TwccFeedback } from '../../../../bridge/src/rtp/twcc-feedback.js';

const SENDER = 0x11223344;

interface Decoded {
  base: number;
  count: number;
  fbCount: number;
  /** Per status, in order: arrival in ms from the reference, or undefined when not received. */
  arrivals: Array<number | undefined>;
  referenceMs: number;
}

function decode(buf: Buffer): Decoded {
  expect(buf.length % 4).toBe(0);
  expect(buf[0]! & 0x1f).toBe(15);
  expect(buf[1]).toBe(205);
  expect((buf.readUInt16BE(2) + 1) * 4).toBe(buf.length);
  expect(buf.readUInt32BE(4)).toBe(SENDER);
  const header = RtcpHeader.deSerialize(buf);
  const fb = TransportWideCC.deSerialize(buf.subarray(4), header);
  const referenceMs = fb.referenceTime * 64;
  // Statuses from werift's chunks (its packetResults reads run-length chunks only), cut at the status count.
  const statuses: number[] = [];
  for (const chunk of fb.packetChunks) {
    if (chunk instanceof RunLengthChunk) for (let i = 0; i < chunk.runLength; i++) statuses.push(chunk.packetStatus);
    else statuses.push(...chunk.symbolList);
  }
  let t = referenceMs;
  let d = 0;
  const arrivals = statuses.slice(0, fb.packetStatusCount).map((st) => {
    if (st === 0) return undefined;
    t += fb.recvDeltas[d++]!.delta / 1000;
    return t;
  });
  return { base: fb.baseSequenceNumber, count: fb.packetStatusCount, fbCount: fb.fbPktCount, arrivals, referenceMs };
}

function drain(tw: TwccFeedback): Decoded[] {
  const out: Decoded[] = [];
  const buf = Buffer.alloc(1500);
  for (let n = tw.write(buf, 0, SENDER); n > 0; n = tw.write(buf, 0, SENDER)) out.push(decode(buf.subarray(0, n)));
  return out;
}

/** seq -> arrival ms of everything the feedback says arrived. */
function arrivalsOf(list: Decoded[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const f of list)
    f.arrivals.forEach((a, i) => {
      if (a !== undefined) m.set((f.base + i) & 0xffff, a);
    });
  return m;
}

describe('TwccFeedback', () => {
  it('reports every packet of an in-order run with its arrival time (250 µs resolution)', () => {
    const tw = new TwccFeedback();
    const sent = new Map<number, number>();
    for (let i = 0; i < 100; i++) {
      const at = 1000.3 + i * 3.37;
      tw.onPacket(500 + i, at, 42);
      sent.set(500 + i, at);
    }
    const got = drain(tw);
    expect(got).toHaveLength(1);
    expect(got[0]!.base).toBe(500);
    expect(got[0]!.count).toBe(100);
    for (const [seq, at] of arrivalsOf(got)) expect(Math.abs(at - sent.get(seq)!)).toBeLessThanOrEqual(0.125 + 1e-9);
    expect(arrivalsOf(got).size).toBe(100);
    expect(drain(tw)).toEqual([]); // nothing twice
  });

  it('marks losses as not received, and keeps a trailing loss for the next feedback', () => {
    const tw = new TwccFeedback();
    const lost = new Set([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 31]);
    for (let i = 0; i < 30; i++) if (!lost.has(i)) tw.onPacket(i, 50 + i, 1);
    const first = drain(tw);
    expect(first[0]!.count).toBe(30);
    expect(first[0]!.arrivals.map((a) => a !== undefined)).toEqual(Array.from({ length: 30 }, (_, i) => !lost.has(i)));
    // 30 arrives, 31 is lost, 32 arrives: 31 is reported as lost only once something after it arrived.
    tw.onPacket(30, 90, 1);
    const second = drain(tw);
    expect(second[0]!.base).toBe(30);
    expect(second[0]!.count).toBe(1);
    tw.onPacket(32, 95, 1);
    const third = drain(tw);
    expect(third[0]!.base).toBe(31);
    expect(third[0]!.arrivals.map((a) => a !== undefined)).toEqual([false, true]);
    expect(third[0]!.fbCount).toBe(2);
  });

  it('uses large (signed) deltas for reordering and long gaps, and starts a new feedback past their range', () => {
    const tw = new TwccFeedback();
    tw.onPacket(10, 100, 1);
    tw.onPacket(12, 101, 1);
    tw.onPacket(11, 100.5, 1); // reordered: arrives after 12, reported in sequence order with a negative delta
    tw.onPacket(13, 300, 1); // 199 ms later: a large delta
    tw.onPacket(14, 20_000, 1); // beyond a 16-bit delta (8.19 s): the next feedback carries it
    const got = drain(tw);
    expect(got.map((f) => [f.base, f.count])).toEqual([
      [10, 4],
      [14, 1],
    ]);
    const at = arrivalsOf(got);
    expect(at.get(11)).toBeCloseTo(100.5, 3);
    expect(at.get(13)).toBeCloseTo(300, 3);
    expect(at.get(14)).toBeCloseTo(20_000, 3);
  });

  it('unwraps the 16-bit sequence and ignores packets that arrive after being reported', () => {
    const tw = new TwccFeedback();
    for (let s = 65530; s < 65536; s++) tw.onPacket(s, s - 65000, 1);
    expect(drain(tw)[0]!.count).toBe(6);
    for (let s = 0; s < 5; s++) tw.onPacket(s, 600 + s, 1);
    tw.onPacket(65533, 700, 1); // already reported
    const got = drain(tw);
    expect(got[0]!.base).toBe(0);
    expect(got[0]!.count).toBe(5);
    expect(tw.counters.late).toBe(1);
  });

  it('splits a long backlog into packets of at most 400 statuses, each under 1200 bytes', () => {
    const tw = new TwccFeedback();
    // Mixed statuses (every chunk kind): alternate small and large deltas with losses.
    let t = 0;
    for (let i = 0; i < 1000; i++) {
      t += i % 5 === 0 ? 100 : 1;
      if (i % 7 !== 3) tw.onPacket(i, t, 1);
    }
    const buf = Buffer.alloc(1500);
    const sizes: number[] = [];
    const decoded: Decoded[] = [];
    for (let n = tw.write(buf, 0, SENDER); n > 0; n = tw.write(buf, 0, SENDER)) {
      sizes.push(n);
      decoded.push(decode(buf.subarray(0, n)));
    }
    expect(decoded.map((d) => d.count)).toEqual([400, 400, 200]);
    for (const n of sizes) expect(n).toBeLessThanOrEqual(1200);
    const at = arrivalsOf(decoded);
    expect(at.size).toBe(1000 - Math.floor((1000 - 4) / 7) - 1);
  });
});

describe('findHeaderExtension', () => {
  function rtpWith(extensions: Buffer, profile: number): Buffer {
    const header = Buffer.alloc(12);
    header[0] = 0x90; // version 2, X bit
    const ext = Buffer.alloc(4);
    ext.writeUInt16BE(profile, 0);
    ext.writeUInt16BE(extensions.length / 4, 2);
    return Buffer.concat([header, ext, extensions, Buffer.from('payload')]);
  }

  it('finds a one-byte element after others and padding', () => {
    // id 1 (1 byte), padding, id 3 (2 bytes: the transport-wide seq 0x1234), padding to 4
    const p = rtpWith(Buffer.from([0x10, 0xaa, 0x00, 0x31, 0x12, 0x34, 0x00, 0x00]), 0xbede);
    const at = findHeaderExtension(p, 0, p.length, 3, 2);
    expect(p.readUInt16BE(at)).toBe(0x1234);
    expect(findHeaderExtension(p, 0, p.length, 1, 2)).toBe(-1); // too short for two bytes
    expect(findHeaderExtension(p, 0, p.length, 5, 2)).toBe(-1);
  });

  it('finds a two-byte element, and refuses blocks that overrun the packet', () => {
    const p = rtpWith(Buffer.from([0x07, 0x02, 0xbe, 0xef]), 0x1000);
    expect(p.readUInt16BE(findHeaderExtension(p, 0, p.length, 7, 2))).toBe(0xbeef);
    const cut = p.subarray(0, 17);
    expect(findHeaderExtension(cut, 0, cut.length, 7, 2)).toBe(-1);
  });
});
