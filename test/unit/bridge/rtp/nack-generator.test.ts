// NACKs for a sender's uplink loss, decoded by an independent parser (werift-rtp's GenericNack).
import { GenericNack, RtcpHeader } from 'werift-rtp';
import { NackGenerator } from '../../../../bridge/src/rtp/nack-generator.js';

function lostOf(buf: Buffer): { media: number; lost: number[] } {
  const nack = GenericNack.deSerialize(buf.subarray(4), RtcpHeader.deSerialize(buf));
  return { media: nack.mediaSourceSsrc, lost: nack.lost };
}

function drain(g: NackGenerator, now: number): Array<{ media: number; lost: number[] }> {
  const out: Array<{ media: number; lost: number[] }> = [];
  const buf = Buffer.alloc(1500);
  for (let n = g.write(buf, 0, 1, now); n > 0; n = g.write(buf, 0, 1, now)) out.push(lostOf(buf.subarray(0, n)));
  return out;
}

describe('NackGenerator', () => {
  it('asks for each gap after a reorder wait, again after the retry interval, at most three times', () => {
    const g = new NackGenerator();
    for (const seq of [0, 1, 2, 4, 5, 9, 10]) g.onPacket(77, seq, 1000);
    expect(drain(g, 1010)).toEqual([]); // still within the reorder wait
    expect(drain(g, 1030)).toEqual([{ media: 77, lost: [3, 6, 7, 8] }]);
    expect(drain(g, 1060)).toEqual([]); // asked 30 ms ago
    g.onPacket(77, 7, 1070); // 7 came after all
    expect(drain(g, 1140)).toEqual([{ media: 77, lost: [3, 6, 8] }]);
    expect(drain(g, 1250)).toEqual([{ media: 77, lost: [3, 6, 8] }]);
    expect(drain(g, 1400)).toEqual([]); // three times each: given up
    expect(g.counters).toMatchObject({ nacked: 10, recovered: 1, givenUp: 3 });
  });

  it('reorders are no loss; a wrap is followed; a big jump starts a new run instead of a storm', () => {
    const g = new NackGenerator();
    for (const seq of [65533, 65535, 65534, 0, 1]) g.onPacket(5, seq, 0);
    expect(drain(g, 100)).toEqual([]);
    g.onPacket(5, 3, 0);
    g.onPacket(5, 20_000, 0);
    expect(drain(g, 100)).toEqual([]);
    g.onPacket(5, 20_002, 0);
    expect(drain(g, 200)).toEqual([{ media: 5, lost: [20_001] }]);
  });

  it('writes one NACK per stream, items of PID and bitmask spanning more than 16', () => {
    const g = new NackGenerator();
    g.onPacket(1, 0, 0);
    g.onPacket(1, 40, 0); // 1..39 missing
    g.onPacket(2, 100, 0);
    g.onPacket(2, 102, 0);
    const got = drain(g, 50);
    expect(got).toEqual([
      { media: 1, lost: Array.from({ length: 39 }, (_, i) => i + 1) },
      { media: 2, lost: [101] },
    ]);
  });
});
