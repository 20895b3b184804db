// The downlink side of congestion control and loss recovery through real ICE/DTLS/SRTP (issue 15): the bridge
// numbers what it sends each receiver with its own transport-wide sequence numbers, reads the receiver's
// transport-cc feedback into its estimate, answers NACKs with RTX (apt-mapped payload type, original sequence
// number in the payload), and numbers every RTX packet a receiver gets itself, the sender's included.
import { findHeaderExtension, TwccFeedback } from '@convene/bridge/rtp';
import { startRawPair, type RawPair, type RawParty } from '../../harness/raw-pair.js';
import { waitUntil } from '../../harness/wait-for.js';

const VIDEO = 7001;
const RTX = 7002;
const VP8 = 100;
const RTX_PT = 96;
const TCC_ID = 5;

/** A VP8 packet with a one-byte transport-cc element (the sender's own number) and a text payload. */
function rtpWithTcc(pt: number, seq: number, ssrc: number, tcc: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(20 + payload.length);
  b[0] = 0x90;
  b[1] = pt;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(seq * 3000, 4);
  b.writeUInt32BE(ssrc, 8);
  b.writeUInt32BE(0xbede0001, 12);
  b[16] = (TCC_ID << 4) | 1;
  b.writeUInt16BE(tcc & 0xffff, 17);
  payload.copy(b, 20);
  return b;
}

function nack(media: number, pid: number, blp: number): Buffer {
  const b = Buffer.alloc(16);
  b[0] = 0x81;
  b[1] = 205;
  b.writeUInt16BE(3, 2);
  b.writeUInt32BE(0xabc, 4);
  b.writeUInt32BE(media, 8);
  b.writeUInt16BE(pid, 12);
  b.writeUInt16BE(blp, 14);
  return b;
}

const tccOf = (p: Buffer) => p.readUInt16BE(findHeaderExtension(p, 0, p.length, TCC_ID, 2));
/** Payload offset of a packet with our one-word extension block. */
const PAYLOAD = 20;
const isPadding = (p: Buffer) => (p[0]! & 0x20) !== 0;

