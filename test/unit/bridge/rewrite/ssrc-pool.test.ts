import { AudioSlotRewriter, newPacketMeta, readPacketMeta, SsrcPool, StreamRewriter } from '@convene/bridge/rewrite';
import { ReceiverSsrcs, type MappedSource } from '@convene/bridge/forward';

function counter(start = 9000): () => number {
  let n = start;
  return () => n++;
}

const src = (name: string, owner = name.slice(0, 1)) => ({ name, owner });

describe('SsrcPool', () => {
  it('gives new sources free slots, then reuses the least recently used slot not in use', () => {
    const pool = new SsrcPool(2, counter(), true);
    const first = pool.activate([src('a-v0'), src('b-v0')]);
    expect(first.map((s) => [s.source, s.ssrc, s.rtxSsrc])).toEqual([
      ['a-v0', 9000, 9001],
      ['b-v0', 9002, 9003],
    ]);
    // c takes a's slot: a was used before b.
    expect(pool.activate([src('c-v0')]).map((s) => [s.source, s.ssrc])).toEqual([['c-v0', 9000]]);
    expect(pool.slotOf('a-v0')).toBeUndefined();
    // b stays where it is (touched first), a takes c's slot (the only one not in use now).
    expect(pool.activate([src('b-v0'), src('a-v0')]).map((s) => [s.source, s.ssrc])).toEqual([['a-v0', 9000]]);
    expect(pool.slotOf('b-v0')?.ssrc).toBe(9002);
    expect(pool.remaps).toBe(2);
    expect(pool.bySsrc(9003)?.source).toBe('b-v0');
  });

  it('leaves sources beyond the pool unmapped and never takes a slot in use this round', () => {
    const pool = new SsrcPool(2, counter(), false);
    const changed = pool.activate([src('a-v0'), src('b-v0'), src('c-v0')]);
    expect(changed.map((s) => s.source)).toEqual(['a-v0', 'b-v0']);
    expect(pool.slotOf('c-v0')).toBeUndefined();
    expect(pool.slots).toHaveLength(2);
  });

  it('maps one source at a time (audio) and frees a leaver’s slots for reuse first', () => {
    const pool = new SsrcPool(2, counter(), false);
    const a = pool.map(src('a-a0'))!;
    pool.map(src('b-a0'));
    pool.map(src('a-a0')); // a used last: b is the least recently used now
    expect(pool.map(src('c-a0'))!.ssrc).toBe(pool.slotOf('c-a0')!.ssrc);
    expect(pool.slotOf('b-a0')).toBeUndefined();
    expect(pool.slotOf('a-a0')).toBe(a);
    pool.removeOwner('a');
    expect(pool.slotOf('a-a0')).toBeUndefined();
    expect(pool.map(src('d-a0'))).toBe(a);
  });
});

/** A VP8 packet (one-packet frame) with a 15-bit picture id, on sender SSRC `ssrc`. */
function vp8(ssrc: number, seq: number, ts: number, pic: number, key: boolean): Buffer {
  const b = Buffer.alloc(12 + 6 + 4);
  b[0] = 0x80;
  b[1] = 100;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(ts >>> 0, 4);
  b.writeUInt32BE(ssrc, 8);
  b[12] = 0x90;
  b[13] = 0xe0;
  b.writeUInt16BE(0x8000 | (pic & 0x7fff), 14);
  b[16] = 0;
  b[17] = 0;
  b[18] = key ? 0x00 : 0x01;
  return b;
}

