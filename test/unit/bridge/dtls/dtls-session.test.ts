// Two native (OpenSSL) DTLS sessions talking through an in-memory queue.
import { createHash } from 'node:crypto';
import {
  DtlsSession,
  SRTP_AEAD_AES_128_GCM,
  SRTP_AES128_CM_HMAC_SHA1_80,
  createDtlsIdentity,
  type DtlsFingerprint,
  type DtlsIdentity,
  type DtlsState,
  type SrtpKeys,
  type SrtpProfile,
} from '@convene/bridge/dtls';

const BOTH: SrtpProfile[] = [SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80];

interface PairOptions {
  clientProfiles?: SrtpProfile[];
  serverProfiles?: SrtpProfile[];
  /** What the server expects of the client's certificate; the client's own sha-256 by default. */
  clientFingerprints?: (client: DtlsIdentity) => DtlsFingerprint[];
  /** Drop the 1st, 4th and 8th datagram: both sides must retransmit. */
  lossy?: boolean;
  /** The server's application-data handler. */
  onServerAppData?: (buf: Buffer) => boolean;
}

function pair(opts: PairOptions = {}) {
  const idA = createDtlsIdentity('client', opts.clientProfiles ?? BOTH);
  const idB = createDtlsIdentity('server', opts.serverProfiles ?? BOTH);
  const queue: Array<[DtlsSession, Buffer]> = [];
  const keys: { a?: SrtpKeys; b?: SrtpKeys } = {};
  const states: { a: DtlsState[]; b: DtlsState[] } = { a: [], b: [] };
  const reasons: { a: string[]; b: string[] } = { a: [], b: [] };
  let sent = 0;
  const send = (to: () => DtlsSession) => (buf: Buffer) => {
    sent++;
    if (opts.lossy === true && [1, 4, 8].includes(sent)) return;
    queue.push([to(), buf]);
  };
  const client: DtlsSession = new DtlsSession({
    role: 'client',
    identity: idA,
    remoteFingerprints: [{ hash: 'sha-256', value: idB.fingerprint }],
    send: send(() => server),
    onStateChange: (s, r) => (states.a.push(s), r !== undefined && reasons.a.push(r)),
    onKeys: (k) => (keys.a = k),
    handshakeTimeoutMs: 30_000,
  });
  const server: DtlsSession = new DtlsSession({
    role: 'server',
    identity: idB,
    remoteFingerprints: opts.clientFingerprints?.(idA) ?? [{ hash: 'sha-256', value: idA.fingerprint.toLowerCase() }],
    send: send(() => client),
    onStateChange: (s, r) => (states.b.push(s), r !== undefined && reasons.b.push(r)),
    onKeys: (k) => (keys.b = k),
    onAppData: opts.onServerAppData,
    handshakeTimeoutMs: 30_000,
  });
  const deliver = (): void => {
    while (queue.length > 0) {
      const [to, buf] = queue.shift()!;
      to.handleDatagram(buf, 0, buf.length, 0);
    }
  };
  const run = (): void => {
    server.start(0);
    client.start(0);
    for (let i = 0; i < 10; i++) deliver();
  };
  return { client, server, keys, states, reasons, run, deliver, queue };
}

