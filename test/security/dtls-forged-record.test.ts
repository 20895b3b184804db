// Threat: once DTLS is up, anyone who can send from an endpoint's address (spoofing its address and port) injects
// one DTLS record the bridge cannot use. If the bridge treats that as the end of the session, the endpoint's DTLS
// fails, the endpoint is closed and its media stops; a fatal alert back to the real peer would end the call too.
// DTLS says such records are discarded (RFC 6347 §4.1.2.7): the session, SRTP and the peer must not notice.
import { startRawPair, type RawPair } from '../harness/raw-pair.js';
import { buildRtp } from '../harness/ndc-media-peer.js';
import { waitUntil } from '../harness/wait-for.js';

const SSRC = 5150;

/** DTLS 1.2 record header: type, version fefd, epoch, 48-bit sequence number, length. */
function record(type: number, epoch: number, seq: number, body: readonly number[]): Buffer {
  const h = Buffer.alloc(13);
  h[0] = type;
  h.writeUInt16BE(0xfefd, 1);
  h.writeUInt16BE(epoch, 3);
  h.writeUIntBE(seq, 5, 6);
  h.writeUInt16BE(body.length, 11);
  return Buffer.concat([h, Buffer.from(body)]);
}

const FORGED: ReadonlyArray<readonly [string, Buffer]> = [
  ['application data too short for its cipher', record(23, 1, 9, [1, 2, 3])],
  ['application data with a wrong tag', record(23, 1, 1000, [...Array<number>(40).keys()])],
  ['a plaintext fatal alert in epoch 0', record(21, 0, 50, [2, 40])],
  ['a plaintext handshake record in epoch 0', record(22, 0, 51, [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0])],
  ['an encrypted-looking fatal alert in epoch 1', record(21, 1, 1001, [...Array<number>(26).fill(7)])],
  ['a record from an epoch that does not exist', record(23, 7, 1, [...Array<number>(40).fill(1)])],
  ['a truncated header', Buffer.from([0x17, 0xfe, 0xfd, 0, 1])],
];

describe('a forged DTLS record after the handshake', () => {
  let pair: RawPair;

  // A fresh pair for each record: one that kills the session must not hide what the next one does.
  beforeEach(async () => {
    pair = await startRawPair('forged-dtls', ['victim', 'receiver'], [{ ssrc: SSRC, kind: 'video' }]);
  });
  afterEach(() => pair?.close());

  let seq = 100;
  it.each(FORGED)('is discarded: %s', async (_name, forged) => {
    const { sender, receiver } = pair;
    sender.peer.sendRaw(forged);
    // Media after it still flows through the same endpoint, both keyed ends untouched.
    const before = receiver.peer.rtp.length;
    for (let i = 0; i < 5; i++) sender.peer.sendRtp(buildRtp(100, seq++, SSRC, Buffer.alloc(200, i)));
    await waitUntil('media after the forged record', () => receiver.peer.rtp.length >= before + 5, 5_000);
    expect(sender.ep.closed).toBe(false);
    expect(sender.ep.dtlsState).toBe('connected');
    // The real peer got no alert from the bridge: its own DTLS session is still up.
    expect(sender.peer.dtlsError).toBeUndefined();
    expect(sender.peer.ready).toBe(true);
  });

  it('counts the records it drops before OpenSSL sees them', async () => {
    const { sender } = pair;
    const short = FORGED[0]![1];
    // Two short records and a good-looking one in one datagram: only the short ones are dropped here.
    sender.peer.sendRaw(Buffer.concat([short, short, FORGED[1]![1]]));
    await waitUntil('the records counted', () => sender.ep.dtlsCounters?.recordsDiscarded === 2, 5_000);
    expect(sender.ep.dtlsState).toBe('connected');
  });
});
