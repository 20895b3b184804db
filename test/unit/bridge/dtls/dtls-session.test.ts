import {
  DtlsSession,
  SRTP_AEAD_AES_128_GCM,
  SRTP_AES128_CM_HMAC_SHA1_80,
  generateCertificate,
  type DtlsState,
  type SrtpKeys,
  type SrtpProfile,
} from '@convene/bridge/dtls';

function pair(opts: { serverProfiles?: SrtpProfile[]; wrongFingerprint?: boolean; lossy?: boolean } = {}) {
  const certA = generateCertificate();
  const certB = generateCertificate();
  const queue: Array<[DtlsSession, Buffer]> = [];
  const keys: { a?: SrtpKeys; b?: SrtpKeys } = {};
  const states: { a: DtlsState[]; b: DtlsState[] } = { a: [], b: [] };
  let sent = 0;
  const send = (to: () => DtlsSession) => (buf: Buffer) => {
    sent++;
    if (opts.lossy === true && sent % 3 === 1) return; // drop every third datagram
    queue.push([to(), buf]);
  };
  const client: DtlsSession = new DtlsSession({
    role: 'client',
    certificate: certA,
    remoteFingerprints: [
      { hash: 'sha-256', value: opts.wrongFingerprint === true ? certA.fingerprint : certB.fingerprint },
    ],
    srtpProfiles: [SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80],
    send: send(() => server),
    onStateChange: (s) => states.a.push(s),
    onKeys: (k) => (keys.a = k),
    handshakeTimeoutMs: 30_000,
  });
  const server: DtlsSession = new DtlsSession({
    role: 'server',
    certificate: certB,
    remoteFingerprints: [{ hash: 'sha-256', value: certA.fingerprint.toLowerCase() }],
    srtpProfiles: opts.serverProfiles ?? [SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80],
    send: send(() => client),
    onStateChange: (s) => states.b.push(s),
    onKeys: (k) => (keys.b = k),
    handshakeTimeoutMs: 30_000,
  });
  const run = (): void => {
    let now = 0;
    client.start(now);
    server.start(now);
    for (let i = 0; i < 200 && (client.state === 'connecting' || server.state === 'connecting'); i++) {
      while (queue.length > 0) {
        const [to, buf] = queue.shift()!;
        to.handleDatagram(buf, 0, buf.length, now);
      }
      now += 500;
      client.tick(now);
      server.tick(now);
    }
  };
  return { client, server, keys, states, run };
}

describe('DtlsSession', () => {
  it.each([
    [
      'AEAD_AES_128_GCM',
      [SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80] as SrtpProfile[],
      SRTP_AEAD_AES_128_GCM,
      12,
    ],
    ['AES_CM_128_HMAC_SHA1_80', [SRTP_AES128_CM_HMAC_SHA1_80] as SrtpProfile[], SRTP_AES128_CM_HMAC_SHA1_80, 14],
  ])('exports matching %s keys when both sides agree', (_n, serverProfiles, profile, saltLen) => {
    const p = pair({ serverProfiles });
    p.run();
    expect(p.client.state).toBe('connected');
    expect(p.server.state).toBe('connected');
    expect(p.keys.a!.profile).toBe(profile);
    expect(p.keys.a!.localKey).toEqual(p.keys.b!.remoteKey);
    expect(p.keys.a!.remoteSalt).toEqual(p.keys.b!.localSalt);
    expect(p.keys.a!.localSalt).toHaveLength(saltLen);
    expect(p.keys.a!.localKey).not.toEqual(p.keys.a!.remoteKey);
  });

  it('completes when datagrams are lost', () => {
    const p = pair({ lossy: true });
    p.run();
    expect(p.client.state).toBe('connected');
    expect(p.server.state).toBe('connected');
    expect(p.keys.a!.localKey).toEqual(p.keys.b!.remoteKey);
  });

  it('fails when the certificate does not match the fingerprint', () => {
    const p = pair({ wrongFingerprint: true });
    p.run();
    expect(p.states.a).toContain('failed');
    expect(p.keys.a).toBeUndefined();
  });

  it('counts junk records and does not crash', () => {
    const p = pair();
    p.server.start(0);
    for (const junk of [
      Buffer.from([22, 0xfe, 0xfd, 0, 0]),
      Buffer.from([23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4]),
    ]) {
      p.server.handleDatagram(junk, 0, junk.length, 0);
    }
    expect(p.server.counters.malformed + p.server.counters.unexpected).toBe(2);
  });
});
