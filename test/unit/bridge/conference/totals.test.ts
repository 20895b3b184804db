// The media server as the one registry of conferences: its totals by how endpoints ended, the change events that
// name the conference they concern, and the meeting-id index.
import { jest } from '@jest/globals';
import { MediaServer, type EndpointCloseReason } from '@convene/bridge/conference';

let server: MediaServer;
beforeEach(async () => {
  server = await MediaServer.create({ port: 0, bindAddress: '127.0.0.1' });
});
afterEach(() => server.close());

describe('MediaServer totals and changes', () => {
  it('counts a conference once however often it is closed, and forgets its meeting id', () => {
    const conf = server.createConference('m', 'a@b.c');
    expect(server.byMeetingId('m')).toBe(conf);
    expect(server.getConference(conf.id)).toBe(conf);
    expect(conf.id).not.toBe('m');
    conf.close();
    conf.close();
    expect(server.totals).toMatchObject({ conferencesCreated: 1, conferencesCompleted: 1 });
    expect(server.byMeetingId('m')).toBeUndefined();
    // The meeting id is free again.
    expect(server.createConference('m').id).not.toBe(conf.id);
  });

  it('names the conference a change concerns, so channels of other conferences are left alone', () => {
    const conf = server.createConference('m');
    const other = server.createConference('n');
    const changes: Array<string | undefined> = [];
    server.on('change', (id) => changes.push(id));
    const ep = conf.createEndpoint('a');
    ep.setSources([{ ssrc: 1, kind: 'audio', name: 'a-a0' }]);
    ep.close();
    const ofConf = changes.length;
    other.close();
    server.startGracefulShutdown();
    expect(ofConf).toBe(3);
    expect(changes).toEqual([conf.id, conf.id, conf.id, other.id, undefined]);
    expect(() => server.createConference('x')).toThrow(/^graceful-shutdown:/);
  });

  it('closing the conference closes every endpoint once, counted as expired', () => {
    const conf = server.createConference('m');
    const closes = jest.fn<(r: EndpointCloseReason) => void>();
    for (const id of ['a', 'b']) conf.createEndpoint(id).on('close', closes);
    conf.close();
    expect(closes.mock.calls).toEqual([['conference expired'], ['conference expired']]);
    expect(server.totals).toMatchObject({ endpointsCreated: 2, endpointsExpired: 2, conferencesCompleted: 1 });
  });

  it.each([
    ['ice failed', { endpointsExpired: 0, endpointsHungUp: 0, endpointsIceFailed: 1, endpointsDtlsFailed: 0 }],
    ['no ice connection', { endpointsExpired: 0, endpointsHungUp: 0, endpointsIceFailed: 1, endpointsDtlsFailed: 0 }],
    ['hung up', { endpointsExpired: 1, endpointsHungUp: 1, endpointsIceFailed: 0, endpointsDtlsFailed: 0 }],
    ['dtls failed', { endpointsExpired: 0, endpointsHungUp: 0, endpointsIceFailed: 0, endpointsDtlsFailed: 1 }],
    ['server closed', { endpointsExpired: 1, endpointsHungUp: 0, endpointsIceFailed: 0, endpointsDtlsFailed: 0 }],
  ] as const)('counts an endpoint closed with %s as such, and keeps the conference', (reason, totals) => {
    const conf = server.createConference('m');
    conf.createEndpoint('a').close(reason);
    expect(server.totals).toMatchObject(totals);
    expect(conf.closed).toBe(false);
  });

  it('closes an endpoint whose ICE never connects, and an emptied conference after the idle timeout', () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const s = server;
      const conf = s.createConference('m');
      conf.createEndpoint('a');
      // Default timeouts: 60 s each.
      jest.advanceTimersByTime(60_001);
      expect(conf.endpoints.size).toBe(0);
      expect(s.totals.endpointsIceFailed).toBe(1);
      expect(conf.closed).toBe(false);
      jest.advanceTimersByTime(60_000);
      expect(conf.closed).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
