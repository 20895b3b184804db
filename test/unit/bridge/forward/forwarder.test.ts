import { Forwarder, ForwardingTable, type MediaSink } from '@convene/bridge/forward';

class FakeSink implements MediaSink {
  ready = true;
  readonly rtp: Buffer[] = [];
  readonly rtcp: Buffer[] = [];
  readonly srs: Array<[number, number]> = [];
  constructor(readonly name: string) {}
  readonly tccAt: number[] = [];
  sendRtp(buf: Buffer, off: number, len: number, tccAt = -1): void {
    this.rtp.push(Buffer.from(buf.subarray(off, off + len)));
    this.tccAt.push(tccAt);
  }
  sendRtcp(buf: Buffer, off: number, len: number): void {
    this.rtcp.push(Buffer.from(buf.subarray(off, off + len)));
  }
  readonly nacks: Array<[number, number, number]> = [];
  noteSenderReport(ssrc: number, ntpMiddle: number): void {
    this.srs.push([ssrc, ntpMiddle]);
  }
  retransmit(ssrc: number, pid: number, blp: number): void {
    this.nacks.push([ssrc, pid, blp]);
  }
  readonly rtx: Array<{ ssrc: number; pt: number; seq: number }> = [];
  readonly feedback: Buffer[] = [];
  forwardedRtx = 0;
  readonly recovered: Array<{ rtxSsrc: number; pt: number; ssrc: number; seq: number }> = [];
  readonly downlink = {
    forwardRtx: (buf: Buffer, off: number, len: number) => {
      this.forwardedRtx++;
      this.sendRtp(buf, off, len);
    },
    forwardRecovered: (buf: Buffer, off: number, _len: number, rtxSsrc: number, pt: number) => {
      this.forwardedRtx++;
      this.recovered.push({ rtxSsrc, pt, ssrc: buf.readUInt32BE(off + 8), seq: buf.readUInt16BE(off + 2) });
    },
    sendRtx: (buf: Buffer, off: number, _len: number, ssrc: number, pt: number) =>
      this.rtx.push({ ssrc, pt, seq: buf.readUInt16BE(off + 2) }),
    onFeedback: (buf: Buffer, off: number, len: number) =>
      this.feedback.push(Buffer.from(buf.subarray(off, off + len))),
  };
}

function rtp(ssrc: number, seq = 1): Buffer {
  const b = Buffer.alloc(20);
  b[0] = 0x80;
  b[1] = 96;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(ssrc, 8);
  return b;
}

function sr(ssrc: number, blocks: number): Buffer {
  const b = Buffer.alloc(28 + 24 * blocks);
  b[0] = 0x80 | blocks;
  b[1] = 200;
  b.writeUInt16BE(b.length / 4 - 1, 2);
  b.writeUInt32BE(ssrc, 4);
  b.writeUInt32BE(0x11223344, 8); // NTP seconds
  b.writeUInt32BE(0x55667788, 12); // NTP fraction
  return b;
}

function psfb(fmt: number, sender: number, media: number): Buffer {
  const fir = fmt === 4;
  const b = Buffer.alloc(fir ? 20 : 12);
  b[0] = 0x80 | fmt;
  b[1] = 206;
  b.writeUInt16BE(b.length / 4 - 1, 2);
  b.writeUInt32BE(sender, 4);
  if (fir) b.writeUInt32BE(media, 12);
  else b.writeUInt32BE(media, 8);
  return b;
}

function rr(sender: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = 0x80;
  b[1] = 201;
  b.writeUInt16BE(1, 2);
  b.writeUInt32BE(sender, 4);
  return b;
}

function conference(names: string[]): { table: ForwardingTable; fwd: Forwarder; sinks: FakeSink[] } {
  const table = new ForwardingTable();
  const sinks = names.map((n) => new FakeSink(n));
  for (const s of sinks) table.addMember(s);
  sinks.forEach((s, i) => table.setSources(s, [{ ssrc: 100 + i, kind: 'video' }]));
  return { table, fwd: new Forwarder(table), sinks };
}

