// Client-role handshake: sends the ClientHello (again with a cookie), reads the server flight and answers it.
import { createECDH, sign } from 'node:crypto';
import { type FlightRecord } from './flight-writer.js';
import {
  CT_CHANGE_CIPHER_SPEC,
  CURVE_SECP256R1,
  DTLS_1_2,
  EXT_EC_POINT_FORMATS,
  EXT_EXTENDED_MASTER_SECRET,
  EXT_RENEGOTIATION_INFO,
  EXT_SIGNATURE_ALGORITHMS,
  EXT_SUPPORTED_GROUPS,
  EXT_USE_SRTP,
  HT_CERTIFICATE,
  HT_CERTIFICATE_REQUEST,
  HT_CERTIFICATE_VERIFY,
  HT_CLIENT_HELLO,
  HT_CLIENT_KEY_EXCHANGE,
  HT_FINISHED,
  HT_HELLO_VERIFY_REQUEST,
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

const TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f;

/** Sends the first ClientHello, without a cookie. */
export function startClient(ctx: HandshakeContext, now: number): void {
  ctx.hs.clientRandom = newRandom();
  ctx.flight.send([ctx.hs.message(HT_CLIENT_HELLO, clientHello(ctx, Buffer.alloc(0)))], now);
}

/** Handles one complete handshake message from the server; throws on anything that must fail the handshake. */
export function clientMessage(
  ctx: HandshakeContext,
  type: number,
  body: Buffer,
  whole: Buffer,
  epoch: number,
  now: number,
): void {
  const { hs, flight } = ctx;
  switch (type) {
    case HT_HELLO_VERIFY_REQUEST: {
      const r = new Reader(body);
      r.u16();
      const cookie = r.vec8();
      hs.transcript = []; // RFC 6347 §4.2.1: the first hello and the verify request are not hashed
      flight.send([hs.message(HT_CLIENT_HELLO, clientHello(ctx, Buffer.from(cookie)))], now);
      return;
    }
    case HT_SERVER_HELLO: {
      const hello = readHello(body, false);
      const suite = hello.cipherSuites[0];
      if (suite !== TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 && suite !== TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
        throw new Error('server chose an unknown suite');
      const srtp = hello.extensions.get(EXT_USE_SRTP);
      const chosen = srtp === undefined ? undefined : readUseSrtp(srtp)[0];
      hs.profile = ctx.deps.srtpProfiles.find((p) => p === chosen);
      if (hs.profile === undefined) throw new Error('server chose no SRTP profile of ours');
      hs.ems = hello.extensions.has(EXT_EXTENDED_MASTER_SECRET);
      hs.serverRandom = hello.random;
      flight.drop();
      hs.transcript.push(whole);
      return;
    }
    case HT_CERTIFICATE:
      hs.peerKey = verifyPeerCertificate(body, ctx.deps.remoteFingerprints);
      hs.transcript.push(whole);
      return;
    case HT_SERVER_KEY_EXCHANGE: {
      if (hs.peerKey === undefined) throw new Error('ServerKeyExchange before Certificate');
      const r = new Reader(body);
      if (r.u8() !== 3 || r.u16() !== CURVE_SECP256R1) throw new Error('server chose an unknown curve');
      hs.peerEcPoint = Buffer.from(r.vec8());
      const paramsEnd = r.pos;
      const alg = r.u16();
      const sig = r.vec16();
      const signed = Buffer.concat([hs.clientRandom, hs.serverRandom, body.subarray(0, paramsEnd)]);
      if (!verifySignature(alg, signed, hs.peerKey, sig)) throw new Error('bad ServerKeyExchange signature');
      hs.transcript.push(whole);
      return;
    }
    case HT_CERTIFICATE_REQUEST:
      hs.certificateRequested = true;
      hs.transcript.push(whole);
      return;
    case HT_SERVER_HELLO_DONE:
      if (hs.peerEcPoint === undefined) throw new Error('ServerHelloDone before ServerKeyExchange');
      hs.transcript.push(whole);
      flight.send(keyExchangeFlight(ctx, hs.peerEcPoint), now);
      return;
    case HT_FINISHED:
      if (epoch !== 1 || hs.master === undefined) throw new Error('unexpected Finished');
      hs.checkFinished(body, 'server finished');
      flight.drop();
      ctx.connected();
      return;
    default:
      throw new Error(`unexpected handshake message ${type}`);
  }
}

function clientHello(ctx: HandshakeContext, cookie: Buffer): Buffer {
  const ext: Array<[number, Buffer]> = [
    [EXT_SUPPORTED_GROUPS, vec16(u16(CURVE_SECP256R1))],
    [EXT_EC_POINT_FORMATS, vec8(u8(0))],
    [EXT_SIGNATURE_ALGORITHMS, vec16(Buffer.concat(SIGNATURE_ALGORITHMS.map(u16)))],
    [EXT_USE_SRTP, writeUseSrtp(ctx.deps.srtpProfiles)],
    [EXT_EXTENDED_MASTER_SECRET, Buffer.alloc(0)],
    [EXT_RENEGOTIATION_INFO, u8(0)],
  ];
  return Buffer.concat([
    u16(DTLS_1_2),
    ctx.hs.clientRandom,
    vec8(Buffer.alloc(0)),
    vec8(cookie),
    vec16(Buffer.concat([u16(TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), u16(TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)])),
    vec8(u8(0)),
    writeExtensions(ext),
  ]);
}

/** Our answer to ServerHelloDone: [Certificate,] ClientKeyExchange, [CertificateVerify,] ChangeCipherSpec, Finished. */
function keyExchangeFlight(ctx: HandshakeContext, peerEcPoint: Buffer): FlightRecord[] {
  const { hs, deps } = ctx;
  const out: FlightRecord[] = [];
  if (hs.certificateRequested) out.push(hs.message(HT_CERTIFICATE, vec24(vec24(deps.certificate.der))));
  hs.ecdh = createECDH('prime256v1');
  const point = hs.ecdh.generateKeys();
  out.push(hs.message(HT_CLIENT_KEY_EXCHANGE, vec8(point)));
  hs.deriveKeys(hs.ecdh.computeSecret(peerEcPoint));
  // The attack: a certificate without its key means no CertificateVerify, straight on to Finished.
  if (hs.certificateRequested && deps.certificate.privateKey !== undefined) {
    const sig = sign('sha256', Buffer.concat(hs.transcript), deps.certificate.privateKey);
    out.push(hs.message(HT_CERTIFICATE_VERIFY, Buffer.concat([u16(SIG_ECDSA_SECP256R1_SHA256), vec16(sig)])));
  }
  out.push({ type: CT_CHANGE_CIPHER_SPEC, epoch: 0, body: u8(1) });
  out.push(hs.message(HT_FINISHED, hs.finished('client finished'), 1));
  return out;
}