describe('a receiver downlink: transport-wide numbers, feedback, RTX', () => {
  let pair: RawPair;
  let sender: RawParty;
  let receiver: RawParty;

  beforeAll(async () => {
    pair = await startRawPair(
      'downlink',
      ['sender', 'receiver'],
      [
        { ssrc: VIDEO, kind: 'video', rtxSsrc: RTX },
        { ssrc: RTX, kind: 'video' },
      ],
      'node',
      (c) => {
        c.setTransportCcExtension(TCC_ID);
        c.setStrippedHeaderExtensions([TCC_ID, 3]);
        c.setRtxPayloadTypes(new Map([[VP8, RTX_PT]]));
      },
    );
    ({ sender, receiver } = pair);
  });

  afterAll(() => pair?.close());

  it('stamps its own consecutive transport-wide numbers, whatever the sender wrote', async () => {
    for (let seq = 0; seq < 20; seq++)
      sender.peer.sendRtp(rtpWithTcc(VP8, seq, VIDEO, 40_000 + 7 * seq, Buffer.from(`frame ${seq}`)));
    await waitUntil('20 through', () => receiver.peer.rtp.length >= 20, 5_000);
    const numbers = receiver.peer.rtp.map(tccOf);
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBe((numbers[0]! + i) & 0xffff);
    expect(numbers).not.toContain(40_000 + 7);
  });

  it('reads the receiver transport-cc feedback into its estimate', async () => {
    const tw = new TwccFeedback();
    const t0 = performance.now();
    receiver.peer.rtp.forEach((p, i) => tw.onPacket(tccOf(p), t0 + 2 * i, VIDEO));
    const buf = Buffer.alloc(1500);
    const n = tw.write(buf, 0, 0xabc);
    receiver.peer.sendRtcp(buf.subarray(0, n));
    await waitUntil('feedback counted', () => receiver.ep.bandwidthDebug.feedback === 1, 5_000);
    expect(receiver.ep.counters.twccFeedbackIn).toBe(1);
    expect(receiver.ep.bandwidthEstimate).toBeGreaterThan(0);
    // Feedback never goes on to the sender.
    expect(sender.peer.rtcp.filter((c) => c.includes(Buffer.from([0, 0, 0x0a, 0xbc])))).toEqual([]);
  });

  it('probes with padding-only RTX packets once feedback came', async () => {
    await waitUntil('a probe', () => receiver.ep.counters.paddingSent >= 5, 5_000);
    const padding = receiver.peer.rtp.filter(isPadding);
    expect(padding.length).toBeGreaterThanOrEqual(5);
    for (const p of padding) {
      expect([p.readUInt32BE(8), p[1]! & 0x7f]).toEqual([RTX, RTX_PT]);
      expect(p.length - p[p.length - 1]!).toBe(PAYLOAD); // nothing but padding after the header
    }
  });

  it('answers a NACK with RTX: the RTX SSRC and payload type, the original number, then the payload', async () => {
    const media = () => receiver.peer.rtp.filter((p) => !isPadding(p));
    const before = media().length;
    receiver.peer.sendRtcp(nack(VIDEO, 3, 0b101)); // 3, 4 and 6
    await waitUntil('three RTX packets', () => media().length >= before + 3, 5_000);
    const rtx = media().slice(before);
    expect(rtx.map((p) => p.readUInt32BE(8))).toEqual([RTX, RTX, RTX]);
    expect(rtx.map((p) => p[1]! & 0x7f)).toEqual([RTX_PT, RTX_PT, RTX_PT]);
    expect(rtx.map((p) => p.readUInt16BE(PAYLOAD))).toEqual([3, 4, 6]);
    expect(rtx.map((p) => p.subarray(PAYLOAD + 2).toString())).toEqual(['frame 3', 'frame 4', 'frame 6']);
    // RTX numbers of its own, consecutive; transport-wide numbers continue the receiver's sequence.
    const seqs = rtx.map((p) => p.readUInt16BE(2));
    expect(seqs[1]).toBe((seqs[0]! + 1) & 0xffff);
    expect(seqs[2]).toBe((seqs[0]! + 2) & 0xffff);
    expect(tccOf(rtx[1]!)).toBe((tccOf(rtx[0]!) + 1) & 0xffff);
    expect(receiver.ep.counters.rtxSent).toBe(3);
    expect(receiver.ep.counters.retransmissionsSent).toBe(3);
    expect(receiver.peer.received.failed).toBe(0);

    // The sender's own RTX packet (its number 9000) reaches the receiver numbered after the bridge's.
    const own = rtpWithTcc(RTX_PT, 9000, RTX, 1, Buffer.concat([Buffer.from([0, 5]), Buffer.from('frame 5')]));
    sender.peer.sendRtp(own);
    await waitUntil('the sender RTX through', () => media().length >= before + 4, 5_000);
    const forwarded = media()[before + 3]!;
    expect(forwarded.readUInt32BE(8)).toBe(RTX);
    // After the bridge's own RTX numbers (probe padding took some in between, all from the same counter).
    const diff = (forwarded.readUInt16BE(2) - seqs[2]! + 0x10000) & 0xffff;
    expect(diff).toBeGreaterThanOrEqual(1);
    expect(diff).toBeLessThan(1000);
    const rtxSeqs = receiver.peer.rtp.filter((p) => p.readUInt32BE(8) === RTX).map((p) => p.readUInt16BE(2));
    expect(new Set(rtxSeqs).size).toBe(rtxSeqs.length);
    expect(forwarded.readUInt16BE(PAYLOAD)).toBe(5);
  });

  it('resends plainly what the cache no longer has, and counts a NACK for what it never sent', async () => {
    const before = receiver.ep.counters.retransmissionsMissed;
    receiver.peer.sendRtcp(nack(VIDEO, 30_000, 0));
    await waitUntil('the miss counted', () => receiver.ep.counters.retransmissionsMissed === before + 1, 5_000);
  });
});