describe('ReceiverSsrcs: video slots', () => {
  const meta = newPacketMeta();
  function send(rw: StreamRewriter, b: Buffer, now = 0): { ssrc: number; seq: number; ts: number } | undefined {
    if (!readPacketMeta(b, 0, b.length, 'vp8', 0, meta)) throw new Error('bad test packet');
    if (!rw.rewrite(b, 0, meta, now)) return undefined;
    return { ssrc: b.readUInt32BE(8), seq: b.readUInt16BE(2), ts: b.readUInt32BE(4) };
  }

  it('announces each (re)mapping, and a source taking a slot over continues its numbering across the wrap', () => {
    const maps: Array<[string, MappedSource[]]> = [];
    const pools = new ReceiverSsrcs({ video: 1, audio: 1 }, counter(), (kind, m) => maps.push([kind, m]));
    const a = new StreamRewriter(0);
    const b = new StreamRewriter(0);
    pools.activateVideo([{ name: 'a-v0', owner: 'a', rewriter: a }]);
    expect(maps).toEqual([['video', [{ source: 'a-v0', owner: 'a', ssrc: 9000, rtx: 9001 }]]]);
    a.setTarget(0);
    expect(send(a, vp8(111, 65534, 1000, 5, true))).toEqual({ ssrc: 9000, seq: 65534, ts: 1000 });
    expect(send(a, vp8(111, 65535, 4000, 6, false))).toEqual({ ssrc: 9000, seq: 65535, ts: 4000 });

    // Last-N moves to b: the one slot changes source, announced before any packet of b goes out.
    pools.activateVideo([{ name: 'b-v0', owner: 'b', rewriter: b }]);
    expect(maps[1]).toEqual(['video', [{ source: 'b-v0', owner: 'b', ssrc: 9000, rtx: 9001 }]]);
    expect(a.ssrc).toBe(0);
    expect(send(a, vp8(111, 0, 7000, 7, true))).toBeUndefined();
    b.setTarget(0);
    expect(send(b, vp8(222, 300, 50_000, 90, false), 33)).toBeUndefined(); // waits for a keyframe
    const first = send(b, vp8(222, 301, 53_000, 91, true), 33);
    expect(first).toEqual({ ssrc: 9000, seq: 0, ts: 4000 + 33 * 90 });
    expect(send(b, vp8(222, 302, 56_000, 92, false), 66)).toEqual({ ssrc: 9000, seq: 1, ts: 4000 + 33 * 90 + 3000 });

    // Back to a: it continues the slot from b's last packet, not from its own old numbers.
    pools.activateVideo([{ name: 'a-v0', owner: 'a', rewriter: a }]);
    expect(b.ssrc).toBe(0);
    a.setTarget(0);
    expect(send(a, vp8(111, 10, 90_000, 8, true), 100)?.seq).toBe(2);
    expect(pools.counters.videoRemaps).toBe(2);
    expect(pools.allMappings().video).toEqual([{ source: 'a-v0', owner: 'a', ssrc: 9000, rtx: 9001 }]);

    // a signalled anew (its rewriter replaced): same slot, nothing to announce, numbering goes on.
    const a2 = new StreamRewriter(0);
    pools.activateVideo([{ name: 'a-v0', owner: 'a', rewriter: a2 }]);
    expect(maps).toHaveLength(3);
    expect([a.ssrc, a2.ssrc, a2.rtxSsrc]).toEqual([0, 9000, 9001]);
    a2.setTarget(0);
    expect(send(a2, vp8(111, 500, 1, 1, true), 133)?.seq).toBe(3);
  });
});

describe('ReceiverSsrcs: audio slots', () => {
  function pkt(ssrc: number, seq: number, ts: number): Buffer {
    const b = Buffer.alloc(20);
    b[0] = 0x80;
    b[1] = 111;
    b.writeUInt16BE(seq & 0xffff, 2);
    b.writeUInt32BE(ts >>> 0, 4);
    b.writeUInt32BE(ssrc, 8);
    return b;
  }

  it('takes a slot on a non-silent packet only, and continues the slot’s stream when another source takes it', () => {
    const maps: MappedSource[][] = [];
    const pools = new ReceiverSsrcs({ video: 1, audio: 1 }, counter(500), (_k, m) => maps.push(m));
    expect(pools.audioSlot(11, 'a-a0', 'a', 127)).toBeUndefined(); // silence: no slot taken
    expect(pools.counters.audioSilenceDropped).toBe(1);
    const slot = pools.audioSlot(11, 'a-a0', 'a', 30)!;
    expect(maps).toEqual([[{ source: 'a-a0', owner: 'a', ssrc: 500 }]]);
    let b = pkt(11, 65535, 0xffffff00);
    slot.rewrite(b, 0, 0);
    expect([b.readUInt32BE(8), b.readUInt16BE(2), b.readUInt32BE(4)]).toEqual([500, 65535, 0xffffff00]);
    expect(pools.audioSlot(11, 'a-a0', 'a', 127)).toBe(slot); // mapped: silence still flows
    expect(slot.translateTimestamp(11, 0xffffff00)).toBe(0xffffff00);

    // b speaks: the only slot is remapped, announced, and numbering goes on (wrapping) from a's last packet.
    const again = pools.audioSlot(22, 'b-a0', 'b', 20)!;
    expect(again).toBe(slot);
    expect(maps[1]).toEqual([{ source: 'b-a0', owner: 'b', ssrc: 500 }]);
    b = pkt(22, 1234, 777);
    slot.rewrite(b, 0, 20);
    expect([b.readUInt32BE(8), b.readUInt16BE(2), b.readUInt32BE(4)]).toEqual([500, 0, (0xffffff00 + 960) >>> 0]);
    expect(slot.translateTimestamp(11, 5)).toBe(-1);
    expect(slot.translateTimestamp(22, 777 + 960)).toBe((0xffffff00 + 960 * 2) >>> 0);
    expect(pools.counters.audioRemaps).toBe(1);
  });

  it('keeps a fresh slot’s first stream on its own numbers', () => {
    const s = new AudioSlotRewriter(42);
    s.carry(7);
    const b = pkt(7, 100, 2000);
    s.rewrite(b, 0, 0);
    expect([b.readUInt32BE(8), b.readUInt16BE(2), b.readUInt32BE(4)]).toEqual([42, 100, 2000]);
  });
});
