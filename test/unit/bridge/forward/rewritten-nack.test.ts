import { Forwarder, ForwardingTable, type MediaSink } from '@convene/bridge/forward';

/** A receiver as the forwarder sees it: what it was sent, what went to its send ring, what it got as RTX. */
interface SentRtx {
  rtxSsrc: number;
  pt: number;
  ssrc: number;
  seq: number;
  ts: number;
}

/** What a receiver's pipeline was asked to send as RTX: the RTX stream, and the packet it carries. */
function sentAsRtx(buf: Buffer, off: number, rtxSsrc: number, pt: number): SentRtx {
  return {
    rtxSsrc,
    pt,
    ssrc: buf.readUInt32BE(off + 8),
    seq: buf.readUInt16BE(off + 2),
    ts: buf.readUInt32BE(off + 4),
  };
}

class Receiver implements MediaSink {
  ready = true;
  readonly rtp: Array<{ ssrc: number; seq: number }> = [];
  readonly ring: Array<[number, number, number]> = [];
  readonly rtx: SentRtx[] = [];
  /** The sender's own retransmissions, as this receiver gets them (before the RTX wrapping). */
  readonly recovered: SentRtx[] = [];
  sendRtp(buf: Buffer, off: number): void {
    this.rtp.push({ ssrc: buf.readUInt32BE(off + 8), seq: buf.readUInt16BE(off + 2) });
  }
  sendRtcp(): void {}
  noteSenderReport(): void {}
  retransmit(ssrc: number, pid: number, blp: number): void {
    this.ring.push([ssrc, pid, blp]);
  }
  readonly downlink = {
    forwardRtx: (buf: Buffer, off: number) => this.sendRtp(buf, off),
    forwardRecovered: (buf: Buffer, off: number, _len: number, rtxSsrc: number, pt: number) =>
      this.recovered.push(sentAsRtx(buf, off, rtxSsrc, pt)),
    sendRtx: (buf: Buffer, off: number, _len: number, rtxSsrc: number, pt: number) =>
      this.rtx.push(sentAsRtx(buf, off, rtxSsrc, pt)),
    onFeedback: () => undefined,
  };
}

function rtp(ssrc: number, seq: number, ts: number): Buffer {
  const b = Buffer.alloc(24);
  b[0] = 0x80;
  b[1] = 96;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(ts, 4);
  b.writeUInt32BE(ssrc, 8);
  return b;
}

function nack(media: number, pid: number, blp: number): Buffer {
  const n = Buffer.alloc(16);
  n[0] = 0x81;
  n[1] = 205;
  n.writeUInt16BE(3, 2);
  n.writeUInt32BE(media, 8);
  n.writeUInt16BE(pid, 12);
  n.writeUInt16BE(blp, 14);
  return n;
}

/** A sender of two simulcast encodings with their RTX (receivers know 100 and its RTX 200 only) and a receiver b. */
function twoEncodings(): { table: ForwardingTable; sender: Receiver; b: Receiver; fwd: Forwarder } {
  const table = new ForwardingTable();
  const sender = new Receiver();
  const b = new Receiver();
  table.addMember(sender);
  table.addMember(b);
  table.setSources(
    sender,
    [
      { ssrc: 100, kind: 'video', name: 's-v0', encoding: 0, rtxSsrc: 200 },
      { ssrc: 101, kind: 'video', name: 's-v0', encoding: 1, rtxSsrc: 201 },
      { ssrc: 200, kind: 'video', name: 's-v0' },
      { ssrc: 201, kind: 'video', name: 's-v0' },
    ],
    's',
  );
  const fwd = new Forwarder(table);
  fwd.setRtxPayloadTypes(new Map([[96, 97]]));
  return { table, sender, b, fwd };
}

describe('NACKs of a rewritten video stream', () => {
  it('map back through the receiver rewriter to the sender numbering and the encoding it gets', () => {
    const { table, sender, b, fwd } = twoEncodings();
    // Until the allocation decides, the top encoding; the low one flows first (a lower keyframe while waiting).
    for (let seq = 50; seq <= 52; seq++) fwd.onRtp(sender, rtp(100, seq, 9000), 0, 24);
    for (let seq = 1000; seq <= 1001; seq++) fwd.onRtp(sender, rtp(101, seq, 500_000), 0, 24);
    expect(b.rtp).toEqual([50, 51, 52, 53, 54].map((seq) => ({ ssrc: 100, seq })));
    const tsOut = table.rewriter(b, 's-v0')!.translateTimestamp(1, 500_000);

    // 53 and 54 are the top encoding's 1000 and 1001: answered from its cache, as b got them, on RTX SSRC 200.
    fwd.onRtcp(b, nack(100, 53, 0b1), 0, 16);
    expect(b.rtx).toEqual([53, 54].map((seq) => ({ rtxSsrc: 200, pt: 97, ssrc: 100, seq, ts: tsOut })));
    // 51 was the low encoding's, before the switch: b's own send ring has it.
    fwd.onRtcp(b, nack(100, 51, 0), 0, 16);
    expect(b.ring).toEqual([[100, 51, 0]]);
    expect(b.rtx).toHaveLength(2);
    expect(sender.ring).toEqual([]);
  });

  it('passes a sender retransmission on as the receiver got that stream, and keeps it for the receiver’s NACKs', () => {
    const { table, sender, b, fwd } = twoEncodings();
    for (let seq = 50; seq <= 52; seq++) fwd.onRtp(sender, rtp(100, seq, 9000), 0, 24);
    // b switched to the top encoding at 1000 (its 53); 1002 is lost on the way to the bridge, 1003 arrives.
    for (const seq of [1000, 1001, 1003]) fwd.onRtp(sender, rtp(101, seq, 500_000), 0, 24);
    expect(b.rtp.map((r) => r.seq)).toEqual([50, 51, 52, 53, 54, 56]);
    const tsOut = table.rewriter(b, 's-v0')!.translateTimestamp(1, 500_000);
    // The sender answers the bridge's NACK: RTX on 201 (payload type 97), original sequence number 1002 first.
    const rtx = Buffer.alloc(26);
    rtx[0] = 0x80;
    rtx[1] = 97;
    rtx.writeUInt16BE(7, 2);
    rtx.writeUInt32BE(500_000, 4);
    rtx.writeUInt32BE(201, 8);
    rtx.writeUInt16BE(1002, 12);
    fwd.onRtp(sender, rtx, 0, 26);
    expect(b.recovered).toEqual([{ rtxSsrc: 200, pt: 97, ssrc: 100, seq: 55, ts: tsOut }]);
    // b's own NACK of 55 (it may have asked before the retransmission came) is answered from the cache now.
    fwd.onRtcp(b, nack(100, 55, 0), 0, 16);
    expect(b.rtx).toEqual([{ rtxSsrc: 200, pt: 97, ssrc: 100, seq: 55, ts: tsOut }]);
    // A retransmission of a packet b never gets (the low encoding after the switch) goes nowhere.
    const old = Buffer.from(rtx);
    old.writeUInt32BE(200, 8);
    old.writeUInt16BE(52, 12);
    fwd.onRtp(sender, old, 0, 26);
    expect(b.recovered).toHaveLength(1);
  });
});
