import { jest } from '@jest/globals';
import { toEndpointId, toMeetingId } from '@convene/protocol/lib';
import type { FakeEndpoint } from './fake-media.js';
import { colibriSetup } from './setup.js';

function conference() {
  const { media, registry } = colibriSetup();
  const conf = registry.create(toMeetingId('m'), 'a@b.c');
  return { media, registry, conf, fake: media.conferences.get(conf.id)! };
}

describe('ColibriConference and ColibriEndpoint lifecycle', () => {
  it('close() is idempotent and tells listeners once', () => {
    const { conf, registry } = conference();
    const ep = conf.createEndpoint(toEndpointId('a'));
    const onClose = jest.fn();
    ep.onClose(onClose);
    ep.close();
    ep.close();
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(onClose).toHaveBeenCalledWith('expired');
    conf.close();
    conf.close();
    expect(registry.totals.conferencesCompleted).toBe(1);
  });

  it('names the conference a change concerns, so channels of other conferences are left alone', () => {
    const { conf, registry } = conference();
    const other = registry.create(toMeetingId('n'), 'b@b.c');
    const changes: Array<string | undefined> = [];
    registry.onChange((id) => changes.push(id));
    const ep = conf.createEndpoint(toEndpointId('a'));
    registry.sourcesChanged(conf.id);
    ep.close();
    const ofConf = changes.length;
    other.close();
    registry.startGracefulShutdown();
    expect(ofConf).toBeGreaterThanOrEqual(3);
    expect(changes).toEqual([...Array<string>(ofConf).fill(conf.id), other.id, undefined]);
  });

  it('refuses new endpoints once closed', () => {
    const { conf } = conference();
    conf.close();
    expect(() => conf.createEndpoint(toEndpointId('a'))).toThrow(/^closed:/);
  });

  it('closing the conference closes every endpoint and the media conference, each once', () => {
    const { conf, fake, registry } = conference();
    const a = conf.createEndpoint(toEndpointId('a'));
    const b = conf.createEndpoint(toEndpointId('b'));
    const closes = jest.fn();
    a.onClose(closes);
    b.onClose(closes);
    conf.close();
    expect(closes).toHaveBeenCalledTimes(2);
    expect(closes).toHaveBeenCalledWith('conference expired');
    expect([a.closed, b.closed, fake.closed, a.media.closed]).toEqual([true, true, true, true]);
    expect(registry.byMeetingId('m')).toBeUndefined();
    expect(registry.totals).toMatchObject({ endpointsExpired: 2, conferencesCompleted: 1 });
  });

  it('an endpoint the media core closes (consent lost) leaves the conference as an ICE failure', () => {
    const { conf, registry } = conference();
    const a = conf.createEndpoint(toEndpointId('a'));
    conf.createEndpoint(toEndpointId('b'));
    (a.media as FakeEndpoint).close('ice failed');
    expect(a.closed).toBe(true);
    expect([...conf.endpoints.keys()]).toEqual(['b']);
    expect(registry.totals).toMatchObject({ endpointsIceFailed: 1, endpointsDtlsFailed: 0, endpointsExpired: 0 });
  });

  it.each([
    ['hung up', { endpointsExpired: 1, endpointsHungUp: 1, endpointsIceFailed: 0, endpointsDtlsFailed: 0 }],
    ['dtls failed', { endpointsExpired: 0, endpointsHungUp: 0, endpointsIceFailed: 0, endpointsDtlsFailed: 1 }],
    ['server closed', { endpointsExpired: 1, endpointsHungUp: 0, endpointsIceFailed: 0, endpointsDtlsFailed: 0 }],
  ])('counts an endpoint the media core closed with %s as such', (reason, totals) => {
    const { conf, registry } = conference();
    const a = conf.createEndpoint(toEndpointId('a'));
    (a.media as FakeEndpoint).close(reason);
    expect(registry.totals).toMatchObject(totals);
  });
});