describe('Forwarder', () => {
  it('sends RTP unchanged to every other ready member when the sender owns the SSRC', () => {
    const { fwd, sinks } = conference(['a', 'b', 'c']);
    const [a, b, c] = sinks as [FakeSink, FakeSink, FakeSink];
    c.ready = false;
    const p = rtp(100, 7);
    fwd.onRtp(a, p, 0, p.length);
    expect(a.rtp).toHaveLength(0);
    expect(b.rtp).toEqual([p]);
    expect(c.rtp).toHaveLength(0);
    expect(fwd.counters.rtpForwarded).toBe(1);
  });

  it("hands a receiver's NACK items to that receiver's own pipeline, never to the sender", () => {
    const { fwd, sinks } = conference(['a', 'b']);
    const [a, b] = sinks as [FakeSink, FakeSink];
    // RTPFB FMT 1 from b about a's SSRC 100: two items (PID 7, BLP 0b101; PID 40, BLP 0).
    const nack = Buffer.alloc(20);
    nack[0] = 0x81;
    nack[1] = 205;
    nack.writeUInt16BE(4, 2);
    nack.writeUInt32BE(0xb, 4);
    nack.writeUInt32BE(100, 8);
    nack.writeUInt16BE(7, 12);
    nack.writeUInt16BE(0b101, 14);
    nack.writeUInt16BE(40, 16);
    fwd.onRtcp(b, nack, 0, nack.length);
    expect(b.nacks).toEqual([
      [100, 7, 0b101],
      [100, 40, 0],
    ]);
    expect(a.nacks).toEqual([]);
    expect(a.rtcp).toEqual([]);
    expect(fwd.counters.nackItemsReceived).toBe(2);
  });

  it('drops and counts unknown SSRCs, SSRCs of another member and malformed packets', () => {
    const { fwd, sinks } = conference(['a', 'b']);
    const [a, b] = sinks as [FakeSink, FakeSink];
    fwd.onRtp(a, rtp(999), 0, 20);
    fwd.onRtp(a, rtp(101), 0, 20); // b's SSRC sent by a
    fwd.onRtp(a, Buffer.alloc(8), 0, 8);
    expect(b.rtp).toHaveLength(0);
    expect(fwd.counters).toMatchObject({ dropUnknownSsrc: 1, dropNotOwner: 1, dropMalformed: 1, rtpForwarded: 0 });
  });

  it('never crosses from one conference table to another', () => {
    const one = conference(['a', 'b']);
    const two = conference(['c', 'd']);
    const p = rtp(100);
    one.fwd.onRtp(one.sinks[0]!, p, 0, p.length);
    two.fwd.onRtp(one.sinks[0]!, p, 0, p.length); // the same SSRC number exists in both
    expect(one.sinks[1]!.rtp).toHaveLength(1);
    expect(two.sinks.map((s) => s.rtp.length)).toEqual([0, 0]);
    expect(two.fwd.counters.dropNotOwner).toBe(1);
  });

  it('stops routing to and from a member once removed', () => {
    const { table, fwd, sinks } = conference(['a', 'b', 'c']);
    const [a, b, c] = sinks as [FakeSink, FakeSink, FakeSink];
    table.removeMember(b);
    fwd.onRtp(a, rtp(100), 0, 20);
    fwd.onRtp(b, rtp(101), 0, 20);
    expect(b.rtp).toHaveLength(0);
    expect(c.rtp).toHaveLength(1);
    expect(table.get(101)).toBeUndefined();
  });

  it('drops a force-muted kind of one sender (RTP and SR), keeps its other kind, and resumes on unmute', () => {
    const table = new ForwardingTable();
    const [a, b] = [new FakeSink('a'), new FakeSink('b')];
    table.addMember(a);
    table.addMember(b);
    table.setSources(a, [
      { ssrc: 10, kind: 'audio' },
      { ssrc: 11, kind: 'video' },
    ]);
    const fwd = new Forwarder(table);
    const send = (ssrc: number) => fwd.onRtp(a, rtp(ssrc), 0, 20);
    table.setForceMuted(a, 'audio', true);
    send(10);
    send(11);
    const report = sr(10, 0);
    fwd.onRtcp(a, report, 0, report.length);
    expect(b.rtp.map((x) => x.readUInt32BE(8))).toEqual([11]);
    expect(b.rtcp).toHaveLength(0);
    expect(fwd.counters).toMatchObject({ dropForceMuted: 2, rtpForwarded: 1 });
    // Sources signalled while muted stay muted; another member is not affected.
    table.setSources(a, [{ ssrc: 12, kind: 'audio' }]);
    send(12);
    expect(table.isForceMuted(b, 'audio')).toBe(false);
    expect(fwd.counters.dropForceMuted).toBe(3);
    table.setForceMuted(a, 'audio', false);
    send(12);
    expect(b.rtp.map((x) => x.readUInt32BE(8))).toEqual([11, 12]);
  });

  it('passes SRs on without report blocks and notes their timing', () => {
    const { fwd, sinks } = conference(['a', 'b']);
    const [a, b] = sinks as [FakeSink, FakeSink];
    fwd.onRtp(a, rtp(100), 0, 20); // a video SR goes to receivers of that stream: it must have started
    const packet = Buffer.concat([sr(100, 2), rr(100)]);
    fwd.onRtcp(a, packet, 0, packet.length);
    expect(b.rtcp).toHaveLength(1);
    const out = b.rtcp[0]!;
    expect(out).toHaveLength(28);
    expect(out[0]! & 0x1f).toBe(0);
    expect(out.readUInt16BE(2)).toBe(6);
    expect(out.subarray(4, 28)).toEqual(packet.subarray(4, 28));
    expect(a.srs).toEqual([[100, 0x33445566]]);
    expect(fwd.counters).toMatchObject({ srForwarded: 1, rtcpTerminated: 1 });
  });

  it.each([
    ['PLI', 1],
    ['FIR', 4],
  ])('takes a %s to the sender of the media SSRC only', (_name, fmt) => {
    const { fwd, sinks } = conference(['a', 'b', 'c']);
    const [a, b, c] = sinks as [FakeSink, FakeSink, FakeSink];
    const p = psfb(fmt, 101, 100);
    fwd.onRtcp(b, p, 0, p.length);
    expect(a.rtcp).toEqual([p]);
    expect(c.rtcp).toHaveLength(0);
    const unknown = psfb(fmt, 101, 555);
    fwd.onRtcp(b, unknown, 0, unknown.length);
    expect(fwd.counters).toMatchObject({ keyframeRequestsForwarded: 1, dropNoSender: 1 });
  });

  it('passes at most one keyframe request per media SSRC per interval', () => {
    const { fwd, sinks } = conference(['a', 'b', 'c']);
    const [a, b, c] = sinks as [FakeSink, FakeSink, FakeSink];
    const fromB = psfb(1, 101, 100);
    const fromC = psfb(1, 102, 100);
    fwd.onRtcp(b, fromB, 0, fromB.length);
    fwd.onRtcp(c, fromC, 0, fromC.length);
    expect(a.rtcp).toEqual([fromB]);
    expect(fwd.counters).toMatchObject({ keyframeRequestsForwarded: 1, dropKeyframeRateLimited: 1 });
    const unlimited = new Forwarder(new ForwardingTable(), 0);
    expect(unlimited.counters.dropKeyframeRateLimited).toBe(0);
  });

  it('terminates receiver reports and counts a compound that overruns', () => {
    const { fwd, sinks } = conference(['a', 'b']);
    const [a, b] = sinks as [FakeSink, FakeSink];
    const report = rr(101);
    fwd.onRtcp(b, report, 0, report.length);
    const bad = Buffer.from(report);
    bad.writeUInt16BE(40, 2);
    fwd.onRtcp(b, bad, 0, bad.length);
    expect(a.rtcp).toHaveLength(0);
    expect(fwd.counters).toMatchObject({ rtcpTerminated: 1, dropMalformed: 1 });
  });

  it('leaves the transport-cc element for each receiver to number, and blanks the other hop-by-hop ones', () => {
    const { fwd, sinks } = conference(['a', 'b']);
    const [a, b] = sinks as [FakeSink, FakeSink];
    fwd.stripHeaderExtensions([5, 10]);
    fwd.setTransportCcExtension(5);
    const p = Buffer.alloc(28);
    p[0] = 0x90;
    p[1] = 100;
    p.writeUInt32BE(100, 8);
    p.writeUInt32BE(0xbede0002, 12);
    Buffer.from([0x51, 0x12, 0x34, 0xa0, 0x30, 0, 0, 0]).copy(p, 16); // 5: 0x1234, 10: "0"
    fwd.onRtp(a, p, 0, p.length);
    expect(b.tccAt).toEqual([17]);
    expect(b.rtp[0]!.subarray(16, 24)).toEqual(Buffer.from([0x51, 0x12, 0x34, 0, 0, 0, 0, 0]));
  });

  it('answers a NACK as RTX from the stream cache when the offer has RTX, else from the receiver history', () => {
    const table = new ForwardingTable();
    const [a, b] = [new FakeSink('a'), new FakeSink('b')];
    table.addMember(a);
    table.addMember(b);
    table.setSources(a, [
      { ssrc: 100, kind: 'video', rtxSsrc: 200 },
      { ssrc: 200, kind: 'video' },
    ]);
    const fwd = new Forwarder(table);
    for (let seq = 1; seq <= 3; seq++) fwd.onRtp(a, rtp(100, seq), 0, 20);
    const nack = (pid: number, blp: number) => {
      const n = Buffer.alloc(16);
      n[0] = 0x81;
      n[1] = 205;
      n.writeUInt16BE(3, 2);
      n.writeUInt32BE(100, 8);
      n.writeUInt16BE(pid, 12);
      n.writeUInt16BE(blp, 14);
      return n;
    };
    // No RTX payload types yet: the receiver's own history answers.
    fwd.onRtcp(b, nack(2, 0), 0, 16);
    expect(b.nacks).toEqual([[100, 2, 0]]);
    fwd.setRtxPayloadTypes(new Map([[96, 97]]));
    fwd.onRtcp(b, nack(1, 0b11), 0, 16); // 1, 2 (cached) and 3; 4 was never sent
    fwd.onRtcp(b, nack(4, 0), 0, 16);
    expect(b.rtx).toEqual([1, 2, 3].map((seq) => ({ ssrc: 200, pt: 97, seq })));
    expect(b.nacks).toEqual([
      [100, 2, 0],
      [100, 4, 0],
    ]);
    expect(a.rtcp).toEqual([]);
    expect(fwd.counters.nackItemsReceived).toBe(3);
  });

  it('hands transport-cc feedback to the receiver downlink and never to another endpoint', () => {
    const { fwd, sinks } = conference(['a', 'b']);
    const [a, b] = sinks as [FakeSink, FakeSink];
    const fb = Buffer.alloc(20);
    fb[0] = 0x8f;
    fb[1] = 205;
    fb.writeUInt16BE(4, 2);
    fwd.onRtcp(b, fb, 0, fb.length);
    expect(b.feedback).toEqual([fb]);
    expect(a.rtcp).toEqual([]);
    expect(a.feedback).toEqual([]);
  });

  it('passes a sender RTX packet to each receiver downlink as the packet it repairs (wrapped there on its RTX stream)', () => {
    const table = new ForwardingTable();
    const [a, b] = [new FakeSink('a'), new FakeSink('b')];
    table.addMember(a);
    table.addMember(b);
    table.setSources(a, [
      { ssrc: 100, kind: 'video', rtxSsrc: 200 },
      { ssrc: 200, kind: 'video' },
    ]);
    const fwd = new Forwarder(table);
    fwd.setRtxPayloadTypes(new Map([[96, 97]]));
    fwd.onRtp(a, rtp(100, 7), 0, 20);
    // The sender's RTX of 7 (RFC 4588: the original sequence number first in the payload).
    const r = rtp(200, 3);
    r[1] = 97;
    r.writeUInt16BE(7, 12);
    fwd.onRtp(a, r, 0, 20);
    expect(b.forwardedRtx).toBe(1);
    expect(b.recovered).toEqual([{ rtxSsrc: 200, pt: 97, ssrc: 100, seq: 7 }]);
    expect(fwd.rtxPrimaryOf(a, 200)).toBe(100);
    expect(fwd.rtxPrimaryOf(b, 200)).toBe(0);
  });
});
