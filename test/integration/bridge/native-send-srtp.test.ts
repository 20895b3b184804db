// The native socket's sendSrtp: protect an RTP packet with an SRTP context named by its handle and send it, in one
// call into the addon (the per-receiver hot path). It must put the same bytes on the wire as protectRtp then send,
// keep the protected copy where it was asked to, and refuse a wrong handle or argument without harming the socket.
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { NativeSrtpTransform, SRTP_ERR_MALFORMED, SRTP_ERR_REPLAY, SRTP_MAX_OVERHEAD } from '@convene/bridge/srtp';
import { NativeUdpTransport } from '@convene/bridge/transport';
import { buildRtp } from '../../harness/ndc-media-peer.js';
import { nativeUdpAvailable } from '../../harness/udp-implementations.js';
import { waitUntil } from '../../harness/wait-for.js';

const itNative = nativeUdpAvailable ? it : it.skip;

const keys = {
  cipher: 'aes-gcm-128' as const,
  localKey: randomBytes(16),
  localSalt: randomBytes(12),
  remoteKey: randomBytes(16),
  remoteSalt: randomBytes(12),
};

async function sink(): Promise<{ socket: Socket; got: Buffer[] }> {
  const socket = createSocket('udp4');
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(m));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { socket, got };
}

describe('the native socket’s sendSrtp', () => {
  let udp: NativeUdpTransport | undefined;
  let peer: { socket: Socket; got: Buffer[] } | undefined;

  afterEach(() => {
    udp?.close();
    peer?.socket.close();
  });

  itNative('sends what protectRtp then send would, and leaves the protected packet in dst', async () => {
    udp = NativeUdpTransport.create({ port: 0, bindAddress: '127.0.0.1' });
    peer = await sink();
    const port = peer.socket.address().port;
    // Two contexts with the same keys: one protects for send(), the other through sendSrtp.
    const apart = new NativeSrtpTransform(keys);
    const fused = new NativeSrtpTransform(keys);
    expect(fused.handle).not.toBe(apart.handle);
    const ring = Buffer.alloc(4 * 1600);
    const expected: Buffer[] = [];
    for (let seq = 0; seq < 20; seq++) {
      const rtp = buildRtp(100, seq, 0xabc, randomBytes(seq * 50));
      const out = Buffer.alloc(rtp.length + SRTP_MAX_OVERHEAD);
      const n = apart.protectRtp(rtp, 0, rtp.length, out, 0);
      expected.push(out.subarray(0, n));
      // The source at an offset in a bigger buffer, as a receive slot holds it.
      const slot = Buffer.alloc(2048);
      rtp.copy(slot, 7);
      const at = (seq % 4) * 1600;
      expect(udp.sendSrtp(fused.handle, slot, 7, rtp.length, ring, at, port, '127.0.0.1')).toBe(n);
      expect(ring.subarray(at, at + n).equals(out.subarray(0, n))).toBe(true);
    }
    await waitUntil('every packet at the sink', () => peer!.got.length === expected.length);
    expect(peer.got.map((b) => b.toString('hex'))).toEqual(expected.map((b) => b.toString('hex')));
    expect(udp.counters.datagramsOut).toBe(expected.length);
  });

  itNative('refuses a wrong handle or argument with an error, sends nothing, and keeps working', async () => {
    udp = NativeUdpTransport.create({ port: 0, bindAddress: '127.0.0.1' });
    peer = await sink();
    const port = peer.socket.address().port;
    const ctx = new NativeSrtpTransform(keys);
    const rtp = buildRtp(100, 1, 0xabc, randomBytes(100));
    const dst = Buffer.alloc(2048);
    const send = (handle: unknown, d: Buffer = dst, dstOff = 0): number =>
      udp!.sendSrtp(handle as number, rtp, 0, rtp.length, d, dstOff, port, '127.0.0.1');

    // Errors thrown by the addon come from node's realm, not jest's: compare their codes.
    const codeOf = (f: () => unknown): unknown => {
      try {
        f();
      } catch (err) {
        return (err as { code?: unknown }).code;
      }
      return 'no error';
    };
    expect(codeOf(() => send(0))).toBe('ERR_INVALID_HANDLE');
    // An index far past every context this process made (others may be alive in this worker: no neighbour is free).
    expect(codeOf(() => send((ctx.handle & ~0xfffff) | 0xffffe))).toBe('ERR_INVALID_HANDLE');
    expect(codeOf(() => send(ctx.handle + (1 << 20)))).toBe('ERR_INVALID_HANDLE'); // same index, other generation
    expect(codeOf(() => send('1'))).toBe('ERR_INVALID_ARG_TYPE');
    expect(codeOf(() => send(ctx.handle, Buffer.alloc(50)))).toBe('ERR_BUFFER_TOO_SMALL');
    expect(codeOf(() => send(ctx.handle, dst, 4096))).toBe('ERR_OUT_OF_RANGE'); // dstOff beyond dst
    // Not RTP: the protect error comes back as a number and nothing leaves.
    expect(udp.sendSrtp(ctx.handle, rtp, 0, 8, dst, 0, port, '127.0.0.1')).toBe(SRTP_ERR_MALFORMED);

    const n = send(ctx.handle);
    expect(n).toBe(rtp.length + 16);
    // The same packet index again is refused by the sender's own replay check, also without a send.
    expect(send(ctx.handle)).toBe(SRTP_ERR_REPLAY);
    await waitUntil('the one packet at the sink', () => peer!.got.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(peer.got).toHaveLength(1);
    expect(peer.got[0]!.equals(dst.subarray(0, n))).toBe(true);
    expect(udp.counters.datagramsOut).toBe(1);
  });
});