describe('DtlsSession (OpenSSL)', () => {
  it.each([
    ['AEAD_AES_128_GCM', BOTH, SRTP_AEAD_AES_128_GCM, 12],
    ['AES_CM_128_HMAC_SHA1_80', [SRTP_AES128_CM_HMAC_SHA1_80], SRTP_AES128_CM_HMAC_SHA1_80, 14],
  ] as const)('exports matching %s keys when both sides agree', (_n, serverProfiles, profile, saltLen) => {
    const p = pair({ serverProfiles: [...serverProfiles] });
    p.run();
    expect(p.client.state).toBe('connected');
    expect(p.server.state).toBe('connected');
    expect(p.client.srtpProfile).toBe(profile);
    expect(p.keys.a!.profile).toBe(profile);
    expect(p.keys.a!.localKey).toEqual(p.keys.b!.remoteKey);
    expect(p.keys.a!.remoteKey).toEqual(p.keys.b!.localKey);
    expect(p.keys.a!.remoteSalt).toEqual(p.keys.b!.localSalt);
    expect(p.keys.a!.localSalt).toHaveLength(saltLen);
    expect(p.keys.a!.localKey).not.toEqual(p.keys.a!.remoteKey);
  });

  it('completes when datagrams are lost, retransmitting on OpenSSL timers', async () => {
    const p = pair({ lossy: true });
    p.run();
    for (let i = 0; i < 80 && (p.client.state !== 'connected' || p.server.state !== 'connected'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      p.client.tick(0);
      p.server.tick(0);
      p.deliver();
    }
    expect(p.client.state).toBe('connected');
    expect(p.server.state).toBe('connected');
    expect(p.client.counters.retransmits + p.server.counters.retransmits).toBeGreaterThan(0);
    expect(p.keys.a!.localKey).toEqual(p.keys.b!.remoteKey);
  }, 15_000);

  it('refuses a client whose certificate does not match the signalled fingerprint', () => {
    const other = createDtlsIdentity('someone-else');
    const p = pair({ clientFingerprints: () => [{ hash: 'sha-256', value: other.fingerprint }] });
    p.run();
    expect(p.server.state).toBe('failed');
    expect(p.reasons.b.join()).toMatch(/does not match the signalled fingerprint/);
    expect(p.client.state).toBe('failed');
    expect(p.reasons.a.join()).toMatch(/bad certificate/);
    expect(p.keys.a).toBeUndefined();
    expect(p.keys.b).toBeUndefined();
  });

  it('refuses sha-1 fingerprints: sha-256 or stronger is required', () => {
    const p = pair({ clientFingerprints: () => [{ hash: 'sha-1', value: Array(20).fill('AB').join(':') }] });
    p.run();
    expect(p.server.state).toBe('failed');
    expect(p.reasons.b.join()).toMatch(/no usable fingerprint/);
    expect(p.keys.b).toBeUndefined();
  });

  it('accepts a sha-512 fingerprint and skips malformed ones beside it', () => {
    const p = pair({
      clientFingerprints: (client) => [
        { hash: 'sha-256', value: 'not hex' },
        {
          hash: 'sha-512',
          value: createHash('sha512')
            .update(client.der)
            .digest('hex')
            .replace(/(..)(?!$)/g, '$1:'),
        },
      ],
    });
    p.run();
    expect(p.server.state).toBe('connected');
    expect(p.keys.b).toBeDefined();
  });

  it('fails when the peers share no SRTP profile', () => {
    const p = pair({ clientProfiles: [SRTP_AEAD_AES_128_GCM], serverProfiles: [SRTP_AES128_CM_HMAC_SHA1_80] });
    p.run();
    expect(p.client.state).toBe('failed');
    expect(p.keys.a).toBeUndefined();
    expect(p.keys.b).toBeUndefined();
  });

  it('moves the peer to closed with close_notify', () => {
    const p = pair();
    p.run();
    p.client.close();
    p.deliver();
    expect(p.client.state).toBe('closed');
    expect(p.server.state).toBe('closed');
    expect(p.reasons.b).toContain('peer sent close_notify');
  });

  it('lets an application-data handler end the session in the middle of a datagram', () => {
    let got = 0;
    const p = pair({
      onServerAppData: () => {
        got++;
        p.server.close(); // e.g. the SCTP layer giving up on the association
        return true;
      },
    });
    p.run();
    expect(p.server.state).toBe('connected');
    // Two records and a close_notify from the client, in one datagram (DTLS allows records back to back).
    p.client.write(Buffer.from('first'));
    p.client.write(Buffer.from('second'));
    p.client.close();
    const datagram = Buffer.concat(p.queue.splice(0).map(([, buf]) => buf));
    // Before: the session read the freed connection's error after the handler closed it, and threw.
    expect(() => p.server.handleDatagram(datagram, 0, datagram.length, 0)).not.toThrow();
    expect(got).toBe(1); // nothing delivered after the session ended
    expect(p.server.state).toBe('closed');
  });

  it('ignores plaintext alerts and junk once connected', () => {
    const p = pair();
    p.run();
    const fatalAlert = Buffer.from([21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 2, 2, 40]);
    const closeNotify = Buffer.from([21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 10, 0, 2, 1, 0]);
    for (const junk of [
      fatalAlert,
      closeNotify,
      Buffer.from([22, 0xfe, 0xfd, 0, 0]),
      Buffer.from([23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4]),
    ]) {
      p.server.handleDatagram(junk, 0, junk.length, 0);
    }
    expect(p.server.state).toBe('connected');
    expect(p.server.counters.datagramsIn).toBeGreaterThanOrEqual(5);
  });

  it('fails a handshake that outlives its timeout', () => {
    const p = pair();
    p.client.start(0);
    p.client.tick(31_000);
    expect(p.client.state).toBe('failed');
    expect(p.reasons.a).toContain('handshake timeout');
  });
});
