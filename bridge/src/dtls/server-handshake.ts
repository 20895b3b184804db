// Server-role handshake: answers a ClientHello with the server flight, then checks the client's keys and Finished.
import { createECDH, sign } from 'node:crypto';
import { type FlightRecord } from './flight-writer.js';
import {
  CT_CHANGE_CIPHER_SPEC,
  CURVE_SECP256R1,
  DTLS_1_2,
  EMPTY_RENEGOTIATION_INFO_SCSV,
  EXT_EC_POINT_FORMATS,
  EXT_EXTENDED_MASTER_SECRET,
  EXT_RENEGOTIATION_INFO,
  EXT_SUPPORTED_GROUPS,
  EXT_USE_SRTP,
  HT_CERTIFICATE,
  HT_CERTIFICATE_REQUEST,
  HT_CERTIFICATE_VERIFY,
  HT_CLIENT_HELLO,
  HT_CLIENT_KEY_EXCHANGE,
  HT_FINISHED,
  HT_SERVER_HELLO,
  HT_SERVER_HELLO_DONE,
  HT_SERVER_KEY_EXCHANGE,
  Reader,
  SIGNATURE_ALGORITHMS,
  SIG_ECDSA_SECP256R1_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  readHello,
  readUseSrtp,
  u16,
  u8,
  vec16,
  vec24,
  vec8,
  writeExtensions,
  writeUseSrtp,
} from './handshake-codec.js';
import { verifyPeerCertificate, type HandshakeContext } from './handshake-state.js';
import { newRandom, verifySignature } from './key-schedule.js';

/** Handles one complete handshake message from the client; throws on anything that must fail the handshake. */
export function serverMessage(
  ctx: HandshakeContext,
  type: number,
  body: Buffer,
  whole: Buffer,
  epoch: number,
  now: number,
): void {
  const { hs, flight } = ctx;
  switch (type) {
    case HT_CLIENT_HELLO:
      if (hs.clientRandom.length > 0) return; // a repeat; the retransmission path answers it
      flight.send(answerClientHello(ctx, body, whole), now);
      return;
    case HT_CERTIFICATE:
      hs.peerKey = verifyPeerCertificate(body, ctx.deps.remoteFingerprints);
      hs.transcript.push(whole);
      return;
    case HT_CLIENT_KEY_EXCHANGE: {
      if (hs.peerKey === undefined) throw new Error('client sent no certificate');
      const point = new Reader(body).vec8();
      hs.transcript.push(whole);
      hs.deriveKeys(hs.ecdh!.computeSecret(point));
      flight.drop(); // the client answered: stop retransmitting our hello flight
      return;
    }
    case HT_CERTIFICATE_VERIFY: {
      if (hs.peerKey === undefined || hs.master === undefined) throw new Error('unexpected CertificateVerify');
      const r = new Reader(body);
      const alg = r.u16();
      const sig = r.vec16();
      if (!verifySignature(alg, Buffer.concat(hs.transcript), hs.peerKey, sig))
        throw new Error('bad CertificateVerify');
      hs.transcript.push(whole);
      return;
    }
    case HT_FINISHED: {
      if (epoch !== 1 || hs.master === undefined) throw new Error('unexpected Finished');
      hs.checkFinished(body, 'client finished');
      hs.transcript.push(whole);
      const verifyData = hs.finished('server finished');
      flight.send(
        [{ type: CT_CHANGE_CIPHER_SPEC, epoch: 0, body: u8(1) }, hs.message(HT_FINISHED, verifyData, 1)],
        now,
      );
      flight.disarm(); // RFC 6347 §4.2.4: the last flight goes again only when the peer repeats
      ctx.connected();
      return;
    }
    default:
      throw new Error(`unexpected handshake message ${type}`);
  }
}

/** Negotiates from a first ClientHello and builds the server's flight: ServerHello through ServerHelloDone. */
function answerClientHello(ctx: HandshakeContext, body: Buffer, whole: Buffer): FlightRecord[] {
  const { hs, deps } = ctx;
  const hello = readHello(body, true);
  if (!hello.cipherSuites.includes(TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)) throw new Error('no shared cipher suite');
  const groups = hello.extensions.get(EXT_SUPPORTED_GROUPS);
  if (groups !== undefined && !listHas(groups, CURVE_SECP256R1)) throw new Error('peer lacks secp256r1');
  const srtp = hello.extensions.get(EXT_USE_SRTP);
  const offered = srtp === undefined ? [] : readUseSrtp(srtp);
  hs.profile = deps.srtpProfiles.find((p) => offered.includes(p));
  if (hs.profile === undefined) throw new Error('no shared SRTP profile');
  hs.ems = hello.extensions.has(EXT_EXTENDED_MASTER_SECRET);
  hs.clientRandom = hello.random;
  hs.serverRandom = newRandom();
  hs.transcript.push(whole);
  const ext: Array<[number, Buffer]> = [[EXT_USE_SRTP, writeUseSrtp([hs.profile])]];
  if (hs.ems) ext.push([EXT_EXTENDED_MASTER_SECRET, Buffer.alloc(0)]);
  // RFC 5746 §3.6: a client signals secure renegotiation by the extension or by the SCSV cipher suite
  // (OpenSSL does the latter); either way it gets the empty extension, or OpenSSL 3 aborts the handshake.
  if (hello.extensions.has(EXT_RENEGOTIATION_INFO) || hello.cipherSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV))
    ext.push([EXT_RENEGOTIATION_INFO, u8(0)]);
  if (hello.extensions.has(EXT_EC_POINT_FORMATS)) ext.push([EXT_EC_POINT_FORMATS, vec8(u8(0))]);
  const serverHello = Buffer.concat([
    u16(DTLS_1_2),
    hs.serverRandom,
    vec8(Buffer.alloc(0)),
    u16(TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
    u8(0),
    writeExtensions(ext),
  ]);
  hs.ecdh = createECDH('prime256v1');
  const point = hs.ecdh.generateKeys();
  const params = Buffer.concat([u8(3), u16(CURVE_SECP256R1), vec8(point)]);
  const signature = sign(
    'sha256',
    Buffer.concat([hs.clientRandom, hs.serverRandom, params]),
    deps.certificate.privateKey,
  );
  const certRequest = Buffer.concat([
    vec8(Buffer.from([64, 1])), // ecdsa_sign, rsa_sign
    vec16(Buffer.concat(SIGNATURE_ALGORITHMS.map(u16))),
    vec16(Buffer.alloc(0)),
  ]);
  return [
    hs.message(HT_SERVER_HELLO, serverHello),
    hs.message(HT_CERTIFICATE, vec24(vec24(deps.certificate.der))),
    hs.message(HT_SERVER_KEY_EXCHANGE, Buffer.concat([params, u16(SIG_ECDSA_SECP256R1_SHA256), vec16(signature)])),
    hs.message(HT_CERTIFICATE_REQUEST, certRequest),
    hs.message(HT_SERVER_HELLO_DONE, Buffer.alloc(0)),
  ];
}

function listHas(vec: Buffer, value: number): boolean {
  const r = new Reader(vec);
  const list = r.vec16();
  for (let i = 0; i + 1 < list.length; i += 2) if (list.readUInt16BE(i) === value) return true;
  return false;
}
