// What a receiver's downlink builds, decoded by an independent parser (werift-rtp's RtpPacket): RTX (RFC 4588)
// from a forwarded packet, probe padding, and RTX sequence numbers of the receiver's own.
import { RtpPacket } from 'werift-rtp';
import { Downlink } from '../../../../bridge/src/pipeline/downlink.js';
import { newEndpointCounters } from '../../../../bridge/src/pipeline/endpoint-counters.js';

function downlink(): { d: Downlink; sent: Buffer[] } {
  const sent: Buffer[] = [];
  const d = new Downlink({
    counters: newEndpointCounters(),
    extensions: { transportCc: 5 },
    sendRtp: (buf, off, len) => sent.push(Buffer.from(buf.subarray(off, off + len))),
    onEstimate: () => undefined,
  });
  return { d, sent };
}

/** A VP8 packet (pt 100) with a transport-cc element (id 5), marker set, three bytes of padding. */
function media(seq: number): Buffer {
  const body = Buffer.from(`frame ${seq}`);
  const b = Buffer.alloc(20 + body.length + 3);
  b[0] = 0xb0; // V=2, P, X
  b[1] = 0x80 | 100;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(90_000, 4);
  b.writeUInt32BE(1111, 8);
  b.writeUInt32BE(0xbede0001, 12);
  b[16] = 0x51;
  b.writeUInt16BE(77, 17);
  body.copy(b, 20);
  b[b.length - 1] = 3;
  return b;
}

describe('Downlink', () => {
  it('builds RTX: RTX SSRC and payload type, marker kept, original number then payload, padding dropped', () => {
    const { d, sent } = downlink();
    d.sendRtx(media(4242), 0, media(4242).length, 2222, 96, 17);
    expect(sent).toHaveLength(1);
    const p = RtpPacket.deSerialize(sent[0]!);
    expect(p.header).toMatchObject({ ssrc: 2222, payloadType: 96, marker: true, timestamp: 90_000, padding: false });
    expect(p.header.extensions).toEqual([{ id: 5, payload: Buffer.from([0, 77]) }]);
    expect(p.payload.readUInt16BE(0)).toBe(4242);
    expect(p.payload.subarray(2).toString()).toBe('frame 4242');
  });

  it('numbers every RTX packet of a stream from one counter, forwarded or built', () => {
    const { d, sent } = downlink();
    const fromSender = media(9000);
    fromSender.writeUInt32BE(2222, 8);
    d.forwardRtx(fromSender, 0, fromSender.length, 17, 0); // the sender's own RTX: its number starts the counter
    d.sendRtx(media(1), 0, media(1).length, 2222, 96, 17);
    d.sendRtx(media(2), 0, media(2).length, 2222, 96, 17);
    const again = media(9001);
    again.writeUInt32BE(2222, 8);
    d.forwardRtx(again, 0, again.length, 17, 0);
    expect(sent.map((p) => p.readUInt16BE(2))).toEqual([9000, 9001, 9002, 9003]);
  });

  it('writes padding-only probes with a transport-cc element', () => {
    const { d } = downlink();
    const out = Buffer.alloc(1500);
    const n = d.writePadding(out, 3333, 96, 5);
    const p = RtpPacket.deSerialize(out.subarray(0, n));
    expect(p.header).toMatchObject({ ssrc: 3333, payloadType: 96, padding: true });
    expect(p.header.extensions.map((e) => e.id)).toEqual([5]);
    expect(n - out[n - 1]!).toBe(20); // nothing but padding after the header
  });

  it('limits retransmissions to its rate', () => {
    const { d } = downlink();
    let granted = 0;
    for (let i = 0; i < 500; i++) if (d.takeRtxToken(1000)) granted++;
    expect(granted).toBe(100);
    expect(d.takeRtxToken(1100)).toBe(true); // 100 ms later: 20 more
  });
});
