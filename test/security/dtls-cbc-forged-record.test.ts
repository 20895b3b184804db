// Threat: the forged-record attack of dtls-forged-record.test.ts against a session that negotiated a CBC suite,
// which the bridge keeps for older peers (it prefers AES-GCM and ChaCha20, which every browser offers). With
// encrypt-then-MAC, which OpenSSL negotiates by default for CBC, OpenSSL 3.0's DTLS treats a record whose MAC fails
// as fatal, so one spoofed record of 48 bytes or more in the current epoch ended the session. Without it a bad
// record is discarded, as DTLS wants (RFC 6347 §4.1.2.7). The peer is a real OpenSSL client (`openssl s_client`)
// offering only a CBC suite; the bridge's side is the addon's DtlsConnection on node's own OpenSSL.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DtlsSession, SRTP_AES128_CM_HMAC_SHA1_80, createDtlsIdentity, type SrtpKeys } from '@convene/bridge/dtls';
import { waitUntil } from '../harness/wait-for.js';

function opensslMissing(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'no openssl command';
  }
}

const missing = opensslMissing();
if (missing !== undefined) console.warn(`test/security/dtls-cbc-forged-record skipped: ${missing}`);
const describeOpenssl = missing === undefined ? describe : describe.skip;

/** An epoch-1 application-data record of `n` garbage bytes: what a spoofer of the peer's address can send. */
function forged(n: number): Buffer {
  const r = Buffer.alloc(13 + n, 0x41);
  r[0] = 23;
  r.writeUInt16BE(0xfefd, 1);
  r.writeUInt16BE(1, 3);
  r.writeUIntBE(9999, 5, 6);
  r.writeUInt16BE(n, 11);
  return r;
}

describeOpenssl('a forged DTLS record in a session on a CBC suite', () => {
  let dir: string;
  let socket: Socket;
  let client: ChildProcessWithoutNullStreams | undefined;
  let session: DtlsSession;
  let ticker: NodeJS.Timeout | undefined;
  let peer: RemoteInfo | undefined;
  let keys: SrtpKeys | undefined;
  let clientOut = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'convene-dtls-cbc-'));
    const [cert, key] = [join(dir, 'c.pem'), join(dir, 'k.pem')];
    execFileSync('openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
      ...['-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=older-peer'],
    ]);
    const fp = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256'], {
      encoding: 'utf8',
    });
    socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    session = new DtlsSession({
      role: 'server',
      identity: createDtlsIdentity('convene-test', [SRTP_AES128_CM_HMAC_SHA1_80]),
      remoteFingerprints: [{ hash: 'sha-256', value: /=([0-9A-F:]+)/.exec(fp)![1]! }],
      send: (buf) => peer !== undefined && socket.send(buf, peer.port, peer.address),
      onStateChange: () => undefined,
      onKeys: (k) => (keys = k),
      handshakeTimeoutMs: 10_000,
    });
    socket.on('message', (m, r) => {
      peer = r;
      session.handleDatagram(m, 0, m.length, Date.now());
    });
    ticker = setInterval(() => session.tick(Date.now()), 50);
    // Only a CBC suite offered: the bridge's preference for AES-GCM cannot apply.
    client = spawn('openssl', [
      ...['s_client', '-dtls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA', '-use_srtp', 'SRTP_AES128_CM_SHA1_80'],
      ...['-connect', `127.0.0.1:${socket.address().port}`, '-cert', cert, '-key', key, '-quiet'],
    ]);
    client.stdout.on('data', (d: Buffer) => (clientOut += d.toString()));
    client.stderr.on('data', (d: Buffer) => (clientOut += d.toString()));
    await waitUntil('the handshake with the CBC-only client', () => keys, 10_000, 20).catch((err: Error) => {
      throw new Error(`${err.message}; state ${session.state}\n${clientOut}`);
    });
  });

  afterAll(() => {
    clearInterval(ticker);
    client?.kill('SIGKILL');
    session?.close();
    socket?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('is discarded, and the session still carries data to the real peer', async () => {
    for (const n of [48, 64, 200]) {
      session.handleDatagram(forged(n), 0, 13 + n, Date.now());
      expect(session.state).toBe('connected');
    }
    expect(session.write(Buffer.from('still-up\n'))).toBe(true);
    await waitUntil('the client to print what the bridge sent', () => clientOut.includes('still-up'), 5_000, 20);
    expect(clientOut).not.toMatch(/alert/i); // the real peer heard no alert
  });
});
