// Threat: a sender picks sequence numbers the bridge accepts inbound (100, 40000, 7000, 39000, 40000: the receive
// ROC goes 0, 0, 1, 1, 1) while a bridge that guessed the outgoing ROC from sequence numbers alone protects the
// second 40000 under ROC 0 again. Two AES-GCM packets under one nonce give whoever knows one plaintext the other,
// and the GHASH key with it. The bridge takes each outgoing index the way the receiver will estimate it and never
// protects two packets under one (SSRC, ROC, SEQ).
import { startRawPair, type RawPair, type RawParty } from '../harness/raw-pair.js';
import { buildRtp } from '../harness/ndc-media-peer.js';
import { waitUntil } from '../harness/wait-for.js';

const SSRC = 4242;
const GCM_TAG = 16;
/** Sequence numbers and the ROC a standard sender (and the bridge's receive side) gives each. */
const ATTACK: ReadonlyArray<readonly [seq: number, roc: number]> = [
  [100, 0],
  [40000, 0],
  [7000, 1],
  [39000, 1],
  [40000, 1],
];

describe('SRTP AES-GCM nonce reuse', () => {
  let pair: RawPair;
  let sender: RawParty;
  let receiver: RawParty;

  beforeAll(async () => {
    pair = await startRawPair('nonce-reuse', ['mallory', 'victim'], [{ ssrc: SSRC, kind: 'audio' }]);
    ({ sender, receiver } = pair);
  });

  afterAll(() => pair?.close());

  it('never protects two different packets under one (SSRC, ROC, SEQ) toward a receiver', async () => {
    const payloads = ATTACK.map((_, i) => Buffer.alloc(64, 0x41 + i));
    for (const [i, [seq, roc]] of ATTACK.entries()) {
      sender.peer.sendRtpWithRoc(buildRtp(111, seq, SSRC, payloads[i]!), roc);
      // One at a time, so the bridge sees them in this order.
      await waitUntil(`packet ${i} in`, () => sender.ep.counters.rtpPacketsIn === i + 1);
    }
    await waitUntil('what the bridge forwarded', () => receiver.ep.counters.rtpPacketsOut === ATTACK.length);
    await waitUntil('the receiver got it', () => receiver.peer.rawRtp.length === ATTACK.length);

    // Same seq, same keystream? XOR of the two ciphertexts equals XOR of the two plaintexts only under one nonce.
    const raw = receiver.peer.rawRtp;
    const body = (p: Buffer): Buffer => p.subarray(12, p.length - GCM_TAG);
    for (let i = 0; i < raw.length; i++) {
      for (let j = i + 1; j < raw.length; j++) {
        if (raw[i]!.readUInt16BE(2) !== raw[j]!.readUInt16BE(2)) continue;
        const ct = Buffer.from(body(raw[i]!).map((b, k) => b ^ body(raw[j]!)[k]!));
        const pt = Buffer.from(payloads[i]!.map((b, k) => b ^ payloads[j]![k]!));
        expect(ct.equals(pt)).toBe(false);
      }
    }
    // And the indices are the ones the receiver estimates: it decrypts every packet.
    expect(receiver.peer.received.failed).toBe(0);
    expect(receiver.peer.rtp.map((p) => p.subarray(12).toString())).toEqual(payloads.map((p) => p.toString()));
  });
});
