// Our DTLS (OpenSSL inside node, through the native addon) against an independent peer in both roles: the
// `openssl` command line's s_client and s_server, the way OpenSSL-based peers (pjsip, GStreamer webrtcbin,
// Janus-style gateways) connect. Both sides must agree on the exported SRTP keys.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DtlsSession,
  SRTP_AEAD_AES_128_GCM,
  SRTP_AES128_CM_HMAC_SHA1_80,
  createDtlsIdentity,
  type DtlsRole,
  type SrtpKeys,
  type SrtpProfile,
} from '@convene/bridge/dtls';
import { waitUntil } from '../../harness/wait-for.js';

/** A UDP port nobody holds right now, for s_server. */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A P-256 key and self-signed certificate made by the openssl command, and its sha-256 fingerprint. */
function opensslCertificate(dir: string): { cert: string; key: string; fingerprint: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const req = spawnSync('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
    ...['-keyout', key, '-out', cert, '-subj', '/CN=openssl-peer', '-days', '1'],
  ]);
  if (req.status !== 0) throw new Error(`openssl req failed: ${req.stderr.toString()}`);
  const fp = spawnSync('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
  const fingerprint = /=([0-9A-F:]+)/.exec(fp.stdout)?.[1];
  if (fingerprint === undefined) throw new Error(`no fingerprint in ${fp.stdout}`);
  return { cert, key, fingerprint };
}

/** Our session in `role` on a loopback socket against openssl in the other role; returns both views of the keys. */
async function handshake(role: DtlsRole, opensslProfile: string, keyLength: number) {
  const dir = mkdtempSync(join(tmpdir(), 'convene-dtls-openssl-'));
  const peerCert = opensslCertificate(dir);
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  let peer: RemoteInfo | undefined;
  let keys: SrtpKeys | undefined;
  const serverPort = role === 'client' ? await freeUdpPort() : 0;
  if (role === 'client') peer = { address: '127.0.0.1', port: serverPort, family: 'IPv4', size: 0 };
  const session = new DtlsSession({
    role,
    identity: createDtlsIdentity('convene-test', [SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80]),
    remoteFingerprints: [{ hash: 'sha-256', value: peerCert.fingerprint }],
    send: (buf) => peer !== undefined && sock.send(buf, peer.port, peer.address),
    onStateChange: () => undefined,
    onKeys: (k) => (keys = k),
    handshakeTimeoutMs: 10_000,
  });
  sock.on('message', (msg, rinfo) => {
    peer = rinfo;
    session.handleDatagram(msg, 0, msg.length, Date.now());
  });
  const ticker = setInterval(() => session.tick(Date.now()), 50);
  const common = [
    ...['-dtls1_2', '-cert', peerCert.cert, '-key', peerCert.key, '-use_srtp', opensslProfile],
    ...['-keymatexport', 'EXTRACTOR-dtls_srtp', '-keymatexportlen', String(keyLength)],
  ];
  const args =
    role === 'server'
      ? ['s_client', '-connect', `127.0.0.1:${sock.address().port}`, ...common]
      : ['s_server', '-accept', `127.0.0.1:${serverPort}`, '-naccept', '1', '-Verify', '1', ...common];
  const openssl = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  openssl.stdout.on('data', (d: Buffer) => (out += d.toString()));
  openssl.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    if (role === 'client') {
      await waitUntil('s_server to listen', () => out.includes('ACCEPT'), 10_000);
      session.start(Date.now());
    }
    const material = await waitUntil(
      'openssl to print the exported keying material',
      () => /Keying material: ([0-9A-F]+)/i.exec(out)?.[1],
      15_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${out}`);
    });
    await waitUntil('our side to export keys', () => keys, 5_000).catch((err: Error) => {
      throw new Error(`${err.message}; state ${session.state}\n${out}`);
    });
    return { session, keys: keys!, material: Buffer.from(material, 'hex'), out };
  } finally {
    openssl.stdin.end();
    openssl.kill();
    clearInterval(ticker);
    session.close();
    sock.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('DTLS against the openssl command line', () => {
  it.each([
    ['server', 'SRTP_AEAD_AES_128_GCM', SRTP_AEAD_AES_128_GCM, 16, 12],
    ['server', 'SRTP_AES128_CM_SHA1_80', SRTP_AES128_CM_HMAC_SHA1_80, 16, 14],
    ['client', 'SRTP_AEAD_AES_128_GCM', SRTP_AEAD_AES_128_GCM, 16, 12],
    ['client', 'SRTP_AES128_CM_SHA1_80', SRTP_AES128_CM_HMAC_SHA1_80, 16, 14],
  ] as Array<[DtlsRole, string, SrtpProfile, number, number]>)(
    'as %s, completes a handshake (%s) and exports the same SRTP keys',
    async (role, name, profile, keyLen, saltLen) => {
      const { session, keys, material, out } = await handshake(role, name, 2 * (keyLen + saltLen));
      expect(session.srtpProfile).toBe(profile);
      expect(out).not.toMatch(/unsafe legacy renegotiation/i);
      expect(keys.profile).toBe(profile);
      // RFC 5764 §4.2: client key, server key, client salt, server salt.
      const [mineKey, theirsKey] = role === 'client' ? [0, keyLen] : [keyLen, 0];
      const [mineSalt, theirsSalt] =
        role === 'client' ? [2 * keyLen, 2 * keyLen + saltLen] : [2 * keyLen + saltLen, 2 * keyLen];
      expect(keys.localKey).toEqual(material.subarray(mineKey, mineKey + keyLen));
      expect(keys.remoteKey).toEqual(material.subarray(theirsKey, theirsKey + keyLen));
      expect(keys.localSalt).toEqual(material.subarray(mineSalt, mineSalt + saltLen));
      expect(keys.remoteSalt).toEqual(material.subarray(theirsSalt, theirsSalt + saltLen));
    },
  );
});
