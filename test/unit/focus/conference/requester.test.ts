// What the new-conference limits count against: an anonymous JID is free to renew, so its domain shares one limit;
// an HTTP client is known by the address a trusted proxy vouches for, an IPv6 one by its /64.
import { limitKeysOf } from '@convene/focus/conference';
import { clientAddress } from '@convene/focus/http';

const ANON = new Set(['meet.example']);

describe('limitKeysOf', () => {
  it('puts every anonymous JID of a domain under one domain key', () => {
    expect(limitKeysOf({ kind: 'xmpp', jid: 'x1y2@meet.example/res' }, ANON)).toEqual({
      requester: 'xmpp:x1y2@meet.example',
      anonymousDomain: 'meet.example',
    });
    expect(limitKeysOf({ kind: 'xmpp', jid: 'alice@auth.meet.example/r' }, ANON)).toEqual({
      requester: 'xmpp:alice@auth.meet.example',
    });
  });

  it("takes the sender Jitsi's client_proxy puts in the resource, and only from that proxy", () => {
    const proxy = 'focus.meet.example';
    expect(limitKeysOf({ kind: 'xmpp', jid: 'focus.meet.example/x1y2@meet.example/res' }, ANON, proxy)).toEqual({
      requester: 'xmpp:x1y2@meet.example',
      anonymousDomain: 'meet.example',
    });
    expect(limitKeysOf({ kind: 'xmpp', jid: 'other.example/x1y2@meet.example/res' }, ANON, proxy)).toEqual({
      requester: 'xmpp:other.example',
    });
  });

  it('keys IPv4 clients by address and IPv6 clients by /64', () => {
    expect(limitKeysOf({ kind: 'http', address: '198.51.100.7' }, ANON).requester).toBe('http:198.51.100.7');
    expect(limitKeysOf({ kind: 'http', address: '2001:db8:0:1::abcd' }, ANON).requester).toBe('http:2001:db8:0:1::/64');
    expect(limitKeysOf({ kind: 'http', address: '2001:db8:0:1:ffff:1:2:3' }, ANON).requester).toBe(
      'http:2001:db8:0:1::/64',
    );
    expect(limitKeysOf({ kind: 'http', address: '::1' }, ANON).requester).toBe('http:0:0:0:0::/64');
  });
});

describe('clientAddress', () => {
  const proxies = new Set(['127.0.0.1', '10.0.0.2']);
  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(clientAddress('203.0.113.9', '198.51.100.1', proxies)).toBe('203.0.113.9');
  });
  it('takes the right-most address that is not a trusted proxy', () => {
    expect(clientAddress('127.0.0.1', '1.2.3.4, 198.51.100.1', proxies)).toBe('198.51.100.1');
    expect(clientAddress('127.0.0.1', '1.2.3.4, 198.51.100.1, 10.0.0.2', proxies)).toBe('198.51.100.1');
    expect(clientAddress('::ffff:127.0.0.1', ['198.51.100.1'], proxies)).toBe('198.51.100.1');
  });
  it('stops at garbage and keeps the last address a proxy vouched for', () => {
    expect(clientAddress('127.0.0.1', 'not-an-ip', proxies)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', 'junk, 10.0.0.2', proxies)).toBe('10.0.0.2');
  });
});
