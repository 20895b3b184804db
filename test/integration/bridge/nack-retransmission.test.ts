// Loss on a receiver's downlink (issue 15, loss recovery): the receiver NACKs what it lost and the bridge
// resends it from what it sent that receiver, through real ICE/DTLS/SRTP; the sender is never asked; a NACK
// for something long gone is counted as missed.
import { startRawPair, type RawPair, type RawParty } from '../../harness/raw-pair.js';
import { buildRtp } from '../../harness/ndc-media-peer.js';
import { waitUntil } from '../../harness/wait-for.js';
import { UDP_IMPLEMENTATIONS } from '../../harness/udp-implementations.js';

const SSRC = 5150;

/** RTCP RTPFB generic NACK (RFC 4585 §6.2.1) from `sender` about `media`: one item per [pid, blp]. */
function nack(sender: number, media: number, items: ReadonlyArray<readonly [number, number]>): Buffer {
  const b = Buffer.alloc(12 + 4 * items.length);
  b[0] = 0x81;
  b[1] = 205;
  b.writeUInt16BE(b.length / 4 - 1, 2);
  b.writeUInt32BE(sender, 4);
  b.writeUInt32BE(media, 8);
  items.forEach(([pid, blp], i) => {
    b.writeUInt16BE(pid, 12 + 4 * i);
    b.writeUInt16BE(blp, 14 + 4 * i);
  });
  return b;
}

/** The sequence numbers of every NACK about `media` in these compound RTCP packets. */
function nackedSeqs(compounds: readonly Buffer[], media: number): number[] {
  const out: number[] = [];
  for (const c of compounds) {
    for (let p = 0; p + 4 <= c.length; p += (c.readUInt16BE(p + 2) + 1) * 4) {
      if (c[p + 1] !== 205 || (c[p]! & 0x1f) !== 1 || c.readUInt32BE(p + 8) !== media) continue;
      const end = p + (c.readUInt16BE(p + 2) + 1) * 4;
      for (let q = p + 12; q + 4 <= end; q += 4) {
        const pid = c.readUInt16BE(q);
        const blp = c.readUInt16BE(q + 2);
        out.push(pid);
        for (let bit = 0; bit < 16; bit++) if ((blp & (1 << bit)) !== 0) out.push((pid + bit + 1) & 0xffff);
      }
    }
  }
  return out;
}

describe.each(UDP_IMPLEMENTATIONS)('NACK from a receiver (udp %s)', (udp) => {
  let pair: RawPair;
  let sender: RawParty;
  let receiver: RawParty;

  beforeAll(async () => {
    pair = await startRawPair('nack', ['sender', 'receiver'], [{ ssrc: SSRC, kind: 'video' }], udp);
    ({ sender, receiver } = pair);
  });

  afterAll(() => pair?.close());

  it('resends what the receiver lost, from its own history, and counts what it no longer has', async () => {
    const lost = new Set([5, 9, 10]);
    const once = new Set<number>();
    // The receiver's downlink loses 5, 9 and 10 the first time they come.
    receiver.peer.lose = (ssrc, seq) => {
      if (ssrc !== SSRC || !lost.has(seq) || once.has(seq)) return false;
      once.add(seq);
      return true;
    };
    for (let seq = 0; seq < 20; seq++) {
      sender.peer.sendRtp(buildRtp(100, seq, SSRC, Buffer.from(`frame part ${seq}`)));
      await new Promise((r) => setTimeout(r, 2));
    }
    const seqs = () => receiver.peer.rtp.map((p) => p.readUInt16BE(2));
    await waitUntil('17 of 20 through', () => seqs().length >= 17, 5_000);
    expect(seqs().filter((s) => lost.has(s))).toEqual([]);

    // NACK 5, then 9 and 10 (PID 9, BLP bit 0), and 60000, which the bridge never sent.
    receiver.peer.sendRtcp(
      nack(0xabc, SSRC, [
        [5, 0],
        [9, 0b1],
        [60000, 0],
      ]),
    );
    await waitUntil('the lost packets resent', () => [5, 9, 10].every((s) => seqs().includes(s)), 5_000);
    const resent = receiver.peer.rtp.filter((p) => lost.has(p.readUInt16BE(2)));
    for (const p of resent) expect(p.subarray(12).toString()).toBe(`frame part ${p.readUInt16BE(2)}`);
    expect(receiver.ep.counters.retransmissionsSent).toBe(3);
    expect(receiver.ep.counters.retransmissionsMissed).toBe(1);
    // Answered by the bridge from the very packets it sent (the forwarder test shows the NACK never goes on to the
    // sender); the receiver authenticates every one of them.
    expect(receiver.peer.received.failed).toBe(0);
  });

  it('asks the sender again for what its uplink lost, and stops once it came', async () => {
    const first = 1000;
    const skipped = new Set([first + 7, first + 12, first + 13]);
    for (let seq = first; seq < first + 20; seq++) {
      if (!skipped.has(seq)) sender.peer.sendRtp(buildRtp(100, seq, SSRC, Buffer.from(`frame part ${seq}`)));
      await new Promise((r) => setTimeout(r, 2));
    }
    await waitUntil(
      'the bridge to NACK the three gaps',
      () => [...skipped].every((s) => nackedSeqs(sender.peer.rtcp, SSRC).includes(s)),
      5_000,
    );
    // The sender resends them (as RTX would, here on the media SSRC): the bridge stops asking.
    for (const seq of skipped) sender.peer.sendRtp(buildRtp(100, seq, SSRC, Buffer.from(`frame part ${seq}`)));
    await waitUntil(
      'the resent packets to reach the receiver',
      () => {
        const got = receiver.peer.rtp.map((p) => p.readUInt16BE(2));
        return [...skipped].every((s) => got.includes(s));
      },
      5_000,
    );
    // The bridge took them off its missing list: they are never asked for again.
    await waitUntil(
      'the bridge to count them recovered',
      () => sender.ep.transport.uplink.nacks.counters.recovered === 3,
      5_000,
    );
    expect(sender.ep.counters.nacksSent).toBeGreaterThanOrEqual(1);
  });
});
