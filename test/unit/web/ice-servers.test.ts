import type { Element } from 'ltx';
import { parseXml } from '@convene/protocol/xml';
import { IceServers } from '../../../web/src/xmpp/ice-servers.js';

const answer = (expires: string) =>
  parseXml(`<iq type='result'><services xmlns='urn:xmpp:extdisco:2'>
    <service type='turn' host='t.example.org' port='3478' transport='udp' username='u' password='p' expires='${expires}'/>
  </services></iq>`);

/** A connection whose answers the test sets; counts and records the queries. */
function server(reply: () => Promise<Element>) {
  const asked: string[] = [];
  return { asked, request: (iq: Element) => (asked.push(iq.toString()), reply()) };
}

describe('the web client asking its XMPP server for TURN (IceServers)', () => {
  it('asks its domain once and shares the answer until the credentials near their expiry', async () => {
    const t0 = Date.UTC(2026, 11, 7);
    const s = server(() => Promise.resolve(answer(new Date(t0 + 3_600_000).toISOString())));
    const ice = new IceServers(s, 'meet.example.org');
    const first = await Promise.all([ice.get(t0), ice.get(t0)]);
    expect(first[0]).toEqual([{ urls: 'turn:t.example.org:3478?transport=udp', username: 'u', credential: 'p' }]);
    expect(s.asked).toHaveLength(1);
    expect(s.asked[0]).toContain('to="meet.example.org"');
    expect(s.asked[0]).toContain('urn:xmpp:extdisco:2');
    await ice.get(t0 + 3_500_000); // 100 s before expiry: still good
    expect(s.asked).toHaveLength(1);
    await ice.get(t0 + 3_550_000); // within a minute of expiry: asked again
    expect(s.asked).toHaveLength(2);
  });

  it('goes on without TURN when the server has none, and asks again only minutes later', async () => {
    const t0 = 1_000_000;
    const s = server(() =>
      Promise.reject(Object.assign(new Error('service-unavailable'), { condition: 'service-unavailable' })),
    );
    const ice = new IceServers(s, 'meet.example.org');
    expect(await ice.get(t0)).toEqual([]);
    expect(ice.lastError).toBe('service-unavailable');
    expect(await ice.get(t0 + 60_000)).toEqual([]);
    expect(s.asked).toHaveLength(1);
    await ice.get(t0 + 6 * 60_000);
    expect(s.asked).toHaveLength(2);
  });

  it('takes a malformed answer as no TURN rather than failing the session', async () => {
    const ice = new IceServers(
      server(() => Promise.resolve(parseXml("<iq type='result'><query xmlns='x'/></iq>"))),
      'd',
    );
    expect(await ice.get()).toEqual([]);
    expect(ice.lastError).not.toBe('');
  });
});
