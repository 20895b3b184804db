// Random bytes into every parser the shared port feeds: nothing throws, everything is dropped or counted.
import fc from 'fast-check';
import { DtlsSession, createDtlsIdentity } from '@convene/bridge/dtls';
import { Forwarder, ForwardingTable, type MediaSink } from '@convene/bridge/forward';
import { readStun } from '@convene/bridge/ice';
import { NodeSrtpTransform, type SrtpCipher } from '@convene/bridge/srtp';
import { classifyPacket } from '@convene/bridge/transport';

const bytes = fc.uint8Array({ minLength: 0, maxLength: 1500 }).map((a) => Buffer.from(a));
const identity = createDtlsIdentity();

describe('fuzzing the media parsers', () => {
  it('readStun and classifyPacket never throw', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        classifyPacket(b, 0, b.length);
        if (b.length >= 20) {
          b[0] = b[0]! & 3;
          b.writeUInt32BE(0x2112a442, 4);
        }
        readStun(b, 0, b.length);
      }),
      { numRuns: 2000 },
    );
  });

  // The OpenSSL-backed session: random records in every state must neither crash the process nor throw.
  it.each(['server', 'client'] as const)('a %s DTLS session survives random records', (role) => {
    fc.assert(
      fc.property(
        fc.array(bytes, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 3 }),
        (datagrams, epoch) => {
          // A fresh session per run: the first bad record may fail the handshake, and later ones must still be safe.
          const s = new DtlsSession({
            role,
            identity,
            remoteFingerprints: [{ hash: 'sha-256', value: identity.fingerprint }],
            send: () => undefined,
            onStateChange: () => undefined,
            onKeys: () => undefined,
            handshakeTimeoutMs: 1000,
          });
          s.start(0);
          for (const b of datagrams) {
            if (b.length >= 13) {
              b[0] = 20 + (b[0]! % 4);
              b.writeUInt16BE(0xfefd, 1);
              b.writeUInt16BE(epoch, 3);
              b.writeUInt16BE(Math.min(b.length - 13, b.readUInt16BE(11)), 11);
            }
            s.handleDatagram(b, 0, b.length, 0);
            s.tick(5000);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each<SrtpCipher>(['aes-cm-hmac-sha1-80', 'aes-gcm-128'])(
    '%s unprotect rejects random packets without throwing',
    (cipher) => {
      const salt = Buffer.alloc(cipher === 'aes-gcm-128' ? 12 : 14, 7);
      const key = Buffer.alloc(16, 9);
      const t = new NodeSrtpTransform({ cipher, localKey: key, localSalt: salt, remoteKey: key, remoteSalt: salt });
      const out = Buffer.alloc(1600);
      fc.assert(
        fc.property(bytes, (b) => {
          if (b.length > 0) b[0] = 0x80 | (b[0]! & 0x3f);
          expect(t.unprotectRtp(b, 0, b.length, out, 0)).toBeLessThan(0);
          expect(t.unprotectRtcp(b, 0, b.length, out, 0)).toBeLessThan(0);
          t.protectRtp(b, 0, b.length, out, 0);
        }),
        { numRuns: 1000 },
      );
    },
  );

  it('the forwarder takes random RTCP and RTP without throwing', () => {
    const sink: MediaSink = {
      ready: true,
      sendRtp: () => undefined,
      sendRtcp: () => undefined,
      noteSenderReport: () => undefined,
      retransmit: () => undefined,
      downlink: {
        forwardRtx: () => undefined,
        forwardRecovered: () => undefined,
        sendRtx: () => undefined,
        onFeedback: () => undefined,
      },
    };
    const table = new ForwardingTable();
    table.addMember(sink);
    const fwd = new Forwarder(table);
    fc.assert(
      fc.property(bytes, (b) => {
        if (b.length > 1) b[0] = 0x80 | (b[0]! & 0x3f);
        fwd.onRtcp(sink, b, 0, b.length);
        fwd.onRtp(sink, b, 0, b.length);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('fuzzing the video forwarding path', () => {
  it('random VP8/H264 packets and RTCP on a simulcast source with two receivers never throw', () => {
    const sink = (): MediaSink => ({
      ready: true,
      sendRtp: () => undefined,
      sendRtcp: () => undefined,
      noteSenderReport: () => undefined,
      retransmit: () => undefined,
      downlink: {
        forwardRtx: () => undefined,
        forwardRecovered: () => undefined,
        sendRtx: () => undefined,
        onFeedback: () => undefined,
      },
    });
    const [sender, a, b] = [sink(), sink(), sink()];
    const table = new ForwardingTable();
    for (const m of [sender, a, b]) table.addMember(m);
    table.setSources(
      sender,
      [
        ...[0, 1, 2].map((encoding) => ({
          ssrc: 10 + encoding,
          kind: 'video' as const,
          name: 's-v0',
          encoding,
          rtxSsrc: 20 + encoding,
        })),
        ...[0, 1, 2].map((encoding) => ({ ssrc: 20 + encoding, kind: 'video' as const, name: 's-v0' })),
      ],
      's',
    );
    table.rewriter(b, 's-v0')?.setTarget(0, 0);
    const fwd = new Forwarder(table);
    // RTX negotiated: receivers' NACKs go through the rewriter back to the sender's numbers and the cache.
    fwd.setRtxPayloadTypes(
      new Map([
        [100, 96],
        [107, 99],
      ]),
    );
    fwd.setVideoCodecs(
      new Map([
        [100, 'vp8'],
        [107, 'h264'],
      ]),
    );
    fc.assert(
      fc.property(bytes, fc.integer({ min: 0, max: 5 }), fc.boolean(), (p, which, h264) => {
        if (p.length >= 12) {
          p[0] = 0x80 | (p[0]! & 0x3f);
          p[1] = (p[1]! & 0x80) | (h264 ? 107 : 100);
          p.writeUInt32BE([10, 11, 12, 20, 21, 22][which]!, 8);
        }
        fwd.onRtp(sender, p, 0, p.length);
        fwd.onRtcp(a, p, 0, p.length);
      }),
      { numRuns: 3000 },
    );
  });
});
