// Threat: the focus limited new conferences per requester, keyed by the requester's bare JID or the HTTP peer
// address. An anonymous JID is renewed by reconnecting, so a flooder with fresh JIDs had no limit at all; and
// behind a reverse proxy every HTTP client had the proxy's address, so one flooder used up everyone's limit.
// Now anonymous JIDs also share a per-domain limit, and X-Forwarded-For names the client when (and only when)
// the peer is a configured proxy.
import { request } from 'node:http';
import { startFocusStack, type FocusStack } from '../harness/focus-stack.js';

const PER_REQUESTER = 2;
const PER_ANONYMOUS_DOMAIN = 3;

/** POST /conference-request/v1 from `localAddress`, with an X-Forwarded-For header; resolves with the status. */
function conferenceRequest(port: number, room: string, forwardedFor: string, localAddress = '127.0.0.1') {
  return new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        localAddress,
        method: 'POST',
        path: '/conference-request/v1',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ room: `${room}@conference.meet.localhost` }));
  });
}

describe('conference creation flood', () => {
  let stack: FocusStack;

  beforeAll(async () => {
    stack = await startFocusStack('component', {
      CONVENE_FOCUS_NEW_CONFERENCES_PER_REQUESTER: String(PER_REQUESTER),
      CONVENE_FOCUS_NEW_CONFERENCES_PER_ANONYMOUS_DOMAIN: String(PER_ANONYMOUS_DOMAIN),
      CONVENE_FOCUS_NEW_CONFERENCE_WINDOW_MS: '60000',
      // The test's own requests from 127.0.0.1 stand for a reverse proxy's.
      CONVENE_FOCUS_TRUSTED_PROXIES: '127.0.0.1',
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('holds back a flooder that takes a fresh anonymous JID for every request', async () => {
    for (let i = 0; i < PER_ANONYMOUS_DOMAIN; i++) {
      const fresh = await stack.participant(`anon${i}`);
      expect((await fresh.requestConference(`anon-flood${i}@conference.meet.localhost`)).ready).toBe(true);
    }
    const fresh = await stack.participant('anonover');
    await expect(fresh.requestConference('anon-flood-over@conference.meet.localhost')).rejects.toMatchObject({
      condition: 'resource-constraint',
    });
    // Rooms that exist still answer.
    expect((await fresh.requestConference('anon-flood0@conference.meet.localhost')).ready).toBe(true);
  });

  it('keys HTTP clients behind a trusted proxy by X-Forwarded-For, whatever they put left of it', async () => {
    const port = stack.focusHttp;
    // The flooder writes its own X-Forwarded-For; the proxy appends the address it really came from.
    const flooder = (i: number) => conferenceRequest(port, `http-flood${i}`, `10.0.0.${i}, 198.51.100.1`);
    for (let i = 0; i < PER_REQUESTER; i++) expect(await flooder(i)).toBe(200);
    expect(await flooder(PER_REQUESTER)).toBe(429);
    // Another client behind the same proxy is not held back by the flooder.
    expect(await conferenceRequest(port, 'http-other', '198.51.100.2')).toBe(200);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const port = stack.focusHttp;
    // 127.0.0.2 is loopback too, but not in trustedProxies: rotating the header changes nothing.
    const direct = (i: number) => conferenceRequest(port, `direct-flood${i}`, `203.0.113.${i}`, '127.0.0.2');
    for (let i = 0; i < PER_REQUESTER; i++) expect(await direct(i)).toBe(200);
    expect(await direct(PER_REQUESTER)).toBe(429);
  });
});
