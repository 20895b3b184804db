// Reading transport-cc feedback: what our writer (TwccFeedback) and an independent one (werift-rtp's
// TransportWideCC, status vectors included) wrote must come out as the statuses and arrival times put in.
import { RecvDelta, RtcpHeader, RunLengthChunk, StatusVectorChunk, TransportWideCC } from 'werift-rtp';
import { TwccFeedback } from '../../../../bridge/src/rtp/twcc-feedback.js';
import { TwccReport } from '../../../../bridge/src/rtp/twcc-report.js';

describe('TwccReport', () => {
  it('reads what TwccFeedback wrote: losses, small and large deltas, padding', () => {
    const tw = new TwccFeedback();
    const arrivals = new Map<number, number>();
    let at = 1000;
    for (let seq = 65500; seq < 65500 + 120; seq++) {
      if (seq % 7 === 3) continue; // lost
      at += seq % 11 === 0 ? 90 : 2.25; // a few deltas too large for one byte
      tw.onPacket(seq & 0xffff, at, 42);
      arrivals.set(seq & 0xffff, at);
    }
    const buf = Buffer.alloc(1500);
    const n = tw.write(buf, 0, 7);
    const r = new TwccReport();
    expect(r.read(buf, 0, n)).toBe(true);
    expect(r.base).toBe(65500);
    expect(r.mediaSsrc).toBe(42);
    expect(r.count).toBe(120);
    let offset: number | undefined;
    for (let i = 0; i < r.count; i++) {
      const seq = (r.base + i) & 0xffff;
      const want = arrivals.get(seq);
      if (want === undefined) {
        expect(r.arrivalMs[i]).toBeNaN();
        continue;
      }
      // Times come back on the reference grid (250 µs ticks), shifted by the same offset throughout.
      offset ??= r.arrivalMs[i]! - want;
      expect(Math.abs(r.arrivalMs[i]! - want - offset)).toBeLessThanOrEqual(0.25);
    }
  });

  it('reads werift-rtp run-length and two-bit status vector chunks', () => {
    const fb = new TransportWideCC({
      senderSsrc: 1,
      mediaSourceSsrc: 2,
      baseSequenceNumber: 100,
      packetStatusCount: 10,
      referenceTime: 10,
      fbPktCount: 3,
      packetChunks: [
        new RunLengthChunk({ packetStatus: 1, runLength: 3 }),
        new StatusVectorChunk({ type: 1, symbolSize: 1, symbolList: [0, 2, 1, 0, 1, 0, 0] }),
      ],
      recvDeltas: [1000, 250, 500, 20_000, 750, 1250].map(
        (delta, i) => new RecvDelta({ delta, type: i === 3 ? 2 : 1 }),
      ),
    });
    const buf = fb.serialize();
    const header = RtcpHeader.deSerialize(buf);
    expect(header.type).toBe(205);
    const r = new TwccReport();
    expect(r.read(buf, 0, buf.length)).toBe(true);
    expect(r.base).toBe(100);
    expect(r.feedbackCount).toBe(3);
    const got = Array.from(r.arrivalMs.subarray(0, r.count), (a) => (Number.isNaN(a) ? null : a - 640));
    expect(got).toEqual([1, 1.25, 1.75, null, 21.75, 22.5, null, 23.75, null, null]);
  });

  it('refuses truncated feedback', () => {
    const tw = new TwccFeedback();
    for (let s = 0; s < 50; s++) tw.onPacket(s, 10 + s, 1);
    const buf = Buffer.alloc(1500);
    const n = tw.write(buf, 0, 7);
    const r = new TwccReport();
    for (const cut of [4, 19, 22, n - 8]) expect(r.read(buf, 0, cut)).toBe(false);
  });
});
