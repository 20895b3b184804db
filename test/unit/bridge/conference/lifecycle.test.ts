import { MediaServer } from '@convene/bridge/conference';

describe('MediaServer, Conference and Endpoint lifecycle', () => {
  let server: MediaServer;
  beforeEach(async () => {
    server = await MediaServer.create({ port: 0, bindAddress: '127.0.0.1' });
  });
  afterEach(() => server.close());

  it('advertises the configured host candidates on the bound port and a sha-256 fingerprint', async () => {
    const other = await MediaServer.create({
      port: 0,
      bindAddress: '127.0.0.1',
      advertisedAddresses: ['192.0.2.10', '127.0.0.1'],
    });
    try {
      const ep = other.createConference('c').createEndpoint('e');
      const t = ep.localTransport();
      expect(t.candidates.map((c) => `${c.address}:${c.port}`)).toEqual([
        `192.0.2.10:${other.port}`,
        `127.0.0.1:${other.port}`,
      ]);
      expect(t.fingerprints).toEqual([{ hash: 'sha-256', value: other.identity.fingerprint, setup: 'actpass' }]);
      expect(t.fingerprints[0]!.value).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(t.ufrag).not.toBe(other.createConference('d').createEndpoint('e').localTransport().ufrag);
    } finally {
      other.close();
    }
  });

  it('closes an endpoint once, emits close last, and throws on use afterwards', () => {
    const conf = server.createConference('c');
    const ep = conf.createEndpoint('e');
    const events: string[] = [];
    ep.on('close', (r) => events.push(`close:${r}`));
    conf.on('endpointclosed', () => events.push('endpointclosed'));
    ep.close();
    ep.close();
    expect(events).toEqual(['endpointclosed', 'close:expired']);
    expect(conf.getEndpoint('e')).toBeUndefined();
    expect(() => ep.localTransport()).toThrow(/^closed:/);
    expect(() => ep.setSources([])).toThrow(/^closed:/);
  });

  it('closes its endpoints when a conference closes, each exactly once', () => {
    const conf = server.createConference('c');
    const closes: string[] = [];
    for (const id of ['a', 'b']) conf.createEndpoint(id).on('close', (r) => closes.push(`${id}:${r}`));
    let confCloses = 0;
    conf.on('close', () => confCloses++);
    conf.close();
    conf.close();
    expect(closes).toEqual(['a:conference expired', 'b:conference expired']);
    expect(confCloses).toBe(1);
    expect(server.byMeetingId('c')).toBeUndefined();
    expect(() => conf.createEndpoint('x')).toThrow(/^closed:/);
  });

  it('closes every conference when the server closes', () => {
    const conf = server.createConference('c');
    const ep = conf.createEndpoint('a');
    server.close();
    server.close();
    expect(conf.closed).toBe(true);
    expect(ep.closed).toBe(true);
    expect(() => server.createConference('d')).toThrow(/^closed:/);
  });

  it('rejects an SSRC another endpoint of the conference owns, and duplicate ids', () => {
    const conf = server.createConference('c');
    conf.createEndpoint('a').setSources([{ ssrc: 1, kind: 'audio' }]);
    const b = conf.createEndpoint('b');
    expect(() => b.setSources([{ ssrc: 1, kind: 'audio' }])).toThrow(/^ssrc-conflict:/);
    expect(() => b.setSources([{ ssrc: -1, kind: 'audio' }])).toThrow(/^bad-ssrc:/);
    expect(() => conf.createEndpoint('a')).toThrow(/^endpoint-exists:/);
    expect(() => server.createConference('c')).toThrow(/^conference-exists:/);
    // Another conference may use the same SSRC: tables are per conference.
    expect(() =>
      server
        .createConference('d')
        .createEndpoint('x')
        .setSources([{ ssrc: 1, kind: 'audio' }]),
    ).not.toThrow();
  });

  it('rejects a remote transport without credentials or fingerprint', () => {
    const ep = server.createConference('c').createEndpoint('e');
    const fp = [{ hash: 'sha-256', value: 'AA', setup: 'active' as const }];
    expect(() => ep.setRemoteTransport({ ufrag: '', pwd: 'p', fingerprints: fp, candidates: [] })).toThrow(
      /^bad-transport:/,
    );
    expect(() => ep.setRemoteTransport({ ufrag: 'u', pwd: 'p', fingerprints: [], candidates: [] })).toThrow(
      /^bad-transport:/,
    );
  });

  it('folds the counters of closed endpoints and conferences into the totals, so they never go down', () => {
    const before = server.counters.endpoints.dropNotReady;
    const conf = server.createConference('c');
    const a = conf.createEndpoint('a');
    const b = conf.createEndpoint('b');
    // RTP before DTLS keyed the endpoint: dropped and counted as not ready, on each endpoint.
    const rtp = Buffer.from([0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7, 1, 2, 3, 4]);
    for (let i = 0; i < 3; i++) a.transport.onRtp(Buffer.from(rtp), rtp.length);
    b.transport.onRtp(Buffer.from(rtp), rtp.length);
    expect(conf.counters.endpoints.dropNotReady).toBe(4);
    a.close();
    expect(conf.endpoints.size).toBe(1);
    expect(conf.counters.endpoints.dropNotReady).toBe(4);
    expect(server.counters.endpoints.dropNotReady).toBe(before + 4);
    conf.close();
    expect(server.counters.endpoints.dropNotReady).toBe(before + 4);
  });
});
