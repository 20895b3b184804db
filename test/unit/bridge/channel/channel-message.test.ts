import { parseClientMessage, routeEndpointMessage, type EndpointMessage } from '@convene/bridge/channel';

describe('parseClientMessage', () => {
  it('reads the client messages the bridge acts on', () => {
    expect(parseClientMessage('{"colibriClass":"EndpointMessage","to":"b","msgPayload":{"x":1}}')).toMatchObject({
      colibriClass: 'EndpointMessage',
      to: 'b',
    });
    expect(parseClientMessage('{"colibriClass":"EndpointStats","bitrate":1}')).toMatchObject({ to: '' });
    expect(parseClientMessage('{"colibriClass":"LastNChangedEvent","lastN":3}')).toEqual({
      colibriClass: 'LastNChangedEvent',
      lastN: 3,
    });
    const rvc = parseClientMessage(
      '{"colibriClass":"ReceiverVideoConstraints","lastN":-1,"defaultConstraints":{"maxHeight":180},"onStageSources":["b-v0"],"constraints":{"b-v0":{"maxHeight":720}}}',
    );
    expect(rvc).toEqual({
      colibriClass: 'ReceiverVideoConstraints',
      patch: {
        lastN: -1,
        defaultConstraints: { maxHeight: 180 },
        onStageSources: ['b-v0'],
        constraints: { 'b-v0': { maxHeight: 720 } },
      },
    });
    expect(
      parseClientMessage('{"colibriClass":"SourceVideoTypeMessage","sourceName":"a-v0","videoType":"DESKTOP"}'),
    ).toEqual({ colibriClass: 'SourceVideoTypeMessage', sourceName: 'a-v0', videoType: 'desktop' });
    // lib-jitsi-meet before source names (2021) sends the endpoint-wide form on camera mute/unmute.
    expect(parseClientMessage('{"colibriClass":"VideoTypeMessage","videoType":"NONE"}')).toEqual({
      colibriClass: 'VideoTypeMessage',
      videoType: 'none',
    });
  });

  it.each([
    ['not json', 'hello', 'bad-json'],
    ['an array', '[1]', 'bad-json'],
    ['no class', '{}', 'missing-attribute'],
    ['unknown class', '{"colibriClass":"Nope"}', 'unknown-value'],
    ['a bridge-only class', '{"colibriClass":"ServerHello"}', 'unexpected-class'],
    ['a numeric target', '{"colibriClass":"EndpointMessage","to":7}', 'bad-json'],
    ['a bad lastN', '{"colibriClass":"LastNChangedEvent","lastN":"all"}', 'bad-number'],
    [
      'bad constraints',
      '{"colibriClass":"ReceiverVideoConstraints","constraints":{"a":{"maxHeight":"hd"}}}',
      'bad-number',
    ],
    ['bad selected sources', '{"colibriClass":"ReceiverVideoConstraints","selectedSources":[1]}', 'bad-json'],
  ])('rejects %s', (_name, text, code) => {
    expect(() => parseClientMessage(text)).toThrow(new RegExp(`^${code}:`));
  });
});

describe('routeEndpointMessage', () => {
  const msg = (to: string, cls: EndpointMessage['colibriClass'] = 'EndpointMessage'): EndpointMessage => ({
    colibriClass: cls,
    to,
    raw: { colibriClass: cls, to, from: 'spoofed', msgPayload: { n: 1 } },
  });

  it('delivers a targeted message to that member only, with the real sender as from', () => {
    expect(routeEndpointMessage('a', msg('b'), ['a', 'b', 'c'])).toEqual({
      deliveries: [{ to: 'b', message: { colibriClass: 'EndpointMessage', to: 'b', from: 'a', msgPayload: { n: 1 } } }],
    });
  });

  it('broadcasts to every other member of the conference', () => {
    const r = routeEndpointMessage('a', msg(''), ['a', 'b', 'c']);
    expect('deliveries' in r && r.deliveries.map((d) => d.to)).toEqual(['b', 'c']);
  });

  it('drops a message to an endpoint that is not a member (e.g. in another conference), or to itself', () => {
    expect(routeEndpointMessage('a', msg('z'), ['a', 'b'])).toEqual({ dropped: 'unknown-target' });
    expect(routeEndpointMessage('a', msg('a'), ['a', 'b'])).toEqual({ dropped: 'unknown-target' });
  });

  it('relays EndpointStats to everyone else', () => {
    const r = routeEndpointMessage('b', msg('', 'EndpointStats'), ['a', 'b']);
    expect('deliveries' in r && r.deliveries.map((d) => [d.to, d.message.colibriClass, d.message.from])).toEqual([
      ['a', 'EndpointStats', 'b'],
    ]);
  });
});

describe('parseClientMessage bounds', () => {
  it('keeps only the known ReceiverVideoConstraints fields, nested ones too', () => {
    const rvc = parseClientMessage(
      JSON.stringify({
        colibriClass: 'ReceiverVideoConstraints',
        lastN: 2,
        junk: 'x'.repeat(1000),
        defaultConstraints: { maxHeight: 180, junk: 1 },
        constraints: { 'b-v0': { maxHeight: 720, maxFrameRate: 30, junk: [1, 2] } },
      }),
    );
    expect(rvc).toEqual({
      colibriClass: 'ReceiverVideoConstraints',
      patch: {
        lastN: 2,
        defaultConstraints: { maxHeight: 180 },
        constraints: { 'b-v0': { maxHeight: 720, maxFrameRate: 30 } },
      },
    });
  });
});
