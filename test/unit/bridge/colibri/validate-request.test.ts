import { parseConferenceModify } from '@convene/protocol/colibri2';
import { parseXml } from '@convene/protocol/xml';
import { validateRequest, isHeavy, toMediaTransport, toColibri2Transport } from '@convene/bridge/colibri';

const C2 = 'xmlns="jitsi:colibri2"';
const req = (inner: string, attrs = '') =>
  parseConferenceModify(parseXml(`<conference-modify ${C2} meeting-id="m" ${attrs}>${inner}</conference-modify>`));

describe('validateRequest', () => {
  it.each([
    ['sctp port 5001', '<endpoint id="a"><transport><sctp port="5001"/></transport></endpoint>', 'bad-sctp'],
    ['sctp role client', '<endpoint id="a"><transport><sctp role="client"/></transport></endpoint>', 'bad-sctp'],
    ['ice restart', '<endpoint id="a"><transport ice-restart="true"/></endpoint>', 'feature-not-implemented'],
    ['create and expire', '<endpoint id="a" create="true" expire="true"/>', 'bad-endpoint'],
    ['duplicate ids', '<endpoint id="a"/><endpoint id="a"/>', 'duplicate-endpoint'],
    [
      'visitor with sources',
      '<endpoint id="a" muc-role="visitor"><sources><media-source type="audio" id="a-a0"><source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" ssrc="1"/></media-source></sources></endpoint>',
      'visitor-sources',
    ],
    [
      'unknown hash',
      '<endpoint id="a"><transport><transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="u" pwd="p"><fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash="md5">AA:BB</fingerprint></transport></transport></endpoint>',
      'bad-fingerprint',
    ],
  ])('rejects %s', (_name, inner, code) => {
    expect(() => validateRequest(req(inner))).toThrow(new RegExp(`^${code}:`));
  });

  it('accepts any number of expire and force-mute endpoints', () => {
    const r = req(
      '<endpoint id="a" expire="true"/><endpoint id="b"><force-mute audio="true"/></endpoint><endpoint id="c" expire="true"/>',
    );
    expect(() => validateRequest(r)).not.toThrow();
    expect(r.endpoints.some(isHeavy)).toBe(false);
  });
});

describe('transport mapping', () => {
  it('keeps UDP component-1 candidates, drops mDNS and TCP, and defaults setup to active', () => {
    const t = toMediaTransport({
      ufrag: 'u',
      pwd: 'p',
      rtcpMux: true,
      webSockets: [],
      fingerprints: [{ hash: 'SHA-256', value: 'ab:cd' }],
      candidates: [
        { component: 1, foundation: '1', ip: '192.0.2.1', port: 1, priority: 9, protocol: 'udp', type: 'host' },
        { component: 1, foundation: '2', ip: 'x.local', port: 2, priority: 9, protocol: 'udp', type: 'host' },
        { component: 1, foundation: '3', ip: '192.0.2.1', port: 3, priority: 9, protocol: 'tcp', type: 'host' },
        { component: 2, foundation: '4', ip: '192.0.2.1', port: 4, priority: 9, protocol: 'udp', type: 'host' },
      ],
    });
    expect(t).toEqual({
      ufrag: 'u',
      pwd: 'p',
      fingerprints: [{ hash: 'sha-256', value: 'AB:CD', setup: 'active' }],
      candidates: [{ address: '192.0.2.1', port: 1, priority: 9, type: 'host' }],
    });
  });

  it('merges a trickled transport-info (no fingerprint) into the previous transport', () => {
    const previous = toMediaTransport({
      ufrag: 'u',
      pwd: 'p',
      rtcpMux: true,
      webSockets: [],
      fingerprints: [{ hash: 'sha-256', value: 'AB:CD', setup: 'active' }],
      candidates: [],
    });
    const trickle = {
      rtcpMux: false,
      webSockets: [],
      fingerprints: [],
      candidates: [
        {
          component: 1,
          foundation: '1',
          ip: '192.0.2.9',
          port: 9,
          priority: 1,
          protocol: 'udp' as const,
          type: 'srflx' as const,
        },
      ],
    };
    expect(toMediaTransport(trickle)).toBeUndefined();
    expect(toMediaTransport(trickle, previous)).toEqual({
      ufrag: 'u',
      pwd: 'p',
      fingerprints: [{ hash: 'sha-256', value: 'AB:CD', setup: 'active' }],
      candidates: [{ address: '192.0.2.9', port: 9, priority: 1, type: 'srflx' }],
    });
  });

  it('answers setup=actpass, rtcp-mux, the ws url, and sctp only when asked', () => {
    const local = {
      ufrag: 'u',
      pwd: 'p',
      fingerprints: [{ hash: 'sha-256', value: 'AA', setup: 'actpass' as const }],
      candidates: [{ address: '192.0.2.1', port: 10000, priority: 1, type: 'host' as const }],
    };
    expect(toColibri2Transport(local, 'ws://x', false).sctp).toBeUndefined();
    const t = toColibri2Transport(local, 'ws://x', true);
    expect(t.sctp).toEqual({ port: 5000, role: 'server' });
    expect(t.ice).toMatchObject({ rtcpMux: true, webSockets: ['ws://x'] });
    // colibri-ws off (websocketsEnabled: false): no web-socket, the bridge channel is SCTP only.
    expect(toColibri2Transport(local, undefined, true).ice?.webSockets).toEqual([]);
  });
});
