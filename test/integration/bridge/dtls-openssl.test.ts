// Our DTLS server against an independent client: OpenSSL 3's `s_client`, the way OpenSSL-based peers (pjsip,
// GStreamer webrtcbin, Janus-style gateways) connect. Both sides must agree on the exported SRTP keys.
import { spawn } from 'node:child_process';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DtlsSession,
  SRTP_AEAD_AES_128_GCM,
  SRTP_AES128_CM_HMAC_SHA1_80,
  generateCertificate,
  type SrtpKeys,
  type SrtpProfile,
} from '@convene/bridge/dtls';
import { waitUntil } from '../../harness/wait-for.js';

function pem(der: Buffer): string {
  const lines = der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n');
  return `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`;
}

/** Runs `openssl s_client` against a DtlsSession server on a loopback socket; returns both views of the keys. */
async function handshake(opensslProfile: string, keyLength: number) {
  const dir = mkdtempSync(join(tmpdir(), 'convene-dtls-openssl-'));
  const client = generateCertificate('openssl-client');
  writeFileSync(join(dir, 'cert.pem'), pem(client.der));
  writeFileSync(join(dir, 'key.pem'), client.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  let peer: RemoteInfo | undefined;
  let keys: SrtpKeys | undefined;
  const server = new DtlsSession({
    role: 'server',
    certificate: generateCertificate(),
    remoteFingerprints: [{ hash: 'sha-256', value: client.fingerprint }],
    srtpProfiles: [SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80],
    send: (buf) => peer !== undefined && sock.send(buf, peer.port, peer.address),
    onStateChange: () => undefined,
    onKeys: (k) => (keys = k),
    handshakeTimeoutMs: 10_000,
  });
  server.start(Date.now());
  sock.on('message', (msg, rinfo) => {
    peer = rinfo;
    server.handleDatagram(msg, 0, msg.length, Date.now());
  });
  const ticker = setInterval(() => server.tick(Date.now()), 50);
  const port = sock.address().port;
  const openssl = spawn(
    'openssl',
    [
      ...['s_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`],
      ...['-cert', join(dir, 'cert.pem'), '-key', join(dir, 'key.pem'), '-use_srtp', opensslProfile],
      ...['-keymatexport', 'EXTRACTOR-dtls_srtp', '-keymatexportlen', String(keyLength)],
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  openssl.stdout.on('data', (d: Buffer) => (out += d.toString()));
  openssl.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const material = await waitUntil(
      'openssl to print the exported keying material',
      () => /Keying material: ([0-9A-F]+)/i.exec(out)?.[1],
      15_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${out}`);
    });
    await waitUntil('our side to export keys', () => keys, 5_000).catch((err: Error) => {
      throw new Error(`${err.message}; state ${server.state}\n${out}`);
    });
    return { server, keys: keys!, material: Buffer.from(material, 'hex'), out };
  } finally {
    openssl.stdin.end();
    openssl.kill();
    clearInterval(ticker);
    sock.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('DTLS server against OpenSSL 3 s_client', () => {
  it.each([
    ['SRTP_AEAD_AES_128_GCM', SRTP_AEAD_AES_128_GCM, 16, 12],
    ['SRTP_AES128_CM_SHA1_80', SRTP_AES128_CM_HMAC_SHA1_80, 16, 14],
  ] as Array<[string, SrtpProfile, number, number]>)(
    'completes a handshake (%s) and exports the same SRTP keys',
    async (name, profile, keyLen, saltLen) => {
      const { server, keys, material, out } = await handshake(name, 2 * (keyLen + saltLen));
      expect(server.state).toBe('connected');
      expect(out).not.toMatch(/unsafe legacy renegotiation/i);
      expect(keys.profile).toBe(profile);
      // RFC 5764 §4.2: client key, server key, client salt, server salt; we are the server.
      expect(keys.remoteKey).toEqual(material.subarray(0, keyLen));
      expect(keys.localKey).toEqual(material.subarray(keyLen, 2 * keyLen));
      expect(keys.remoteSalt).toEqual(material.subarray(2 * keyLen, 2 * keyLen + saltLen));
      expect(keys.localSalt).toEqual(material.subarray(2 * keyLen + saltLen));
    },
  );
});
